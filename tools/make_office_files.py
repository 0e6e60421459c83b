"""Make the office files under tests/data/office/ the way a Dinas Sosial makes them.

openpyxl writes the XLSX files (merged two-row headers, a title block, a numbering row, a hidden
row, a JUMLAH row, a signature block, Rupiah number formats, styled empty columns); LibreOffice
headless converts the SK lampiran to XLS 97-2003 and ODS, as an office that saves in those formats
does. The tests read the committed files, so they pass without LibreOffice. Every person is
fictional; the NIKs are valid in form only.

    python tools/make_office_files.py      # needs openpyxl, and soffice for .xls/.ods
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent.parent / "tests" / "data" / "office"

# (code, group, kelurahan, kecamatan, usaha, year, [(name, nik, role, gender)])
GROUPS = [
    ("SK-101", "KUBE Melati Lasoani", "Lasoani", "Mantikulore", "Warung Sembako", 2021, [
        ("Rahmawati Tolabu", "7271015504850001", "Ketua", "P"),
        ("Nurhayati Lamangkona", "7271016208900002", "Sekretaris", "P"),
        ("Sitti Marhamah Dg. Tiro", "7271014101880003", "Bendahara", "P"),
    ]),
    ("SK-102", "KUBE Anggrek Talise", "Talise", "Mantikulore", "Kuliner", 2021, [
        ("Abdul Rahman Lapasere", "7271020305800004", "Ketua", "L"),
        ("Yusran Bakuku", "7271021511820005", "Anggota", "L"),
    ]),
]  # fmt: skip
OLD_ROW = ("Muhammad Arsyad Tandiawan", "7271021207790006", "Anggota", "L")  # moved away: the office hid his row
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
GREY = PatternFill("solid", fgColor="DDDDDD")


def sk_lampiran(path: Path) -> None:
    """An SK Walikota lampiran: title, a two-row merged header, (1) (2) … numbering, a hidden row,
    a JUMLAH row, the signature block, and styled empty columns out to Z."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Lampiran"
    sheet["A1"] = "LAMPIRAN KEPUTUSAN WALI KOTA PALU"
    sheet["A2"] = "NOMOR 400/123/DINSOS/2021"
    sheet["A3"] = "DAFTAR PENERIMA BANTUAN KUBE TAHUN 2021"
    for row in (1, 2, 3):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=11)
        sheet.cell(row, 1).alignment = CENTER
        sheet.cell(row, 1).font = BOLD
    top = ["No", "Kode KUBE", "Nama KUBE", "Alamat", None, "Jenis Usaha", "Tahun", "Anggota", None, None, None]
    bottom = [None, None, None, "Kelurahan", "Kecamatan", None, None, "Nama", "NIK", "Jabatan", "L/P"]
    for column, (upper, lower) in enumerate(zip(top, bottom, strict=True), start=1):
        for row, value in ((5, upper), (6, lower)):
            cell = sheet.cell(row, column, value)
            cell.font, cell.alignment, cell.fill = BOLD, CENTER, GREY
    for column in (1, 2, 3, 6, 7):
        sheet.merge_cells(start_row=5, start_column=column, end_row=6, end_column=column)
    sheet.merge_cells("D5:E5")
    sheet.merge_cells("H5:K5")
    for column in range(1, 12):
        sheet.cell(7, column, f"({column})").alignment = CENTER
    row = 8
    number = 0
    for code, group, kelurahan, kecamatan, usaha, year, members in GROUPS:
        for name, nik, role, gender in members:
            number += 1
            sheet.append([number, code, group, kelurahan, kecamatan, usaha, year, name, nik, role, gender])
            sheet.cell(row, 9).number_format = "@"
            row += 1
        if code == "SK-102":
            sheet.append([None, code, group, kelurahan, kecamatan, usaha, year, *OLD_ROW])
            sheet.row_dimensions[row].hidden = True
            row += 1
    row += 1  # a blank row before the total
    sheet.cell(row, 1, "JUMLAH")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    sheet.cell(row, 8, f"{number} orang")
    row += 2
    for text in ("Palu, 12 Juli 2021", "WALI KOTA PALU,", "ttd.", "HIDAYAT LAMAKARATE"):
        sheet.cell(row, 9, text)
        row += 1
    for r in range(5, row):  # the office styled whole rows: empty cells out to Z carry a fill
        for column in range(12, 27):
            sheet.cell(r, column).fill = GREY
    book.save(path)


def stale_dimension(source: Path, path: Path) -> None:
    """The lampiran with ``<dimension ref="A1:K3"/>``, as other tools leave it (issue 16)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K3"', data)
            new.writestr(info, data)


def recap_first(path: Path) -> None:
    """A recap sheet first, the roster second (and a hidden scratch sheet)."""
    book = Workbook()
    recap = book.active
    recap.title = "Rekap"
    recap.append(["REKAPITULASI KUBE PER KECAMATAN"])
    recap.append(["Kecamatan", "Jumlah KUBE", "Jumlah Anggota"])
    recap.append(["Mantikulore", 2, 5])
    scratch = book.create_sheet("Coretan")
    scratch.append(["Kode KUBE", "Nama KUBE", "Kelurahan", "Jenis Usaha", "Nama Anggota", "NIK"])
    scratch.sheet_state = "hidden"
    data = book.create_sheet("Data Anggota")
    data.append(["Kode KUBE", "Nama KUBE", "Kelurahan", "Jenis Usaha", "Tahun", "Nama Anggota", "NIK", "Jabatan"])
    for code, group, kelurahan, _kec, usaha, year, members in GROUPS:
        for name, nik, role, _gender in members:
            data.append([code, group, kelurahan, usaha, year, name, nik, role])
    book.save(path)


def bantuan(path: Path) -> None:
    """Aid as the finance section keeps it: Rupiah number formats, text amounts, dates every way."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Bantuan 2021"
    sheet.append(["REALISASI BANTUAN KUBE TAHUN 2021"])
    sheet.append([])
    sheet.append(["No.", "Kode KUBE", "Tanggal", "Jenis Bantuan", "Nilai Bantuan (Rp)", "Sumber", "Keterangan"])
    rows = [
        (1, "SK-101", datetime(2021, 7, 2), "Modal", 20_000_000, "APBD", "date cell, Rupiah number format"),
        (2, "SK-102", "20-08-2021", "Peralatan", "Rp. 20.000.000,-", "APBN", None),
        (3, "SK-101", 44428, "Pelatihan", "Rp 1.500.000,-", "APBD", "an Excel serial in a date column"),
        (4, "SK-102", "2 Juli 2021", "Modal", "Rp. 2.000.000,00", "APBD", None),
        (5, "SK-102", "15 Jun 2021", "Lainnya", "750.000,-", "CSR", None),
    ]
    for row in rows:
        sheet.append(list(row))
        sheet.cell(sheet.max_row, 5).number_format = '"Rp"#,##0'
    sheet.append(["TOTAL", None, None, None, "=SUM(E4:E8)"])
    book.save(path)


def html_export(path: Path) -> None:
    """A web app's member export: an HTML table saved as .xls, NIKs kept as text with a '."""
    rows = "".join(
        f"<tr><td>{i}</td><td>{group}</td><td>{name}</td><td>'{nik}</td><td>{role}</td>"
        f"<td>{'Perempuan' if gender == 'P' else 'Laki-laki'}</td></tr>\n"
        for i, (group, name, nik, role, gender) in enumerate(
            [(g[1], *m) for g in GROUPS for m in g[6]], start=1)
    )  # fmt: skip
    path.write_text(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>\n'
        "<table border=1>\n<tr><th colspan=6>DATA ANGGOTA KUBE</th></tr>\n"
        "<tr><th>No</th><th>Asal KUBE</th><th>Nama Anggota</th><th>NIK</th><th>Jabatan</th>"
        "<th>Jenis Kelamin</th></tr>\n" + rows + "</table></body></html>\n",
        encoding="utf-8",
    )


def convert(source: Path, fmt: str, target: Path) -> bool:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print(f"soffice not found: {target.name} not made", file=sys.stderr)
        return False
    filters = {"xls": "xls:MS Excel 97", "ods": "ods"}
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", filters[fmt],
             "--outdir", out, str(source)], check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        shutil.move(Path(out) / f"{source.stem}.{fmt}", target)
    return True


def main() -> None:
    sk_lampiran(HERE / "sk_lampiran.xlsx")
    stale_dimension(HERE / "sk_lampiran.xlsx", HERE / "stale_dimension.xlsx")
    recap_first(HERE / "recap_first.xlsx")
    bantuan(HERE / "bantuan.xlsx")
    html_export(HERE / "anggota_webapp.xls")
    convert(HERE / "sk_lampiran.xlsx", "xls", HERE / "sk_lampiran.xls")
    convert(HERE / "sk_lampiran.xlsx", "ods", HERE / "sk_lampiran.ods")
    convert(HERE / "recap_first.xlsx", "xls", HERE / "recap_first.xls")  # with its hidden sheet
    convert(HERE / "recap_first.xlsx", "ods", HERE / "recap_first.ods")


if __name__ == "__main__":
    main()
