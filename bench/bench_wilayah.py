#!/usr/bin/env python3
"""``kube wilayah`` on an all-Indonesia registry (83,762 kelurahan/desa): the first screen at a
terminal, and the ``--search`` query.

    python bench/bench_wilayah.py                  # registry made (kube init --wilayah ID) in $TMPDIR
    python bench/bench_wilayah.py --db ID.db --runs 15

First screen: ``kube wilayah`` runs in a pseudo-terminal of 80 x 24 with the real pager
(``less``, ``LESS=FRX``); the time is from the start of the process until 23 lines are on the screen.
Beside it, in the same run, ``kube --version`` to its one line at the same terminal: the start-up
that every command pays. The search: ``places.wilayah_rows(..., search=TEXT)`` in-process, every
row read, wall time and CPU time (the CPU time is what a busy machine distorts least).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SEARCHES = ("lolu", "palu", "sari", "tondo", "zzz")


def env() -> dict[str, str]:
    out = dict(os.environ, PYTHONPATH=str(ROOT), KUBE_LANG="en", LESS="FRX", TERM="xterm-256color")
    out.pop("PAGER", None)
    out.pop("KUBE_PAGER", None)
    return out


def to_screen(args: list[str], lines: int, cols: int = 80, rows: int = 24) -> float:
    """Seconds from the start of ``args`` until ``lines`` lines are on a ``cols`` x ``rows`` terminal."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "kube_cli", *args], env())
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen, elapsed = b"", float("nan")
    while select.select([fd], [], [], 120)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if seen.count(b"\n") >= lines:
            elapsed = time.perf_counter() - start
            break
    try:
        os.write(fd, b"q")  # leave the pager
        while select.select([fd], [], [], 10)[0] and os.read(fd, 65536):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed


def search_times(db: Path, text: str, runs: int) -> tuple[float, float, int]:
    """Median wall and CPU milliseconds of one search, every row read; and how many rows it found."""
    from kube_cli import places
    from kube_cli.db import open_registry

    walls, cpus, found = [], [], 0
    with open_registry(db, "bench") as registry:
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            found = sum(1 for _row in places.wilayah_rows(registry, None, text))
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an all-Indonesia registry (default: made in $TMPDIR)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    db = args.db or Path(tempfile.gettempdir()) / "kube-bench" / "wilayah-id.db"
    if not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(db), "init", "--wilayah", "ID"], env=env(),
                       check=True, capture_output=True)  # fmt: skip
    screens = [to_screen(["--db", str(db), "wilayah"], lines=23) for _ in range(args.runs)]
    versions = [to_screen(["--version"], lines=1) for _ in range(args.runs)]
    small = [to_screen(["--db", str(db), "wilayah", "--search", "lolu"], lines=9) for _ in range(args.runs)]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load}; {args.runs} runs each, medians")
    first, floor, seven = statistics.median(screens), statistics.median(versions), statistics.median(small)
    print(f"first screen of `kube wilayah` (80x24, less): {first:.2f} s  (max {max(screens):.2f} s)")
    print(f"`kube --version` to its line, same terminal:  {floor:.2f} s")
    print(
        f"`kube wilayah --search lolu` (7 rows, whole): {seven:.2f} s  -> all-Indonesia's own cost {first - seven:+.2f} s"
    )
    for text in SEARCHES:
        wall, cpu, found = search_times(db, text, max(args.runs, 25))
        print(f"search {text!r:8} {found:5d} rows: {wall:6.1f} ms wall, {cpu:6.1f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
