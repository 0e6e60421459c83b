"""Monitoring visits (monev): what an officer finds at a group, recorded where they stand.

A visit is dated (today by default, never in the future), carries the officer who made it, whether
the business runs, whether the group keeps books, how many members were there and a note. With an
omset the same command records the group's revenue, in the same transaction and by the same rules as
``kube revenue record``. A visit removed by mistake stays, marked removed, for the history.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Any

from kube_cli import money
from kube_cli.db import Registry, local_today, new_uuid, now
from kube_cli.errors import Conflict, KubeError, NotFound
from kube_cli.i18n import _
from kube_cli.records import VISITS, current_visit, present
from kube_cli.registry import get_group
from kube_cli.vocab import (
    clean_text,
    parse_amount,
    parse_business,
    parse_count,
    parse_date,
    parse_past_date,
    parse_period,
    parse_year,
)

VISIT_SELECT = VISITS.select()
VISIT_KEYS = VISITS.keys()
CURRENT = current_visit("v")


def parse_visit_date(text: str | None, today: Date | None = None, field: str = "date") -> str:
    """A visit's date: today when not given; a day after today is refused."""
    today = today or local_today()
    if text is None:
        return today.isoformat()
    return parse_past_date(text, field, today)


def parse_members_present(text: str | int | None, group: dict[str, Any], field: str = "members-present") -> int | None:
    """How many members were at the visit: a whole number, at most the group's current members."""
    if text is None or str(text).strip() == "":
        return None
    value = parse_count(text, field)
    if value > group["members"]:
        raise KubeError(field, str(value), _("is more than the {n} current members of group {code}").format(
            n=group["members"], code=group["code"]), _("add the missing members first"))  # fmt: skip
    return value


def _visit_row(registry: Registry, visit_id: int) -> dict[str, Any]:
    return present(VISITS, registry.query(VISIT_SELECT + " WHERE v.id = ?", (visit_id,))[0], VISIT_KEYS)


def visit_record(
    registry: Registry, code: str, business: str, date: str | None = None, bookkeeping: bool = False,
    members_present: str | int | None = None, note: str | None = None,
    omset: str | None = None, period: str | None = None, replace: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Record a visit to a group (nonaktif ones too: a visit that finds the business stopped is how a
    closure is recorded); with ``omset``, the group's revenue for ``period`` (default: the visit's month)."""
    group = get_group(registry, code)
    values = {
        "date": parse_visit_date(date),
        "business": parse_business(business),
        "bookkeeping": int(bool(bookkeeping)),
        "members_present": parse_members_present(members_present, group),
        "note": clean_text(note, "note", required=False, max_len=2000),
    }
    if omset is None and (period is not None or replace):
        raise KubeError("omset", "", _("--period and --replace go with --omset"), _("give the revenue with --omset"))
    if omset is not None:
        parse_amount(omset, "omset")  # named as the officer typed it, before anything is written
        period = parse_period(period) if period is not None else values["date"][:7]
    stamp = now()
    with registry.atomic() as conn:
        cursor = conn.execute(
            "INSERT INTO visits (uuid, group_id, date, officer, business, bookkeeping, members_present, note, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_uuid(), group["id"], values["date"], registry.officer, values["business"], values["bookkeeping"],
             values["members_present"], values["note"], stamp, stamp),
        )  # fmt: skip
        visit_id = cursor.lastrowid
        registry.audit("visit.record", group["code"], {"visit_id": visit_id, "date": values["date"],
                                                       "business": values["business"]})  # fmt: skip
        revenue = None
        if omset is not None:
            revenue = money.revenue_record(registry, group["code"], omset, period, None, replace)
    visit = _visit_row(registry, visit_id)
    if revenue is not None:
        visit["revenue"] = revenue
    return visit


def visit_list(
    registry: Registry, code: str | None = None, since: str | None = None, year: str | None = None,
    officer: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Current (not removed) visits, oldest first."""
    where, params = [CURRENT], []
    if code:
        where.append("v.group_id = ?")
        params.append(get_group(registry, code)["id"])
    if since:
        where.append("v.date >= ?")
        params.append(parse_date(since, "since"))
    if year:
        y = parse_year(year)
        where.append("v.date BETWEEN ? AND ?")
        params += [f"{y}-01-01", f"{y}-12-31"]
    if officer:
        where.append("v.officer = ? COLLATE NOCASE")
        params.append(clean_text(officer, "officer", max_len=100))
    sql = VISIT_SELECT + " WHERE " + " AND ".join(where) + " ORDER BY v.date, v.id"
    return [present(VISITS, row, VISIT_KEYS) for row in registry.query(sql, params)]


def get_visit(registry: Registry, visit_id: str) -> dict[str, Any]:
    """A current visit by the id ``visit list`` shows."""
    value = str(visit_id).strip()
    if not (value.isascii() and value.isdigit()):
        raise KubeError("id", value, _("is not a visit id"), _("see `kube visit list`"))
    rows = registry.query(VISIT_SELECT + " WHERE v.id = ?", (int(value),))
    if not rows:
        raise NotFound("id", value, _("no such visit"), _("see `kube visit list`"))
    removed = registry.conn.execute("SELECT removed_at FROM visits WHERE id = ?", (int(value),)).fetchone()[0]
    if removed is not None:
        raise Conflict("id", value, _("is already removed"))
    return present(VISITS, rows[0], VISIT_KEYS)


def visit_remove(registry: Registry, visit_id: str, reason: str) -> dict[str, Any]:
    """Remove a visit recorded by mistake: it stays, marked removed, and stops counting."""
    why = clean_text(reason, "reason", max_len=500)
    with registry.atomic() as conn:
        visit = get_visit(registry, visit_id)
        stamp = now()
        conn.execute("UPDATE visits SET removed_at = ?, removal_reason = ?, updated_at = ? WHERE id = ?",
                     (stamp, why, stamp, visit["id"]))  # fmt: skip
        registry.audit("visit.remove", visit["group_code"], {"visit_id": visit["id"], "date": visit["date"],
                                                            "reason": why})  # fmt: skip
    return visit


def record_many(registry: Registry, rows: list[dict[str, Any]], source: str) -> int:
    """Record visits given whole (``group_code``, ``date``, ``officer``, ``business``, ``bookkeeping``,
    ``members_present``, ``note``), each checked as ``visit record`` checks it, in one transaction."""
    from kube_cli.vocab import parse_bool

    groups = {
        row["code"]: row for row in registry.query("SELECT g.id, g.code, g.member_count AS members FROM groups g")
    }
    today, stamp, values = local_today(), now(), []
    for row in rows:
        group = groups.get(str(row["group_code"]).strip())
        if group is None:
            raise NotFound("group_code", str(row["group_code"]), _("no such group"))
        values.append((
            new_uuid(), group["id"], parse_visit_date(row["date"], today),
            clean_text(row.get("officer") or registry.officer, "officer", max_len=100), parse_business(row["business"]),
            int(parse_bool(row.get("bookkeeping") or "tidak", "bookkeeping")),
            parse_members_present(row.get("members_present"), group), clean_text(row.get("note"), "note",
            required=False, max_len=2000), stamp, stamp,
        ))  # fmt: skip
    with registry.atomic() as conn:
        conn.executemany(
            "INSERT INTO visits (uuid, group_id, date, officer, business, bookkeeping, members_present, note, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        registry.audit("visit.import", source, {"visits": len(values)})
    return len(values)


def year_summary(registry: Registry, year: int | None = None, kecamatan_kode: str | None = None) -> dict[str, Any]:
    """The briefing's visit numbers: ``visits_year`` (``year``, else the latest year with visits), how many
    groups were visited in it (``visited_groups``) and how many of those ran at their last visit of that
    year (``visited_running``; the last by date, then by id, as ``visit list`` orders them)."""
    place, params = "", []
    if kecamatan_kode:
        place = " AND v.group_id IN (SELECT id FROM groups WHERE kelurahan_kode >= ? AND kelurahan_kode < ?)"
        params = [kecamatan_kode + ".", kecamatan_kode + "/"]
    if year is None:
        (latest,) = registry.conn.execute(f"SELECT max(v.date) FROM visits v WHERE {CURRENT}{place}", params).fetchone()
        year = int(latest[:4]) if latest else None
    if year is None:
        return {"visits_year": None, "visited_groups": 0, "visited_running": 0}
    groups, running = registry.conn.execute(
        "SELECT count(*), coalesce(sum(business = 'running'), 0) FROM (SELECT v.business, row_number() OVER "
        "(PARTITION BY v.group_id ORDER BY v.date DESC, v.id DESC) AS n "
        f"FROM visits v WHERE {CURRENT} AND v.date BETWEEN ? AND ?{place}) WHERE n = 1",
        [f"{year}-01-01", f"{year}-12-31", *params],
    ).fetchone()
    return {"visits_year": year, "visited_groups": groups, "visited_running": running}
