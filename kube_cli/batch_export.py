"""Batch export: the registry's records as CSV, JSON or XLSX that ``kube import`` reads back.

Columns are named exactly as import reads them. Cells a spreadsheet would run as a formula are
neutralised with a leading ``'`` (which import takes off again); NIK is masked unless asked for,
and that is written to the audit log. A file is written whole to a private temporary file and
then moved into place, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kube_cli import fileio
from kube_cli.batch_headers import COLUMNS
from kube_cli.db import Registry
from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.records import MEMBERS, RECORDS, current_group, current_member, current_visit, place_joins, present
from kube_cli.safetext import neutralise  # the one rule, shared with every `--format csv` output

# What each kind exports, besides its columns: which records, in which order.
_WHERE = {
    "groups": f"WHERE {current_group('g')} ORDER BY g.code",
    "members": f"WHERE {current_member('m')} ORDER BY g.code, m.id",
    "aid": "WHERE a.voided_at IS NULL ORDER BY g.code, a.date, a.id",
    "revenue": "ORDER BY g.code, r.period",
    "visits": f"WHERE {current_visit('v')} AND {current_group('g')} ORDER BY g.code, v.date, v.id",
}
_SQL = {kind: f"{RECORDS[kind].values_sql(COLUMNS[kind])} {where}" for kind, where in _WHERE.items()}
# the sheet offices keep: a row per member, the group's columns repeated; a group without members, one row
_SQL["roster"] = (
    "SELECT g.code, g.name, kel.nama, kec.nama, u.name, g.year, m.name, m.nik, m.role, m.gender, m.pkh_graduate, "
    "g.status, g.stage, m.kk, m.phone, m.desil "
    f"FROM groups g {place_joins('g')} JOIN usaha u ON u.id = g.usaha_id "
    f"LEFT JOIN members m ON m.group_id = g.id AND {current_member('m')} WHERE {current_group('g')} "
    "ORDER BY g.code, m.id"
)


def export(registry: Registry, kind: str, fmt: str | None, dest: Path | None, stdout: IO[str], show_nik: bool) -> None:
    """Write ``kind`` out. A ``--show-nik`` export goes in the audit log once it has been written,
    or once its first record went out, however it then ends (a closed pipe, Ctrl-C: some NIKs may
    have been seen); one refused or failed before that (say, to a missing folder) logs nothing."""
    columns, rows = export_rows(registry, kind, show_nik)
    shown = False  # a record, NIK and all, has been handed to the writer

    def watched() -> Iterator[dict[str, Any]]:
        nonlocal shown
        for row in rows:
            shown = True
            yield row

    try:
        write(columns, watched(), fmt, dest, stdout)
        shown = True
    finally:
        if show_nik and kind in ("members", "roster") and shown:
            with registry.atomic():
                registry.audit("nik.show", "*", {"command": f"export {kind}"})


def export_rows(registry: Registry, kind: str, show_nik: bool) -> tuple[tuple[str, ...], Iterator[dict[str, Any]]]:
    """The columns of ``kind`` and its records, streamed from the registry."""
    columns, record = COLUMNS[kind], RECORDS.get(kind, MEMBERS)  # a roster row shows NIK and flags as members do
    cursor = registry.conn.execute(_SQL[kind])

    def rows() -> Iterator[dict[str, Any]]:
        for values in cursor:
            yield present(record, dict(zip(columns, values, strict=True)), columns, show_nik)

    return columns, rows()


def write(columns: tuple[str, ...], rows: Iterator[dict[str, Any]], fmt: str | None, dest: Path | None,
          stdout: IO[str]) -> None:  # fmt: skip
    """Write the rows in ``fmt`` (when not given: as ``dest``'s extension says, else CSV) to ``dest``
    (owner-only, replaced whole) or to ``stdout``."""
    if fmt is None:
        fmt = {".xlsx": "xlsx", ".json": "json"}.get(dest.suffix.lower() if dest else "", "csv")
    if dest is None:
        if fmt == "xlsx":
            if stdout.isatty():
                raise KubeError("format", "xlsx", _("cannot go to the terminal"), _("give a file with -o FILE.xlsx"))
            with tempfile.TemporaryDirectory() as folder:  # a workbook is binary: build it, then pass it on
                _write_xlsx(columns, rows, Path(folder) / "export.xlsx")
                stdout.flush()
                stdout.buffer.write((Path(folder) / "export.xlsx").read_bytes())
            return
        _write_text(columns, rows, fmt, stdout)
        return
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise KubeError("output", str(dest), _("is in a folder that does not exist"))
    with (
        fileio.refused_as(dest, "output", any_os_error=True),
        fileio.NewFile(dest) as new,
    ):  # owner-only, replaced whole
        if fmt == "xlsx":
            _write_xlsx(columns, rows, new.temp)
        else:
            with open(new.temp, "w", encoding="utf-8", newline="") as handle:
                _write_text(columns, rows, fmt, handle)


def _write_text(columns: tuple[str, ...], rows: Iterator[dict[str, Any]], fmt: str, handle: IO[str]) -> None:
    if fmt == "json":
        handle.write("[")
        for n, row in enumerate(rows):
            handle.write(("," if n else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        handle.write("\n]\n")
        return
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in columns])


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    return neutralise(value)


def _write_xlsx(columns: tuple[str, ...], rows: Iterator[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("kube")
    sheet.append(list(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = _csv_cell(row[column])
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.number_format = "@"  # text: a NIK stays 16 digits when the sheet is edited
            cells.append(cell)
        sheet.append(cells)
    _save(book, path)


def _save(book: Any, path: Path) -> None:
    """``book.save(path)``, but a write that fails (a full disk) closes the archive at once: left to
    the garbage collector, it would try again and print a traceback after kube's one line."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).write_data()
    except BaseException:
        for sheet in book.worksheets:  # a sheet not yet written out would finish itself at exit
            with contextlib.suppress(Exception):
                if not sheet.closed:
                    sheet.close()
        with contextlib.suppress(Exception):
            archive.close()  # fails again, but lets go of the file: nothing is left to retry
        raise
    archive.close()
