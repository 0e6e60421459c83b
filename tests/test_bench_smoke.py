"""The benchmarks still run (issue 17: a CI-sized smoke run stays in the suite's time budget).

Each script of ``bench/`` that the README's figures come from is run at a tiny size, as a user
would run it, and must print its ratios. The figures themselves mean nothing at this size and on
a shared machine; what is checked is that the command in ``bench/README.md`` still works.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def bench(*args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_OFFICER": "bench"}
    env.pop("KUBE_DB", None)
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_import_benchmark_compares_kube_with_the_bare_floor(tmp_path: Path) -> None:
    out = bench(str(ROOT / "bench" / "bench_import.py"), "--groups", "200", "--small", "0", "--rounds", "2",
                "--workdir", str(tmp_path), cwd=tmp_path)  # fmt: skip
    assert "bare floor" in out and "`kube import`" in out, out
    assert "x |" in out, out  # the ratio columns
    assert re.search(r"each round's own ratio to the bare floor: .*`kube import` \d+\.\d\dx", out), out  # paired


def test_the_import_phases_are_timed_with_the_write_lock(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    bench(str(ROOT / "bench" / "make_roster.py"), "--groups", "100", "-o", str(roster), cwd=tmp_path)
    empty = tmp_path / "empty.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_DB": str(empty)}
    subprocess.run([sys.executable, "-m", "kube_cli", "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    out = bench(str(ROOT / "bench" / "import_phases.py"), str(empty), str(roster), "--runs", "1", cwd=tmp_path)
    assert "lock" in out, out


def test_two_checkouts_imports_are_compared_round_by_round(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    bench(str(ROOT / "bench" / "make_roster.py"), "--groups", "50", "-o", str(roster), cwd=tmp_path)
    out = bench(
        str(ROOT / "bench" / "compare_import.py"), str(ROOT), str(roster), "--rounds", "1", "--cpu", cwd=tmp_path
    )  # fmt: skip  (this checkout against itself: the command works, the figures mean nothing)
    assert "round 1:" in out and "median floor/this" in out, out
