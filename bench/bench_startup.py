"""Start-up: kube beside a minimal Typer app with the same commands doing nothing, in one hyperfine run.

    python bench/bench_startup.py            # needs hyperfine (apt-get install hyperfine)

Writes hyperfine's results to bench/out/startup-*.json and prints the ratios kube / floor.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def command_tree() -> dict[str, list[str]]:
    from kube_cli.cli import command_tree

    root = command_tree()
    tree: dict[str, list[str]] = {}
    for name, cmd in root.commands.items():
        tree[name] = sorted(getattr(cmd, "commands", {}) or [])
    return tree


def minimal_app(tree: dict[str, list[str]]) -> str:
    lines = ["import typer", "app = typer.Typer()", "@app.callback()", "def root(): 'A minimal app.'"]
    for name, subs in tree.items():
        ident = name.replace("-", "_")
        if subs:
            lines += [f"{ident} = typer.Typer()", f"app.add_typer({ident}, name={name!r})"]
            for sub in subs:
                lines += [
                    f"@{ident}.command({sub!r})",
                    f"def {ident}_{sub}(x: str = typer.Option('')): 'Does nothing.'",
                ]
        else:
            lines += [f"@app.command({name!r})", f"def cmd_{ident}(x: str = typer.Option('')): 'Does nothing.'"]
    lines.append("app()")
    return "\n".join(lines) + "\n"


def measure(runs: int = 30) -> str:
    """One hyperfine run of kube and the floors; a Markdown table of ratios."""
    if not shutil.which("hyperfine"):
        sys.exit("hyperfine is missing: apt-get install hyperfine")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    # Measure kube as pip installs it, with its modules compiled to bytecode: an editable checkout
    # under PYTHONDONTWRITEBYTECODE (set on the development VMs) would recompile them on every run.
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "kube_cli")], check=True)
    with tempfile.TemporaryDirectory() as folder:
        floor = Path(folder) / "floor.py"
        floor.write_text(minimal_app(command_tree()))
        db = Path(folder) / "sample.db"
        env = {**os.environ, "KUBE_DB": str(db), "PYTHONPATH": str(ROOT)}
        subprocess.run([python, "-c", "from kube_cli import sample; from kube_cli.db import open_registry\n"
                        f"with open_registry(__import__('pathlib').Path({str(db)!r}), 'bench', create=True) as r: sample.load(r)"],
                       check=True, env=env)  # fmt: skip
        kube = f"{python} -m kube_cli"
        commands = {
            "floor: python -c pass": f"{python} -c pass",
            "floor: python -c 'import typer'": f"{python} -c 'import typer'",
            "floor: minimal typer app --help": f"{python} {floor} --help",
            "floor: minimal typer app, a command": f"{python} {floor} group list",
            "kube --version": f"{kube} --version",
            "kube --help": f"{kube} --help",
            "kube group list (sample registry)": f"{kube} group list",
        }
        # hyperfine runs one command after another, so a machine that slows down (or speeds up) over
        # the run favours the commands run first: run the list forwards, then backwards, and average.
        results: dict[str, float] = {}
        for order, names in (("forwards", list(commands)), ("backwards", list(reversed(commands)))):
            export = out / f"startup-{order}.json"
            args = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", str(export)]
            for name in names:
                args += ["-n", name, commands[name]]
            subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
            for r in json.loads(export.read_text())["results"]:
                results[r["command"]] = results.get(r["command"], 0.0) + r["mean"] / 2
    lines = ["| what | kube | floor | ratio |", "| --- | ---: | ---: | ---: |"]
    for name, floor_name in [("kube --version", "floor: minimal typer app, a command"),
                             ("kube --help", "floor: minimal typer app --help"),
                             ("kube group list (sample registry)", "floor: minimal typer app, a command")]:  # fmt: skip
        mean, floor_mean = results[name], results[floor_name]
        lines.append(f"| `{name}` | {mean * 1000:.0f} ms | {floor_mean * 1000:.0f} ms "
                     f"(`{floor_name.removeprefix('floor: ')}`) | {mean / floor_mean:.2f}x |")  # fmt: skip
    for name in ("floor: python -c pass", "floor: python -c 'import typer'"):
        lines.append(f"| `{name.removeprefix('floor: ')}` (reference) | | {results[name] * 1000:.0f} ms | |")
    return "\n".join(lines)


def main() -> None:
    print(measure())


if __name__ == "__main__":
    main()
