"""Counts and sums for reports: groups, members, aid and revenue by place, business and year.

Counts use current members of ``aktif`` groups. ``year`` counts the groups registered in or
before it and the money dated in it. Members and money come from totals the registry maintains
(``groups.member_count``, ``aid_total``, ``revenue_total`` and the per-year ``group_money``, kept
by triggers and recounted by ``kube check``): a breakdown is one or two grouped queries over the
groups, never a pass over every member, aid or revenue row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kube_cli import records
from kube_cli.db import Registry
from kube_cli.places import Places
from kube_cli.vocab import parse_amount, parse_year

DIMENSIONS = tuple(records.DIMENSIONS)
# The threshold the office uses for "groups with a yearly revenue of at least ...".
DEFAULT_OMSET_MIN = "25 juta"
MEASURES = ("groups", "members", "aid_total", "revenue_total")


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    kecamatan_kode: str | None = None
    kecamatan: str | None = None

    def group_where(self) -> tuple[str, list[Any]]:
        where, params = ["g.status = 'aktif'"], []
        if self.year is not None:
            where.append("g.year <= ?")
            params.append(self.year)
        if self.kecamatan_kode:  # a range, not LIKE (case-insensitive, so no index): "72.71.01." up to "…/"
            where.append("g.kelurahan_kode >= ? AND g.kelurahan_kode < ?")
            params += [self.kecamatan_kode + ".", self.kecamatan_kode + "/"]
        return " AND ".join(where), params


def make_filters(registry: Registry, year: str | None = None, kecamatan: str | None = None) -> Filters:
    if kecamatan:
        kode, nama = Places(registry).kecamatan(kecamatan)
        return Filters(parse_year(year) if year else None, kode, nama)
    return Filters(parse_year(year) if year else None)


# Keys by which rows are grouped in SQL; names are looked up afterwards.
_GROUP_KEYS = records.DIMENSIONS


def _measure_queries(
    dims: tuple[str, ...], f: Filters, money: bool = True, counts: bool = True
) -> list[tuple[tuple[str, ...], str, list[Any]]]:
    """(measures, SQL, params) for each grouped query. Members come from the maintained
    ``groups.member_count`` and, without a year, money from ``groups.aid_total``/``revenue_total``:
    then one pass over the groups index answers everything."""
    where, params = f.group_where()

    def keys(money_year: bool = False) -> str:
        return "".join(("m.year" if d == "year" and money_year else _GROUP_KEYS[d]) + ", " for d in dims)

    group_by = "GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims))) if dims else ""
    all_years = f.year is None and "year" not in dims  # money of every year, keyed like the groups
    measures = (("groups", "members") if counts else ()) + (
        ("aid_total", "revenue_total") if money and all_years else ()
    )
    sums = {"groups": "count(*)", "members": "sum(g.member_count)", "aid_total": "sum(g.aid_total)",
            "revenue_total": "sum(g.revenue_total)"}  # fmt: skip
    queries: list[tuple[tuple[str, ...], str, list[Any]]] = [
        (measures, f"SELECT {keys()}{', '.join(sums[m] for m in measures)} FROM groups g WHERE {where} {group_by}",
         params),
    ] if measures else []  # fmt: skip
    if not money or all_years:
        return queries
    # Money comes from the maintained per-group, per-year totals (a few rows per group, not every
    # aid and revenue row). Over every group they are first summed per group (and year) in the
    # table's own order, so only one row per group is joined to its group and grouped; for one
    # kecamatan, its groups are found first and their rows looked up.
    by_year = "year" in dims
    if f.kecamatan_kode:
        year_sql, year_params = (" AND m.year = ?", [f.year]) if f.year else ("", [])
        source = f"groups g JOIN group_money m ON m.group_id = g.id WHERE {where}{year_sql}"
        source_params = [*params, *year_params]
    else:
        year_sql, year_params = (" WHERE year = ?", [f.year]) if f.year else ("", [])
        per_group = (f"SELECT group_id{', year' if by_year else ''}, sum(aid_total) AS aid_total, "
                     f"sum(revenue_total) AS revenue_total FROM group_money{year_sql} "
                     f"GROUP BY group_id{', year' if by_year else ''}")  # fmt: skip
        source = f"({per_group}) m CROSS JOIN groups g ON g.id = m.group_id WHERE {where}"
        source_params = [*year_params, *params]
    sql = f"SELECT {keys(money_year=True)}sum(m.aid_total), sum(m.revenue_total) FROM {source} {group_by}"
    queries.append((("aid_total", "revenue_total"), sql, source_params))
    return queries  # fmt: skip


def _raw_breakdown(
    registry: Registry, dims: tuple[str, ...], f: Filters, money: bool = True, counts: bool = True
) -> dict[tuple[Any, ...], dict[str, int]]:
    table: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    n = len(dims)
    for measures, sql, params in _measure_queries(dims, f, money, counts):
        for row in registry.conn.execute(sql, params):
            totals = table[row[:n]]
            for measure, value in zip(measures, row[n:], strict=True):
                if value:  # a sum over no rows is NULL
                    totals[measure] += value
    return table


class _Names:
    """Names for the codes rows are grouped by, fetched once per report."""

    def __init__(self, registry: Registry, kelurahan: set[str]) -> None:
        """``kelurahan``: the kelurahan (or kecamatan) codes rows carry; only those are looked up."""
        import json

        codes = kelurahan | {code[:8] for code in kelurahan}
        if len(codes) > 5000:  # most of the country: one pass over the list beats a lookup each
            levels = "'kecamatan'" if codes == {code[:8] for code in kelurahan} else "'kecamatan', 'kelurahan_desa'"
            rows = registry.conn.execute(f"SELECT kode, nama FROM wilayah WHERE level IN ({levels})")
        else:
            rows = registry.conn.execute(
                "SELECT kode, nama FROM wilayah WHERE kode IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(codes)),),
            )
        self.wilayah = dict(rows.fetchall())
        self.usaha = dict(registry.conn.execute("SELECT id, name FROM usaha").fetchall())

    def columns(self, dims: tuple[str, ...], keys: list[tuple[Any, ...]]) -> list[tuple[str, list[Any]]]:
        """The named columns of rows grouped by ``dims`` (a kelurahan brings its kecamatan), each as
        the list of its values for ``keys``: built column by column, 72k rows nationally."""
        at = {d: i for i, d in enumerate(dims)}
        wilayah, usaha = self.wilayah.get, self.usaha.get
        columns: list[tuple[str, list[Any]]] = []
        if "kecamatan" in at or "kelurahan" in at:
            i = at.get("kecamatan", at.get("kelurahan"))
            columns.append(("kecamatan", [wilayah(key[i][:8], key[i][:8]) for key in keys]))
        if "kelurahan" in at:
            j = at["kelurahan"]
            columns.append(("kelurahan", [wilayah(key[j], key[j]) for key in keys]))
        if "usaha" in at:
            u = at["usaha"]
            columns.append(("usaha", [usaha(key[u], str(key[u])) for key in keys]))
        for dim in (d for d in dims if d not in ("kecamatan", "kelurahan", "usaha")):  # values name themselves
            columns.append((dim, [key[at[dim]] for key in keys]))
        return columns


def breakdown(registry: Registry, dims: list[str], f: Filters) -> list[dict[str, Any]]:
    """Rows of ``groups, members, aid_total, revenue_total`` for each combination of ``dims``, in
    the order of their names (ignoring case) and years, then of their codes."""
    ordered = tuple(d for d in DIMENSIONS if d in dims)
    table = _raw_breakdown(registry, ordered, f)
    keys = list(table)
    place = next((i for i, d in enumerate(ordered) if d in ("kecamatan", "kelurahan")), None)
    columns = _Names(registry, {key[place] for key in keys} if place is not None else set()).columns(ordered, keys)
    names = [name for name, _values in columns]
    values = list(zip(*(v for _name, v in columns), strict=True)) if columns else [()] * len(keys)
    sort_by = (v if name == "year" else [text.casefold() for text in v] for name, v in columns)
    sort_keys = list(zip(*sort_by, keys, strict=True))  # two places of one name: by their codes
    return [{**dict(zip(names, values[i], strict=True)), **table[keys[i]]}
            for i in sorted(range(len(keys)), key=sort_keys.__getitem__)]  # fmt: skip


def summary(registry: Registry, f: Filters) -> dict[str, Any]:
    """``totals``, ``by_kelurahan`` and ``by_usaha``. Counts are grouped, named and ordered in SQL
    (75k kelurahan nationally: building them in Python cost more than the queries); the totals
    are the sums of the kelurahan rows, and money is summed once."""
    where, params = f.group_where()
    conn = registry.conn
    by_kelurahan = [
        {"kecamatan": kec, "kelurahan": kel, "groups": groups, "members": members}
        for kec, kel, groups, members in conn.execute(
            "SELECT kec.nama, kel.nama, x.groups, x.members FROM (SELECT g.kelurahan_kode AS kode, count(*) AS groups, "
            f"sum(g.member_count) AS members FROM groups g WHERE {where} GROUP BY g.kelurahan_kode) x "
            f"{records.place_joins_on('x.kode')} "
            "ORDER BY kec.nama, kel.nama",
            params,
        )
    ]  # fmt: skip
    by_usaha = [
        {"usaha": usaha, "groups": groups, "members": members}
        for usaha, groups, members in conn.execute(
            "SELECT u.name, x.groups, x.members FROM (SELECT g.usaha_id AS id, count(*) AS groups, "
            f"sum(g.member_count) AS members FROM groups g WHERE {where} GROUP BY g.usaha_id) x "
            "JOIN usaha u ON u.id = x.id",
            params,
        )
    ]  # fmt: skip
    by_usaha.sort(key=lambda r: (-r["groups"], r["usaha"].casefold()))
    money = _raw_breakdown(registry, (), f, counts=False).get((), {})
    return {
        "totals": {
            "groups": sum(r["groups"] for r in by_kelurahan), "members": sum(r["members"] for r in by_kelurahan),
            "kelurahan": len(by_kelurahan),
            "aid_total": money.get("aid_total", 0), "revenue_total": money.get("revenue_total", 0),
        },
        "by_kelurahan": by_kelurahan,
        "by_usaha": by_usaha,
    }  # fmt: skip


def omset_at_least(registry: Registry, f: Filters, minimum: str) -> tuple[int | None, int, list[dict[str, Any]]]:
    """Groups whose revenue in the year (``f.year``, else the latest with revenue) ≥ ``minimum``."""
    threshold = parse_amount(minimum, "omset-min")
    where, params = f.group_where()
    year = f.year
    if year is None:
        (year,) = registry.conn.execute(
            f"SELECT max(r.year) FROM revenue r JOIN groups g ON g.id = r.group_id WHERE {where}", params
        ).fetchone()
        if year is None:
            return None, threshold, []
    rows = registry.query(
        "SELECT g.code AS code, g.name AS name, kel.nama AS kelurahan, kec.nama AS kecamatan, u.name AS usaha, "
        "r.year AS year, sum(r.amount) AS revenue "
        f"FROM revenue r JOIN groups g ON g.id = r.group_id {records.place_joins('g')} JOIN usaha u ON u.id = g.usaha_id "
        f"WHERE r.year = ? AND {where} GROUP BY g.id HAVING sum(r.amount) >= ? ORDER BY revenue DESC, g.code",
        [year, *params, threshold],
    )
    return year, threshold, rows


def pkh_graduates(registry: Registry, f: Filters) -> tuple[int, int]:
    """``(graduates, members)``: current members of the groups ``f`` counts, and how many left PKH."""
    where, params = f.group_where()
    graduates, members = registry.conn.execute(
        "SELECT coalesce(sum(m.pkh_graduate), 0), count(*) FROM members m JOIN groups g ON g.id = m.group_id "
        f"WHERE {records.current_member('m')} AND {where}",
        params,
    ).fetchone()
    return graduates, members
