"""Start-up: kube beside a minimal 10-command Typer app, in paired runs (median of the ratios).

    python bench/bench_startup.py              # 21 paired runs of each comparison
    python bench/bench_startup.py --runs 31
    python bench/bench_startup.py --imports    # what `kube group list` imports beyond the minimal app

Each pair runs kube and the floor one right after the other (which goes first alternates), so a
machine that slows down or speeds up during the run slows both alike; the figure is the median of
the per-pair ratios. The targets (issue 17): `--help` and `--version` at most 1.0x; `group list`
and `report` on a one-group registry at most 0.8x the minimal app running one command.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# what each comparison holds kube to: (kube's arguments, the floor's arguments, the target ratio, kube's env)
COMPARISONS: dict[str, tuple[list[str], list[str], float | None, dict[str, str]]] = {
    "kube --help": (["--help"], ["--help"], 1.0, {}),
    "kube --help, help cache off (as on its first run)": (["--help"], ["--help"], None, {"KUBE_NO_HELP_CACHE": "1"}),
    "kube --version": (["--version"], ["cmd0"], 1.0, {}),
    "kube group list (one group)": (["group", "list"], ["cmd0"], 0.8, {}),
    "kube report (one group)": (["report"], ["cmd0"], 0.8, {}),
}


def minimal_app(commands: int = 10) -> str:
    """A Typer app of ``commands`` commands, each with one text option, doing nothing: the floor."""
    lines = ["import typer", "app = typer.Typer()", "@app.callback()", "def root(): 'A minimal app.'"]
    for n in range(commands):
        lines += [f"@app.command('cmd{n}')", f"def cmd{n}(x: str = typer.Option('')): 'Does nothing.'"]
    lines.append("app()")
    return "\n".join(lines) + "\n"


def _one_group_registry(db: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "kube_cli", "group", "add", "KUBE Bench", "--kelurahan", "lasoani",
                    "--usaha", "e-warong", "--code", "BENCH-1"], check=True, env=env, capture_output=True)  # fmt: skip


def _time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def paired(
    kube: list[str], floor: list[str], env: dict[str, str], runs: int, kube_env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Median kube time, median floor time, median of the per-pair ratios."""
    k_env = {**env, **(kube_env or {})}
    for _ in range(2):  # warm the page cache and the bytecode (and the help cache)
        _time(kube, k_env), _time(floor, env)
    times_k, times_f, ratios = [], [], []
    for n in range(runs):
        if n % 2:
            f, k = _time(floor, env), _time(kube, k_env)
        else:
            k, f = _time(kube, k_env), _time(floor, env)
        times_k.append(k), times_f.append(f), ratios.append(k / f)
    return statistics.median(times_k), statistics.median(times_f), statistics.median(ratios)


def _setup(folder: Path) -> tuple[Path, dict[str, str]]:
    # Measure kube as pip installs it, with its modules compiled to bytecode: an editable checkout
    # under PYTHONDONTWRITEBYTECODE (set on the development VMs) would recompile them on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kube_cli")], check=True)
    floor = folder / "floor.py"
    floor.write_text(minimal_app())
    env = {**os.environ, "KUBE_DB": str(folder / "one.db"), "PYTHONPATH": str(ROOT), "KUBE_LANG": "en",
           "KUBE_CACHE_DIR": str(folder / "cache")}  # fmt: skip
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _one_group_registry(folder / "one.db", env)
    return floor, env


def measure(runs: int = 21) -> str:
    """The paired comparisons as a Markdown table."""
    lines = ["| what | kube | floor (minimal 10-command Typer app) | ratio (median of pairs) | target |",
             "| --- | ---: | ---: | ---: | --- |"]  # fmt: skip
    with tempfile.TemporaryDirectory() as name:
        floor, env = _setup(Path(name))
        for what, (kube_args, floor_args, target, kube_env) in COMPARISONS.items():
            k, f, ratio = paired([sys.executable, "-m", "kube_cli", *kube_args], [sys.executable, str(floor),
                                 *floor_args], env, runs, kube_env)  # fmt: skip
            verdict = "reference" if target is None else f"{'met' if ratio <= target else 'missed'} (≤ {target:.1f}x)"
            lines.append(f"| `{what}` | {k * 1000:.0f} ms | {f * 1000:.0f} ms (`{' '.join(floor_args)}`) | "
                         f"{ratio:.2f}x | {verdict} |")  # fmt: skip
    lines.append(f"\n{runs} paired runs each; Python {sys.version.split()[0]}.")
    return "\n".join(lines)


def imports_beyond_floor() -> str:
    """The modules `kube group list` imports that the minimal app running a command does not, by their
    own import time (``runpy`` is ``python -m``'s)."""
    with tempfile.TemporaryDirectory() as name:
        floor, env = _setup(Path(name))

        def loaded(argv: list[str]) -> dict[str, int]:
            done = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, capture_output=True,
                                  text=True, check=True)  # fmt: skip
            found = {}
            for row in done.stderr.splitlines():
                if row.startswith("import time:") and "|" in row and "self [us]" not in row:
                    own, _cumulative, module = row.removeprefix("import time:").split("|")
                    found[module.strip()] = int(own)  # its own time: what is imported first is order's accident
            return found

        kube = loaded(["-m", "kube_cli", "group", "list"])
        base = loaded([str(floor), "cmd0"])
    extra = {m: us for m, us in kube.items() if m not in base}
    rows = [f"| `{m}` | {us / 1000:.1f} ms |" for m, us in sorted(extra.items(), key=lambda kv: -kv[1])[:15]]
    total = f"| all {len(extra)} modules | {sum(extra.values()) / 1000:.1f} ms |"
    spared = {m: us for m, us in base.items() if m not in kube}
    tops = ", ".join(sorted({m.split(".")[0] for m in spared}))
    note = (
        f"\nThe minimal app imports {len(spared)} modules kube does not ({sum(spared.values()) / 1000:.1f} ms): {tops}."
    )
    return "\n".join(["| module | its own import time |", "| --- | ---: |", *rows, total, note])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--imports", action="store_true", help="list what kube imports beyond the minimal app")
    args = parser.parse_args()
    print(imports_beyond_floor() if args.imports else measure(args.runs))


if __name__ == "__main__":
    main()
