"""One record shown whole, a ``label  value`` line each: ``group show``, ``member show`` and its history."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from kube_cli.i18n import N_, _
from kube_cli.output import warn
from kube_cli.output_cells import cell, safe_text
from kube_cli.output_tables import print_table, table_text
from kube_cli.output_terminal import render, show
from kube_cli.output_writers import csv_text, json_text
from kube_cli.vocab import format_rupiah


def details_text(pairs: Sequence[tuple[str, Any]], title: str) -> str:
    """A record shown whole: its title on a line, then one ``label  value`` line each."""
    if not sys.stdout.isatty():
        width = max((len(label) for label, _value in pairs), default=0)
        return (
            safe_text(title) + "\n" + "".join(f"{label.ljust(width)}  {safe_text(value)}\n" for label, value in pairs)
        )
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in pairs:
        table.add_row(Text(label), Text(safe_text(value)))
    return render(Text(safe_text(title), style="bold"), table)  # its own line: a table title wraps to the table's width


def emit_details(pairs: Sequence[tuple[str, Any]], title: str) -> None:
    show(details_text(pairs, title))


def emit_group(group: dict[str, Any], fmt: str, member_columns: Sequence[str]) -> None:
    """``group show``: the group, its members, its money and what is wrong with it."""
    if fmt == "json":
        sys.stdout.write(json_text(group) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(
            csv_text([group], ("code", "name", "kelurahan", "kecamatan", "usaha", "year", "status", "members"))
        )
        return
    revenue = ", ".join(f"{r['year']}: {format_rupiah(r['revenue'])}" for r in group["revenue_by_year"]) or "—"
    pairs = [
        (_("Name"), group["name"]), (_("Kelurahan"), f"{group['kelurahan']} ({group['kelurahan_kode']})"),
        (_("Kecamatan"), group["kecamatan"]), (_("Usaha"), group["usaha"]), (_("Year"), group["year"]),
        (_("Status"), group["status"]), (_("Members"), group["members"]),
        (_("Aid given"), format_rupiah(group["aid_total"])), (_("Revenue"), revenue),
    ]  # fmt: skip
    if group["note"]:
        pairs.append((_("Note"), group["note"]))
    text = details_text(pairs, _("KUBE {code}").format(code=group["code"]))
    if group["member_list"]:
        text += table_text(group["member_list"], member_columns, _("Members"))
    show(text)
    for warning in group["warnings"]:
        warn(warning)


DETAIL_LABELS = {"name": N_("name"), "role": N_("role"), "gender": N_("gender"), "pkh_graduate": N_("PKH graduate"),
                 "reason": N_("reason"), "nik": N_("NIK")}  # fmt: skip


def detail_text(detail: dict[str, Any]) -> str:
    """An audit entry's detail for people: ``nama: Siti → Siti Rahma, alasan: …``; a move ``A → B``."""
    if set(detail) == {"from", "to"}:
        return f"{detail['from']} → {detail['to']}"
    parts = []
    for key, value in detail.items():
        label = _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            parts.append(f"{label}: {cell(key, value['from'])} → {cell(key, value['to'])}")
        elif value not in (None, ""):
            parts.append(f"{label}: {cell(key, value)}")
    return ", ".join(parts)


def emit_member(member: dict[str, Any], fmt: str) -> None:
    """``member show``: the member, their group, and their history, oldest first."""
    if fmt == "json":
        sys.stdout.write(json_text(member) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(csv_text([member], ("id", "nik", "name", "group_code", "role", "gender", "pkh_graduate")))
        return
    group = member["group"]
    pairs = [
        (_("NIK"), member["nik"]), (_("Group"), f"{group['name']} ({group['code']})"),
        (_("Kelurahan"), f"{group['kelurahan']}, {group['kecamatan']}"), (_("Role"), member["role"]),
        (_("Gender"), member["gender"]), (_("PKH graduate"), cell("pkh_graduate", member["pkh_graduate"])),
    ]  # fmt: skip
    if member["removed_at"]:
        pairs.append((_("Removed"), member["removed_at"]))
    emit_details(pairs, _("{name} (member {id})").format(**member))
    history = [{**h, "detail": detail_text(h["detail"])} for h in member["history"]]
    if history:
        sys.stdout.write("\n")
        print_table(history, ("time", "officer", "action", "target", "detail"), _("History"))
