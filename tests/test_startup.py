"""Import discipline: a command loads only what it needs, so officers get an answer at once.

Timings belong in bench/; here we only check which modules a command pulls in.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "matplotlib", "sqlite_utils", "datasette", "kube_cli.regions", "kube_cli.charts")

PROBE = """
import json, sys
sys.argv = ["kube", *json.loads(sys.argv[1])]
from kube_cli.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def modules_loaded_by(*args: str, db: Path) -> set[str]:
    env = {**os.environ, "KUBE_DB": str(db), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, env=env,
                          timeout=60, check=True)  # fmt: skip
    return set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))


@pytest.mark.parametrize(
    ("args", "also_absent"),
    [
        (("--version",), ("rich", "sqlite3", "kube_cli.registry", "pydantic")),
        (("group", "list", "--format", "json"), ("rich.table",)),
        (("report", "--format", "json"), ("rich.table",)),
        (("log", "--format", "json"), ("rich.table", "kube_cli.reports", "kube_cli.batch")),
        (("--help",), ("sqlite3", "kube_cli.cmd_groups", "kube_cli.cmd_report", "kube_cli.cmd_batch")),
        (("group", "list"), ("kube_cli.cmd_report", "kube_cli.cmd_batch", "kube_cli.cmd_money", "kube_cli.cmd_team")),
    ],
)
def test_a_command_does_not_import_what_it_does_not_use(demo_registry: Path, args, also_absent) -> None:
    loaded = modules_loaded_by(*args, db=demo_registry)
    for name in (*HEAVY, *also_absent):
        assert name not in loaded, f"kube {' '.join(args)} imported {name}"


def test_the_command_list_in_help_is_each_commands_own_summary() -> None:
    """`kube --help` lists commands without importing them; each summary must still be the command's own."""
    from kube_cli.cli import COMMANDS, command_tree

    tree = command_tree()
    assert list(tree.commands) == list(COMMANDS)
    for name, (_module, _attribute, summary) in COMMANDS.items():
        assert (tree.commands[name].help or "").split("\n\n")[0].strip() == summary, name
