#!/usr/bin/env python3
"""Make ``palu-2021-roster.xlsx`` from ``palu-2021-roster.csv``: the roster as an office keeps it.

A title block above the header, a ``No`` column, Indonesian headers, and NIK stored as text
(as it must be: a NIK stored as a number loses its 16th digit). Needs openpyxl. From the
repository root:

    python3 sample_data/make_xlsx.py
"""

import csv
import os

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = [
    ("No", None),
    ("Kode KUBE", "group_code"),
    ("Nama KUBE", "group_name"),
    ("Kelurahan", "kelurahan"),
    ("Kecamatan", "kecamatan"),
    ("Jenis Usaha", "usaha"),
    ("Tahun", "year"),
    ("Nama Anggota", "member_name"),
    ("NIK", "nik"),
    ("Jabatan", "role"),
    ("Jenis Kelamin", "gender"),
    ("Graduasi PKH", "pkh_graduate"),
]


def main() -> None:
    with open(os.path.join(HERE, "palu-2021-roster.csv"), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    book = Workbook()
    sheet = book.active
    sheet.title = "Daftar KUBE"
    sheet.append(["DAFTAR KELOMPOK USAHA BERSAMA (KUBE) KOTA PALU TAHUN 2021"])
    sheet.append(["Dinas Sosial Kota Palu — data fiktif untuk contoh"])
    sheet.append([])
    sheet.append([title for title, _column in HEADERS])
    for cell in sheet[1] + sheet[4]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=1):
        sheet.append([number] + [int(row[c]) if c == "year" else row[c] for _t, c in HEADERS[1:]])
        sheet.cell(row=sheet.max_row, column=9).number_format = "@"  # NIK as text
    for letter, width in zip("ABCDEFGHIJKL", (5, 10, 28, 20, 14, 16, 7, 24, 19, 12, 8, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    book.properties.creator = "kube sample data"
    book.save(os.path.join(HERE, "palu-2021-roster.xlsx"))


if __name__ == "__main__":
    main()
