"""How one value reads: a column's heading, a cell in a table or Markdown, a cell in CSV.

Money stays an integer in JSON and CSV and reads ``Rp25.000.000`` in tables; flags read yes/no, dates
and log times in the reader's language and time zone; every untrusted text is made safe for a terminal.
"""

from __future__ import annotations

from typing import Any

from kube_cli import records
from kube_cli.i18n import N_, _, format_date
from kube_cli.safetext import escaped, neutralise
from kube_cli.vocab import format_rupiah

_KINDS = records.show_kinds()
MONEY = frozenset(
    {k for k, kind in _KINDS.items() if kind == records.MONEY} | {"aid_total", "revenue_total", "revenue"}
)
FLAGS = frozenset({k for k, kind in _KINDS.items() if kind == records.FLAG} | {"dry_run"})
NUMBERS = MONEY | {k for k, kind in _KINDS.items() if kind == records.NUMBER} | {"groups", "members"}
DATES = frozenset(k for k, kind in _KINDS.items() if kind == records.DATE) | {"last_visit"}
_LABELS = records.labels()
# `kube check` severities: words in a table, kept as `error`/`warning` in CSV and JSON for scripts.
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}
# What a visit found: words in tables and messages, kept as `running`/`stalled`/`stopped` in CSV and JSON.
BUSINESS = {"running": N_("running"), "stalled": N_("stalled"), "stopped": N_("stopped")}


def business_word(value: str) -> str:
    return _(BUSINESS[value]) if value in BUSINESS else value


def header(column: str) -> str:
    """The heading a person reads for a column (CSV and JSON keep the column's name)."""
    headings = {
        "groups": _("Groups"), "aid_total": _("Aid"), "revenue_total": _("Revenue"), "revenue": _("Revenue"),
        "time": _("Time"), "officer": _("Officer"), "action": _("Action"), "target": _("Target"),
        "detail": _("Detail"), "kode": _("Code"), "kabupaten_kota": _("Kabupaten/Kota"),
        "aliases": _("Aliases"), "warning": _("Warning"), "severity": _("Severity"), "problem": _("Problem"),
        "last_visit": _("Last visit"), "reasons": _("Reasons"),
    }  # fmt: skip
    if column in _LABELS:
        return _(_LABELS[column])
    return headings.get(column, column.replace("_", " ").capitalize())


def safe_text(text: object) -> str:
    """Any untrusted text (a name from a merged registry, a file name, a CSV header) made safe for a
    line on the terminal: control and invisible characters shown as escapes (``\\x1b``), never sent."""
    return escaped(str(text))


def cell(column: str, value: Any) -> str:
    """A value as a person reads it in a table or Markdown."""
    return safe_text(_cell_text(column, value))


def _cell_text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in MONEY and isinstance(value, int):
        return format_rupiah(value)
    if column in FLAGS:
        return _("yes") if value else _("no")
    if column in DATES:
        return format_date(str(value))
    if column == "business" and value in BUSINESS:
        return business_word(value)
    if column == "severity" and value in SEVERITIES:
        return _(SEVERITIES[value])
    if column == "time":
        return local_time(str(value))
    return str(value)


def local_time(iso: str) -> str:
    """A log time (UTC, ``2026-12-01T15:36:06Z``) in the local time zone (``TZ``): ``2026-12-01 23:36``."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def csv_value(column: str, value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula is neutralised, as ``kube export`` does."""
    if column in FLAGS:
        return "ya" if value else "tidak"
    return "" if value is None else neutralise(value)
