#!/usr/bin/env python3
"""Time ``kube import`` of one roster by two checkouts of kube and the bare floor, paired, same run.

What changed between two commits, measured the only way this shared machine allows: each round runs
the bare floor (``bench_import.BARE``), the other checkout's ``kube import`` and this one's, each in its
own process and each kube into a copy of an empty registry made by its own ``kube init`` (its own
schema). Prints every round and the medians of the ratios.

    git worktree add /tmp/before 0909e68
    python bench/make_roster.py --groups 40000 -o /tmp/R.csv
    python bench/compare_import.py /tmp/before /tmp/R.csv --rounds 8 [--cpu]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_import import BARE  # noqa: E402


def timed(args: list[str], env: dict[str, str], cpu: bool) -> float:
    """Wall seconds of one child process, or with ``cpu`` its user + system CPU seconds (less swayed by
    the neighbours)."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu:
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout (its root folder)")
    parser.add_argument("roster", type=Path)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--cpu", action="store_true", help="CPU seconds (user + system), not wall seconds")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kube-compare-"))
    checkouts = {"other": args.other.resolve(), "this": HERE.parent}
    envs = {name: {**os.environ, "PYTHONPATH": str(root), "KUBE_NO_PROGRESS": "1", "KUBE_OFFICER": "bench"}
            for name, root in checkouts.items()}  # fmt: skip
    for name in checkouts:  # an empty registry of each one's own schema
        subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(work / f"{name}.empty.db"), "init"],
                       env=envs[name], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    rounds = []
    for n in range(1, args.rounds + 1):
        (work / "bare.db").unlink(missing_ok=True)
        times = {
            "floor": timed(
                [sys.executable, "-c", BARE, str(work / "bare.db"), str(args.roster)], envs["this"], args.cpu
            )
        }
        for name in checkouts:
            db = work / f"{name}.db"
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            db.write_bytes((work / f"{name}.empty.db").read_bytes())
            times[name] = timed([sys.executable, "-m", "kube_cli", "--db", str(db), "import", str(args.roster)],
                                envs[name], args.cpu)  # fmt: skip
        rounds.append(times)
        print(f"round {n}: floor {times['floor']:.2f} s, other {times['other']:.2f} s, this {times['this']:.2f} s; "
              f"other/this {times['other'] / times['this']:.2f}, floor/this {times['floor'] / times['this']:.2f}, "
              f"floor/other {times['floor'] / times['other']:.2f}")  # fmt: skip
    for label, a, b in (
        ("other/this", "other", "this"),
        ("floor/this", "floor", "this"),
        ("floor/other", "floor", "other"),
    ):
        print(f"median {label}: {statistics.median(r[a] / r[b] for r in rounds):.2f}")


if __name__ == "__main__":
    main()
