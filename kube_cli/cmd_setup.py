"""``kube init``, ``kube demo`` and ``kube log``: making a registry, trying kube out, and reading the log."""

from __future__ import annotations

from typing import Annotated

import typer

from kube_cli import output, output_reports
from kube_cli.cmd_options import FormatOpt, NoPagerOpt, state
from kube_cli.formats import Format
from kube_cli.i18n import _

DEMO_DUE = 10  # the worklist's most urgent groups the demo shows


def init(
    ctx: typer.Context,
    wilayah_code: Annotated[str | None, typer.Option("--wilayah", help="Region code: 72.71 (Kota Palu, default), "
                                                     "a province or kabupaten/kota, or ID.")] = None,
) -> None:  # fmt: skip
    """Create the registry (or upgrade an existing one) and print where it is.

    Examples:
      kube init
      kube --db dinsos.db init --wilayah 72
    """
    from kube_cli import setup

    path = setup.init(state(ctx).path, state(ctx).officer_name, wilayah_code)
    output.emit_line(path)


def demo(ctx: typer.Context) -> None:
    """Build a fresh temporary registry from the sample data, then print the full report.

    Examples:
      kube demo
    """
    from kube_cli import setup

    data, omset, due = setup.demo(state(ctx).officer_name)
    output_reports.emit_summary(data, "table", _("KUBE report — sample registry (fictional people, real kelurahan)"))
    output_reports.emit_omset(omset[2], "table", omset[0], omset[1], "")
    output.emit_line("")
    output_reports.emit_due(due[:DEMO_DUE], "table", _("Due for a visit today: the {shown} most urgent of {n} (`kube due`)").format(
        shown=min(DEMO_DUE, len(due)), n=len(due)), total=len(due))  # fmt: skip


def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many entries, newest first.")] = 50,
    group: Annotated[str | None, typer.Option("--group", help="Only entries about this group (its code).")] = None,
    officer: Annotated[str | None, typer.Option("--officer", help="Only entries by this officer.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only entries from this day on (a date).")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action (group.edit) or kind (group).")]
    = None,
    fmt: FormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:  # fmt: skip
    """Show the audit log: who changed what, and when.

    Examples:
      kube log --limit 20
      kube log --group PALU-001 --since 2026-01-01
      kube log --officer rahmat --action member
    """
    from kube_cli import audit

    with state(ctx).open() as reg:
        entries = audit.entries(reg, limit, group, officer, since, action)
    filtered = any(v is not None for v in (group, officer, since, action))
    output.emit_log(entries, fmt, _("No log entries match.") if filtered else _("The log is empty."))
