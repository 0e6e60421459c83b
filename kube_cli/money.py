"""Aid given to groups (bantuan) and the revenue they report (omset)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kube_cli import plausibility
from kube_cli.db import Registry, new_uuid, now
from kube_cli.errors import Conflict, KubeError, NotFound
from kube_cli.i18n import _
from kube_cli.records import AID, REVENUE, present
from kube_cli.registry import get_group
from kube_cli.vocab import (
    clean_text,
    format_rupiah,
    parse_aid_kind,
    parse_amount,
    parse_date,
    parse_period,
    parse_year,
    period_year,
)

AID_SELECT = AID.select()
AID_KEYS = AID.keys()
REVENUE_SELECT = REVENUE.select()
REVENUE_KEYS = REVENUE.keys()


def _aid_row(registry: Registry, aid_id: int) -> dict[str, Any]:
    return present(AID, registry.query(AID_SELECT + " WHERE a.id = ?", (aid_id,))[0], AID_KEYS)


def aid_record(
    registry: Registry, code: str, amount: str, kind: str, date: str | None = None,
    source: str | None = None, note: str | None = None, warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Record aid (equipment, capital, training, other) given to a group.

    An implausible amount, or the same aid recorded before on that day, is recorded all the same and
    told to ``warn``."""
    group = get_group(registry, code)
    values = (
        parse_date(date) if date else now()[:10],
        parse_aid_kind(kind),
        parse_amount(amount),
        clean_text(source, "source", required=False),
        clean_text(note, "note", required=False, max_len=2000),
    )
    stamp = now()
    with registry.atomic() as conn:
        cursor = conn.execute(
            "INSERT INTO aid (uuid, group_id, date, kind, amount, source, note, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_uuid(), group["id"], *values, stamp, stamp),
        )
        registry.audit("aid.record", group["code"], {"aid_id": cursor.lastrowid, "date": values[0],
                                                     "kind": values[1], "amount": values[2]})  # fmt: skip
        findings = plausibility.after_aid(conn, cursor.lastrowid)
    _warn(findings, warn)
    return _aid_row(registry, cursor.lastrowid)


def _warn(findings: list[plausibility.Finding], warn: Callable[[str], None] | None) -> None:
    for finding in findings if warn else ():
        warn(str(finding))


def aid_list(registry: Registry, code: str | None = None, year: str | None = None) -> list[dict[str, Any]]:
    where, params = [], []
    if code:
        where.append("a.group_id = ?")
        params.append(get_group(registry, code)["id"])
    if year:
        where.append("a.date BETWEEN ? AND ?")
        y = parse_year(year)
        params += [f"{y}-01-01", f"{y}-12-31"]
    sql = AID_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.date, a.id"
    return [present(AID, row, AID_KEYS) for row in registry.query(sql, params)]


def describe_aid_void(registry: Registry, aid_id: str, reason: str) -> dict[str, Any]:
    """The aid record ``aid_void`` would void, refused as it would refuse (unknown, already void, no reason)."""
    value = aid_id.strip()
    if not value.isdigit():
        raise KubeError("id", value, _("is not an aid id"), _("see `kube aid list`"))
    clean_text(reason, "reason", max_len=500)
    rows = registry.query(AID_SELECT + " WHERE a.id = ?", (int(value),))
    if not rows:
        raise NotFound("id", value, _("no such aid record"), _("see `kube aid list`"))
    if rows[0]["void"]:
        raise Conflict("id", value, _("is already void"))
    return rows[0]


def aid_void(registry: Registry, aid_id: str, reason: str) -> dict[str, Any]:
    """Void an aid record entered by mistake: it stays, marked void, and stops counting."""
    value = aid_id.strip()
    if not value.isdigit():
        raise KubeError("id", value, _("is not an aid id"), _("see `kube aid list`"))
    why = clean_text(reason, "reason", max_len=500)
    with registry.atomic() as conn:
        row = conn.execute(
            "SELECT a.voided_at, g.code FROM aid a JOIN groups g ON g.id = a.group_id WHERE a.id = ?", (int(value),)
        ).fetchone()
        if row is None:
            raise NotFound("id", value, _("no such aid record"), _("see `kube aid list`"))
        if row[0] is not None:
            raise Conflict("id", value, _("is already void"))
        conn.execute("UPDATE aid SET voided_at = ?, void_reason = ?, updated_at = ? WHERE id = ?",
                     (now(), why, now(), int(value)))  # fmt: skip
        registry.audit("aid.void", row[1], {"aid_id": int(value), "reason": why})
    return _aid_row(registry, int(value))


def revenue_record(
    registry: Registry, code: str, amount: str, period: str,
    note: str | None = None, replace: bool = False, warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Record a group's revenue for a year (``2021``) or a month (``2021-03``).

    A year's revenue is its yearly record or the sum of its months, never both; a period that
    already has a record is refused unless ``replace``, which also removes what it supersedes.
    An implausible month or year is recorded all the same and told to ``warn``.
    """
    group = get_group(registry, code)
    value = parse_amount(amount)
    when = parse_period(period)
    year = period_year(when)
    text = clean_text(note, "note", required=False, max_len=2000)
    stamp = now()
    with registry.atomic() as conn:
        existing = conn.execute("SELECT amount FROM revenue WHERE group_id = ? AND period = ?",
                                (group["id"], when)).fetchone()  # fmt: skip
        if len(when) == 4:
            clash = conn.execute("SELECT count(*) FROM revenue WHERE group_id = ? AND year = ? AND period != ?",
                                 (group["id"], year, when)).fetchone()[0]  # fmt: skip
            clash_text = _("{year} already has monthly records").format(year=year)
        else:
            clash = conn.execute("SELECT count(*) FROM revenue WHERE group_id = ? AND period = ?",
                                 (group["id"], str(year))).fetchone()[0]  # fmt: skip
            clash_text = _("{year} already has a yearly record").format(year=year)
        if not replace:
            if existing:
                raise Conflict(
                    "period",
                    when,
                    _("group {code} already has revenue {amount} for it").format(
                        code=group["code"], amount=format_rupiah(existing[0])
                    ),
                    _("use --replace to overwrite it"),
                )
            if clash:
                raise Conflict("period", when, clash_text + _(": a year is a yearly record or the sum of its months"),
                               _("use --replace to replace them with this record"))  # fmt: skip
        removed = 0
        if clash:
            superseded, params = (
                ("year = ? AND period != ?", (year, when)) if len(when) == 4 else ("period = ?", (str(year),))
            )
            removed = conn.execute(f"DELETE FROM revenue WHERE group_id = ? AND {superseded}",
                                   (group["id"], *params)).rowcount  # fmt: skip
        conn.execute(
            "INSERT INTO revenue (uuid, group_id, period, year, amount, note, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, period) DO UPDATE SET "
            "amount = excluded.amount, note = excluded.note, updated_at = excluded.updated_at",
            (new_uuid(), group["id"], when, year, value, text, stamp, stamp),
        )
        detail: dict[str, Any] = {"period": when, "amount": value}
        if existing:
            detail["replaced"] = existing[0]
        if removed:
            detail["removed_records"] = removed
        registry.audit("revenue.record", group["code"], detail)
        findings = plausibility.after_revenue(conn, group["id"], when)
    _warn(findings, warn)
    row = registry.query(REVENUE_SELECT + " WHERE r.group_id = ? AND r.period = ?", (group["id"], when))[0]
    return present(REVENUE, row, REVENUE_KEYS)


def revenue_list(registry: Registry, code: str | None = None, year: str | None = None) -> list[dict[str, Any]]:
    where, params = [], []
    if code:
        where.append("r.group_id = ?")
        params.append(get_group(registry, code)["id"])
    if year:
        where.append("r.year = ?")
        params.append(parse_year(year))
    sql = REVENUE_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY g.code, r.period"
    return [present(REVENUE, row, REVENUE_KEYS) for row in registry.query(sql, params)]


def revenue_to_remove(registry: Registry, code: str, period: str, reason: str) -> dict[str, Any]:
    """The revenue record ``revenue remove`` would remove, checked; ask, then call ``revenue_remove``."""
    group = get_group(registry, code)
    clean_text(reason, "reason", max_len=500)
    return {**_revenue_record(registry, group, parse_period(period)), "group_name": group["name"]}


def revenue_remove(registry: Registry, code: str, period: str, reason: str) -> dict[str, Any]:
    """Remove a revenue record entered by mistake; the log keeps it, with the reason."""
    group = get_group(registry, code)
    when = parse_period(period)
    why = clean_text(reason, "reason", max_len=500)
    with registry.atomic() as conn:
        record = _revenue_record(registry, group, when)
        conn.execute("DELETE FROM revenue WHERE group_id = ? AND period = ?", (group["id"], when))
        registry.audit("revenue.remove", group["code"], {"period": when, "amount": record["amount"], "reason": why})
    return record


def _revenue_record(registry: Registry, group: dict[str, Any], when: str) -> dict[str, Any]:
    rows = registry.query(REVENUE_SELECT + " WHERE r.group_id = ? AND r.period = ?", (group["id"], when))
    if rows:
        return present(REVENUE, rows[0], REVENUE_KEYS)
    hint = _("see `kube revenue list {code}`").format(code=group["code"])
    if (
        len(when) == 4
        and registry.conn.execute(
            "SELECT 1 FROM revenue WHERE group_id = ? AND year = ?", (group["id"], int(when))
        ).fetchone()
    ):
        hint = _("{year} is recorded by month: remove each month (like {year}-01)").format(year=when)
    raise NotFound("period", when, _("group {code} has no revenue record for it").format(code=group["code"]), hint)
