"""Where the registry lives, who is recorded, exit codes, and the installed entry points."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_init_creates_a_private_registry_and_prints_its_path(kube, registry_path: Path) -> None:
    result = kube("init")
    assert result.stdout.strip() == str(registry_path.resolve())
    assert stat.S_IMODE(registry_path.stat().st_mode) == 0o600
    assert kube("init").stdout.strip() == str(registry_path.resolve())  # again: upgrades, keeps


def test_db_option_wins_over_kube_db(kube, tmp_path: Path, registry_path: Path) -> None:
    other = tmp_path / "other.db"
    kube("--db", str(other), "init")
    assert other.exists() and not registry_path.exists()


def test_kube_db_wins_over_the_default(kube, registry_path: Path) -> None:
    kube("init")
    assert registry_path.exists()


def test_default_registry_is_in_the_user_data_folder(kube, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBE_DB")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = kube("init")
    expected = tmp_path / "data" / "kube" / "kube.db"
    assert expected.exists()
    assert result.stdout.strip() == str(expected.resolve())


def test_version(kube) -> None:
    from kube_cli import __version__

    assert kube("--version").stdout.strip() == f"kube {__version__}"


def test_python_dash_m_runs_kube() -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "kube_cli", "--version"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("kube ")


def _officers(kube) -> list[str]:
    return [row["officer"] for row in kube.json("log")]


def test_officer_option_beats_kube_officer(kube) -> None:
    kube("--officer", "Andi", "usaha", "add", "Kelor")
    kube("usaha", "add", "Sagu")
    log = kube.json("log")
    assert [(r["action"], r["officer"]) for r in log[:2]] == [("usaha.add", "petugas-uji"), ("usaha.add", "Andi")]
    assert {r["target"] for r in log[:2]} == {"Kelor", "Sagu"}


def test_a_read_command_on_a_missing_registry_says_so_and_creates_nothing(kube, registry_path: Path) -> None:
    for command in (["group", "list"], ["report"], ["log"], ["member", "list"], ["wilayah"]):
        result = kube(*command, code=1)
        assert "does not exist" in result.stderr and "kube init" in result.stderr
        assert not registry_path.exists()


def test_a_write_command_creates_the_registry(kube, registry_path: Path) -> None:
    kube("group", "add", "KUBE Maju", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "M1")
    assert registry_path.exists()
    assert [g["code"] for g in kube.json("group", "list")] == ["M1"]


@pytest.mark.parametrize(
    "command",
    [
        ["group", "add", "KUBE X", "--kelurahan", "Laswani", "--usaha", "e-Warong"],
        ["group", "add", "KUBE X", "--kelurahan", "Lasoani", "--usaha", "warung ajaib"],
        ["member", "add", "NOPE", "--nik", "7271080506850001", "--name", "Ali"],
        ["aid", "record", "NOPE", "--amount", "5 juta", "--kind", "modal"],
        ["usaha", "add", "e-waroeng"],
    ],
)
def test_a_refused_write_on_a_missing_registry_leaves_no_file(kube, tmp_path: Path, command: list[str]) -> None:
    before = set(tmp_path.iterdir())
    kube(*command, code=1)
    assert set(tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "command",
    [
        ["bogus"],
        ["group", "bogus"],
        ["group", "list", "--bogus"],
        ["group", "add", "KUBE X"],  # missing --kelurahan
        ["group", "list", "--format", "xml"],
        ["report", "--format", "html"],
        ["report", "--by", "provinsi"],
        ["report", "--by", "usaha", "--omset-min", "1 juta"],
    ],
)
def test_usage_errors_exit_2(kube, demo_registry: Path, unchanged, command: list[str]) -> None:
    with unchanged():
        result = kube(*command, code=2)
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("command", "field", "value"),
    [
        (["aid", "record", "PALU-001", "--amount", "5 juta", "--kind", "uang"], "kind", "uang"),
        (["member", "edit", "7271086501799001", "--role", "boss"], "role", "boss"),
        (["member", "add", "PALU-001", "--nik", "7271080506850001", "--name", "A", "--gender", "X"], "gender", "X"),
        (["group", "edit", "PALU-001", "--status", "mati"], "status", "mati"),
        (["group", "list", "--status", "mati"], "status", "mati"),
        (["aid", "record", "PALU-001", "--amount", "lima juta", "--kind", "modal"], "amount", "lima juta"),
        (["aid", "record", "PALU-001", "--amount", "-5", "--kind", "modal"], "amount", "-5"),
        (["aid", "record", "PALU-001", "--amount", "0", "--kind", "modal"], "amount", "0"),
        (
            ["aid", "record", "PALU-001", "--amount", "5jt", "--kind", "modal", "--date", "31/02/2021"],
            "date",
            "31/02/2021",
        ),
        (["revenue", "record", "PALU-001", "--amount", "5jt", "--period", "2021-13"], "period", "2021-13"),
        (["member", "add", "PALU-001", "--nik", "7271080513850001", "--name", "A"], "nik", "727108******0001"),
        (["group", "list", "--year", "21"], "year", "21"),
    ],
)
def test_bad_domain_values_exit_1_with_one_line(kube, demo_registry: Path, unchanged, command, field, value) -> None:
    with unchanged():
        result = kube(*command, code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{field} '{value}'" in lines[0]
    assert "Traceback" not in result.output


def test_table_output_is_plain_when_not_a_terminal(kube, demo_registry: Path) -> None:
    for command in (
        ["report"],
        ["group", "list"],
        ["member", "list", "PALU-001"],
        ["aid", "list"],
        ["group", "show", "PALU-001"],
    ):
        result = kube(*command)
        assert "\x1b[" not in result.stdout, command
