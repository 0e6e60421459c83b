"""``kube visit …`` and ``kube due``: monitoring visits to the groups, and the worklist they make."""

from __future__ import annotations

from typing import Annotated

import typer

from kube_cli import output, output_cells, output_reports
from kube_cli.cmd_options import CodeArg, FormatOpt, KecamatanOpt, NoteOpt, OptionalCodeArg, YearOpt, YesOpt, state
from kube_cli.formats import Format
from kube_cli.i18n import _, format_date
from kube_cli.records import VISITS

visit_app = typer.Typer(help="Record and list monitoring visits to groups.", no_args_is_help=True)

VISIT_COLUMNS = VISITS.keys()


@visit_app.command("record")
def visit_record(
    ctx: typer.Context,
    code: CodeArg,
    business: Annotated[str, typer.Option("--business", help="running, stalled or stopped.")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD or DD/MM/YYYY (default today).")] = None,
    bookkeeping: Annotated[bool, typer.Option("--bookkeeping/--no-bookkeeping", help="Does the group keep books?")] = False,
    members_present: Annotated[str | None, typer.Option("--members-present", help="How many members were there.")] = None,
    omset: Annotated[str | None, typer.Option("--omset", help="Also record this revenue (Rupiah), for --period.")] = None,
    period: Annotated[str | None, typer.Option("--period", help="The omset's year or month (default: the visit's month).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite the revenue recorded for the period.")] = False,
    note: NoteOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:  # fmt: skip
    """Record a visit to a group: whether the business runs, books, members present, omset.

    Examples:
      kube visit record PALU-001 --business running --bookkeeping --members-present 5
      kube visit record PALU-007 --business stalled --note "modal habis" --omset 750rb
    """
    from kube_cli import visits

    with state(ctx).open(write=True) as reg:
        row = visits.visit_record(reg, code, business, date, bookkeeping, members_present, note, omset, period, replace)
    output.emit_record(row, fmt, _("Recorded visit {id} to {group_code} on {date}: business {business}.").format(
        **{**row, "date": format_date(row["date"]), "business": output_cells.business_word(row["business"])}))  # fmt: skip


@visit_app.command("list")
def visit_list(
    ctx: typer.Context,
    code: OptionalCodeArg = None,
    since: Annotated[str | None, typer.Option("--since", help="Visits on or after this date.")] = None,
    year: YearOpt = None,
    officer: Annotated[str | None, typer.Option("--officer", help="Only the visits of this officer.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List monitoring visits, oldest first.

    Examples:
      kube visit list PALU-001
      kube visit list --year 2026 --format csv
    """
    from kube_cli import visits

    with state(ctx).open() as reg:
        rows = visits.visit_list(reg, code, since, year, officer)
    output.emit_rows(rows, VISIT_COLUMNS, fmt, empty=_("No visits recorded."))


@visit_app.command("remove")
def visit_remove(
    ctx: typer.Context,
    visit_id: Annotated[str, typer.Argument(metavar="ID", help="The visit's id (see `kube visit list`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is removed (kept in the audit log).")],
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove a visit recorded by mistake; it stays in the history.

    Examples:
      kube visit remove 12 --reason "dicatat dua kali"
    """
    from kube_cli import visits

    with state(ctx).open(write=True) as reg:
        visit = visits.get_visit(reg, visit_id)
        output.confirm(_("Remove visit {id} to {group_code} on {date}?").format(
            **{**visit, "date": format_date(visit["date"])}), yes)  # fmt: skip
        row = visits.visit_remove(reg, visit_id, reason)
    output.emit_record(row, fmt, _("Removed visit {id} to {group_code}.").format(**row))


def due(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="Due when not visited for this many days.")] = 90,
    kecamatan: KecamatanOpt = None,
    officer: Annotated[str | None, typer.Option("--officer", help="The groups this officer visited last, and "
                                                "the never-visited ones.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Make the list for this day (default today).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:  # fmt: skip
    """The worklist: active groups that need a visit, most urgent first, and why.

    Examples:
      kube due
      kube due --kecamatan Mantikulore --days 60
      kube due --officer "Rahmat" --format csv
    """
    from kube_cli import worklist

    with state(ctx).open() as reg:
        scope = worklist.make_scope(reg, days, kecamatan, officer, as_of)
        rows = worklist.due(reg, scope)
    output_reports.emit_due(rows, fmt, _("Groups due for a visit on {date}").format(date=format_date(scope.as_of.isoformat())))  # fmt: skip
