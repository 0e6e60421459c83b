"""Build a national-scale kube registry for benchmarks, straight through SQL (fast, seedable).

    python bench/make_registry.py OUT.db --groups 200000 --members-per-group 5 --money 2000000 --visits 1000000 --seed 1

Every NIK is fictional but valid in form; kelurahan are real codes from the national list
(the registry is scoped to ID, all Indonesia). Members: 5 per group (1M for 200k groups);
money rows are split evenly between aid and revenue. Visits (1M) fall on random groups over the
two years before ``VISITS_UNTIL`` (``kube due --as-of 2025-12-31``): most find the business running,
a tenth stalled, one in twenty stopped; one group in about 150 is never visited.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli.db import now, open_registry

ROLES = ("ketua", "sekretaris", "bendahara", "anggota", "anggota")
KINDS = ("peralatan", "modal", "pelatihan", "lainnya")
VISITS_UNTIL = "2025-12-31"
OFFICERS = tuple(f"Petugas {n:03d}" for n in range(1, 501))


def fake_nik(rng: random.Random, kelurahan_kode: str, serial: int, woman: bool) -> str:
    region = kelurahan_kode[:8].replace(".", "")  # province, kab/kota, kecamatan digits
    day = rng.randint(1, 28) + (40 if woman else 0)
    return f"{region}{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{serial % 10000:04d}"


def visit_rows(rng: random.Random, groups: int, visits: int, stamp: str):
    from datetime import date, timedelta

    until = date.fromisoformat(VISITS_UNTIL)
    for i in range(visits):
        gid = rng.randint(1, groups)
        day = (until - timedelta(days=rng.randint(0, 729))).isoformat()
        business = rng.choices(("running", "stalled", "stopped"), (85, 10, 5))[0]
        yield (f"u-v-{i}", gid, day, OFFICERS[gid % len(OFFICERS)], business, int(rng.random() < 0.6),
               rng.randint(2, 5), stamp, stamp)  # fmt: skip


def build(path: Path, groups: int, money: int, seed: int, visits: int = 0) -> None:
    rng = random.Random(seed)
    with open_registry(path, "bench", create=True, wilayah="ID") as registry:
        conn = registry.conn
        kelurahan = [r[0] for r in conn.execute("SELECT kode FROM wilayah WHERE level = 'kelurahan_desa'")]
        usaha = [r[0] for r in conn.execute("SELECT id FROM usaha")]
        stamp = now()
        used: set[str] = set()
        with registry.atomic():
            group_rows, member_rows = [], []
            for gid in range(1, groups + 1):
                kel = rng.choice(kelurahan)
                group_rows.append(
                    (
                        gid,
                        f"u-g-{gid}",
                        f"B-{gid:07d}",
                        f"KUBE Bench {gid}",
                        kel,
                        rng.choice(usaha),
                        rng.randint(2015, 2025),
                        "aktif" if rng.random() > 0.05 else "nonaktif",
                        stamp,
                        stamp,
                    )
                )
                for j, role in enumerate(ROLES):
                    woman = rng.random() < 0.8
                    serial = gid * 5 + j
                    nik = fake_nik(rng, kel, serial, woman)
                    while nik in used:
                        nik = fake_nik(rng, kel, serial + rng.randint(1, 9999), woman)
                    used.add(nik)
                    member_rows.append(
                        (
                            f"u-m-{serial}",
                            gid,
                            nik,
                            f"Anggota {serial}",
                            role,
                            "P" if woman else "L",
                            int(rng.random() < 0.8),
                            stamp,
                            stamp,
                        )
                    )
            conn.executemany(
                "INSERT INTO groups (id, uuid, code, name, kelurahan_kode, usaha_id, year, status, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                group_rows,
            )
            conn.executemany(
                "INSERT INTO members (uuid, group_id, nik, name, role, gender, pkh_graduate, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                member_rows,
            )
            conn.executemany(
                "INSERT INTO aid (uuid, group_id, date, kind, amount, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                (
                    (
                        f"u-a-{i}",
                        rng.randint(1, groups),
                        f"{rng.randint(2016, 2025)}-{rng.randint(1, 12):02d}-15",
                        rng.choice(KINDS),
                        rng.randint(1, 400) * 50_000,
                        stamp,
                        stamp,
                    )
                    for i in range(money // 2)
                ),
            )
            seen: set[tuple[int, str]] = set()
            revenue = []
            while len(revenue) < money // 2:
                gid, year = rng.randint(1, groups), rng.randint(2016, 2025)
                period = f"{year}-{rng.randint(1, 12):02d}"
                if (gid, period) in seen:
                    continue
                seen.add((gid, period))
                revenue.append((f"u-r-{len(revenue)}", gid, period, year, rng.randint(1, 500) * 10_000, stamp, stamp))
            conn.executemany(
                "INSERT INTO revenue (uuid, group_id, period, year, amount, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                revenue,
            )
            conn.executemany(
                "INSERT INTO visits (uuid, group_id, date, officer, business, bookkeeping, members_present, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                visit_rows(rng, groups, visits, stamp),
            )
        conn.execute("ANALYZE")


def add_visits(path: Path, visits: int, seed: int) -> None:
    """Add ``visits`` visits to an existing registry (upgraded first): a national registry made before
    visits existed gains them without being built again."""
    rng = random.Random(seed + 15)
    with open_registry(path, "bench") as registry:
        (groups,) = registry.conn.execute("SELECT max(id) FROM groups").fetchone()
        with registry.atomic() as conn:
            conn.executemany(
                "INSERT INTO visits (uuid, group_id, date, officer, business, bookkeeping, members_present, "
                "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                visit_rows(rng, groups, visits, now()),
            )
        registry.conn.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--groups", type=int, default=200_000)
    parser.add_argument("--money", type=int, default=2_000_000, help="aid + revenue rows")
    parser.add_argument("--visits", type=int, default=1_000_000, help="monitoring visits")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--add-visits", action="store_true", help="only add --visits to the registry OUT")
    args = parser.parse_args()
    if args.add_visits:
        started = time.perf_counter()
        add_visits(args.out, args.visits, args.seed)
        print(f"added {args.visits} visits to {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return
    if args.out.exists():
        sys.exit(f"{args.out} exists; remove it first")
    started = time.perf_counter()
    build(args.out, args.groups, args.money, args.seed, args.visits)
    print(f"built {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
