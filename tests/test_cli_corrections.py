"""Corrections an officer must be able to make (issue 14): readable codes, a group added twice,
a code renamed, a group removed, a mistyped NIK, a revenue record entered by mistake."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import one_line

GENERATED = re.compile(r"K-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")  # Crockford: no I, L, O, U
WOMAN_1 = "7271084506850001"  # fictional: born 05/06/85, a woman (day + 40)
WOMAN_2 = "7271084506850011"
MAN_1 = "7271080506850021"


def add_group(kube, name: str = "KUBE Sintuvu", kelurahan: str = "Lasoani", *extra: str, code: int = 0):
    return kube("group", "add", name, "--kelurahan", kelurahan, "--usaha", "e-warong", *extra, code=code)


def db_rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# --- readable generated codes -----------------------------------------------------------------


def test_generated_codes_read_aloud_in_two_groups_of_four(kube, palu: Path) -> None:
    from kube_cli.registry import new_group_code

    codes = {new_group_code() for _ in range(5_000)}
    assert len(codes) == 5_000 and all(GENERATED.fullmatch(c) for c in codes)
    code = add_group(kube).stdout.strip()
    assert GENERATED.fullmatch(code), code


def test_a_generated_code_is_accepted_as_an_officer_types_it(kube, palu: Path) -> None:
    code = add_group(kube).stdout.strip()
    body = code[2:].replace("-", "")
    typed = [code.lower(), "k" + body.lower(), f"K {body[:4]} {body[4:]}", code.replace("0", "o").replace("1", "l")]
    for spelling in typed:
        assert kube.json("group", "show", spelling)["code"] == code, spelling
    assert kube.json("find", code.lower())[0]["code"] == code


def test_codes_given_with_code_are_kept_as_typed_and_old_codes_still_work(kube, palu: Path) -> None:
    assert add_group(kube, "KUBE Lama", "Talise", "--code", "K-GXP96Z6H9").stdout.strip() == "K-GXP96Z6H9"
    assert add_group(kube, "KUBE Kecil", "Talise", "--code", "palu-o1").stdout.strip() == "palu-o1"
    assert kube.json("group", "show", "k-gxp96z6h9")["code"] == "K-GXP96Z6H9"
    assert kube.json("group", "show", "PALU-O1")["code"] == "palu-o1"


# --- the same group added twice -----------------------------------------------------------------


def test_a_second_group_of_the_same_name_in_a_kelurahan_is_refused_naming_the_first(kube, palu, unchanged) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    with unchanged():
        result = add_group(kube, "kube  SINTUVU ", "lasoani", code=1)
    one_line(result, "name 'kube  SINTUVU'", "PALU-101", "--allow-duplicate-name")
    assert not result.stdout


def test_a_duplicate_name_is_refused_in_indonesian_too(kube, palu, unchanged, monkeypatch) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    monkeypatch.setenv("KUBE_LANG", "id")
    with unchanged():
        result = add_group(kube, "KUBE Sintuvu", "Lasoani", code=1)
    one_line(result, "Kesalahan:", "sudah ada kelompok dengan nama ini: PALU-101")


def test_a_shared_name_is_allowed_elsewhere_or_when_asked(kube, palu: Path) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    add_group(kube, "KUBE Sintuvu", "Talise")
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--allow-duplicate-name")
    assert [g["kelurahan"] for g in kube.json("group", "list")].count("Lasoani") == 2


def test_import_rows_with_a_code_are_not_refused_for_a_shared_name(kube, palu: Path, tmp_path: Path) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    path = tmp_path / "groups.csv"
    path.write_text("code,name,kelurahan,usaha,year\nPALU-102,KUBE Sintuvu,Lasoani,e-Warong,2021\n")
    kube("import", str(path))
    assert {g["code"] for g in kube.json("group", "list")} == {"PALU-101", "PALU-102"}


# --- group edit --code --------------------------------------------------------------------------


def test_group_edit_code_renames_the_group_and_keeps_its_uuid(kube, palu: Path, registry_path: Path) -> None:
    code = add_group(kube).stdout.strip()
    kube("member", "add", code, "--nik", WOMAN_1, "--name", "Siti Rahma")
    [(uuid,)] = db_rows(registry_path, "SELECT uuid FROM groups")
    group = kube.json("group", "edit", code.lower(), "--code", "PALU-101")
    assert group["code"] == "PALU-101" and group["members"] == 1
    assert db_rows(registry_path, "SELECT uuid, code FROM groups") == [(uuid, "PALU-101")]
    kube("group", "show", code, code=1)
    entry = kube.json("log", "--limit", "1")[0]
    assert entry["action"] == "group.edit" and code in entry["detail"] and "PALU-101" in entry["detail"]


def test_group_edit_code_to_a_taken_code_is_refused(kube, palu: Path, unchanged) -> None:
    add_group(kube, "KUBE A", "Lasoani", "--code", "PALU-101")
    add_group(kube, "KUBE B", "Talise", "--code", "PALU-102")
    with unchanged():
        result = kube("group", "edit", "PALU-102", "--code", "palu-101", code=1)
    one_line(result, "code 'palu-101'", "already the code of another group")
    with unchanged():
        one_line(kube("group", "edit", "PALU-102", "--code", "bad code!", code=1), "code 'bad code!'")


# --- group remove -------------------------------------------------------------------------------


def test_group_remove_keeps_the_history_and_leaves_the_group_out(kube, palu: Path, registry_path: Path) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    code = add_group(kube, "KUBE Sintuvu", "Lasoani", "--allow-duplicate-name").stdout.strip()
    removed = kube.json("group", "remove", code, "--reason", "didaftarkan dua kali", "--yes")
    assert (removed["code"], removed["status"]) == (code, "nonaktif") and removed["removed_at"]
    assert [g["code"] for g in kube.json("group", "list")] == ["PALU-101"]
    assert kube.json("report")["totals"]["groups"] == 1
    assert [r["kind"] for r in kube.json("find", "sintuvu")] == ["group"]
    one_line(kube("group", "show", code, code=1), f"code '{code}'", "this group was removed on")
    one_line(kube("member", "add", code, "--nik", WOMAN_1, "--name", "Siti", code=1), "was removed")
    assert "PALU-101" in kube("export", "groups").stdout and code not in kube("export", "groups").stdout
    entry = kube.json("log", "--limit", "1")[0]
    assert (entry["action"], entry["target"]) == ("group.remove", code) and "didaftarkan dua kali" in entry["detail"]
    assert db_rows(registry_path, "SELECT count(*) FROM groups") == [(2,)]  # kept, with its history
    # a new group of that name may be registered again: the removed one does not count
    add_group(kube, "KUBE Sintuvu", "Talise")


def test_group_remove_is_refused_while_it_has_members_or_money(kube, palu: Path, unchanged) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    kube("member", "add", "PALU-101", "--nik", WOMAN_1, "--name", "Siti Rahma")
    kube("aid", "record", "PALU-101", "--amount", "20 juta", "--kind", "modal")
    kube("revenue", "record", "PALU-101", "--amount", "5 juta", "--period", "2021")
    with unchanged():
        result = kube("group", "remove", "PALU-101", "--reason", "salah", "--yes", code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    assert "1 current members: Siti Rahma" in lines[0]
    assert "1 aid records: 1" in lines[1] and "1 revenue records: 2021" in lines[2]
    assert not re.search(r"\d{16}", result.stderr)


@pytest.mark.parametrize(
    ("args", "needle"),
    [(("NOPE-1", "--reason", "x"), "code 'NOPE-1'"), (("PALU-101", "--reason", " "), "reason")],
)
def test_group_remove_refusals_write_nothing(kube, palu: Path, unchanged, args, needle) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    with unchanged():
        one_line(kube("group", "remove", *args, "--yes", code=1), needle)


def test_group_remove_needs_a_reason(kube, palu: Path, unchanged) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    with unchanged():
        assert "--reason" in kube("group", "remove", "PALU-101", code=2).stderr


def test_group_remove_refusal_in_indonesian(kube, palu: Path, unchanged, monkeypatch) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    kube("member", "add", "PALU-101", "--nik", WOMAN_1, "--name", "Siti Rahma")
    monkeypatch.setenv("KUBE_LANG", "id")
    with unchanged():
        result = kube("group", "remove", "PALU-101", "--reason", "salah", code=1)
    one_line(result, "masih punya 1 anggota: Siti Rahma")


# --- member edit --nik --------------------------------------------------------------------------


def test_member_edit_nik_corrects_a_mistyped_nik_masked_in_the_log(kube, palu: Path, registry_path: Path) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    kube("member", "add", "PALU-101", "--nik", WOMAN_1, "--name", "Siti Rahma")
    member = kube.json("member", "edit", WOMAN_1, "--nik", "7271 0845 0685 0011")
    assert member["nik"] == "727108******0011"
    assert kube.json("member", "list", "--show-nik")[0]["nik"] == WOMAN_2
    [(detail,)] = db_rows(registry_path, "SELECT detail FROM audit_log WHERE action = 'member.edit'")
    assert "727108******0001" in detail and "727108******0011" in detail
    assert not re.search(r"\d{16}", "".join(d for (d,) in db_rows(registry_path, "SELECT detail FROM audit_log")))


@pytest.mark.parametrize(
    ("nik", "needles"),
    [
        ("727108450685001", ("nik '", "length")),
        ("9971084506850011", ("province",)),
        (MAN_1, ("727108******0021", "--gender L")),  # a man's NIK for a woman
        ("7271085012909001", ("727108******9001", "another current member", "PALU-102")),
    ],
)
def test_member_edit_nik_is_checked_like_member_add(kube, palu: Path, unchanged, nik, needles) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    add_group(kube, "KUBE Lain", "Talise", "--code", "PALU-102")
    kube("member", "add", "PALU-101", "--nik", WOMAN_1, "--name", "Siti Rahma")
    kube("member", "add", "PALU-102", "--nik", "7271085012909001", "--name", "Wati Contoh")
    with unchanged():
        result = kube("member", "edit", "1", "--nik", nik, code=1)
    one_line(result, *needles)
    assert not re.search(r"\d{16}", result.stderr)


def test_member_edit_nik_with_the_matching_gender(kube, palu: Path) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    kube("member", "add", "PALU-101", "--nik", WOMAN_1, "--name", "Rudi Contoh")
    member = kube.json("member", "edit", "1", "--nik", MAN_1, "--gender", "L")
    assert (member["nik"], member["gender"]) == ("727108******0021", "L")


# --- revenue remove -----------------------------------------------------------------------------


def test_revenue_remove_takes_the_record_out_and_logs_the_reason(kube, palu: Path) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    kube("revenue", "record", "PALU-101", "--amount", "5 juta", "--period", "2021-03")
    kube("revenue", "record", "PALU-101", "--amount", "6 juta", "--period", "2021-04")
    removed = kube.json("revenue", "remove", "palu-101", "--period", "2021-3", "--reason", "salah periode", "--yes")
    assert removed == {"group_code": "PALU-101", "period": "2021-03", "amount": 5_000_000, "note": ""}
    assert [r["period"] for r in kube.json("revenue", "list")] == ["2021-04"]
    entry = kube.json("log", "--limit", "1")[0]
    assert entry["action"] == "revenue.remove" and "salah periode" in entry["detail"]
    result = kube("revenue", "remove", "PALU-101", "--period", "2021-04", "--reason", "x", "--yes")
    assert "Rp6.000.000" in result.stderr and not result.stdout


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("PALU-101", "--period", "2020"), ("period '2020'", "no revenue record")),
        (("PALU-101", "--period", "2021"), ("period '2021'", "recorded by month")),
        (("PALU-101", "--period", "2021-13"), ("period",)),
        (("NOPE", "--period", "2021-03"), ("code 'NOPE'",)),
    ],
)
def test_revenue_remove_with_nothing_to_remove_exits_1(kube, palu: Path, unchanged, args, needles) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    kube("revenue", "record", "PALU-101", "--amount", "5 juta", "--period", "2021-03")
    with unchanged():
        one_line(kube("revenue", "remove", *args, "--reason", "x", "--yes", code=1), *needles)


def test_revenue_remove_refusal_in_indonesian(kube, palu: Path, unchanged, monkeypatch) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    monkeypatch.setenv("KUBE_LANG", "id")
    with unchanged():
        result = kube("revenue", "remove", "PALU-101", "--period", "2020", "--reason", "x", code=1)
    one_line(result, "tidak punya catatan omset")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("group", "edit", "PALU-102", "--code", "PALU-101"), "sudah dipakai kelompok lain"),
        (("member", "edit", "1", "--nik", "7271085012909001"), "adalah NIK anggota lain: id 2 di kelompok PALU-102"),
        (("member", "edit", "1", "--nik", MAN_1), "tanggal lahirnya menunjukkan L"),
    ],
)
def test_code_and_nik_corrections_are_refused_in_indonesian(kube, palu, unchanged, monkeypatch, args, needle) -> None:
    add_group(kube, "KUBE Sintuvu", "Lasoani", "--code", "PALU-101")
    add_group(kube, "KUBE Lain", "Talise", "--code", "PALU-102")
    kube("member", "add", "PALU-101", "--nik", WOMAN_1, "--name", "Siti Rahma")
    kube("member", "add", "PALU-102", "--nik", "7271085012909001", "--name", "Wati Contoh")
    monkeypatch.setenv("KUBE_LANG", "id")
    with unchanged():
        one_line(kube(*args, code=1), "Kesalahan:", needle)
