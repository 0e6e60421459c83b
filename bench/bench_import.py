#!/usr/bin/env python3
"""Time ``kube import`` of a big roster against plain ``sqlite3.executemany`` loads, same run.

Two floors. The bare floor is what a user who writes his own loader gets: ``csv.reader``, then
``executemany`` into two tables with primary keys on code and NIK, WAL, ``synchronous=normal``.
The heavier floor loads copies of the same empty registry (kube's schema, UUIDs, timestamps and
indexes) and only maps names to ids. ``kube import`` checks every row and the whole file first.
Each load runs in its own process, so its peak RSS is its own; with ``--rounds N`` the loads
alternate N times and the medians are shown.

    python bench/bench_import.py --groups 200000 --small 20000 --workdir /tmp/kb
    python bench/bench_import.py --groups 40000 --small 0 --rounds 3 --loads bare,kube   # iterating

Run from the repository root (it uses ``python -m kube_cli`` with this checkout on the path).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

RAW = r"""
import csv, sqlite3, sys, uuid
from datetime import datetime, UTC
db, path, cache_mib = sys.argv[1:]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA foreign_keys = ON")
conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mib)}")
kel = {nama: kode for kode, nama in conn.execute("SELECT kode, nama FROM wilayah WHERE level = 'kelurahan_desa'")}
usaha = {name: i for i, name in conn.execute("SELECT id, name FROM usaha")}
now = datetime.now(UTC).isoformat(timespec="seconds")
group_ids, groups, members = {}, [], []
conn.execute("BEGIN")
def flush():
    conn.executemany("INSERT INTO groups (id, uuid, code, name, kelurahan_kode, usaha_id, year, status, note, "
                     "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'aktif', '', ?, ?)", groups)
    conn.executemany("INSERT INTO members (uuid, group_id, nik, name, role, gender, pkh_graduate, created_at, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", members)
    groups.clear(); members.clear()
with open(path, encoding="utf-8", newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    for code, gname, kelurahan, _kec, us, year, name, nik, role, gender, pkh in reader:
        gid = group_ids.get(code)
        if gid is None:
            gid = group_ids[code] = len(group_ids) + 1
            groups.append((gid, str(uuid.uuid4()), code, gname, kel[kelurahan], usaha[us], int(year), now, now))
        members.append((str(uuid.uuid4()), gid, nik, name, role, gender, int(pkh == "ya"), now, now))
        if len(members) >= 5000:
            flush()
flush()
conn.execute("COMMIT")
"""


BARE = r"""
import csv, sqlite3, sys
db, path = sys.argv[1:3]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA synchronous = NORMAL")
conn.execute("CREATE TABLE groups (code TEXT PRIMARY KEY, name TEXT, kelurahan TEXT, kecamatan TEXT, usaha TEXT, "
             "year INTEGER)")
conn.execute("CREATE TABLE members (nik TEXT PRIMARY KEY, group_code TEXT, name TEXT, role TEXT, gender TEXT, pkh TEXT)")
conn.execute("BEGIN")
groups, members, last = [], [], None
def flush():
    conn.executemany("INSERT INTO groups VALUES (?, ?, ?, ?, ?, ?)", groups)
    conn.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?, ?)", members)
    groups.clear(); members.clear()
with open(path, encoding="utf-8", newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    for code, gname, kel, kec, usaha, year, name, nik, role, gender, pkh in reader:
        if code != last:
            groups.append((code, gname, kel, kec, usaha, year))
            last = code
        members.append((nik, code, name, role, gender, pkh))
        if len(members) >= 10000:
            flush()
flush()
conn.execute("COMMIT")
"""


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB, and stderr of one child process.

    The peak RSS comes from GNU time's own child: Linux carries a process's peak across exec, so
    a child forked straight from this (bigger) process would report this process's size."""
    with tempfile.NamedTemporaryFile("r") as rss:
        start = time.perf_counter()
        child = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        elapsed = time.perf_counter() - start
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{child.stderr}")
        peak = int(rss.read().split()[-1]) // 1024
    err = child.stderr.strip()
    return elapsed, peak, err.splitlines()[-1] if err else ""


LOADS = [
    # (label, how, cache MiB): "bare" and "plain" are the scripts above; "kube" adds the arguments to kube import.
    ("bare floor: `csv.reader` + `executemany`, two tables, keys on code and NIK", "bare", None),
    ("plain `executemany`, 2 MiB page cache (SQLite's default)", "plain", 2),
    ("plain `executemany`, 1 GiB page cache (the floor)", "plain", 1024),
    ("`kube import --dry-run`", "kube --dry-run", None),
    ("`kube import`", "kube", None),
]


def measure(sizes: list[int], work: Path, rounds: int = 1, only: set[str] | None = None) -> str:
    """Run every load for each roster size; a Markdown table, with ratios against both floors."""
    import statistics

    import make_roster

    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_OFFICER": "bench", "KUBE_NO_PROGRESS": "1"}
    env.pop("KUBE_IMPORT_CACHE_MIB", None)
    kube = [sys.executable, "-m", "kube_cli"]
    template = work / "empty.db"
    for suffix in ("", "-wal", "-shm"):  # always the current schema, the same for every load
        Path(f"{template}{suffix}").unlink(missing_ok=True)
    subprocess.run([*kube, "--db", str(template), "init"], env=env, check=True, stdout=subprocess.DEVNULL)

    def fresh(copy: bool = True) -> str:
        path = work / "load.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if copy:
            shutil.copyfile(template, path)
        return str(path)

    loads = [load for load in LOADS if only is None or load[1].split()[0] in only or load[1] in only]
    lines = ["| roster | load | seconds | rows/s | peak RSS | vs bare floor | vs kube-schema floor (1 GiB) |",
             "|---|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    notes: list[str] = []
    for groups in sizes:
        csv_path = work / f"roster-{groups}.csv"
        if not csv_path.exists():
            make_roster.write(groups, csv_path, seed=2021)
        rows = groups * 5
        times: dict[str, list[float]] = {label: [] for label, _how, _cache in loads}
        peaks: dict[str, int] = {}
        for _round in range(rounds):
            for label, how, cache in loads:
                load_env = dict(env)
                if how == "bare":
                    args = [sys.executable, "-c", BARE, fresh(copy=False), str(csv_path)]
                elif how == "plain":
                    args = [sys.executable, "-c", RAW, fresh(), str(csv_path), str(cache)]
                else:
                    args = [*kube, "--db", fresh(), "import", str(csv_path), *how.split()[1:]]
                secs, peak, _msg = run(args, load_env)
                times[label].append(secs)
                peaks[label] = max(peaks.get(label, 0), peak)
                print(f"  {rows:,} members, {label}: {secs:.1f} s", file=sys.stderr)
        median = {label: statistics.median(values) for label, values in times.items()}
        bare = median.get(LOADS[0][0])
        heavy = median.get(LOADS[2][0])
        title = f"{groups:,} groups / {rows:,} members ({csv_path.stat().st_size / 2**20:.0f} MiB)"
        for i, (label, secs) in enumerate(median.items()):
            lines.append(
                f"| {title if i == 0 else ''} | {label} | {secs:.1f} | {rows / secs:,.0f} | {peaks[label]} MiB "
                f"| {f'{bare / secs:.2f}x' if bare else ''} | {f'{heavy / secs:.2f}x' if heavy else ''} |"
            )
        bare_times = times.get(LOADS[0][0])
        if rounds > 1 and bare_times:  # paired: a slow spell of the host slows both loads of a round
            paired = [f"{label} {statistics.median(b / t for b, t in zip(bare_times, values, strict=True)):.2f}x"
                      for label, values in times.items() if values is not bare_times]  # fmt: skip
            if paired:
                notes.append(f"{title}, the median of each round's own ratio to the bare floor: {'; '.join(paired)}.")
    if rounds > 1:
        lines.append(f"\nMedians of {rounds} alternating rounds.")
        lines.extend(notes)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=200_000, help="groups in the big roster (x5 members)")
    parser.add_argument("--small", type=int, default=20_000, help="groups in the small roster, for memory")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temporary folder)")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the loads this many times; medians")
    parser.add_argument("--loads", help="only these, comma-separated: bare, plain, kube, 'kube --dry-run'")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kube-bench-"))
    only = set(args.loads.split(",")) if args.loads else None
    sizes = [n for n in (args.small, args.groups) if n]
    print(measure(sizes, work, args.rounds, only))


if __name__ == "__main__":
    main()
