"""``kube report``: counts of groups and members, aid and revenue, by place, business and year."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kube_cli import output
from kube_cli.cmd_options import KecamatanOpt, ReportFormatOpt, state
from kube_cli.i18n import _
from kube_cli.output import ReportFormat


class Dimension(StrEnum):
    kecamatan = "kecamatan"
    kelurahan = "kelurahan"
    usaha = "usaha"
    year = "year"


report_app = typer.Typer(help="Counts and totals for the office and the press.")

YearReportOpt = Annotated[str | None, typer.Option("--year", help="Groups registered by this year; money dated in it.")]
OmsetOpt = Annotated[str | None, typer.Option("--omset-min", help="Only groups whose yearly revenue is at least this.")]


@report_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    by: Annotated[list[Dimension] | None, typer.Option("--by", help="Break down by this (repeatable).")] = None,
    year: YearReportOpt = None,
    kecamatan: KecamatanOpt = None,
    omset_min: OmsetOpt = None,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """Counts of KUBE and members by kelurahan and usaha, with aid and revenue.

    Examples:
      kube report
      kube report --by kecamatan --by usaha --year 2021
      kube report --omset-min "25 juta" --format json
    """
    if ctx.invoked_subcommand is not None:
        return
    from kube_cli import reports

    if by and omset_min:
        raise typer.BadParameter(_("--omset-min lists groups; it cannot be combined with --by"), param_hint="--by")
    with state(ctx).open() as reg:
        filters = reports.make_filters(reg, year, kecamatan)
        if omset_min:
            omset_year, threshold, rows = reports.omset_at_least(reg, filters, omset_min)
        elif by:
            rows = reports.breakdown(reg, [d.value for d in by], filters)
        else:
            data = reports.summary(reg, filters)
    scope = output.scope_title(filters.year, filters.kecamatan)
    if omset_min:
        output.emit_omset(rows, fmt, omset_year, threshold, scope)
    elif by:
        output.emit_breakdown(rows, [d.value for d in by], fmt, scope)
    else:
        output.emit_summary(data, fmt, _("KUBE report") + scope)
