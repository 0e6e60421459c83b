"""``kube due``: the worklist, which active groups need a visit, most urgent first, and why.

A group is due for each of these reasons (stable identifiers, for scripts):

- ``never_visited``: no visit recorded (on or before the day the list is made for);
- ``not_visited_days``: the last visit is ``days`` (default 90) or more days old;
- ``business_stalled`` / ``business_stopped``: what the last visit found;
- ``no_revenue_last_year``: no revenue recorded for the last complete year (groups registered
  in the current year are exempt);
- ``too_few_members``: fewer than 5 current members; ``no_ketua``: no current ketua;
- ``stage_review``: the record suggests another stage: a penumbuhan group registered two or more
  years ago, whose visits of the last 24 months (two or more) all found it running with books, is
  ready for pengembangan (Permensos 2/2019).

Most urgent first: business stopped or stalled, then never visited, then by days since the last
visit (longest first), then by the number of reasons, then by code.

Everything is decided in one query over the groups and ``visit_summary`` (what each group's last
visits found, kept by triggers; for a day before the latest visit, one pass over the narrow
``visits_last`` index instead); only due groups come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import Any

from kube_cli.db import Registry, local_today
from kube_cli.errors import KubeError
from kube_cli.i18n import N_, _
from kube_cli.places import Places
from kube_cli.records import CURRENT_KETUA, CURRENT_VISIT, current_ketua
from kube_cli.registry import MIN_MEMBERS
from kube_cli.vocab import clean_text, parse_date

DEFAULT_DAYS = 90
REVIEW_MONTHS = 24  # pengembangan after about two years of a running, booked business
REVIEW_VISITS = 2  # at least this many visits in those months before a stage is suggested

# In the order a row lists them; the words a person reads (msgids, with their numbers).
REASONS = {
    "never_visited": N_("never visited"),
    "not_visited_days": N_("not visited for {days} days"),
    "business_stalled": N_("business stalled at the last visit"),
    "business_stopped": N_("business stopped at the last visit"),
    "no_revenue_last_year": N_("no revenue reported for {year}"),
    "too_few_members": N_("{members} members, fewer than {min}"),
    "no_ketua": N_("no ketua"),
    "stage_review": N_("stage review: the visits suggest pengembangan"),
}
KEYS = ("code", "name", "kelurahan", "kecamatan", "last_visit", "reasons")


@dataclass(frozen=True)
class Scope:
    as_of: Date
    days: int = DEFAULT_DAYS
    kecamatan_kode: str | None = None
    officer: str | None = None

    @property
    def params(self) -> dict[str, Any]:
        window = _years_before(self.as_of, REVIEW_MONTHS // 12)
        return {
            "as_of": self.as_of.isoformat(), "due_before": (self.as_of - timedelta(days=self.days)).isoformat(),
            "window": window.isoformat(), "this_year": self.as_of.year, "last_year": self.as_of.year - 1,
            "review_year": self.as_of.year - REVIEW_MONTHS // 12, "review_visits": REVIEW_VISITS,
            "min_members": MIN_MEMBERS, "kec_from": f"{self.kecamatan_kode}.", "kec_to": f"{self.kecamatan_kode}/",
            "officer": self.officer,
        }  # fmt: skip


def _years_before(day: Date, years: int) -> Date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def due_sql(scope: Scope, summary: bool = True) -> str:
    """The worklist's query: one row per due group, with what its reasons are made of.

    With ``summary`` (no visit is dated after the day the list is for: the common case, today), each
    group's last visits come from ``visit_summary``, one row per group kept by triggers; otherwise from
    one pass over the ``visits_last`` index up to that day. Over the whole registry the groups are read
    in table order (their indexes would only scatter the reads) and the ketua and last year's revenue
    are looked up in lists built once; for one kecamatan, its groups come from the index and each is
    looked up on its own."""
    local = bool(scope.kecamatan_kode)
    in_kecamatan = "g.kelurahan_kode >= :kec_from AND g.kelurahan_kode < :kec_to"
    where = (
        ["g.status = 'aktif'", "g.year <= :this_year"] if local else ["+g.status = 'aktif'", "+g.year <= :this_year"]
    )
    if local:
        where.append(in_kecamatan)
    if scope.officer:
        where.append("(l.officer IS NULL OR l.officer = :officer COLLATE NOCASE)")
    if local:
        no_revenue = "NOT EXISTS (SELECT 1 FROM revenue r WHERE r.group_id = g.id AND r.year = :last_year)"
        no_ketua = f"NOT EXISTS (SELECT 1 FROM members m WHERE m.group_id = g.id AND {current_ketua('m')})"
    else:
        no_revenue = "g.id NOT IN (SELECT group_id FROM revenue WHERE year = :last_year)"
        no_ketua = f"g.id NOT IN (SELECT group_id FROM members WHERE {CURRENT_KETUA})"
    if summary:
        visits = ("(SELECT group_id, last_date, business, officer, second_date >= :window AS review_visits, "
                  "coalesce(bad_date < :window, 1) AS all_good FROM visit_summary)")  # fmt: skip
    else:
        only = f" AND group_id IN (SELECT g.id FROM groups g WHERE {in_kecamatan})" if local else ""
        visits = (f"(SELECT group_id, substr(max(date || printf('%012d', id)), 1, 10) AS last_date, business, officer, "
                  f"count(*) FILTER (WHERE date >= :window) >= :review_visits AS review_visits, "
                  f"count(*) FILTER (WHERE date >= :window AND (business != 'running' OR bookkeeping = 0)) = 0 "
                  f"AS all_good FROM visits WHERE {CURRENT_VISIT} AND date <= :as_of{only} GROUP BY group_id)")  # fmt: skip
    # Each group's facts are worked out once, in a subquery that LIMIT keeps from being merged into the
    # outer query (which would look up the ketua and revenue lists twice) and that streams its rows
    # (a co-routine, nothing stored); the outer query keeps the due ones, the cheap reasons first.
    return f"""
SELECT * FROM (
    SELECT g.code, g.name, g.kelurahan_kode, g.member_count AS members, l.last_date, l.business,
           g.year < :this_year AND {no_revenue} AS no_revenue, {no_ketua} AS no_ketua,
           g.stage = 'penumbuhan' AND g.year <= :review_year AND l.review_visits AND l.all_good AS review
    FROM groups g {"" if local else "NOT INDEXED "}LEFT JOIN {visits} l ON l.group_id = g.id
    WHERE {" AND ".join(where)} LIMIT -1
)
WHERE last_date IS NULL OR last_date <= :due_before OR business != 'running' OR members < :min_members
      OR no_revenue OR no_ketua OR review
"""


def place_names(registry: Registry, kelurahan: set[str]) -> dict[str, str]:
    """The names of these kelurahan and of their kecamatan, by code: looked up once each (most of the
    country at once: one pass over the region list beats a look-up per place)."""
    import json

    codes = kelurahan | {code[:8] for code in kelurahan}
    if len(codes) > 5000:
        rows = registry.conn.execute("SELECT kode, nama FROM wilayah WHERE level IN ('kecamatan', 'kelurahan_desa')")
    else:
        rows = registry.conn.execute("SELECT kode, nama FROM wilayah WHERE kode IN (SELECT value FROM json_each(?))",
                                     (json.dumps(sorted(codes)),))  # fmt: skip
    return dict(rows.fetchall())


def summary_holds(registry: Registry, scope: Scope) -> bool:
    """Whether ``visit_summary`` answers for ``scope``'s day: no current visit is dated after it."""
    (latest,) = registry.conn.execute(f"SELECT max(date) FROM visits WHERE {CURRENT_VISIT}").fetchone()
    return latest is None or latest <= scope.as_of.isoformat()


def make_scope(
    registry: Registry, days: int = DEFAULT_DAYS, kecamatan: str | None = None, officer: str | None = None,
    as_of: str | None = None,
) -> Scope:  # fmt: skip
    if days < 1:
        raise KubeError("days", str(days), _("must be 1 or more"))
    kode = Places(registry).kecamatan(kecamatan)[0] if kecamatan else None
    who = clean_text(officer, "officer", max_len=100) if officer is not None else None
    return Scope(Date.fromisoformat(parse_date(as_of, "as-of")) if as_of else local_today(), days, kode, who)


def due(registry: Registry, scope: Scope) -> list[dict[str, Any]]:
    """The due groups, most urgent first: ``KEYS``, and ``reason_text`` (each reason as a person reads it).

    The rows are built with the cyclic garbage collector paused: they hold no cycles, and over 150,000
    due groups its passes over every new dict and list took half the time (bench/README.md)."""
    import gc

    paused = gc.isenabled()
    gc.disable()
    try:
        return _due(registry, scope)
    finally:
        if paused:
            gc.enable()


def _due(registry: Registry, scope: Scope) -> list[dict[str, Any]]:
    rows = []
    last_year, due_days = scope.as_of.year - 1, scope.days
    words = {reason: _(text) for reason, text in REASONS.items()}  # translated once, not once per group
    never, stalled, stopped, ketua, review = (words[r] for r in ("never_visited", "business_stalled",
                                              "business_stopped", "no_ketua", "stage_review"))  # fmt: skip
    no_revenue_text = words["no_revenue_last_year"].format(year=last_year)
    day, as_ord, late = Date.fromisoformat, scope.as_of.toordinal(), words["not_visited_days"]
    found = registry.conn.execute(due_sql(scope, summary_holds(registry, scope)), scope.params).fetchall()
    names = place_names(registry, {row[2] for row in found})
    for code, name, kode, members, last, business, no_revenue, no_ketua, suggest in found:
        ids, texts = [], []
        if last is None:
            days = None
            ids.append("never_visited")
            texts.append(never)
        else:
            days = as_ord - day(last).toordinal()
            if days >= due_days:
                ids.append("not_visited_days")
                texts.append(late.format(days=days))
        if business == "stalled" or business == "stopped":
            ids.append("business_" + business)
            texts.append(stalled if business == "stalled" else stopped)
        if no_revenue:
            ids.append("no_revenue_last_year")
            texts.append(no_revenue_text)
        if members < MIN_MEMBERS:
            ids.append("too_few_members")
            texts.append(words["too_few_members"].format(members=members, min=MIN_MEMBERS))
        if no_ketua:
            ids.append("no_ketua")
            texts.append(ketua)
        if suggest:
            ids.append("stage_review")
            texts.append(review)
        tier = 2 if days is not None and business == "running" else 1 if days is None else 0
        rows.append(((tier, -(days or 0), -len(ids), code), {
            "code": code, "name": name, "kelurahan": names.get(kode, kode), "kecamatan": names.get(kode[:8], kode[:8]),
            "last_visit": last, "reasons": ids, "reason_text": texts,
        }))  # fmt: skip
    rows.sort(key=lambda pair: pair[0])
    return [row for _key, row in rows]
