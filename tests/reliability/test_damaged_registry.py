"""A damaged registry (issue 16, item 8): every command says so in one line and exits 1; check reports it.

The full campaign is ``python -m tests.reliability.byteflip --seeds 200``; here a few seeds run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import copy_registry
from tests.reliability import byteflip
from tests.reliability.conftest import run_kube

DAMAGED = "the registry file is damaged: "


def _with_bad_text(demo_file: Path, target: Path, table: str, column: str) -> Path:
    """The sample registry with one value of ``table.column`` made bytes that are not UTF-8, as a flipped
    byte in a page leaves it (SQLite's integrity_check does not look at text)."""
    copy_registry(demo_file, target)
    conn = sqlite3.connect(target)
    conn.execute(f"UPDATE {table} SET {column} = CAST(x'4b554245ff4d616a75' AS TEXT) WHERE rowid = 3")
    conn.commit()
    conn.close()
    return target


@pytest.mark.parametrize(("table", "column", "args"), [
    ("members", "name", ("member", "list")),
    ("groups", "name", ("group", "list")),
    ("aid", "date", ("aid", "list")),
])  # fmt: skip
def test_text_that_is_not_utf8_is_reported_as_damage(demo_file: Path, tmp_path: Path, table, column, args) -> None:
    db = _with_bad_text(demo_file, tmp_path / "rusak.db", table, column)
    read = run_kube(*args, db=db)
    assert read.returncode == 1, read.stderr
    (line,) = read.stderr.strip().splitlines()
    assert DAMAGED in line and f"column '{column}'" in line and "kube restore" in line
    checked = run_kube("check", "--format", "json", db=db)
    assert checked.returncode == 1, checked.stderr
    findings = json.loads(checked.stdout)
    assert any(f["code"] == "integrity" and f"column '{column}'" in f["problem"] for f in findings), findings


def test_a_registry_that_is_not_a_database_any_more_is_refused_in_one_line(demo_file: Path, tmp_path: Path) -> None:
    db = copy_registry(demo_file, tmp_path / "rusak.db")
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xa5" * 3996  # page 1 after the file header overwritten: the schema is gone
    db.write_bytes(bytes(data))
    checked = run_kube("check", "--format", "json", db=db)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
    assert json.loads(checked.stdout)[0]["code"] == "integrity"
    for args in (("group", "list"), ("report",), ("log",)):
        done = run_kube(*args, db=db)
        assert done.returncode == 1, (args, done.stderr)
        (line,) = done.stderr.strip().splitlines()
        assert DAMAGED in line and "kube restore" in line


@pytest.mark.parametrize("seed", [0, 51])  # 0: exit 3 in check, group list, member list; 51: a renamed column
def test_byte_flips_never_end_in_exit_3_and_check_finds_them(demo_file: Path, tmp_path: Path, seed: int) -> None:
    figures = byteflip.Figures()
    byteflip.run_seed(demo_file, tmp_path, seed, figures)
    assert figures.exit_3 == 0 and figures.other == 0, figures.failures
    assert figures.check_detected == figures.damaged, figures.failures
    assert figures.ok + figures.refused_cleanly == figures.runs == 1 + len(byteflip.READ_COMMANDS)


@pytest.mark.skipif(not os.environ.get("KUBE_FLIP_SEEDS"), reason="the big campaign: KUBE_FLIP_SEEDS=200")
def test_byte_flip_campaign(demo_file: Path, tmp_path: Path) -> None:
    """``KUBE_FLIP_SEEDS=200 pytest tests/reliability/test_damaged_registry.py -k campaign`` (~30 min)."""
    figures = byteflip.campaign(demo_file, range(int(os.environ["KUBE_FLIP_SEEDS"])), tmp_path)
    print(json.dumps(dataclasses.asdict(figures), indent=2))
    assert figures.exit_3 == 0 and figures.other == 0, figures.failures
    assert figures.check_detected == figures.damaged, figures.failures
