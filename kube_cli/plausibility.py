"""Plausibility: values a KUBE's records rarely hold, recorded all the same, with a warning.

A refusal is for a value that cannot be right (a 13th month). These can be, but usually are a
slip: ``1 M`` typed for 1 juta, the same aid typed twice, a NIK born on 30 February, two members
from one family card. Each rule lives here once: its threshold, its SQL, its words. It is called
by the commands that record (after their write, for that record), by ``kube import`` (over the
staged rows, before writing), by ``kube check`` (over the whole registry) and by the briefing
(over the money its numbers count). Each finding has a stable ``code`` for scripts.

SQL aliases: ``g`` groups, ``a`` aid, ``r`` revenue, ``m`` members; a rule's ``Scope`` uses them. Staged import rows are ``temp.san`` (aid, as ``batch_apply`` counts them),
``temp.sr`` (revenue) and ``temp.sm`` (members).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kube_cli.i18n import _, format_date
from kube_cli.records import current_member
from kube_cli.vocab import WOMEN_DAY, format_rupiah, mask_nik, nik_day_sql

AID_MIN = 50_000  # one aid record under Rp50.000 is a typo, not a KUBE's aid
AID_MAX = 100_000_000  # one aid record over Rp100 juta is far more than a KUBE gets
MONTH_OMSET_MAX = 100_000_000  # a month's omset over Rp100 juta
YEAR_OMSET_MAX = 1_000_000_000  # a year's omset (its yearly record, or the sum of its months) over Rp1 miliar

IMPLAUSIBLE_AMOUNT = "implausible_amount"
DUPLICATE_AID = "duplicate_aid"
NIK_BIRTH_DATE = "nik_birth_date"
SHARED_KK = "shared_kk"
CODES = (IMPLAUSIBLE_AMOUNT, DUPLICATE_AID, NIK_BIRTH_DATE, SHARED_KK)


@dataclass(frozen=True, order=True)
class Finding:
    """One plausibility warning: its stable ``code``, what it is about (a group code or a masked
    NIK or No. KK) and the problem in the interface's language."""

    code: str
    target: str
    problem: str

    def __str__(self) -> str:
        return f"{self.target}: {self.problem}"


# --- the rules' words: one function each, for every caller -----------------------------------


def aid_amount(amount: int, kind: str, day: str) -> str | None:
    """The problem with one aid record's amount, or ``None`` when a KUBE could get it."""
    what = {"amount": format_rupiah(amount), "kind": kind, "date": format_date(day)}
    if amount > AID_MAX:
        return _("aid {amount} ({kind}, {date}) is over {limit}, far more than a KUBE gets: is the amount "
                 "right?").format(limit=format_rupiah(AID_MAX), **what)  # fmt: skip
    if amount < AID_MIN:
        return _("aid {amount} ({kind}, {date}) is under {limit}, far less than a KUBE gets: is the amount "
                 "right?").format(limit=format_rupiah(AID_MIN), **what)  # fmt: skip
    return None


def month_omset(amount: int, period: str) -> str | None:
    """The problem with a month's revenue, or ``None``."""
    if len(period) == 7 and amount > MONTH_OMSET_MAX:
        return _("revenue {amount} for the month {period} is over {limit}, far more than a KUBE makes in a month: "
                 "is the amount right?").format(amount=format_rupiah(amount), period=period,
                                                limit=format_rupiah(MONTH_OMSET_MAX))  # fmt: skip
    return None


def year_omset(total: int, year: int) -> str | None:
    """The problem with a year's revenue (its yearly record, or the sum of its months), or ``None``."""
    if total > YEAR_OMSET_MAX:
        return _("revenue {amount} for the year {year} is over {limit}, far more than a KUBE makes in a year: "
                 "is the amount right?").format(amount=format_rupiah(total), year=year,
                                                limit=format_rupiah(YEAR_OMSET_MAX))  # fmt: skip
    return None


def duplicate_aid(amount: int, kind: str, day: str, times: int) -> str:
    return _("the same aid ({amount}, {kind}, {date}) is recorded {n} times: if it was given once, void the "
             "extra record with `kube aid void`").format(
        amount=format_rupiah(amount), kind=kind, date=format_date(day), n=times)  # fmt: skip


def birth_date(nik: str) -> tuple[int, int, int]:
    """The NIK's birth day (without the +40 of women), month and two-digit year."""
    day = int(nik[6:8])
    return (day - WOMEN_DAY if day > WOMEN_DAY else day), int(nik[8:10]), int(nik[10:12])


def nik_birth_date_ok(nik: str) -> bool:
    """Whether the NIK's birth date is on the calendar in 19YY or in 20YY (a 29 February needs a leap year)."""
    try:
        day, month, year = birth_date(nik)
    except ValueError:
        return False
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def nik_birth_date(nik: str) -> str | None:
    """The problem with a NIK's birth date, or ``None``. Names day and month, never the year or the NIK."""
    if nik_birth_date_ok(nik):
        return None
    day, month, _year = birth_date(nik)
    if (day, month) == (29, 2):
        return _("birth date: 29-02 in a year that is not a leap year; check the NIK")
    return _("birth date: {day:02d}-{month:02d} is not on the calendar; check the NIK").format(day=day, month=month)


def shared_kk(members: int, codes: str) -> str:
    return _("{n} current members share this No. KK (groups {codes}): one family in a KUBE twice?").format(
        n=members, codes=codes.replace(",", ", "))  # fmt: skip


# --- the rules in SQL, from the same thresholds ------------------------------------------------


def aid_amount_sql(amount: str = "a.amount") -> str:
    return f"({amount} > {AID_MAX} OR {amount} < {AID_MIN})"


def nik_birth_date_bad_sql(nik: str = "m.nik") -> str:
    """True when the NIK's birth date is on the calendar in neither 19YY nor 20YY (``nik_birth_date_ok``).

    Every month has days 01-28 (41-68 for women): only the other days are looked up in the calendar.
    SQLite's ``date()`` keeps ``1985-02-30`` as it is; a round trip through ``julianday`` turns it into
    ``1985-03-02``, so a date is on the calendar when the round trip gives it back."""
    day_digits, month = f"substr({nik}, 7, 2)", f"substr({nik}, 9, 2)"
    raw = nik_day_sql(nik)
    day = f"printf('%02d', CASE WHEN {raw} > {WOMEN_DAY} THEN {raw} - {WOMEN_DAY} ELSE {raw} END)"

    def text(century: str) -> str:
        return f"('{century}' || substr({nik}, 11, 2) || '-' || {month} || '-' || {day})"

    calendar = " AND ".join(f"date(julianday({text(c)})) IS NOT {text(c)}" for c in ("19", "20"))
    return (f"({month} NOT BETWEEN '01' AND '12' OR ({day_digits} NOT BETWEEN '01' AND '28' "
            f"AND {day_digits} NOT BETWEEN '41' AND '68' AND {calendar}))")  # fmt: skip


def has_kk(conn: sqlite3.Connection, table: str = "main.members") -> bool:
    """Whether members carry a No. KK yet (``members.kk``, added by its own migration)."""
    schema, _dot, name = table.rpartition(".")
    return any(row[1] == "kk" for row in conn.execute(f"PRAGMA {schema or 'main'}.table_info({name})"))


# --- over the registry: kube check, the briefing, and one record after a command -----------------


@dataclass(frozen=True)
class Scope:
    """Which records a rule reads: ``rows``, a condition on the record's own alias (``a``, ``r`` or ``m``),
    narrows the search; ``groups``, a condition on ``g``, filters what it found (a few rows)."""

    rows: str = "1"
    params: tuple[Any, ...] = ()
    groups: str = "1"
    group_params: tuple[Any, ...] = ()


EVERYTHING = Scope()


def _found(conn: sqlite3.Connection, inner: str, scope: Scope, columns: str, order: str) -> sqlite3.Cursor:
    """``columns`` of what ``inner`` (a query over one table, with ``group_id``) found, in its groups' scope.

    The records are searched alone and only what they yield is joined to its group: joining every row
    first (or letting SQLite walk the groups in code order) took 3 to 15 times as long nationally."""
    sql = (f"SELECT g.code, {columns} FROM ({inner}) f CROSS JOIN groups g ON g.id = f.group_id "
           f"WHERE ({scope.groups}) ORDER BY g.code, {order}")  # fmt: skip
    return conn.execute(sql, (*scope.params, *scope.group_params))


def aid_amounts(conn: sqlite3.Connection, scope: Scope = EVERYTHING) -> list[Finding]:
    inner = (f"SELECT a.id, a.group_id, a.amount, a.kind, a.date FROM aid a WHERE a.voided_at IS NULL "
             f"AND {aid_amount_sql()} AND ({scope.rows})")  # fmt: skip
    return [Finding(IMPLAUSIBLE_AMOUNT, code, aid_amount(amount, kind, day) or "")
            for code, amount, kind, day in _found(conn, inner, scope, "f.amount, f.kind, f.date", "f.date, f.id")]  # fmt: skip


def duplicate_aids(conn: sqlite3.Connection, scope: Scope = EVERYTHING) -> list[Finding]:
    # Candidates first (group, date and amount: the aid_group_money index holds them), then their kinds:
    # grouping every aid row by all four took three times as long.
    candidates = (f"SELECT a.group_id, a.date, a.amount FROM aid a WHERE a.voided_at IS NULL AND ({scope.rows}) "
                  "GROUP BY a.group_id, a.date, a.amount HAVING count(*) > 1")  # fmt: skip
    inner = (f"SELECT a.group_id, a.amount, a.kind, a.date, count(*) AS times FROM ({candidates}) c CROSS JOIN aid a "
             "ON a.group_id = c.group_id AND a.date = c.date AND a.amount = c.amount AND a.voided_at IS NULL "
             f"WHERE ({scope.rows}) GROUP BY a.group_id, a.date, a.kind, a.amount HAVING count(*) > 1")  # fmt: skip
    scope = Scope(scope.rows, (*scope.params, *scope.params), scope.groups, scope.group_params)
    columns = "f.amount, f.kind, f.date, f.times"
    return [Finding(DUPLICATE_AID, code, duplicate_aid(amount, kind, day, times))
            for code, amount, kind, day, times in _found(conn, inner, scope, columns, "f.date, f.kind")]  # fmt: skip


def month_omsets(conn: sqlite3.Connection, scope: Scope = EVERYTHING) -> list[Finding]:
    inner = (f"SELECT r.group_id, r.amount, r.period FROM revenue r WHERE length(r.period) = 7 "
             f"AND r.amount > {MONTH_OMSET_MAX} AND ({scope.rows})")  # fmt: skip
    return [Finding(IMPLAUSIBLE_AMOUNT, code, month_omset(amount, period) or "")
            for code, amount, period in _found(conn, inner, scope, "f.amount, f.period", "f.period")]  # fmt: skip


def year_omsets(conn: sqlite3.Connection, scope: Scope = EVERYTHING) -> list[Finding]:
    inner = (f"SELECT r.group_id, r.year, sum(r.amount) AS total FROM revenue r WHERE ({scope.rows}) "
             f"GROUP BY r.group_id, r.year HAVING sum(r.amount) > {YEAR_OMSET_MAX}")  # fmt: skip
    return [Finding(IMPLAUSIBLE_AMOUNT, code, year_omset(total, year) or "")
            for code, total, year in _found(conn, inner, scope, "f.total, f.year", "f.year")]  # fmt: skip


def nik_birth_dates(conn: sqlite3.Connection, scope: Scope = EVERYTHING) -> list[Finding]:
    inner = (f"SELECT m.id, m.group_id, m.nik FROM members m WHERE {current_member('m')} "
             f"AND {nik_birth_date_bad_sql()} AND ({scope.rows})")  # fmt: skip
    return [Finding(NIK_BIRTH_DATE, mask_nik(nik), nik_birth_date(nik) or "")
            for code, nik in _found(conn, inner, scope, "f.nik", "f.id")]  # fmt: skip


def shared_kks(conn: sqlite3.Connection, kk: str | None = None) -> list[Finding]:
    """Current members sharing a No. KK (all of them, or those holding ``kk``); none while members have no kk."""
    if not has_kk(conn):
        return []
    only, params = ("AND m.kk = ?", (kk,)) if kk else ("", ())
    sql = (f"SELECT m.kk, count(*), group_concat(DISTINCT g.code) FROM members m JOIN groups g ON g.id = m.group_id "
           f"WHERE {current_member('m')} AND m.kk IS NOT NULL AND m.kk != '' {only} GROUP BY m.kk "
           "HAVING count(*) > 1 ORDER BY m.kk")  # fmt: skip
    return [Finding(SHARED_KK, mask_nik(value), shared_kk(n, codes)) for value, n, codes in conn.execute(sql, params)]


def registry_findings(conn: sqlite3.Connection) -> list[Finding]:
    """Every plausibility warning of the registry, for ``kube check``."""
    return [*aid_amounts(conn), *duplicate_aids(conn), *month_omsets(conn), *year_omsets(conn),
            *nik_birth_dates(conn), *shared_kks(conn)]  # fmt: skip


def money_findings(
    conn: sqlite3.Connection, group_where: str, params: Sequence[Any], year: int | None
) -> list[Finding]:
    """The money warnings inside totals a report states: its groups (``group_where`` on ``g``), its year."""
    groups = {"groups": group_where, "group_params": tuple(params)}
    aid, revenue = Scope(**groups), Scope(**groups)
    if year is not None:
        aid = Scope("a.date BETWEEN ? AND ?", (f"{year}-01-01", f"{year}-12-31"), **groups)
        revenue = Scope("r.year = ?", (year,), **groups)
    return [*aid_amounts(conn, aid), *duplicate_aids(conn, aid), *month_omsets(conn, revenue),
            *year_omsets(conn, revenue)]  # fmt: skip


def after_aid(conn: sqlite3.Connection, aid_id: int) -> list[Finding]:
    """The warnings one aid record just written brings: its amount, and the same aid recorded before."""
    same = conn.execute("SELECT group_id, date, kind, amount FROM aid WHERE id = ?", (aid_id,)).fetchone()
    return [*aid_amounts(conn, Scope("a.id = ?", (aid_id,))),
            *duplicate_aids(conn, Scope("a.group_id = ? AND a.date = ? AND a.kind = ? AND a.amount = ?", same))]  # fmt: skip


def after_revenue(conn: sqlite3.Connection, group_id: int, period: str) -> list[Finding]:
    """The warnings a revenue record just written brings: its month, and its year's total."""
    return [*month_omsets(conn, Scope("r.group_id = ? AND r.period = ?", (group_id, period))),
            *year_omsets(conn, Scope("r.group_id = ? AND r.year = ?", (group_id, int(period[:4]))))]  # fmt: skip


def after_member(conn: sqlite3.Connection, member_id: int) -> list[Finding]:
    """The warnings a member just written brings: the NIK's birth date, and a No. KK held by another."""
    found = nik_birth_dates(conn, Scope("m.id = ?", (member_id,)))
    if has_kk(conn):
        (kk,) = conn.execute("SELECT kk FROM members WHERE id = ?", (member_id,)).fetchone()
        if kk:
            found += shared_kks(conn, kk)
    return found


# --- over a staged import (batch_apply's temporary tables), before anything is written -----------


def staged_findings(conn: sqlite3.Connection, kind: str, new_aid: str) -> Iterator[tuple[int, Finding]]:
    """``(line, finding)`` for the rows an import adds or changes, as the commands would warn of them.

    ``new_aid`` is the condition on ``temp.san`` for an aid row the import adds (``batch_apply``)."""
    if kind == "aid":
        yield from _staged_aid(conn, new_aid)
    if kind == "revenue":
        yield from _staged_revenue(conn)
    if kind in ("members", "roster"):
        yield from _staged_members(conn)


def _staged_aid(conn: sqlite3.Connection, new_aid: str) -> Iterator[tuple[int, Finding]]:
    for line, code, amount, kind, day in conn.execute(
        f"SELECT san.line, g.code, san.amount, san.kind, san.date FROM san JOIN groups g ON g.id = san.gid "
        f"WHERE {aid_amount_sql('san.amount')} AND {new_aid}"
    ):
        yield line, Finding(IMPLAUSIBLE_AMOUNT, code, aid_amount(amount, kind, day) or "")
    # ``n`` numbers a file's copies of one aid: the import adds those past the registry's records of it
    # (void ones too), so the same aid twice afterwards needs a second copy in the file (n > 1). It is
    # named at its last copy, which the import adds.
    same = "x.group_id = d.gid AND x.date = d.date AND x.kind = d.kind AND x.amount = d.amount"
    recorded, live = (
        f"(SELECT count(*) FROM aid x WHERE {same})",
        f"(SELECT count(*) FROM aid x WHERE {same} AND x.voided_at IS NULL)",
    )
    for line, code, amount, kind, day, times in conn.execute(
        f"SELECT d.line, g.code, d.amount, d.kind, d.date, d.top - {recorded} + {live} AS times FROM (SELECT "
        "max(line) AS line, gid, date, kind, amount, max(n) AS top FROM san WHERE n > 1 GROUP BY gid, date, kind, "
        f"amount) d JOIN groups g ON g.id = d.gid WHERE d.top > {recorded} AND times > 1 ORDER BY d.line"
    ):
        yield line, Finding(DUPLICATE_AID, code, duplicate_aid(amount, kind, day, times))


# A staged revenue row that changes the registry: a new period, or another amount.
_REVENUE_TOUCHED = ("NOT EXISTS (SELECT 1 FROM revenue x JOIN groups xg ON xg.id = x.group_id "
                    "WHERE xg.code = s.code AND x.period = s.period AND x.amount = s.amount)")  # fmt: skip


def _staged_revenue(conn: sqlite3.Connection) -> Iterator[tuple[int, Finding]]:
    for line, code, amount, period in conn.execute(
        f"SELECT s.line, s.code, s.amount, s.period FROM sr s WHERE length(s.period) = 7 "
        f"AND s.amount > {MONTH_OMSET_MAX} AND {_REVENUE_TOUCHED}"
    ):
        yield line, Finding(IMPLAUSIBLE_AMOUNT, code, month_omset(amount, period) or "")
    # The year after the import: the file's records, and the group's other months of that year when the
    # file gives months (a yearly record in the file replaces them, or is refused). The registry's
    # months are added up only where the file's sum and the year's maintained total (group_money, an
    # upper bound) pass the limit together, and whether the file changes that year is asked last.
    staged = ("SELECT min(s.line) AS line, s.code, s.year, sum(s.amount) AS total, length(min(s.period)) = 7 "
              "AS monthly FROM sr s NOT INDEXED GROUP BY s.code, s.year")  # fmt: skip
    bound = ("coalesce((SELECT m.revenue_total FROM groups g JOIN group_money m ON m.group_id = g.id "
             "AND m.year = t.year WHERE g.code = t.code), 0)")  # fmt: skip
    months = ("coalesce((SELECT sum(x.amount) FROM revenue x JOIN groups xg ON xg.id = x.group_id WHERE xg.code = c.code "
              "AND x.year = c.year AND length(x.period) = 7 AND x.period NOT IN (SELECT period FROM sr o "
              "WHERE o.code = c.code)), 0)")  # fmt: skip
    for line, code, total, year in conn.execute(
        f"SELECT y.line, y.code, y.total, y.year FROM (SELECT c.line, c.code, c.year, c.total + CASE WHEN c.monthly "
        f"THEN {months} ELSE 0 END AS total FROM (SELECT * FROM ({staged}) t WHERE t.total > {YEAR_OMSET_MAX} "
        f"OR (t.monthly AND t.total + {bound} > {YEAR_OMSET_MAX})) c) y WHERE y.total > {YEAR_OMSET_MAX} "
        f"AND EXISTS (SELECT 1 FROM sr s WHERE s.code = y.code AND s.year = y.year AND {_REVENUE_TOUCHED})"
    ):
        yield line, Finding(IMPLAUSIBLE_AMOUNT, code, year_omset(total, year) or "")


def _staged_members(conn: sqlite3.Connection) -> Iterator[tuple[int, Finding]]:
    new = f"NOT EXISTS (SELECT 1 FROM members x WHERE x.nik = s.nik AND {current_member('x')})"
    for line, nik in conn.execute(f"SELECT s.line, s.nik FROM sm s WHERE {nik_birth_date_bad_sql('s.nik')} AND {new}"):
        yield line, Finding(NIK_BIRTH_DATE, mask_nik(nik), nik_birth_date(nik) or "")
    if not has_kk(conn, "temp.sm"):
        return  # staging without a No. KK column (a registry made before members.kk)
    held = "main.members" if has_kk(conn) else None
    registry = (f" UNION ALL SELECT x.kk, NULL, x.nik, xg.code FROM {held} x JOIN groups xg ON xg.id = x.group_id "
                f"WHERE {current_member('x')} AND x.kk IS NOT NULL AND x.kk != '' AND x.nik NOT IN (SELECT nik FROM sm)"
                if held else "")  # fmt: skip
    for line, kk, n, codes in conn.execute(
        "SELECT min(line), kk, count(DISTINCT nik), group_concat(DISTINCT code) FROM (SELECT s.kk, s.line, s.nik, s.code "
        f"FROM sm s WHERE s.kk IS NOT NULL AND s.kk != ''{registry}) GROUP BY kk "
        "HAVING count(DISTINCT nik) > 1 AND count(line) > 0"
    ):
        yield line, Finding(SHARED_KK, mask_nik(kk), shared_kk(n, codes))
