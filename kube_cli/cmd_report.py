"""``kube report``: counts of groups and members, aid and revenue, by place, business and year."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kube_cli import output, output_reports
from kube_cli.cmd_options import KecamatanOpt, NoPagerOpt, ReportFormatOpt, state
from kube_cli.formats import ReportFormat
from kube_cli.i18n import _
from kube_cli.records import CHARTED, DIMENSIONS

Dimension = StrEnum("Dimension", {d: d for d in DIMENSIONS})


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
    no_pager: NoPagerOpt = False,
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
    scope = output_reports.scope_title(filters.year, filters.kecamatan)
    if omset_min:
        output_reports.emit_omset(rows, fmt, omset_year, threshold, scope)
    elif by:
        output_reports.emit_breakdown(rows, [d.value for d in by], fmt, scope)
    else:
        output_reports.emit_summary(data, fmt, _("KUBE report") + scope)


ChartDimension = StrEnum("ChartDimension", {d: d for d in CHARTED})


@report_app.command("briefing")
def report_briefing(
    ctx: typer.Context,
    year: YearReportOpt = None,
    kecamatan: KecamatanOpt = None,
    omset_min: Annotated[str | None, typer.Option("--omset-min", help="Name the groups whose yearly revenue is at least this (default: 25 juta).")] = None,
    fmt: Annotated[output_reports.BriefingFormat, typer.Option("--format", "-f", help="Output format.")] = output_reports.BriefingFormat.text,
) -> None:  # fmt: skip
    """A paragraph for the press, in Bahasa Indonesia, built only from the registry.

    Examples:
      kube report briefing
      kube report briefing --year 2021 --format markdown
      kube report briefing --kecamatan Mantikulore --omset-min "10 juta" --format json
    """
    from kube_cli import briefing

    with state(ctx).open() as reg:
        result = briefing.build(reg, year, kecamatan, omset_min)
    output_reports.emit_briefing(result, fmt)
    output_reports.warn_briefing(result["warnings"])


@report_app.command("chart")
def report_chart(
    ctx: typer.Context,
    by: Annotated[ChartDimension, typer.Option("--by", help="One bar per kecamatan, kelurahan or usaha.")],
    year: YearReportOpt = None,
    kecamatan: KecamatanOpt = None,
    out: Annotated[str | None, typer.Option("--output", "-o", help="Write a PNG or SVG file (needs matplotlib).")] = None,
) -> None:  # fmt: skip
    """A bar chart of KUBE counts: in the terminal, or a PNG/SVG for a slide with -o.

    Examples:
      kube report chart --by kecamatan
      kube report chart --by usaha --year 2021 -o kube-usaha.png
    """
    from kube_cli import charts

    if out:
        charts.output_format(out)
    with state(ctx).open() as reg:
        chart = charts.bars(reg, by.value, year, kecamatan)
    if out:
        output.say(_("Chart written to {path}").format(path=charts.write_chart(chart, out)))
    else:
        output_reports.emit_bar_chart(chart, charts.axis_label(by.value))
