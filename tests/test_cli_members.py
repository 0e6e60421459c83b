"""``kube member add|list|edit|move|remove``: the people in the groups, their NIK kept private."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MEMBER_KEYS = ["id", "nik", "name", "group_code", "role", "gender", "pkh_graduate", "kk", "phone", "desil"]
KETUA_001 = "7271086501799001"  # Masita Zainab, ketua of PALU-001 in the sample (a woman: day 65)
NEW_MAN = "7271080506859901"
NEW_WOMAN = "7271084506859902"


def one_line(result, *needles: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not re.search(r"\d{16}", lines[0]), "a full NIK in an error message"
    return lines[0]


def add(kube, code: str, nik: str, *extra: str, name: str = "Ali Lamakarate", status: int = 0):
    return kube("member", "add", code, "--nik", nik, "--name", name, *extra, code=status)


def test_member_add_json_and_gender_from_the_nik(kube, demo_registry: Path) -> None:
    member = kube.json("member", "add", "PALU-002", "--nik", NEW_WOMAN, "--name", "Siti [Rahma]", "--pkh-graduate")
    assert list(member) == MEMBER_KEYS
    assert member["nik"] == "727108******9902"
    assert (member["name"], member["group_code"], member["role"], member["gender"], member["pkh_graduate"]) == (
        "Siti [Rahma]", "PALU-002", "anggota", "P", True)  # fmt: skip


def test_member_list_masks_nik_unless_show_nik_which_is_logged(kube, demo_registry: Path) -> None:
    members = kube.json("member", "list", "PALU-001")
    assert len(members) == 5 and list(members[0]) == MEMBER_KEYS
    assert all(re.fullmatch(r"\d{6}\*{6}\d{4}", m["nik"]) for m in members)
    assert members[0]["role"] == "ketua"  # ketua first
    assert KETUA_001 not in kube("member", "list", "--format", "csv").stdout
    assert not [e for e in kube.json("log") if e["action"] == "nik.show"]
    shown = kube.json("member", "list", "PALU-001", "--show-nik")
    assert shown[0]["nik"] == KETUA_001
    entry = kube.json("log")[0]
    assert (entry["action"], entry["target"], entry["officer"]) == ("nik.show", "PALU-001", "petugas-uji")


def test_group_show_with_show_nik_is_logged(kube, demo_registry: Path) -> None:
    assert KETUA_001 in kube("group", "show", "PALU-001", "--show-nik").stdout
    assert kube.json("log")[0]["action"] == "nik.show"


def test_a_nik_in_a_second_group_is_refused_naming_the_holder(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        result = add(kube, "PALU-002", KETUA_001, status=1)
    one_line(result, "nik '727108******9001'", "PALU-001")


def test_a_second_ketua_is_refused(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        one_line(add(kube, "PALU-001", NEW_MAN, "--role", "ketua", status=1), "role 'ketua'", "PALU-001")
    with unchanged():
        second = kube.json("member", "list", "PALU-001")[1]
        one_line(kube("member", "edit", str(second["id"]), "--role", "KETUA", code=1), "ketua")


@pytest.mark.parametrize(("nik", "gender", "implied"), [(NEW_MAN, "P", "L"), (NEW_WOMAN, "laki-laki", "P")])
def test_gender_contradicting_the_nik_is_refused(kube, demo_registry: Path, unchanged, nik, gender, implied) -> None:
    with unchanged():
        line = one_line(add(kube, "PALU-001", nik, "--gender", gender, status=1), f"gender '{gender}'")
    assert f"says {implied}" in line


@pytest.mark.parametrize(
    ("nik", "part"),
    [("72710805068599", "length"), ("0071080506859901", "province"), ("7271080513859901", "month"),
     ("7271083506859901", "day"), ("7271087506859901", "day")],
)  # fmt: skip
def test_a_bad_nik_names_the_wrong_part(kube, demo_registry: Path, unchanged, nik: str, part: str) -> None:
    with unchanged():
        one_line(add(kube, "PALU-001", nik, status=1), "nik", part)


def test_member_add_to_an_unknown_group(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        one_line(add(kube, "NOPE", NEW_MAN, status=1), "code 'NOPE'")


def test_remove_keeps_the_history_and_frees_the_nik(kube, demo_registry: Path) -> None:
    before = kube.json("report")["totals"]["members"]
    removed = kube.json("member", "remove", KETUA_001, "--reason", "pindah domisili")
    assert removed["nik"] == "727108******9001" and removed["group_code"] == "PALU-001"
    entry = kube.json("log")[0]
    assert (entry["action"], entry["target"]) == ("member.remove", "PALU-001")
    assert "pindah domisili" in entry["detail"] and KETUA_001 not in entry["detail"]
    assert kube.json("report")["totals"]["members"] == before - 1
    assert kube.json("group", "show", "PALU-001")["members"] == 4
    assert all(m["nik"] != "727108******9001" for m in kube.json("member", "list", "PALU-001"))
    one_line(kube("member", "remove", KETUA_001, code=1), "member")  # already gone
    joined = kube.json("member", "add", "PALU-002", "--nik", KETUA_001, "--name", "Masita Zainab")
    assert joined["group_code"] == "PALU-002"
    assert kube.json("report")["totals"]["members"] == before


def test_member_edit_by_nik_and_by_id(kube, demo_registry: Path) -> None:
    edited = kube.json("member", "edit", KETUA_001, "--name", "Masita Z.", "--no-pkh-graduate")
    assert (edited["name"], edited["pkh_graduate"]) == ("Masita Z.", False)
    again = kube.json("member", "edit", str(edited["id"]), "--pkh-graduate")
    assert again["pkh_graduate"] is True


def test_member_edit_refusals(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        one_line(kube("member", "edit", KETUA_001, code=1), "nothing to change")
        one_line(kube("member", "edit", KETUA_001, "--gender", "L", code=1), "gender 'L'", "says P")
        one_line(kube("member", "edit", "99999", "--name", "X", code=1), "member '99999'")
        one_line(kube("member", "edit", "si ali", "--name", "X", code=1), "member")


def test_member_move(kube, demo_registry: Path, unchanged) -> None:
    member = kube.json("member", "list", "PALU-001")[4]
    moved = kube.json("member", "move", str(member["id"]), "--to", "PALU-002")
    assert moved["group_code"] == "PALU-002"
    assert kube.json("group", "show", "PALU-002")["members"] == 6
    with unchanged():
        one_line(kube("member", "move", str(member["id"]), "--to", "PALU-002", code=1), "PALU-002", "already")
        one_line(kube("member", "move", str(member["id"]), "--to", "NOPE", code=1), "to 'NOPE'")
        one_line(kube("member", "move", KETUA_001, "--to", "PALU-002", code=1), "ketua")  # PALU-002 has one


@pytest.mark.parametrize("flag", ["ya", "tidak", "yes", "no", "1", "0", "true", "false"])
def test_pkh_flag_values_load_from_files(demo_registry: Path, flag: str) -> None:
    from kube_cli import registry
    from kube_cli.db import open_registry

    with open_registry(demo_registry, "petugas-uji") as reg:
        member = registry.member_add(reg, "PALU-003", NEW_MAN, "Ali", pkh_graduate=flag)
    assert member["pkh_graduate"] is (flag in ("ya", "yes", "1", "true"))


def test_a_wrong_length_nik_as_member_is_masked_and_a_nik_in_the_same_group_says_so(kube, demo_registry: Path) -> None:
    result = kube("member", "edit", "727108650179900", "--name", "X", code=1)
    assert "727108650179900" not in result.stderr and "727108" in result.stderr
    nik = kube.json("member", "list", "PALU-001", "--show-nik")[0]["nik"]
    result = kube("member", "add", "PALU-001", "--nik", nik, "--name", "Lagi", code=1)
    assert "already a member of group PALU-001" in result.stderr and "member move" not in result.stderr


def test_officer_names_with_control_characters_are_refused(kube, registry_path: Path, unchanged) -> None:
    with unchanged():
        result = kube("--officer", "a\tb", "usaha", "add", "Kelor", code=1)
    assert result.stderr.startswith("Error: officer 'a\\tb'")
