"""``kube wilayah`` and ``kube usaha list|add``: the places and business types kube knows."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import one_line


def test_wilayah_lists_palu_kelurahan(kube, demo_registry: Path) -> None:
    rows = kube.json("wilayah")
    assert len(rows) == 46 and len({r["kecamatan"] for r in rows}) == 8
    assert {r["kabupaten_kota"] for r in rows} == {"Kota Palu"}
    lasoani = next(r for r in rows if r["kelurahan"] == "Lasoani")
    assert (lasoani["kode"], lasoani["kecamatan"]) == ("72.71.08.1005", "Mantikulore")
    assert sum(r["groups"] for r in rows) == 77


def test_wilayah_filters(kube, demo_registry: Path, unchanged) -> None:
    assert {r["kecamatan"] for r in kube.json("wilayah", "--kecamatan", "mantikulore")} == {"Mantikulore"}
    assert [r["kelurahan"] for r in kube.json("wilayah", "--search", "panau")] == ["Panawu"]
    assert all("Lolu" in r["kelurahan"] for r in kube.json("wilayah", "--search", "lolu"))
    with unchanged():
        one_line(kube("wilayah", "--kecamatan", "mantikulor", code=1), "kecamatan 'mantikulor'", "Mantikulore")


def test_usaha_list(kube, demo_registry: Path) -> None:
    rows = kube.json("usaha", "list")
    ewarong = next(r for r in rows if r["usaha"] == "e-Warong")
    assert ewarong["groups"] == 9 and "e-waroeng" in ewarong["aliases"]


def test_usaha_add_then_use_by_alias(kube, palu: Path) -> None:
    added = kube.json("usaha", "add", "Pengolahan Kelor", "--alias", "kelor", "--alias", "daun kelor")
    assert added == {"usaha": "Pengolahan Kelor", "aliases": "kelor, daun kelor", "groups": 0}
    group = kube.json("group", "add", "KUBE Kelor", "--kelurahan", "Talise", "--usaha", "Daun Kelor")
    assert group["usaha"] == "Pengolahan Kelor"
    assert kube.json("log")[1]["action"] == "usaha.add"


def test_usaha_add_of_its_own_name_as_alias_is_fine(kube, palu: Path) -> None:
    assert kube.json("usaha", "add", "Kelor", "--alias", "kelor")["aliases"] == ""


def test_usaha_add_of_a_known_name_or_alias_is_refused(kube, palu: Path, unchanged) -> None:
    with unchanged():
        one_line(kube("usaha", "add", "E-WARONG", code=1), "usaha 'E-WARONG'", "e-Warong")
        one_line(kube("usaha", "add", "Baru", "--alias", "ewarong", code=1), "alias 'ewarong'", "e-Warong")
        one_line(kube("usaha", "add", "Baru", "--alias", "sembako", code=1), "alias 'sembako'", "Warung Sembako")
        one_line(kube("usaha", "add", "Baru", "--alias", "x", "--alias", "X", code=1), "alias", "twice")
