"""``kube report`` in every format (the summary, a breakdown ``--by``, the omset list), ``kube due``,
the press briefing and its warnings, and the bar chart drawn at the terminal."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from kube_cli import records
from kube_cli.i18n import _
from kube_cli.output import emit_rows, say, warn
from kube_cli.output_cells import safe_text
from kube_cli.output_details import details_text
from kube_cli.output_tables import table_text, totals_row
from kube_cli.output_terminal import show, stdout_console
from kube_cli.output_writers import csv_text, json_text, markdown_text
from kube_cli.vocab import format_rupiah

SUMMARY_CSV_COLUMNS = ("section", "kecamatan", "kelurahan", "usaha", "groups", "members", "aid_total", "revenue_total")


def emit_summary(data: dict[str, Any], fmt: str, title: str) -> None:
    """``kube report`` without ``--by``: totals, then counts by kelurahan and by usaha."""
    totals = data["totals"]
    kel_cols, usaha_cols = ("kecamatan", "kelurahan", "groups", "members"), ("usaha", "groups", "members")
    if fmt == "json":
        sys.stdout.write(json_text(data) + "\n")
        return
    if fmt == "csv":
        rows = [{"section": "total", **totals}]
        rows += [{"section": "kelurahan", **r} for r in data["by_kelurahan"]]
        rows += [{"section": "usaha", **r} for r in data["by_usaha"]]
        sys.stdout.write(csv_text(rows, SUMMARY_CSV_COLUMNS))
        return
    total_pairs = [
        (_("KUBE (active groups)"), totals["groups"]), (_("Members"), totals["members"]),
        (_("Kelurahan with a KUBE"), totals["kelurahan"]), (_("Aid given"), format_rupiah(totals["aid_total"])),
        (_("Revenue reported"), format_rupiah(totals["revenue_total"])),
    ]  # fmt: skip
    kel_totals = {"kecamatan": _("Total"), "groups": totals["groups"], "members": totals["members"]}
    usaha_totals = {"usaha": _("Total"), "groups": totals["groups"], "members": totals["members"]}
    if fmt == "markdown":
        out = [f"## {title}\n", "| | |", "| --- | ---: |", *(f"| {k} | {v} |" for k, v in total_pairs), ""]
        out += [f"### {_('By kelurahan')}\n", markdown_text(data["by_kelurahan"], kel_cols, kel_totals)]
        out += [f"### {_('By usaha')}\n", markdown_text(data["by_usaha"], usaha_cols, usaha_totals)]
        sys.stdout.write("\n".join(out))
        return
    show("\n".join([
        details_text(total_pairs, title), table_text(data["by_kelurahan"], kel_cols, _("By kelurahan"), kel_totals),
        table_text(data["by_usaha"], usaha_cols, _("By usaha"), usaha_totals),
    ]))  # fmt: skip


def scope_title(year: int | None, kecamatan: str | None) -> str:
    parts = [str(year)] if year else []
    if kecamatan:
        parts.append(_("Kecamatan {name}").format(name=kecamatan))
    return (" — " + ", ".join(parts)) if parts else ""


def breakdown_columns(dims: Sequence[str]) -> list[str]:
    order = tuple(records.DIMENSIONS)
    wanted = set(dims) | ({"kecamatan"} if "kelurahan" in dims else set())
    return [d for d in order if d in wanted] + ["groups", "members", "aid_total", "revenue_total"]


def emit_breakdown(rows: Sequence[dict[str, Any]], dims: Sequence[str], fmt: str, scope: str) -> None:
    columns = breakdown_columns(dims)
    totals = totals_row(rows, columns[0], ["groups", "members", "aid_total", "revenue_total"])
    if "year" in dims:  # groups and money of different years: the sums are still the totals
        totals["year"] = totals.get("year", "")
    title = _("KUBE by {dimensions}").format(dimensions=", ".join(dims)) + scope
    emit_rows(rows, columns, fmt, title=title, totals=totals if fmt in ("table", "markdown") else None)


def emit_omset(rows: Sequence[dict[str, Any]], fmt: str, year: int | None, minimum: int, scope: str) -> None:
    columns = ("code", "name", "kelurahan", "kecamatan", "usaha", "year", "revenue")
    if year is None:
        if fmt in ("json", "csv"):
            emit_rows([], columns, fmt)
        else:
            say(_("No revenue is recorded yet."))
        return
    title = _("Groups with revenue of at least {amount} in {year}").format(amount=format_rupiah(minimum), year=year)
    emit_rows(rows, columns, fmt, title=title + scope, empty=title + ": " + _("none."))


def emit_due(rows: Sequence[dict[str, Any]], fmt: str, title: str, total: int | None = None) -> None:
    """``kube due``: reason identifiers in JSON and CSV (``;`` between them), the reasons in words in a table."""
    from kube_cli.worklist import KEYS

    if fmt in ("json", "csv"):
        shown = [{k: row[k] for k in KEYS} for row in rows]
        if fmt == "csv":
            shown = [{**row, "reasons": ";".join(row["reasons"])} for row in shown]
        emit_rows(shown, KEYS, fmt)
        return
    table = [{**row, "reasons": "; ".join(row["reason_text"])} for row in rows]
    emit_rows(table, ("code", "name", "kelurahan", "last_visit", "reasons"), fmt, title=title,
              caption=_("{n} groups due").format(n=len(rows) if total is None else total),
              empty=_("No group is due for a visit."))  # fmt: skip


class BriefingFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def emit_briefing(briefing: dict[str, Any], fmt: str) -> None:
    """The press paragraph: as it is, under a Markdown heading, or as JSON with its numbers."""
    if fmt == "json":
        sys.stdout.write(json_text({"paragraph": briefing["paragraph"], "numbers": briefing["numbers"]}) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(f"### {briefing['title']}\n\n{briefing['paragraph']}\n")
    else:
        sys.stdout.write(briefing["paragraph"] + "\n")


def emit_bar_chart(chart: dict[str, Any], label_heading: str) -> None:
    """A horizontal bar chart drawn with block characters, for the terminal (no matplotlib)."""
    from rich.table import Table
    from rich.text import Text

    if not chart["bars"]:
        say(chart["title"] + ": " + _("none."))
        return
    console = stdout_console()
    label_width = max(len(label) for label, _count in chart["bars"])
    count_width = max(len(str(count)) for _label, count in chart["bars"])
    room = (console.width if sys.stdout.isatty() else 80) - label_width - count_width - 4
    bar_width = max(10, min(60, room))
    largest = max(count for _label, count in chart["bars"])
    table = Table(title=chart["title"], title_justify="left", box=None, show_header=True, padding=(0, 1, 0, 0))
    table.add_column(label_heading, no_wrap=True)
    table.add_column(_("Groups"), justify="left", no_wrap=True)
    for label, count in chart["bars"]:
        blocks = max(1, round(count / largest * bar_width))
        bar = Text("█" * blocks, style="cyan")
        bar.append(f" {count}")
        table.add_row(Text(safe_text(label)), bar)
    console.print(table)


def warn_briefing(findings: Sequence[Any], limit: int = 50) -> None:
    """``kube check``'s warnings about numbers a briefing states, on stderr (the first ``limit``, then
    how many more): the paragraph stays as it is."""
    for finding in findings[:limit]:
        warn(_("{finding} (counted in this briefing; see `kube check`)").format(finding=finding))
    if len(findings) > limit:
        warn(_("…and {n} more warnings").format(n=len(findings) - limit))
