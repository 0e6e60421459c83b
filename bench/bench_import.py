#!/usr/bin/env python3
"""Time ``kube import`` of a big roster against a plain ``sqlite3.executemany`` load, same run.

Both load the same CSV into copies of the same empty registry (same schema and indexes). The
plain load only maps names to ids and inserts; ``kube import`` checks every row and the whole
file first. Each load runs in its own process, so its peak RSS is its own (``os.wait4``).

    python bench/bench_import.py --groups 200000 --small 20000

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
db, path = sys.argv[1:]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA foreign_keys = ON")
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


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MiB, and stderr of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{err}")
    return elapsed, usage.ru_maxrss // 1024, err.strip().splitlines()[-1] if err.strip() else ""


def main() -> None:
    import make_roster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=200_000, help="groups in the big roster (x5 members)")
    parser.add_argument("--small", type=int, default=20_000, help="groups in the small roster, for memory")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temporary folder)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kube-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_OFFICER": "bench", "KUBE_NO_PROGRESS": "1"}
    kube = [sys.executable, "-m", "kube_cli"]
    template = work / "empty.db"
    if not template.exists():
        subprocess.run([*kube, "--db", str(template), "init"], env=env, check=True, stdout=subprocess.DEVNULL)

    def fresh(name: str) -> str:
        path = work / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
        return str(path)

    results = []
    for groups in (args.small, args.groups):
        csv_path = work / f"roster-{groups}.csv"
        if not csv_path.exists():
            make_roster.write(groups, csv_path, seed=2021)
        rows = groups * 5
        raw = run([sys.executable, "-c", RAW, fresh("raw.db"), str(csv_path)], env)
        dry = run([*kube, "--db", fresh("dry.db"), "import", str(csv_path), "--dry-run"], env)
        real = run([*kube, "--db", fresh("kube.db"), "import", str(csv_path)], env)
        results.append((groups, rows, raw, dry, real))
        print(f"\n{groups:,} groups / {rows:,} members  ({csv_path.stat().st_size / 2**20:.0f} MiB CSV)")
        print(f"  {'load':<28}{'seconds':>9}{'rows/s':>10}{'peak RSS':>10}  vs plain")
        for label, (secs, rss, _msg) in (("plain sqlite3.executemany", raw), ("kube import --dry-run", dry),
                                         ("kube import", real)):  # fmt: skip
            print(f"  {label:<28}{secs:9.1f}{rows / secs:10,.0f}{rss:8d} MiB  {raw[0] / secs:5.2f}x")
        print(f"  kube says: {real[2]}")
    print(f"\nwork folder: {work}")


if __name__ == "__main__":
    main()
