"""Shell completion, end to end as the shell runs it: ``_KUBE_COMPLETE`` with COMP_WORDS/COMP_CWORD, in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def complete(line: str, db: Path | None, shell: str = "bash", instruction: str = "complete_bash") -> list[str]:
    """What the shell offers for ``line`` (the word being completed is the last, possibly empty)."""
    words = line.split(" ")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_KUBE_COMPLETE": instruction, "KUBE_LANG": "en",
           "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1), "_TYPER_COMPLETE_ARGS": line,
           "_TYPER_COMPLETE_FISH_ACTION": "get-args"}  # fmt: skip
    env.pop("KUBE_DB", None)
    if db is not None:
        env["KUBE_DB"] = str(db)
    done = subprocess.run([sys.executable, "-m", "kube_cli"], capture_output=True, text=True, env=env, timeout=60,
                          check=True)  # fmt: skip
    return [row for row in done.stdout.splitlines() if row]


@pytest.fixture
def palu(kube, registry_path: Path) -> Path:
    kube("group", "add", "KUBE Sintuvu", "--kelurahan", "lasoani", "--usaha", "e-warong", "--code", "PALU-901")
    kube("group", "add", "KUBE Maju", "--kelurahan", "tondo", "--usaha", "kuliner", "--code", "PALU-902")
    kube("member", "add", "PALU-901", "--nik", "7271084506850001", "--name", "Siti Rahma")
    return registry_path


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("kube gr", ["group"]),
        ("kube group ", ["add", "list", "show", "edit"]),
        ("kube group list --ke", ["--kelurahan", "--kecamatan"]),
        ("kube group add X --kelurahan Las", ["Lasoani"]),
        ("kube group add X --kelurahan las", ["Lasoani"]),
        ("kube group list --kecamatan Palu --us", ["--usaha"]),
        ("kube group list --kecamatan Palu", ["Palu Barat", "Palu Selatan", "Palu Timur", "Palu Utara"]),
        ("kube group list --usaha Kul", ["Kuliner"]),
        ("kube group show ", ["PALU-901", "PALU-902"]),
        ("kube member move 1 --to PALU-90", ["PALU-901", "PALU-902"]),
        ("kube member remove ", ["1"]),
        ("kube aid record PALU-901 --kind ", ["peralatan", "modal", "pelatihan", "lainnya"]),
        ("kube member add PALU-901 --role k", ["ketua"]),
        ("kube report --by ", ["kecamatan", "kelurahan", "usaha", "year", "stage"]),
    ],
)
def test_bash_completes_commands_options_and_the_registrys_values(palu: Path, line: str, offered) -> None:
    got = complete(line, palu)
    assert (got[: len(offered)] if line.endswith("group ") else got) == offered


def test_click_style_instruction_and_zsh_and_fish_complete_with_help(palu: Path) -> None:
    assert complete("kube group show PALU-90", palu, instruction="bash_complete") == ["PALU-901", "PALU-902"]
    zsh = "\n".join(complete("kube group show PALU-90", palu, instruction="complete_zsh"))
    assert '"PALU-901":"KUBE Sintuvu"' in zsh
    fish = complete("kube member remove ", palu, instruction="complete_fish")
    assert any(row.startswith("1") and "Siti Rahma (PALU-901)" in row for row in fish), fish


def test_completion_never_creates_a_registry(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "kube.db"
    assert complete("kube group show ", missing) == []
    assert complete(f"kube --db {missing} group list --usaha ", None) == []
    assert not missing.parent.exists()


def test_completion_follows_db(palu: Path, tmp_path: Path) -> None:
    assert complete(f"kube --db {palu} group show PALU", None) == ["PALU-901", "PALU-902"]


def test_show_completion_prints_typers_script_for_each_shell() -> None:
    # typer detects the shell from the parent process; its own test switch lets the shell be named instead
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    for shell, needle in (("bash", "complete -o default -F _kube_completion kube"), ("zsh", "#compdef kube"),
                          ("fish", "complete --command kube")):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "kube_cli", "--show-completion", shell], capture_output=True,
                              text=True, env=env, timeout=60, check=False)  # fmt: skip
        assert done.returncode == 0 and needle in done.stdout, (shell, done.stdout)


PROBE = """
import json, sys
from kube_cli.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def _modules(env: dict[str, str], *args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=60, check=False)  # fmt: skip
    return set(json.loads(done.stderr.rsplit("MODULES ", 1)[1]))


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_imports_nothing_a_command_does_not(palu: Path, shell: str) -> None:
    """Completing runs at every Tab: it loads no more than the command itself would."""
    line = "kube group show "
    completing = _modules({"_KUBE_COMPLETE": f"complete_{shell}", "COMP_WORDS": line, "COMP_CWORD": "3",
                           "_TYPER_COMPLETE_ARGS": line, "KUBE_DB": str(palu)})  # fmt: skip
    running = _modules({"KUBE_DB": str(palu)}, "group", "show", "PALU-901")
    assert completing - running <= {"shlex"}, sorted(completing - running)
    assert not {"rich", "pydantic", "sqlite_utils"} & completing


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_itself_completes_with_the_script_kube_installs(palu: Path, tmp_path: Path) -> None:
    """The script from --show-completion, sourced by bash, asks kube and fills COMPREPLY."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
           "KUBE_DB": str(palu), "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}  # fmt: skip
    script = subprocess.run([sys.executable, "-m", "kube_cli", "--show-completion", "bash"], capture_output=True,
                            text=True, env=env, timeout=60, check=True).stdout  # fmt: skip
    (tmp_path / "kube.sh").write_text(script)
    (tmp_path / "kube").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m kube_cli "$@"\n')
    (tmp_path / "kube").chmod(0o755)
    words = {"kube group show PALU-90": ["PALU-901", "PALU-902"], "kube member move 1 --to PALU-902 --f": ["--format"]}
    for line, offered in words.items():
        run = (f"source {tmp_path / 'kube.sh'}; COMP_WORDS=({line}); COMP_CWORD={len(line.split()) - 1}; "
               '_kube_completion kube; printf "%s\\n" "${COMPREPLY[@]}"')  # fmt: skip
        done = subprocess.run(["bash", "-c", run], capture_output=True, text=True, env=env, timeout=60, check=True)
        assert done.stdout.split() == offered, line
