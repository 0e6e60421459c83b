"""Shapes offices keep (issue 13): groups without codes, a group row with its ketua, the wide omset
recap, aliases for an existing business type, and the roster export. Fictional people only."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import one_line


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


KETUA = (
    "DAFTAR KUBE PENERIMA BANTUAN\nNama KUBE,Desa / Kelurahan,Jenis Usaha,Tahun,Nama Ketua,NIK Ketua,Jumlah Anggota\n"
    "KUBE Mawar,Kel. Lasoani,Kuliner,2021,Hasnah Labaso,7271015504850001,10\n"
    "KUBE Cempaka,Kelurahan Talise,kue,2021,Arman Lapasere,7271020305800004,8\n"
)


def test_group_rows_with_their_ketua_and_no_code(kube, tmp_path: Path) -> None:
    path = write(tmp_path / "ketua.csv", KETUA)
    result = kube("import", str(path))
    assert "ignoring unknown column(s) 'Jumlah Anggota'" in result.stderr
    groups = {g["name"]: g for g in kube.json("group", "list")}
    assert groups["KUBE Mawar"]["kelurahan"] == "Lasoani" and groups["KUBE Cempaka"]["kelurahan"] == "Talise"
    assert groups["KUBE Mawar"]["code"].startswith("K-")
    ketua = {m["name"]: m for m in kube.json("member", "list")}
    assert (
        ketua["Hasnah Labaso"]["role"] == "ketua"
        and ketua["Hasnah Labaso"]["group_code"] == groups["KUBE Mawar"]["code"]
    )
    result = kube("import", str(path), "--format", "json")  # again: the rows match the groups by name and kelurahan
    assert json.loads(result.stdout)["groups"] == {"added": 0, "changed": 0, "unchanged": 2}


def test_a_name_matching_two_groups_is_refused_naming_their_codes(kube, tmp_path: Path, unchanged) -> None:
    kube(
        "import",
        str(
            write(
                tmp_path / "g.csv",
                "code,name,kelurahan,usaha\nX-1,KUBE Mawar,Lasoani,Kuliner\nX-2,kube  mawar,Lasoani,Kuliner\n",
            )
        ),
    )
    with unchanged():
        result = kube(
            "import",
            str(write(tmp_path / "n.csv", "Nama KUBE,Kelurahan,Jenis Usaha\nKUBE MAWAR,Lasoani,Kuliner\n")),
            code=1,
        )
    one_line(result, "n.csv:2: Nama KUBE 'KUBE MAWAR': matches 2 groups in Lasoani: X-1, X-2", "Kode KUBE")


WIDE = (
    "REKAP OMSET KUBE KOTA PALU TAHUN 2022\n\nNo,Kode KUBE,Nama KUBE,Jan,Feb,Mar,Apr,Mei,Jun,Jul,Agu,Sep,Okt,Nov,Des,"
    'Jumlah\n1,W-1,KUBE Melati,"1.500.000",0,-,,Rp 2.000.000,,,,,,,,3500000\n2,,KUBE Anggrek,500000,500000,,,,,,,,,,,'
    "1000000\nJUMLAH,,,,,,,,,,,,,,,4500000\n"
)


def test_the_wide_omset_recap_is_monthly_revenue(kube, tmp_path: Path) -> None:
    kube(
        "import",
        str(
            write(
                tmp_path / "g.csv",
                "code,name,kelurahan,usaha\nW-1,KUBE Melati,Lasoani,Kuliner\nW-2,KUBE Anggrek,Talise,Kuliner\n",
            )
        ),
    )
    path = write(tmp_path / "omset.csv", WIDE)
    counts = json.loads(kube("import", str(path), "--format", "json").stdout)
    assert counts["kind"] == "revenue" and counts["revenue"]["added"] == 4 and counts["skipped"] == {"total": 1}
    revenue = sorted((r["group_code"], r["period"], r["amount"]) for r in kube.json("revenue", "list"))
    assert revenue == [("W-1", "2022-01", 1_500_000), ("W-1", "2022-05", 2_000_000), ("W-2", "2022-01", 500_000),
                       ("W-2", "2022-02", 500_000)]  # fmt: skip
    assert json.loads(kube("import", str(path), "--format", "json").stdout)["revenue"]["unchanged"] == 4


def test_a_wide_recap_without_its_year_is_refused_with_the_fix(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "g.csv", "code,name,kelurahan,usaha\nW-1,KUBE Melati,Lasoani,Kuliner\n")))
    with unchanged():
        result = kube("import", str(write(tmp_path / "o.csv", "Kode KUBE,Jan,Feb,Mar\nW-1,100000,,\n")), code=1)
    one_line(result, "o.csv:2:", "neither in the title nor in a Tahun column", "add a Tahun column")
    kube("import", str(write(tmp_path / "t.csv", "Kode KUBE,Tahun,Jan,Feb,Mar,Total\nW-1,2023,100000,,,100000\n")))
    assert [(r["period"], r["amount"]) for r in kube.json("revenue", "list")] == [("2023-01", 100_000)]


def test_usaha_add_on_an_existing_type_adds_its_aliases(kube, unchanged) -> None:
    result = kube("usaha", "add", "Kuliner", "--alias", "Usaha Kue Kering")
    assert "Usaha Kue Kering" in result.stdout + result.stderr
    kube("group", "add", "KUBE Kue", "--kelurahan", "Lasoani", "--usaha", "usaha kue kering", "--code", "U-1")
    assert kube.json("group", "show", "U-1")["usaha"] == "Kuliner"
    with unchanged():
        one_line(kube("usaha", "add", "Kuliner", "--alias", "usaha kue kering", code=1), "already known")
        one_line(kube("usaha", "add", "Kuliner", "--alias", "kios", code=1), "'kios'", "Warung Sembako")


def test_export_roster_re_imports_as_it_is(kube, tmp_path: Path) -> None:
    kube("import", str(write(tmp_path / "ketua.csv", KETUA)))
    kube("group", "add", "KUBE Kosong", "--kelurahan", "Lasoani", "--usaha", "Kuliner", "--code", "E-1")
    out = tmp_path / "roster.csv"
    kube("export", "roster", "--show-nik", "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("group_code,group_name,kelurahan,kecamatan,usaha,year,member_name,nik,role")
    assert any(
        line.startswith("E-1,KUBE Kosong,Lasoani,") and line.endswith(",,,,,,aktif,penumbuhan,,,") for line in lines
    )
    counts = json.loads(kube("import", str(out), "--format", "json").stdout)
    assert counts["groups"]["added"] == 0 and counts["members"] == {"added": 0, "changed": 0, "unchanged": 2}
