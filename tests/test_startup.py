"""Import discipline: a command loads only what it needs, so officers get an answer at once.

Timings belong in bench/; here we only check which modules a command pulls in.
"""

from __future__ import annotations

import json
import os
import re
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


# --- kube --help from its cache ------------------------------------------------------------------------


def _help_at_terminal(columns: int, env: dict[str, str], *args: str) -> bytes:
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    child = subprocess.Popen([sys.executable, "-m", "kube_cli", *args, "--help"], stdin=slave, stdout=slave,
                             stderr=slave, env=env)  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert child.wait(timeout=60) == 0
    os.close(master)
    return seen


@pytest.mark.parametrize("lang", ["en", "id"])
def test_help_from_the_cache_is_the_help_kube_renders_now(tmp_path: Path, lang: str) -> None:
    """At a terminal of 80 and of 60 columns and in a pipe: the cached help is byte for byte the fresh one."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_CACHE_DIR": str(tmp_path / "cache"), "KUBE_LANG": lang,
           "TERM": "xterm-256color"}  # fmt: skip
    env.pop("COLUMNS", None)
    fresh_env = {**env, "KUBE_NO_HELP_CACHE": "1"}
    for columns in (80, 60):
        fresh = _help_at_terminal(columns, fresh_env)
        first, cached = _help_at_terminal(columns, env), _help_at_terminal(columns, env)
        assert fresh == first == cached, columns
        plain = re.sub(r"\x1b\[[0-9;]*m", "", fresh.decode()).splitlines()
        assert max(len(line) for line in plain) == columns  # drawn for this terminal
    piped = [subprocess.run([sys.executable, "-m", "kube_cli", "--help"], capture_output=True, env=e, timeout=60,
                            check=True).stdout for e in (fresh_env, env, env)]  # fmt: skip
    assert piped[0] == piped[1] == piped[2]
    assert ("Cara pakai" if lang == "id" else "Usage") in piped[0].decode()
    assert len(list((tmp_path / "cache").glob("help-*.txt"))) == 3  # one per terminal and the pipe


def test_the_cache_key_holds_what_shapes_the_help(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kube_cli import launch

    package = tmp_path / "kube_cli"
    package.mkdir()
    (package / "cli.py").write_text("A = 1\n")
    key = launch.cache_key(["--help"], package)
    (package / "cli.py").write_text("A = 22\n")  # kube changed (an editable install keeps its version)
    assert launch.cache_key(["--help"], package) != key
    key = launch.cache_key(["--help"], package)
    assert launch.cache_key(["--lang", "id", "--help"], package) != key
    monkeypatch.setenv("COLUMNS", "61")
    assert launch.cache_key(["--help"], package) != key
    monkeypatch.setenv("KUBE_CACHE_DIR", str(tmp_path / "cache"))
    launch.write(key, "the help\n")
    assert launch.read(key) == "the help\n"
    # a file under the same name holding another key's help is never shown
    launch._cache_file(key).write_text("another key\nstale help\n")
    assert launch.read(key) is None


def test_only_the_root_help_is_cached() -> None:
    from kube_cli.launch import root_help

    assert root_help(["--help"]) and root_help(["-h"]) and root_help(["--lang", "id", "--help"])
    assert not root_help(["group", "--help"]) and not root_help(["--help", "--version"]) and not root_help([])


def test_a_cached_help_imports_neither_typer_nor_rich(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KUBE_CACHE_DIR": str(tmp_path / "cache")}
    probe = (
        "import sys, json; from kube_cli.launch import main; main(); sys.stderr.write(json.dumps(sorted(sys.modules)))"
    )
    runs = [subprocess.run([sys.executable, "-c", probe, "--help"], capture_output=True, text=True, env=env,
                           timeout=60, check=True) for _ in range(2)]  # fmt: skip
    assert runs[0].stdout == runs[1].stdout and "Usage" in runs[1].stdout
    assert not {"typer", "rich", "kube_cli.cli"} & set(json.loads(runs[1].stderr))
