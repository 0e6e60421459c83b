"""The audit log read by people: which entries, and each one's detail in words.

The log stores each change's detail as JSON (``{"kelurahan": {"from": "Tondo", "to": "Lasoani"}}``);
``describe`` turns it into ``kelurahan: Tondo → Lasoani``, amounts in Rupiah and NIKs masked. JSON
output keeps the stored detail; only tables show these words.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

from kube_cli.db import Registry
from kube_cli.errors import KubeError
from kube_cli.i18n import N_, _, field_label
from kube_cli.vocab import closest, did_you_mean, format_rupiah, mask_nik, parse_date

# Every action the log records, and how a table names it.
ACTIONS = {
    "registry.init": N_("registry created"), "registry.backup": N_("registry backed up"),
    "registry.restore": N_("registry restored"), "import": N_("file imported"), "merge": N_("registry merged"),
    "group.add": N_("group added"), "group.edit": N_("group changed"), "group.remove": N_("group removed"),
    "member.add": N_("member added"), "member.edit": N_("member changed"), "member.move": N_("member moved"),
    "member.remove": N_("member removed"), "aid.record": N_("aid recorded"), "aid.void": N_("aid voided"),
    "revenue.record": N_("revenue recorded"), "revenue.remove": N_("revenue removed"),
    "visit.record": N_("visit recorded"), "visit.remove": N_("visit removed"), "usaha.add": N_("usaha added"),
    "nik.show": N_("NIK shown"),
}  # fmt: skip
MONEY_KEYS = frozenset({"amount", "omset", "revenue", "aid_total", "revenue_total"})
NIK_KEYS = frozenset({"nik", "kk"})
WORDS = {"added": N_("added"), "changed": N_("changed"), "updated": N_("updated"), "unchanged": N_("unchanged")}


def action_words(action: str) -> str:
    """``group.edit`` as a table shows it (``kelompok diubah`` in Indonesian)."""
    return _(ACTIONS[action]) if action in ACTIONS else action


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in MONEY_KEYS and isinstance(value, int):
        return format_rupiah(value)
    if key in NIK_KEYS and isinstance(value, str) and re.fullmatch(r"\d{16}", value):
        return mask_nik(value)
    if key == "phone" and isinstance(value, str) and re.fullmatch(r"\+?\d{8,15}", value):
        return "+62******" + value[-4:]  # as CONTRACT shows a phone: its last 4 digits
    if isinstance(value, list):
        return ", ".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{_(WORDS[k]) if k in WORDS else field_label(k)} {_value(k, v)}" for k, v in value.items())
    return str(value)


def describe(detail: dict[str, Any]) -> str:
    """A log entry's detail in words: ``kelurahan: Tondo → Lasoani; amount: Rp20.000.000``."""
    parts = []
    if "from" in detail and "to" in detail and not isinstance(detail["from"], dict):  # member.move
        parts.append(f"{_value('', detail['from'])} → {_value('', detail['to'])}")
    for key, value in detail.items():
        if key in ("from", "to") and parts:
            continue
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            parts.append(f"{field_label(key)}: {_value(key, value['from'])} → {_value(key, value['to'])}")
        else:
            parts.append(f"{field_label(key)}: {_value(key, value)}")
    return "; ".join(parts)


def _since(text: str) -> str:
    """The UTC time at which the local day ``text`` began, as the log writes times."""
    day = date.fromisoformat(parse_date(text, "since"))
    start = datetime.combine(day, time()).astimezone()  # local midnight
    return start.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _action_filter(text: str) -> tuple[str, str]:
    """``--action``: one action (``group.edit``) or all of a kind (``group``), else refused."""
    wanted = text.strip().lower()
    if wanted in ACTIONS:
        return "action = ?", wanted
    kinds = {a.split(".")[0] for a in ACTIONS}
    if wanted in kinds:
        return "(action = ? OR action LIKE ? || '.%')", wanted
    near = closest(wanted, [*ACTIONS, *sorted(kinds)])
    hint = did_you_mean(near) or _("one of: {names}").format(names=", ".join(ACTIONS))
    raise KubeError("action", text, _("is not an action the log records"), hint)


def entries(
    registry: Registry, limit: int = 50, group: str | None = None, officer: str | None = None,
    since: str | None = None, action: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The newest ``limit`` log entries that match every filter given, newest first."""
    where, params = [], []
    if group:
        where.append("(target = ? COLLATE NOCASE OR json_extract(detail, '$.from') = ? COLLATE NOCASE)")
        params += [group.strip(), group.strip()]
    if officer:
        where.append("officer = ? COLLATE NOCASE")
        params.append(officer.strip())
    if since:
        where.append("time >= ?")
        params.append(_since(since))
    if action:
        clause, value = _action_filter(action)
        where.append(clause)
        params += [value] * clause.count("?")
    sql = "SELECT time, officer, action, target, detail FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = registry.query(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
    for row in rows:
        detail = json.loads(row["detail"] or "{}")
        # JSON and CSV keep the detail as kube has always written it; tables show ``changes`` in words
        row["detail"] = ", ".join(f"{k}={v}" for k, v in detail.items()) if detail else ""
        row["changes"] = detail
    return rows
