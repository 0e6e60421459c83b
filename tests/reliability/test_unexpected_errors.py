"""A bug in kube is caught at the edge: one line and exit 3; the traceback only with --debug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.reliability.conftest import kube_env

BOOM = """
import sys
import kube_cli.registry
def boom(*args, **kwargs):
    raise RuntimeError("simulated bug")
kube_cli.registry.group_list = boom
from kube_cli.cli import main
sys.argv = ["kube", *sys.argv[1:]]
main()
"""


def _buggy_kube(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BOOM, "--db", str(db), *args], capture_output=True, text=True,
                          env=kube_env(), check=False, timeout=60)  # fmt: skip


def test_an_unexpected_exception_exits_3_with_one_line(palu: Path) -> None:
    done = _buggy_kube("group", "list", db=palu)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "simulated bug" in done.stderr and "kube --version" in done.stderr and "--debug" in done.stderr


def test_with_debug_the_traceback_shows(palu: Path) -> None:
    done = _buggy_kube("--debug", "group", "list", db=palu)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "RuntimeError: simulated bug" in done.stderr


def test_usage_errors_still_exit_2(palu: Path) -> None:
    for args in (["no-such-command"], ["group", "list", "--format", "xml"]):
        done = _buggy_kube(*args, db=palu)
        assert done.returncode == 2, (args, done.stderr)


def test_in_process_the_boundary_catches_it_too(kube, palu: Path, monkeypatch) -> None:
    from kube_cli import registry

    monkeypatch.setattr(registry, "member_list", lambda *a, **k: 1 / 0)
    result = kube("member", "list", code=3)
    assert "ZeroDivisionError" in result.stderr and "kube --version" in result.stderr


BROKEN_MODULE = """
import sys
from kube_cli import cli
cli.COMMANDS["merge"] = ("no_such_module_here", "merge", cli.COMMANDS["merge"][2])
sys.argv = ["kube", *sys.argv[1:]]
cli.main()
"""


def test_a_command_module_that_fails_to_import_is_a_bug_with_or_without_debug(palu: Path) -> None:
    """Commands are imported when they run, before the root options are applied: the boundary
    must still catch the failure, and --debug must still show where it came from."""
    run = [sys.executable, "-c", BROKEN_MODULE, "--db", str(palu)]
    quiet = subprocess.run([*run, "merge", "x.db"], capture_output=True, text=True, env=kube_env(), timeout=60)
    assert quiet.returncode == 3 and "Traceback" not in quiet.stderr and "no_such_module_here" in quiet.stderr
    loud = subprocess.run([*run, "--debug", "merge", "x.db"], capture_output=True, text=True, env=kube_env(),
                          timeout=60)  # fmt: skip
    assert "Traceback" in loud.stderr and "ModuleNotFoundError" in loud.stderr
