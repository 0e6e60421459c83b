"""Spreadsheets as offices save them — XLSX, XLS 97-2003, ODS, and an HTML table saved as ``.xls`` —
behind one row interface (``sheets_rows``): ``open_book`` gives the reader of a format.

Why these readers (the libraries' documentation was read for each):
- XLSX and ODS (``sheets_xlsx``, ``sheets_ods``) are zip archives of XML (``sheets_zip``), read here
  as a stream with the standard library's expat. openpyxl's read-only mode trusts the sheet's
  ``<dimension>`` (a stale one silently drops rows) and does not report hidden rows;
  python-calamine reports neither hidden rows (tafia/calamine#237, closed as not planned) nor does
  it stream; odfpy builds the whole document in memory. Reading the XML ourselves gives the
  ``hidden`` flag of every format, ignores ``<dimension>``, keeps memory flat (one row at a time)
  and lets us bound what a hostile archive may inflate to.
- XLS 97-2003 (``sheets_xls``) is a binary format: xlrd (``formatting_info=True``) reads it with
  each row's ``Rowinfo.hidden`` and each sheet's visibility. An ``.xls`` is at most 65,536 rows, so
  reading it whole is bounded.
- An HTML table saved as ``.xls`` by a web app (``sheets_xls`` too) needs only ``html.parser``.

Safety: an archive member that inflates beyond ``RATIO`` times its compressed size (plus a floor)
is refused before a byte is inflated (zipfile never yields more than the declared size), an XML
document with a DTD (entity expansion) is refused, and a cell longer than Excel's 32,767 characters
is refused while it streams, so a zip bomb, a billion laughs or a 1 GB string costs seconds and
little memory.
"""

from __future__ import annotations

from pathlib import Path

from kube_cli.sheets_ods import OdsBook
from kube_cli.sheets_rows import Book
from kube_cli.sheets_xls import HtmlBook, XlsBook
from kube_cli.sheets_xlsx import XlsxBook


def open_book(path: Path, name: str, fmt: str) -> Book:
    """The workbook reader for ``fmt`` (``xlsx``, ``ods``, ``xls`` or ``html``)."""
    reader = {"xlsx": XlsxBook, "ods": OdsBook, "xls": XlsBook, "html": HtmlBook}[fmt]
    return reader(path, name)
