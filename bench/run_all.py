#!/usr/bin/env python3
"""Run every kube benchmark beside its floor, in one go, and write the tables into bench/README.md.

    python bench/run_all.py                 # full scale: 200k groups, 1M members, 2M money rows (~15 min)
    python bench/run_all.py --quick         # small sizes, a smoke run (~1 min); prints, writes nothing

Data is generated (seeded) into ``--workdir`` (default: kube-bench in the temporary folder) and
reused when present. Needs hyperfine (``apt-get install hyperfine``). Every ratio compares two
figures from the same run, so a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def machine() -> str:
    import typer

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")  # fmt: skip
    ram = next((int(line.split()[1]) // 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)  # fmt: skip
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores, {cpu}, {ram} GiB RAM · "
            f"load average at the end {load} · Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"typer {typer.__version__}")  # fmt: skip


def national(work: Path, groups: int, money: int) -> Path:
    """The national-scale registry, built once (seeded) and reused; upgraded by kube if older."""
    import make_registry

    db = work / f"national-{groups}.db"
    if not db.exists():
        started = time.perf_counter()
        print(f"building {db} ({groups:,} groups, {groups * 5:,} members, {money:,} money rows) …", file=sys.stderr)
        make_registry.build(db, groups, money, seed=1)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_OFFICER": "bench"}
    subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(db), "init"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    for old in work.glob(f"{db.name}.before-upgrade-*"):  # kube keeps a copy when it upgrades; not needed here
        old.unlink()
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; print the tables, write nothing")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kube-bench")
    parser.add_argument("--runs", type=int, default=5, help="in-process report runs (best of)")
    args = parser.parse_args()
    import bench_import
    import bench_reports
    import bench_startup

    work = args.workdir / ("quick" if args.quick else "full")
    work.mkdir(parents=True, exist_ok=True)
    groups, money, sizes = (2_000, 20_000, [200, 2_000]) if args.quick else (200_000, 2_000_000, [20_000, 200_000])
    started = time.perf_counter()
    print("start-up …", file=sys.stderr)
    startup = bench_startup.measure(runs=5 if args.quick else 21)
    db = national(work, groups, money)
    print("reports …", file=sys.stderr)
    in_process = bench_reports.in_process(db, args.runs)
    commands = bench_reports.whole_commands(db, HERE / "out")
    print("import …", file=sys.stderr)
    imports = bench_import.measure(sizes, work)
    scale = f"{groups:,} groups, {groups * 5:,} members, {money:,} aid and revenue rows"
    body = "\n".join([
        f"Measured {machine()} · {time.perf_counter() - started:.0f} s for the whole run"
        + (" · QUICK (small sizes)" if args.quick else ""),
        "",
        "### Start-up (paired runs, median of ratios; the floor is a minimal 10-command Typer app)",
        "",
        startup,
        "",
        f"### Reports and lists on the national-scale registry ({scale})",
        "",
        "kube's functions beside the best hand-written SQL for the same numbers, same process, alternating, best of "
        f"{args.runs}:",
        "",
        in_process,
        "",
        "The same as whole commands (hyperfine), each beside the same command on an empty registry: the "
        "difference is what the national registry costs past start-up.",
        "",
        commands,
        "",
        "### Import of a roster (each load in its own process, on a copy of the same empty registry)",
        "",
        imports,
    ])  # fmt: skip
    print(body)
    if args.quick:
        return
    readme = HERE / "README.md"
    text = readme.read_text()
    if START not in text:
        text += f"\n## Latest results\n\n{START}\n{END}\n"
    text = re.sub(f"{re.escape(START)}.*{re.escape(END)}", lambda _m: f"{START}\n{body}\n{END}", text, flags=re.S)
    readme.write_text(text)
    print(f"\nwritten to {readme}", file=sys.stderr)


if __name__ == "__main__":
    main()
