"""``kube group add|list|show|edit``: registering KUBE, their codes, places and business types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import one_line

GROUP_KEYS = ["code", "name", "kelurahan", "kecamatan", "usaha", "year", "status", "members", "stage"]


def add(kube, name: str = "KUBE Maju", kelurahan: str = "Lasoani", usaha: str = "e-Warong", *extra: str, code=0):
    return kube("group", "add", name, "--kelurahan", kelurahan, "--usaha", usaha, *extra, code=code)


def test_group_add_prints_the_generated_code_alone(kube, palu: Path) -> None:
    result = add(kube, "KUBE Sintuvu", "lasoani", "e-waroeng", "--year", "2021")
    code = result.stdout.strip()
    assert re.fullmatch(r"[A-Z0-9-]{1,12}", code), result.stdout
    [group] = kube.json("group", "list")
    assert group == {"code": code, "name": "KUBE Sintuvu", "kelurahan": "Lasoani", "kecamatan": "Mantikulore",
                     "usaha": "e-Warong", "year": 2021, "status": "aktif", "members": 0, "stage": "penumbuhan"}  # fmt: skip


def test_generated_codes_are_short_and_unique(kube, palu: Path) -> None:
    from kube_cli.registry import new_group_code

    codes = {new_group_code() for _ in range(5_000)}
    assert len(codes) == 5_000
    assert max(len(c) for c in codes) <= 12
    made = {add(kube, f"KUBE {i}").stdout.strip() for i in range(5)}
    assert len(made) == 5


def test_group_add_json_is_the_record(kube, palu: Path) -> None:
    group = kube.json("group", "add", "KUBE [bold]Maju[/bold]", "--kelurahan", "Panau", "--usaha", "ewarong",
                      "--code", "TW-01", "--year", "2020")  # fmt: skip
    assert list(group) == GROUP_KEYS
    assert (group["name"], group["kelurahan"], group["kecamatan"], group["usaha"]) == (
        "KUBE [bold]Maju[/bold]", "Panawu", "Tawaeli", "e-Warong")  # fmt: skip


@pytest.mark.parametrize("spelling", ["e-waroeng", "e-warong", "ewarong", "E-WARONG", "e warong"])
def test_usaha_aliases_mean_e_warong(kube, palu: Path, spelling: str) -> None:
    assert kube.json("group", "add", "KUBE X", "--kelurahan", "Talise", "--usaha", spelling)["usaha"] == "e-Warong"


@pytest.mark.parametrize("spelling", ["Lasoani", "LASOANI", "  lasoani ", "Lasoani, Mantikulore", "72.71.08.1005"])
def test_kelurahan_matches_ignoring_case_and_spaces(kube, palu: Path, spelling: str) -> None:
    group = kube.json("group", "add", "KUBE X", "--kelurahan", spelling, "--usaha", "jasa")
    assert (group["kelurahan"], group["kecamatan"]) == ("Lasoani", "Mantikulore")


def test_unknown_kelurahan_is_refused_with_the_nearest_name(kube, palu: Path, unchanged) -> None:
    with unchanged():
        result = add(kube, "KUBE X", "Laswani", code=1)
    one_line(result, "kelurahan 'Laswani'", "did you mean 'Lasoani'")


def test_unknown_usaha_is_refused_with_suggestions(kube, palu: Path, unchanged) -> None:
    with unchanged():
        result = add(kube, "KUBE X", "Lasoani", "kulinerr", code=1)
    one_line(result, "usaha 'kulinerr'", "did you mean", "Kuliner")


def test_duplicate_code_is_refused(kube, palu: Path, unchanged) -> None:
    add(kube, "KUBE A", "Lasoani", "jasa", "--code", "PALU-9")
    with unchanged():
        result = add(kube, "KUBE B", "Talise", "jasa", "--code", "palu-9", code=1)
    one_line(result, "code 'palu-9'", "already")


@pytest.mark.parametrize(("option", "value"), [("--code", "bad code!"), ("--year", "1880"), ("--note", "a\x00b")])
def test_bad_group_fields_are_refused(kube, palu: Path, unchanged, option: str, value: str) -> None:
    with unchanged():
        result = add(kube, "KUBE X", "Lasoani", "jasa", option, value, code=1)
    one_line(result, option.lstrip("-"))


def test_control_characters_in_a_name_are_refused(kube, palu: Path, unchanged) -> None:
    with unchanged():
        result = add(kube, "KUBE\x1b[31m Merah", code=1)
    one_line(result, "name", "control characters")


def test_group_list_filters(kube, demo_registry: Path) -> None:
    everything = kube.json("group", "list")
    assert len(everything) == 77 and list(everything[0]) == GROUP_KEYS
    ewarong = kube.json("group", "list", "--usaha", "ewarong")
    assert len(ewarong) == 9 and {g["usaha"] for g in ewarong} == {"e-Warong"}
    mantikulore = kube.json("group", "list", "--kecamatan", "mantikulore")
    assert mantikulore and {g["kecamatan"] for g in mantikulore} == {"Mantikulore"}
    lasoani = kube.json("group", "list", "--kelurahan", "lasoani")
    assert {g["kelurahan"] for g in lasoani} == {"Lasoani"}
    in_2019 = kube.json("group", "list", "--year", "2019")
    assert in_2019 and {g["year"] for g in in_2019} == {2019}


def test_group_list_flags_groups_outside_5_to_20_members(kube, demo_registry: Path) -> None:
    kube("member", "remove", "7271086501799001")  # PALU-001 drops to 4
    table = kube("group", "list").stdout
    assert re.search(r"PALU-001 .*4 !", table)
    assert "outside 5-20 members" in table


def test_group_show(kube, demo_registry: Path) -> None:
    shown = kube("group", "show", "PALU-001")
    assert "KUBE Sejahtera Lasoani" in shown.stdout and "Lasoani" in shown.stdout
    assert "Rp27.450.000" in shown.stdout  # its 2021 revenue
    assert "727108******9001" in shown.stdout and "7271086501799001" not in shown.stdout
    data = kube.json("group", "show", "PALU-001")
    assert data["members"] == 5 and len(data["member_list"]) == 5
    assert data["revenue_by_year"] == [{"year": 2021, "revenue": 27_450_000}]


def test_group_show_warns_about_a_group_without_ketua(kube, demo_registry: Path) -> None:
    kube("member", "remove", "7271086501799001")  # the ketua of PALU-001
    result = kube("group", "show", "PALU-001")
    assert "no ketua" in result.stderr and "at least 5" in result.stderr


def test_group_show_unknown_code(kube, demo_registry: Path) -> None:
    one_line(kube("group", "show", "NOPE", code=1), "code 'NOPE'", "no such group")


def test_group_edit(kube, demo_registry: Path) -> None:
    group = kube.json("group", "edit", "PALU-001", "--name", "KUBE Baru", "--kelurahan", "Talise", "--usaha", "jasa")
    assert (group["name"], group["kelurahan"], group["usaha"]) == ("KUBE Baru", "Talise", "Jasa")
    entry = kube.json("log")[0]
    assert (entry["action"], entry["target"]) == ("group.edit", "PALU-001")
    assert "KUBE Sejahtera Lasoani" in entry["detail"]


def test_group_edit_refusals(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        one_line(kube("group", "edit", "PALU-001", "--kelurahan", "Laswani", code=1), "Lasoani")
        one_line(kube("group", "edit", "PALU-001", code=1), "nothing to change")
        one_line(kube("group", "edit", "NOPE", "--name", "X", code=1), "NOPE")


def test_a_nonaktif_group_is_not_counted(kube, demo_registry: Path) -> None:
    before = kube.json("report")["totals"]
    kube("group", "edit", "PALU-001", "--status", "nonaktif")
    after = kube.json("report")["totals"]
    assert (after["groups"], after["members"]) == (before["groups"] - 1, before["members"] - 5)
    assert after["revenue_total"] == before["revenue_total"] - 27_450_000
    assert kube.json("group", "list", "--status", "nonaktif")[0]["code"] == "PALU-001"
    ewarong = next(r for r in kube.json("report")["by_usaha"] if r["usaha"] == "e-Warong")
    assert ewarong["groups"] == 8


# --- regions beyond Kota Palu -----------------------------------------------------------------


@pytest.fixture(scope="module")
def national_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kube_cli import setup

    path = tmp_path_factory.mktemp("national") / "id.db"
    setup.init(path, "petugas-uji", "ID")
    return path


@pytest.fixture
def national(registry_path: Path, national_file: Path) -> Path:
    from conftest import copy_registry

    return copy_registry(national_file, registry_path)


def test_a_name_shared_across_indonesia_asks_for_the_kecamatan(kube, national: Path, unchanged) -> None:
    with unchanged():
        result = add(kube, "KUBE X", "Menteng", "jasa", code=1)
    line = one_line(result, "kelurahan 'Menteng'", "ambiguous", "31.71.06.1001", "32.71.04.1001", "kecamatan")
    assert "Menteng, Menteng" in line
    group = kube.json("group", "add", "KUBE X", "--kelurahan", "Menteng, Menteng", "--usaha", "jasa")
    assert (group["kelurahan"], group["kecamatan"]) == ("Menteng", "Menteng")
    by_code = kube.json("group", "add", "KUBE Y", "--kelurahan", "32.71.04.1001", "--usaha", "jasa")
    assert by_code["kecamatan"] == "Bogor Barat"
    # one copy of the national registry (13 MB) serves the other refusals too
    with unchanged():
        one_line(
            add(kube, "KUBE X", "Menteng, Setiabudi", "jasa", code=1), "Setiabudi", "Menteng, Menteng (31.71.06.1001)"
        )
    with unchanged():
        one_line(add(kube, "KUBE X", "Laswani", code=1), "did you mean", "Lasoani")


def test_a_registry_scoped_to_jakarta_pusat(kube, registry_path: Path, unchanged) -> None:
    kube("init", "--wilayah", "31.71")
    group = kube.json("group", "add", "KUBE X", "--kelurahan", "Menteng", "--usaha", "jasa")
    assert (group["kelurahan"], group["kecamatan"]) == ("Menteng", "Menteng")  # unique in Jakarta Pusat
    with unchanged():
        one_line(add(kube, "KUBE Y", "Lasoani", code=1), "kelurahan 'Lasoani'", "Jakarta Pusat")
    with unchanged():
        one_line(kube("init", "--wilayah", "72.71", code=1), "wilayah", "31.71")


@pytest.mark.parametrize("code", ["99", "Kota Palu", "72.7"])
def test_init_refuses_an_unknown_region_and_leaves_no_file(kube, registry_path: Path, code: str) -> None:
    one_line(kube("init", "--wilayah", code, code=1), "wilayah")
    assert not registry_path.exists()
