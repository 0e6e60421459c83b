"""``kube import`` and ``kube export``: the office's spreadsheets in, clean files out."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kube_cli import output, output_progress
from kube_cli.cmd_options import FormatOpt, ShowNikOpt, state
from kube_cli.formats import Format
from kube_cli.i18n import _


class ExportKind(StrEnum):
    groups = "groups"
    members = "members"
    aid = "aid"
    revenue = "revenue"
    roster = "roster"
    visits = "visits"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV, XLSX, XLS, ODS, JSON or NDJSON file.",
                                         show_default=False)],
    kind: Annotated[str | None, typer.Option("--kind", help="groups, members, aid, revenue, roster or "
                                             "visits (default: told by the file's columns).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, write nothing.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Let rows overwrite what is recorded.")] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The sheet to read (default: the first visible "
                                              "one holding a table kube knows).")] = None,
    maps: Annotated[list[str] | None, typer.Option("--map", metavar="HEADER=FIELD", help="Read the column HEADER "
                                                   "as FIELD (repeatable).")] = None,
    include_hidden: Annotated[bool, typer.Option("--include-hidden", help="Read hidden rows too.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:  # fmt: skip
    """Import groups, members, aid, revenue or a roster: every row is checked, then all written at once.

    Columns (English or Indonesian, any case): roster = Kode KUBE, Nama KUBE, Kelurahan, Kecamatan,
    Jenis Usaha, Tahun, Nama Anggota, NIK, Jabatan, Jenis Kelamin, Graduasi PKH.

    Examples:
      kube import palu-2021-roster.xlsx
      kube import bantuan.csv --kind aid --dry-run
    """
    from kube_cli import batch, batch_headers

    try:
        overrides = batch_headers.parse_maps(maps or [])
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--map") from None
    with state(ctx).open(write=not dry_run) as reg, output_progress.RowProgress(_("Reading")) as bar:
        result = batch.import_file(
            reg, file, str(file), kind, dry_run=dry_run, replace=replace, sheet=sheet, warn=output.warn, progress=bar,
            include_hidden=include_hidden, overrides=overrides,
        )  # fmt: skip
    output.emit_record(result.as_dict(), fmt, batch.summary_line(result))


def export(
    ctx: typer.Context,
    kind: Annotated[
        ExportKind,
        typer.Argument(metavar="KIND", help="groups, members, aid, revenue, roster or visits.", show_default=False),
    ],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option("--format", "-f", help="File format (default: from -o's extension, else csv)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")] = None,
    show_nik: ShowNikOpt = False,
) -> None:
    """Export records in the columns `kube import` reads, so the file imports back as it is.

    Examples:
      kube export groups -o groups.csv
      kube export members --format xlsx -o anggota.xlsx
      kube export roster --show-nik -o roster.xlsx
    """
    from kube_cli import batch_export

    with state(ctx).open() as reg:
        batch_export.export(reg, kind.value, fmt.value if fmt else None, out, sys.stdout, show_nik)
