"""Office files as they arrive (issue 13): XLSX, XLS, ODS and HTML saved as .xls, laid out as offices do.

The files under tests/data/office/ were made by tools/make_office_files.py (openpyxl, then
LibreOffice headless for .xls and .ods); the people in them are fictional.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.conftest import one_line

DATA = Path(__file__).parent / "data" / "office"


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    return target


def members(kube) -> dict[str, dict]:
    return {m["name"]: m for m in kube.json("member", "list")}


@pytest.mark.parametrize("name", ["sk_lampiran.xlsx", "sk_lampiran.xls", "sk_lampiran.ods"])
def test_an_sk_lampiran_reads_the_same_in_every_format(kube, tmp_path: Path, name: str) -> None:
    """Title block, a two-row merged header, (1) (2) … numbering, a hidden row, JUMLAH, the signature."""
    path = copy(name, tmp_path)
    result = kube("import", str(path), "--format", "json")
    counts = json.loads(result.stdout)
    assert counts["kind"] == "roster"
    assert counts["groups"]["added"] == 2 and counts["members"]["added"] == 5
    assert counts["skipped"] == {"blank": 2, "numbering": 1, "total": 1, "signature": 4, "hidden": 1}
    assert f"Warning: {path}: skipped 1 hidden row(s), lines 13 (--include-hidden reads them)" in result.stderr
    found = members(kube)
    assert "Muhammad Arsyad Tandiawan" not in found  # the hidden row: the office hid his old row
    assert found["Sitti Marhamah Dg. Tiro"]["role"] == "bendahara"  # 'Nama' under 'Anggota' is the member
    groups = {g["code"]: g for g in kube.json("group", "list")}
    assert groups["SK-101"]["name"] == "KUBE Melati Lasoani" and groups["SK-101"]["kelurahan"] == "Lasoani"
    assert groups["SK-102"]["usaha"] == "Kuliner" and groups["SK-102"]["year"] == 2021


def test_include_hidden_reads_the_hidden_rows(kube, tmp_path: Path) -> None:
    result = kube("import", str(copy("sk_lampiran.ods", tmp_path)), "--include-hidden", "--format", "json")
    assert json.loads(result.stdout)["members"]["added"] == 6
    assert "hidden row" not in result.stderr
    assert "Muhammad Arsyad Tandiawan" in members(kube)


def test_a_stale_dimension_does_not_cut_the_sheet(kube, tmp_path: Path) -> None:
    """Issue 16: <dimension ref="A1:K3"/> made read-only openpyxl import 2 of 10 members, exit 0."""
    path = copy("stale_dimension.xlsx", tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert b'<dimension ref="A1:K3"' in archive.read("xl/worksheets/sheet1.xml")
    assert json.loads(kube("import", str(path), "--format", "json").stdout)["members"]["added"] == 5


@pytest.mark.parametrize("name", ["recap_first.xlsx", "recap_first.xls", "recap_first.ods"])
def test_the_roster_on_the_second_sheet_is_read_with_a_warning(kube, tmp_path: Path, name: str) -> None:
    """The hidden sheet 'Coretan' holds a table too, but a hidden sheet is not chosen."""
    path = copy(name, tmp_path)
    result = kube("import", str(path))
    assert "the first sheet 'Rekap' holds no table kube knows; reading sheet 'Data Anggota'" in result.stderr
    assert len(members(kube)) == 5


def test_two_candidate_sheets_are_refused_listing_them_and_sheet(kube, tmp_path: Path, unchanged) -> None:
    book = Workbook()
    book.active.title = "Rekap"
    book.active.append(["Rekapitulasi"])
    for title in ("2021", "2022"):
        sheet = book.create_sheet(title)
        sheet.append(["Kode KUBE", "Nama KUBE", "Kelurahan", "Jenis Usaha", "Nama Anggota", "NIK"])
        sheet.append(["SK-201", "KUBE Cempaka", "Lasoani", "Kuliner", "Hasnah Labaso", "7271015504850001"])
    path = tmp_path / "dua.xlsx"
    book.save(path)
    with unchanged():
        result = kube("import", str(path), code=1)
    one_line(result, "has 2 sheets that hold a table kube knows", "'Rekap', '2021', '2022'", "--sheet")
    kube("import", str(path), "--sheet", "2022")
    assert list(members(kube)) == ["Hasnah Labaso"]


def test_aid_with_rupiah_formats_and_dates_written_every_way(kube, tmp_path: Path) -> None:
    kube("import", str(copy("sk_lampiran.xlsx", tmp_path)))
    result = kube("import", str(copy("bantuan.xlsx", tmp_path)))
    assert "1 total row(s)" in result.stderr
    aid = sorted((a["date"], a["amount"], a["kind"]) for a in kube.json("aid", "list"))
    assert aid == [
        ("2021-06-15", 750_000, "lainnya"),  # 15 Jun 2021, 750.000,-
        ("2021-07-02", 2_000_000, "modal"),  # 2 Juli 2021, Rp. 2.000.000,00
        ("2021-07-02", 20_000_000, "modal"),  # a date cell, a number in a "Rp"#,##0 format
        ("2021-08-20", 1_500_000, "pelatihan"),  # the serial 44428, Rp 1.500.000,-
        ("2021-08-20", 20_000_000, "peralatan"),  # 20-08-2021, Rp. 20.000.000,-
    ]


def test_a_web_apps_html_xls_names_groups_and_keeps_nik_with_an_apostrophe(kube, tmp_path: Path) -> None:
    kube("import", str(copy("sk_lampiran.xlsx", tmp_path)))
    kube("member", "remove", "7271021511820005", "--reason", "uji")
    result = kube("import", str(copy("anggota_webapp.xls", tmp_path)), "--format", "json")
    assert json.loads(result.stdout)["members"] == {"added": 1, "changed": 0, "unchanged": 4}
    assert members(kube)["Yusran Bakuku"]["group_code"] == "SK-102"


def test_a_group_name_that_is_no_groups_is_refused_with_the_fix(kube, tmp_path: Path, unchanged) -> None:
    path = tmp_path / "m.csv"
    path.write_text("Asal KUBE,Nama Anggota,NIK\nKUBE Tidak Ada,Hasnah Labaso,7271015504850001\n", encoding="utf-8")
    with unchanged():
        result = kube("import", str(path), code=1)
    one_line(result, "m.csv:2: Asal KUBE 'KUBE Tidak Ada': is not the name of a group", "Kode KUBE")


def test_a_csv_whose_niks_all_end_in_0_is_refused(kube, tmp_path: Path, unchanged) -> None:
    rows = [f"SK-1,Kube,Lasoani,Kuliner,Anggota {i},72710155048500{i}0" for i in range(1, 6)]
    path = tmp_path / "excel.csv"
    path.write_text("Kode KUBE,Nama KUBE,Kelurahan,Jenis Usaha,Nama Anggota,NIK\n" + "\n".join(rows), encoding="utf-8")
    with unchanged():
        result = kube("import", str(path), code=1)
    one_line(result, "all 5 end in 0", "format the NIK column as Text")


def test_map_names_a_column_and_an_unknown_field_is_a_usage_error(kube, tmp_path: Path, unchanged) -> None:
    path = tmp_path / "g.csv"
    path.write_text("ID Kelompok,Nama KUBE,Kelurahan,Bidang\nSK-9,KUBE Mawar,Kel. Lasoani,Kuliner\n", encoding="utf-8")
    with unchanged():
        result = kube("import", str(path), "--map", "Bidang=bogus", code=2)
    assert "bogus" in result.stderr
    kube("import", str(path), "--map", "ID Kelompok=code", "--map", "Bidang=usaha")
    assert [(g["code"], g["kelurahan"], g["usaha"]) for g in kube.json("group", "list")] == [
        ("SK-9", "Lasoani", "Kuliner")
    ]


def test_a_header_under_a_row_of_group_titles(kube, tmp_path: Path) -> None:
    """'Nama' under 'Identitas KUBE' is the group's name; 'Nama' under 'Anggota' the member's."""
    path = tmp_path / "two.csv"
    path.write_text("DAFTAR ANGGOTA\nNo,Identitas KUBE,,,,Anggota,,\n,Kode,Nama,Kelurahan,Jenis Usaha,Nama,NIK,L/P\n"
                    "1,A-1,KUBE Mawar,Lasoani,Kuliner,Hasnah Labaso,7271015504850001,P\n", encoding="utf-8")  # fmt: skip
    kube("import", str(path))
    assert [(g["code"], g["name"]) for g in kube.json("group", "list")] == [("A-1", "KUBE Mawar")]
    assert list(members(kube)) == ["Hasnah Labaso"]


def test_numbering_total_and_signature_rows_in_a_csv(kube, tmp_path: Path) -> None:
    """A CSV gets the same table finding: numbering row, JUMLAH, signature block."""
    path = tmp_path / "r.csv"
    path.write_text(
        "DAFTAR KUBE\n\nNo,Kode KUBE,Nama KUBE,Kelurahan,Jenis Usaha,Nama Anggota,NIK\n(1),(2),(3),(4),(5),(6),(7)\n"
        "1,SK-1,KUBE Mawar,Lasoani,Kuliner,Hasnah Labaso,7271015504850001\n,,,,,,\nJUMLAH,,,,,1 orang,\n"
        ',,,,,"Palu, 12 Juli 2021",\n,,,,,KEPALA DINAS SOSIAL,\n,,,,,ttd.,\n,,,,,SUDIRMAN PALEBA,\n',
        encoding="utf-8",
    )
    result = kube("import", str(path), "--format", "json")
    assert json.loads(result.stdout)["skipped"] == {"blank": 1, "numbering": 1, "total": 1, "signature": 4}


# --- hostile archives: refused in seconds with bounded memory --------------------------------


def _xlsx_with_shared_strings(path: Path, write_strings) -> None:
    book = Workbook()
    book.active.append(["Kode KUBE", "Nama KUBE"])
    book.save(path)
    with zipfile.ZipFile(path) as old:
        parts = {i.filename: old.read(i) for i in old.infolist() if i.filename != "xl/sharedStrings.xml"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for name, data in parts.items():
            new.writestr(name, data)
        with new.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            write_strings(part)


def test_a_zip_bomb_of_shared_strings_is_refused_at_once(kube, tmp_path: Path, unchanged) -> None:
    path = tmp_path / "bomb.xlsx"

    def strings(part) -> None:
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        block = b"<si><t></t></si>" * 100_000
        for _i in range(40):  # 4M empty strings, 64 MB of XML in a few hundred KB
            part.write(block)
        part.write(b"</sst>")

    _xlsx_with_shared_strings(path, strings)
    assert path.stat().st_size < 1_000_000
    with unchanged():
        result = kube("import", str(path), code=1)
    one_line(result, "would inflate to", "zip bomb")


def test_a_cell_longer_than_excel_allows_is_refused_while_it_streams(kube, tmp_path: Path, unchanged) -> None:
    import random

    path = tmp_path / "long.xlsx"
    letters = "".join(random.Random(1).choice("abcdefghij") for _i in range(40_000)).encode()

    def strings(part) -> None:
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        part.write(letters)
        part.write(b"</t></si></sst>")

    _xlsx_with_shared_strings(path, strings)
    with unchanged():
        result = kube("import", str(path), code=1)
    one_line(result, "longer than 32767 characters")


def test_an_xml_entity_bomb_is_refused(kube, tmp_path: Path, unchanged) -> None:
    path = tmp_path / "laughs.xlsx"

    def strings(part) -> None:
        part.write(
            b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>'
        )

    _xlsx_with_shared_strings(path, strings)
    with unchanged():
        result = kube("import", str(path), code=1)
    one_line(result, "DTD")


def test_a_narrow_sheet_ends_with_its_signature_too(kube, tmp_path: Path) -> None:
    kube("group", "add", "KUBE Mawar", "--kelurahan", "Lasoani", "--usaha", "Kuliner", "--code", "N-1")
    path = tmp_path / "omset.csv"
    path.write_text("Kode KUBE,Periode,Omset\nN-1,Maret 2022,Rp 1.500.000\n\n\"Palu, 12 Juli 2022\"\nKepala Dinas Sosial\n"
                    "ttd.\nSUDIRMAN PALEBA\n", encoding="utf-8")  # fmt: skip
    result = kube("import", str(path), "--format", "json")
    assert json.loads(result.stdout)["skipped"] == {"signature": 4, "blank": 1}
    assert [(r["period"], r["amount"]) for r in kube.json("revenue", "list")] == [("2022-03", 1_500_000)]


def test_an_excel_2003_xml_file_is_refused_with_the_fix(kube, tmp_path: Path, unchanged) -> None:
    path = tmp_path / "export.xls"
    path.write_text('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>\n')
    with unchanged():
        one_line(kube("import", str(path), code=1), "Excel 2003 XML", "save it as .xlsx")


def test_a_damaged_xls_that_loops_xlrd_is_refused_in_time(kube, tmp_path: Path, unchanged, monkeypatch) -> None:
    """damaged_loop.xls is recap_first.xls with bytes flipped (a byte-flip run found it): its sector
    chain sends xlrd round for ever, so reading an .xls has a time limit."""
    import kube_cli.sheets_xls

    monkeypatch.setattr(kube_cli.sheets_xls, "XLS_SECONDS", 2)
    with unchanged():
        one_line(kube("import", str(copy("damaged_loop.xls", tmp_path)), code=1), "not a readable XLS file")
