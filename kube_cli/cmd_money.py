"""``kube aid …`` and ``kube revenue …``: aid given to groups and the revenue they report."""

from __future__ import annotations

from typing import Annotated

import typer

from kube_cli import output
from kube_cli.cmd_options import (
    CodeArg,
    FormatOpt,
    NoPagerOpt,
    NoteOpt,
    OptionalCodeArg,
    ReasonOpt,
    YearOpt,
    YesOpt,
    state,
)
from kube_cli.formats import Format
from kube_cli.i18n import _, format_date
from kube_cli.records import AID, REVENUE
from kube_cli.vocab import format_rupiah

aid_app = typer.Typer(help="Record and list aid (bantuan) given to groups.", no_args_is_help=True)
revenue_app = typer.Typer(help="Record and list groups' revenue (omset).", no_args_is_help=True)

AID_COLUMNS = AID.keys()
REVENUE_COLUMNS = REVENUE.keys()


@aid_app.command("record")
def aid_record(
    ctx: typer.Context,
    code: CodeArg,
    amount: Annotated[str, typer.Option("--amount", help="Rupiah: 20000000, 20.000.000, 20 juta, 750rb.")],
    kind: Annotated[str, typer.Option("--kind", help="peralatan, modal, pelatihan or lainnya.")],
    date: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD or DD/MM/YYYY (default today).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Who gave it, like 'Kemensos RI'.")] = None,
    note: NoteOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record aid given to a group.

    Examples:
      kube aid record PALU-001 --amount "20 juta" --kind peralatan --date 2021-06-15 --source "Kemensos RI"
    """
    from kube_cli import money

    with state(ctx).open(write=True) as reg:
        row = money.aid_record(reg, code, amount, kind, date, source, note, warn=output.warn)
    output.emit_record(row, fmt, _("Recorded aid {id}: {amount} ({kind}) to {group_code} on {date}.").format(
        **{**row, "amount": format_rupiah(row["amount"]), "date": format_date(row["date"])}))  # fmt: skip


@aid_app.command("list")
def aid_list(
    ctx: typer.Context,
    code: OptionalCodeArg = None,
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """List aid records (void ones are shown, and not counted).

    Examples:
      kube aid list PALU-001
      kube aid list --year 2021 --format csv
    """
    from kube_cli import money

    with state(ctx).open() as reg:
        rows = money.aid_list(reg, code, year)
    output.emit_money_rows(rows, AID_COLUMNS, fmt, empty=_("No aid recorded."))


@aid_app.command("void")
def aid_void(
    ctx: typer.Context,
    aid_id: Annotated[str, typer.Argument(metavar="ID", help="The aid record's id (see `kube aid list`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is void (kept in the audit log).")],
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Void an aid record entered by mistake; it stays in the history.

    Examples:
      kube aid void 12 --reason "dicatat dua kali"
    """
    from kube_cli import money

    with state(ctx).open(write=True) as reg:
        aid = money.describe_aid_void(reg, aid_id, reason)
        output.confirm(_("Void aid record {id}: {amount} ({kind}) to {group_code} on {date}?").format(
            **{**aid, "amount": format_rupiah(aid["amount"]), "date": format_date(aid["date"])}), yes)  # fmt: skip
        row = money.aid_void(reg, aid_id, reason)
    output.emit_record(row, fmt, _("Aid record {id} is void.").format(**row))


@revenue_app.command("record")
def revenue_record(
    ctx: typer.Context,
    code: CodeArg,
    amount: Annotated[str, typer.Option("--amount", help="Rupiah: 25000000, 25 juta, Rp25.000.000.")],
    period: Annotated[str, typer.Option("--period", help="A year (2021) or a month (2021-03).")],
    note: NoteOpt = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite what is recorded for this period.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Record a group's revenue (omset) for a year or a month.

    Examples:
      kube revenue record PALU-001 --amount "27,45 juta" --period 2021
      kube revenue record PALU-002 --amount 850rb --period 2021-03
    """
    from kube_cli import money

    with state(ctx).open(write=True) as reg:
        row = money.revenue_record(reg, code, amount, period, note, replace, warn=output.warn)
    output.emit_record(row, fmt, _("Recorded revenue {amount} for {group_code}, {period}.").format(
        **{**row, "amount": format_rupiah(row["amount"])}))  # fmt: skip


@revenue_app.command("list")
def revenue_list(ctx: typer.Context, code: OptionalCodeArg = None, year: YearOpt = None,
                 fmt: FormatOpt = Format.table, no_pager: NoPagerOpt = False) -> None:  # fmt: skip
    """List revenue records.

    Examples:
      kube revenue list --year 2021
    """
    from kube_cli import money

    with state(ctx).open() as reg:
        rows = money.revenue_list(reg, code, year)
    output.emit_money_rows(rows, REVENUE_COLUMNS, fmt, empty=_("No revenue recorded."))


@revenue_app.command("remove")
def revenue_remove(
    ctx: typer.Context,
    code: CodeArg,
    period: Annotated[str, typer.Option("--period", help="The record's year (2021) or month (2021-03).")],
    reason: ReasonOpt,
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove a revenue record entered by mistake (the log keeps it, with the reason).

    Examples:
      kube revenue remove PALU-001 --period 2021-03 --reason "salah periode"
    """
    from kube_cli import money

    with state(ctx).open(write=True) as reg:
        row = money.revenue_to_remove(reg, code, period, reason)
        output.confirm(_("Remove the revenue of {group_name} ({group_code}) for {period}, {amount}?").format(
            **{**row, "amount": format_rupiah(row["amount"])}), yes)  # fmt: skip
        row = money.revenue_remove(reg, code, period, reason)
    output.emit_record(row, fmt, _("Removed revenue {amount} of {group_code} for {period}.").format(
        **{**row, "amount": format_rupiah(row["amount"])}))  # fmt: skip
