"""``kube merge`` checks what it brings in as a command would (issue 16, item 10): a registry file can
be edited by hand, so a bad record is refused like a bad row of an import, and nothing is written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import one_line, snapshot

ESCAPES = "KUBE\x1b]0;PWNED\x07\x1b[2J"


def _other(kube, tmp_path: Path) -> Path:
    """Another officer's registry with one group, one member, one aid and one revenue record."""
    other = tmp_path / "lain.db"
    run = ("--db", str(other))
    kube(*run, "group", "add", "KUBE Lain", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "L-1")
    kube(*run, "member", "add", "L-1", "--nik", "7271084506850001", "--name", "Siti Aminah")
    kube(*run, "aid", "record", "L-1", "--amount", "5 juta", "--kind", "modal", "--date", "2024-03-01")
    kube(*run, "revenue", "record", "L-1", "--amount", "2 juta", "--period", "2024")
    return other


def _edit(path: Path, sql: str, *params: object) -> None:
    """An edit by hand, as the sqlite3 shell makes it (CHECK constraints can be switched off there too)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    conn.execute(sql, params)
    conn.commit()
    conn.close()


HOSTILE = {
    "escapes in a group name": ("UPDATE groups SET name = ?", ESCAPES, "group L-1: name", "control characters"),
    "letters in a NIK": ("UPDATE members SET nik = ?", "00ABCDEFGHIJKLMN", "member 00ABCD******KLMN in L-1: nik",
                         "16 digits"),
    "an aid date that is no date": ("UPDATE aid SET date = ?", "not-a-date", "aid L-1 not-a-date modal: date",
                                    "not a date"),
    "an unknown aid kind": ("UPDATE aid SET kind = ?", "hadiah", "aid L-1 2024-03-01 hadiah: kind", "one of"),
    "a negative amount": ("UPDATE revenue SET amount = ?", -5, "revenue L-1 2024: amount", "above zero"),
    "a role of no kind": ("UPDATE members SET role = ?", "raja", "in L-1: role", "one of"),
    "an invisible member name": ("UPDATE members SET name = ?", "Siti\u2060Aminah", "in L-1: name",
                                 "control characters"),
    "a period of no kind": ("UPDATE revenue SET period = ?", "2024-13", "revenue L-1 2024-13: period", "not a month"),
}  # fmt: skip


@pytest.mark.parametrize(("sql", "value", "names", "reason"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_bad_record_in_the_other_registry_is_refused_and_nothing_is_written(
    kube, palu: Path, tmp_path: Path, sql: str, value: object, names: str, reason: str
) -> None:
    other = _other(kube, tmp_path)
    _edit(other, sql, value)
    before = snapshot(palu)
    for extra in ((), ("--prefer", "theirs")):
        refused = kube("merge", str(other), *extra, code=1)
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1, refused.stderr
        assert names in lines[0] and reason in lines[0], lines[0]
        assert "\x1b" not in refused.stderr and "\x07" not in refused.stderr
    assert snapshot(palu) == before


def test_a_clean_registry_still_merges(kube, palu: Path, tmp_path: Path) -> None:
    other = _other(kube, tmp_path)
    kube("merge", str(other))
    assert [g["name"] for g in kube.json("group", "list")] == ["KUBE Lain"]


def test_escapes_already_in_a_registry_never_reach_the_terminal(kube, palu: Path, tmp_path: Path) -> None:
    """A registry edited by hand before this check: tables, details and the log show escapes as text."""
    kube("group", "add", "KUBE A", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "A")
    _edit(palu, "UPDATE groups SET name = ?, note = ?", ESCAPES, ESCAPES)
    _edit(palu, "UPDATE audit_log SET target = ?", "anggota\x1b[2J.csv")
    for args in (("group", "list"), ("group", "show", "A"), ("log",)):  # CSV and JSON carry the data as it is
        shown = kube(*args)
        assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout, args
    assert "KUBE\\x1b]0;PWNED\\x07\\x1b[2J" in kube("group", "show", "A").stdout
    assert json.loads(kube("group", "list", "--format", "json").stdout)[0]["name"] == ESCAPES  # data stays data


def test_an_unknown_column_warning_shows_a_csv_header_escaped(kube, palu: Path, tmp_path: Path) -> None:
    path = tmp_path / "kube.csv"
    path.write_text("code,name,kelurahan,usaha,Alamat\x1b]0;PWNED\x07\nA,KUBE A,Lasoani,e-Warong,Jl. 1\n")
    done = kube("import", str(path), "--kind", "groups")
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr and "Alamat\\x1b]0;PWNED\\x07" in done.stderr


def test_a_damaged_other_registry_is_named_as_the_damaged_one(kube, palu: Path, tmp_path: Path) -> None:
    other = _other(kube, tmp_path)
    _edit(other, "UPDATE members SET name = CAST(x'53697469ff' AS TEXT)")  # a flipped byte: not UTF-8
    with_ours_unchanged = snapshot(palu)
    line = one_line(kube("merge", str(other), code=1), f"other '{other}': is damaged", "column 'name'")
    assert "the registry file is damaged" not in line
    assert snapshot(palu) == with_ours_unchanged
