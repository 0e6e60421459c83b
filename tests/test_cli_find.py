"""``kube find``, ``kube member show`` and ``merge --dry-run``'s list: finding anyone, and seeing
what happened to them (issue 14)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import one_line

SITI = "7271084506850001"  # fictional: a woman born 05/06/85
HASNA = "7271085012909002"
RUDI = "7271080506850021"


@pytest.fixture
def sintuvu(kube, palu: Path) -> Path:
    kube("group", "add", "KUBE Sintuvu", "--kelurahan", "Lasoani", "--usaha", "e-warong", "--code", "PALU-101")
    kube("group", "add", "KUBE Maju", "--kelurahan", "Talise", "--usaha", "jasa", "--code", "PALU-102")
    kube("member", "add", "PALU-101", "--nik", SITI, "--name", "Siti Rahmâ", "--role", "ketua")
    kube("member", "add", "PALU-101", "--nik", HASNA, "--name", "Hasna Lasantu")
    kube("member", "add", "PALU-102", "--nik", RUDI, "--name", "Rudi Contoh")
    return palu


def test_find_a_member_by_name_ignoring_case_and_accents(kube, sintuvu: Path) -> None:
    rows = kube.json("find", "SITI rahma")
    assert rows == [{"kind": "member", "code": "PALU-101", "name": "Siti Rahmâ", "id": 1, "nik": "727108******0001",
                     "role": "ketua"}]  # fmt: skip
    assert kube.json("find", "lasantu")[0]["name"] == "Hasna Lasantu"
    assert kube.json("find", "LASÁNTU")[0]["name"] == "Hasna Lasantu"  # typed with an accent the name lacks


@pytest.mark.parametrize(("text", "names"), [("0021", ["Rudi Contoh"]), (SITI, ["Siti Rahmâ"]),
                                             ("7271 0850 1290 9002", ["Hasna Lasantu"])])  # fmt: skip
def test_find_a_member_by_nik_or_its_last_4_digits(kube, sintuvu: Path, text: str, names: list[str]) -> None:
    assert [r["name"] for r in kube.json("find", text)] == names


def test_find_groups_by_code_or_name_first_then_members(kube, sintuvu: Path) -> None:
    assert kube.json("find", "palu-102") == [{"kind": "group", "code": "PALU-102", "name": "KUBE Maju"}]
    kube("member", "add", "PALU-102", "--nik", "7271084506850031", "--name", "Ibu Sintuvu")
    rows = kube.json("find", "sintuvu")
    assert [(r["kind"], r["code"], r["name"]) for r in rows] == [
        ("group", "PALU-101", "KUBE Sintuvu"), ("member", "PALU-102", "Ibu Sintuvu")]  # fmt: skip


def test_find_as_a_table_csv_and_in_indonesian(kube, sintuvu: Path, monkeypatch) -> None:
    table = kube("find", "siti").stdout
    assert "Siti Rahmâ" in table and "PALU-101" in table and "727108******0001" in table and SITI not in table
    csv = kube("find", "siti", "--format", "csv").stdout.splitlines()
    assert csv == ["kind,code,name,role,id,nik", "member,PALU-101,Siti Rahmâ,ketua,1,727108******0001"]
    monkeypatch.setenv("KUBE_LANG", "id")
    assert "anggota" in kube("find", "siti").stdout and "kelompok" in kube("find", "maju").stdout


def test_find_nothing_says_so_and_exits_0(kube, sintuvu: Path) -> None:
    assert kube.json("find", "tidak ada") == []
    result = kube("find", "tidak ada")
    assert not result.stdout and "Nothing matches 'tidak ada'" in result.stderr


def test_find_leaves_out_removed_members(kube, sintuvu: Path) -> None:
    kube("member", "remove", RUDI, "--reason", "pindah")
    assert kube.json("find", "rudi") == []


# --- member show --------------------------------------------------------------------------------


def test_member_show_gives_the_member_the_group_and_the_history(kube, sintuvu: Path) -> None:
    kube("member", "edit", "2", "--role", "bendahara")
    kube("member", "move", HASNA, "--to", "PALU-102")
    shown = kube.json("member", "show", HASNA)
    assert {k: shown[k] for k in ("id", "nik", "name", "group_code", "role", "removed_at")} == {
        "id": 2, "nik": "727108******9002", "name": "Hasna Lasantu", "group_code": "PALU-102",
        "role": "bendahara", "removed_at": None}  # fmt: skip
    assert shown["group"]["code"] == "PALU-102" and shown["group"]["name"] == "KUBE Maju"
    history = shown["history"]
    assert [h["action"] for h in history] == ["member.add", "member.edit", "member.move"]
    assert history[1]["detail"] == {"role": {"from": "anggota", "to": "bendahara"}}
    assert history[2]["detail"] == {"from": "PALU-101", "to": "PALU-102"}
    assert all(h["officer"] == "petugas-uji" for h in history)
    assert not re.search(r"\d{16}", json.dumps(shown))
    table = kube("member", "show", "2").stdout
    assert "Hasna Lasantu" in table and "KUBE Maju (PALU-102)" in table and "role: anggota → bendahara" in table
    assert "PALU-101 → PALU-102" in table and HASNA not in table


def test_member_show_in_indonesian(kube, sintuvu: Path, monkeypatch) -> None:
    kube("member", "edit", "2", "--role", "bendahara")
    monkeypatch.setenv("KUBE_LANG", "id")
    table = kube("member", "show", "2").stdout
    assert "Riwayat" in table and "Kelompok" in table and "jabatan: anggota → bendahara" in table


def test_member_show_of_a_removed_member_and_with_show_nik(kube, sintuvu: Path) -> None:
    kube("member", "remove", RUDI, "--reason", "pindah domisili")
    shown = kube.json("member", "show", "3", "--show-nik")
    assert shown["nik"] == RUDI and shown["removed_at"]
    assert shown["history"][-1]["action"] == "member.remove"
    assert kube.json("log", "--limit", "1")[0]["action"] == "nik.show"


@pytest.mark.parametrize(("member", "needle"), [("99", "member '99'"), ("7271089999990001", "727108******0001")])
def test_member_show_of_no_one_exits_1(kube, sintuvu: Path, unchanged, member: str, needle: str) -> None:
    with unchanged():
        one_line(kube("member", "show", member, code=1), needle, "no member")


# --- a name where a NIK or id is asked ----------------------------------------------------------


@pytest.mark.parametrize("command", [("member", "edit"), ("member", "show"), ("member", "remove")])
def test_a_name_for_member_is_shown_as_typed_with_the_way_to_find_it(kube, sintuvu, unchanged, command) -> None:
    extra = ["--role", "anggota"] if command[1] == "edit" else []
    with unchanged():
        result = kube(*command, "Siti Rahma", *extra, code=1)
    one_line(result, "member 'Siti Rahma'", "is not a NIK or a member id", 'kube find "Siti Rahma"')


def test_a_mistyped_nik_for_member_stays_masked(kube, sintuvu: Path, unchanged) -> None:
    with unchanged():
        result = kube("member", "edit", "72710845068500O1", "--role", "anggota", code=1)
    assert "72710845068500O1" not in result.stderr and "member '" in result.stderr


def test_a_name_for_member_in_indonesian(kube, sintuvu: Path, unchanged, monkeypatch) -> None:
    monkeypatch.setenv("KUBE_LANG", "id")
    with unchanged():
        result = kube("member", "edit", "Siti Rahma", "--role", "anggota", code=1)
    one_line(result, "'Siti Rahma'", "bukan NIK atau id anggota", "kube find")


# --- merge --dry-run lists each record ----------------------------------------------------------


def test_merge_dry_run_lists_what_it_would_add_update_and_refuse(kube, sintuvu: Path, tmp_path: Path) -> None:
    other = tmp_path / "budi.db"
    shutil.copy(sintuvu, other)
    budi = ("--db", str(other), "--officer", "budi")
    kube(*budi, "group", "add", "KUBE Baru", "--kelurahan", "Tondo", "--usaha", "jasa", "--code", "PALU-103")
    kube(*budi, "member", "add", "PALU-103", "--nik", "7271084506850041", "--name", "Wati Contoh")
    kube(*budi, "member", "edit", "1", "--name", "Siti Rahma")
    kube(*budi, "member", "edit", "3", "--name", "Rudi C.")
    kube(*budi, "usaha", "add", "Pengolahan Kelor", "--alias", "kelor")
    kube("member", "edit", "3", "--name", "Rudi Contoh S.")

    result = kube("merge", str(other), "--dry-run", code=1)
    lines = result.stdout.splitlines()
    assert lines == [
        "add      group    PALU-103 'KUBE Baru'",
        "add      member   727108******0041 in PALU-103 'Wati Contoh'",
        "update   member   727108******0001 in PALU-101 'Siti Rahma': name ours 'Siti Rahmâ', theirs 'Siti Rahma'",
        "add      usaha    Pengolahan Kelor",
        "add      usaha    kelor → Pengolahan Kelor",
    ]
    one_line(result, "727108******0021 in PALU-102", "changed on both sides")
    preferred = json.loads(kube("merge", str(other), "--dry-run", "--prefer", "theirs", "--format", "json").stdout)
    actions = [(c["action"], c["table"]) for c in preferred["changes"]]
    assert actions == [("add", "groups"), ("add", "members"), ("update", "members"), ("update", "members"),
                       ("add", "usaha"), ("add", "usaha"), ("refuse", "members")]  # fmt: skip
    assert not re.search(r"\d{16}", result.stdout + result.stderr + json.dumps(preferred))
    assert kube.json("find", "baru") == []  # nothing was written
