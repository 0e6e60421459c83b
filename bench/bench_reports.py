"""Reports on a national-scale registry: kube's report functions beside hand-written SQL, same process.

    python bench/make_registry.py /tmp/nat.db          # once: 200k groups, 1M members, 2M money rows
    python bench/bench_reports.py /tmp/nat.db

Each figure is the best of N runs, measured alternately (kube, floor, kube, floor …) so that a
noisy shared machine slows both alike; the ratio is what counts.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli import registry as groups_domain  # noqa: E402
from kube_cli import reports  # noqa: E402
from kube_cli.db import open_registry  # noqa: E402

# The best hand-written SQL for the same numbers, using the same schema (member_count included).
FLOOR_SUMMARY = [
    "SELECT kelurahan_kode, count(*), sum(member_count) FROM groups WHERE status = 'aktif' GROUP BY kelurahan_kode",
    "SELECT usaha_id, count(*), sum(member_count) FROM groups WHERE status = 'aktif' GROUP BY usaha_id",
    "SELECT sum(a.amount) FROM aid a JOIN groups g ON g.id = a.group_id WHERE a.voided_at IS NULL AND g.status = 'aktif'",
    "SELECT sum(r.amount) FROM revenue r JOIN groups g ON g.id = r.group_id WHERE g.status = 'aktif'",
]
FLOOR_KEC_USAHA = [
    "SELECT substr(kelurahan_kode, 1, 8), usaha_id, count(*), sum(member_count) FROM groups "
    "WHERE status = 'aktif' GROUP BY 1, 2",
    "SELECT substr(g.kelurahan_kode, 1, 8), g.usaha_id, sum(a.amount) FROM aid a JOIN groups g ON g.id = a.group_id "
    "WHERE a.voided_at IS NULL AND g.status = 'aktif' GROUP BY 1, 2",
    "SELECT substr(g.kelurahan_kode, 1, 8), g.usaha_id, sum(r.amount) FROM revenue r JOIN groups g ON g.id = r.group_id "
    "WHERE g.status = 'aktif' GROUP BY 1, 2",
]


def floor(conn: sqlite3.Connection, queries: list[str]) -> Callable[[], None]:
    return lambda: [conn.execute(q).fetchall() for q in queries]


def best_of(runs: int, *fns: Callable[[], object]) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with open_registry(args.db, "bench") as registry:
        conn = registry.conn
        kecamatan = conn.execute("SELECT substr(kelurahan_kode, 1, 8) FROM groups LIMIT 1").fetchone()[0]
        code = conn.execute("SELECT code FROM groups WHERE id = 4242").fetchone()[0]
        f = reports.Filters()
        cases = [
            ("report --format json (summary)", lambda: reports.summary(registry, f), floor(conn, FLOOR_SUMMARY)),
            ("report --by kecamatan --by usaha", lambda: reports.breakdown(registry, ["kecamatan", "usaha"], f),
             floor(conn, FLOOR_KEC_USAHA)),
            ("group list --kecamatan X", lambda: groups_domain.group_list(registry, kecamatan=kecamatan),
             floor(conn, [f"SELECT * FROM groups WHERE kelurahan_kode LIKE '{kecamatan}.%'"])),
            ("member list CODE", lambda: groups_domain.member_list(registry, code),
             floor(conn, [f"SELECT * FROM members WHERE group_id = (SELECT id FROM groups WHERE code = '{code}')"])),
        ]
        print("| what | kube | hand-written SQL | ratio |")
        print("| --- | ---: | ---: | ---: |")
        for name, ours, theirs in cases:
            a, b = best_of(args.runs, ours, theirs)
            print(f"| {name} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {a / b:.2f}× |")


if __name__ == "__main__":
    main()
