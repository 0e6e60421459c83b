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

Everything is decided in one query over the groups and the narrow ``visits_last`` index (what the
last visit found, and the visits of the last 24 months, per group, in one pass); only due groups
come back to Python.
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
from kube_cli.records import place_joins
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


def due_sql(scope: Scope) -> str:
    """The worklist's query: one row per due group, with what its reasons are made of."""
    where = ["g.status = 'aktif'", "g.year <= :this_year"]
    if scope.kecamatan_kode:
        where.append("g.kelurahan_kode >= :kec_from AND g.kelurahan_kode < :kec_to")
    if scope.officer:
        where.append("(l.officer IS NULL OR l.officer = :officer COLLATE NOCASE)")
    return f"""
WITH l AS (
    SELECT group_id, max(date) AS last_visit, business, officer,
           count(*) FILTER (WHERE date >= :window) AS recent,
           count(*) FILTER (WHERE date >= :window AND (business != 'running' OR bookkeeping = 0)) AS recent_bad
    FROM visits WHERE removed_at IS NULL AND date <= :as_of GROUP BY group_id
), d AS MATERIALIZED (  -- each group's facts once, then only the due ones named
    SELECT g.code, g.name, g.kelurahan_kode, g.member_count, l.last_visit, l.business,
           g.year < :this_year AND NOT EXISTS (SELECT 1 FROM revenue r WHERE r.group_id = g.id AND r.year = :last_year)
               AS no_revenue,
           NOT EXISTS (SELECT 1 FROM members m WHERE m.group_id = g.id AND m.role = 'ketua' AND m.removed_at IS NULL)
               AS no_ketua,
           g.stage = 'penumbuhan' AND g.year <= :review_year AND l.recent >= :review_visits AND l.recent_bad = 0
               AS stage_review
    FROM groups g LEFT JOIN l ON l.group_id = g.id
    WHERE {" AND ".join(where)}
)
SELECT d.code, d.name, kel.nama, kec.nama, d.member_count, d.last_visit, d.business, d.no_revenue, d.no_ketua,
       d.stage_review
FROM d {place_joins("d")}
WHERE d.last_visit IS NULL OR d.last_visit <= :due_before OR d.business != 'running' OR d.no_revenue
      OR d.member_count < :min_members OR d.no_ketua OR d.stage_review
"""


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
    """The due groups, most urgent first: ``KEYS``, and ``reason_text`` (each reason as a person reads it)."""
    rows = []
    as_of, last_year, due_days = scope.as_of, scope.as_of.year - 1, scope.days
    words = {reason: _(text) for reason, text in REASONS.items()}  # translated once, not once per group
    never, stalled, stopped, ketua, review = (words[r] for r in ("never_visited", "business_stalled",
                                              "business_stopped", "no_ketua", "stage_review"))  # fmt: skip
    no_revenue_text = words["no_revenue_last_year"].format(year=last_year)
    day = Date.fromisoformat
    for code, name, kelurahan, kecamatan, members, last, business, no_revenue, no_ketua, suggest in registry.conn.execute(
        due_sql(scope), scope.params
    ):  # fmt: skip
        reasons: dict[str, str] = {}
        days = (as_of - day(last)).days if last else None
        if days is None:
            reasons["never_visited"] = never
        elif days >= due_days:
            reasons["not_visited_days"] = words["not_visited_days"].format(days=days)
        if business == "stalled":
            reasons["business_stalled"] = stalled
        elif business == "stopped":
            reasons["business_stopped"] = stopped
        if no_revenue:
            reasons["no_revenue_last_year"] = no_revenue_text
        if members < MIN_MEMBERS:
            reasons["too_few_members"] = words["too_few_members"].format(members=members, min=MIN_MEMBERS)
        if no_ketua:
            reasons["no_ketua"] = ketua
        if suggest:
            reasons["stage_review"] = review
        tier = 0 if business in ("stalled", "stopped") else 1 if days is None else 2
        rows.append(((tier, -(days or 0), -len(reasons), code), {
            "code": code, "name": name, "kelurahan": kelurahan, "kecamatan": kecamatan, "last_visit": last,
            "reasons": list(reasons), "reason_text": list(reasons.values()),
        }))  # fmt: skip
    rows.sort(key=lambda pair: pair[0])
    return [row for _key, row in rows]
