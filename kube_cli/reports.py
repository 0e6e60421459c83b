"""Counts and sums for reports: groups, members, aid and revenue by place, business and year.

Counts use current members of ``aktif`` groups. ``year`` counts the groups registered in or
before it and the money dated in it. Every breakdown comes from one pass of four grouped
queries (groups, members, aid, revenue), rolled up in Python, so totals always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kube_cli.db import Registry
from kube_cli.places import Places
from kube_cli.vocab import parse_amount, parse_year

DIMENSIONS = ("kecamatan", "kelurahan", "usaha", "year")
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
        if self.kecamatan_kode:
            where.append("g.kelurahan_kode LIKE ?")
            params.append(self.kecamatan_kode + ".%")
        return " AND ".join(where), params


def make_filters(registry: Registry, year: str | None = None, kecamatan: str | None = None) -> Filters:
    if kecamatan:
        kode, nama = Places(registry).kecamatan(kecamatan)
        return Filters(parse_year(year) if year else None, kode, nama)
    return Filters(parse_year(year) if year else None)


# Keys by which rows are grouped in SQL; names are looked up afterwards.
_GROUP_KEYS = {
    "kecamatan": "substr(g.kelurahan_kode, 1, 8)",
    "kelurahan": "g.kelurahan_kode",
    "usaha": "g.usaha_id",
    "year": "g.year",
}
_MONEY_YEAR = {"aid": "CAST(substr(a.date, 1, 4) AS INTEGER)", "revenue": "r.year"}


def _measure_queries(
    dims: tuple[str, ...], f: Filters, money: bool = True
) -> list[tuple[tuple[str, ...], str, list[Any]]]:
    """(measures, SQL, params) for each grouped query; members come from the maintained
    ``groups.member_count``, so counting a million members scans only the groups."""
    where, params = f.group_where()

    def keys(table: str | None = None) -> str:
        exprs = [_MONEY_YEAR[table] if (d == "year" and table) else _GROUP_KEYS[d] for d in dims]
        return "".join(e + ", " for e in exprs)

    group_by = "GROUP BY " + ", ".join(str(i + 1) for i in range(len(dims))) if dims else ""
    year_aid = " AND a.date BETWEEN ? AND ?" if f.year else ""
    year_rev = " AND r.year = ?" if f.year else ""
    aid_params = [*params, f"{f.year}-01-01", f"{f.year}-12-31"] if f.year else params
    rev_params = [*params, f.year] if f.year else params
    queries = [
        (
            ("groups", "members"),
            f"SELECT {keys()}count(*), sum(g.member_count) FROM groups g WHERE {where} {group_by}",
            params,
        ),
    ]
    if money:
        queries += [
            (
                ("aid_total",),
                f"SELECT {keys('aid')}sum(a.amount) FROM aid a JOIN groups g ON g.id = a.group_id "
                f"WHERE a.voided_at IS NULL AND {where}{year_aid} {group_by}",
                aid_params,
            ),
            (
                ("revenue_total",),
                f"SELECT {keys('revenue')}sum(r.amount) FROM revenue r JOIN groups g ON g.id = r.group_id "
                f"WHERE {where}{year_rev} {group_by}",
                rev_params,
            ),
        ]
    return queries  # fmt: skip


def _raw_breakdown(
    registry: Registry, dims: tuple[str, ...], f: Filters, money: bool = True
) -> dict[tuple[Any, ...], dict[str, int]]:
    table: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for measures, sql, params in _measure_queries(dims, f, money):
        for row in registry.conn.execute(sql, params):
            key = tuple(row[: len(dims)])
            for measure, value in zip(measures, row[len(dims) :], strict=True):
                if value:  # a sum over no rows is NULL
                    table[key][measure] += value
    return table


class _Names:
    """Names for the codes rows are grouped by, fetched once per report."""

    def __init__(self, registry: Registry) -> None:
        self.wilayah = dict(registry.conn.execute(
            "SELECT kode, nama FROM wilayah WHERE level IN ('kecamatan', 'kelurahan_desa') "
            "AND kode IN (SELECT DISTINCT kelurahan_kode FROM groups UNION SELECT DISTINCT substr(kelurahan_kode, 1, 8) FROM groups)"
        ).fetchall())  # fmt: skip
        self.usaha = dict(registry.conn.execute("SELECT id, name FROM usaha").fetchall())

    def row(self, dims: tuple[str, ...], key: tuple[Any, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        values = dict(zip(dims, key, strict=True))
        for dim in DIMENSIONS:
            if dim == "kecamatan" and ("kecamatan" in dims or "kelurahan" in dims):
                code = values.get("kecamatan") or values["kelurahan"][:8]
                out["kecamatan"] = self.wilayah.get(code, code)
            elif dim == "kelurahan" and dim in dims:
                out["kelurahan"] = self.wilayah.get(values["kelurahan"], values["kelurahan"])
            elif dim == "usaha" and dim in dims:
                out["usaha"] = self.usaha.get(values["usaha"], str(values["usaha"]))
            elif dim == "year" and dim in dims:
                out["year"] = values["year"]
        return out


def breakdown(registry: Registry, dims: list[str], f: Filters) -> list[dict[str, Any]]:
    """Rows of ``groups, members, aid_total, revenue_total`` for each combination of ``dims``."""
    ordered = tuple(d for d in DIMENSIONS if d in dims)
    table = _raw_breakdown(registry, ordered, f)
    names = _Names(registry)
    rows = [{**names.row(ordered, key), **measures} for key, measures in table.items()]
    rows.sort(key=lambda r: tuple(str(r.get(d, "")).casefold() if d != "year" else r.get(d, 0) for d in DIMENSIONS))
    return rows


def summary(registry: Registry, f: Filters) -> dict[str, Any]:
    """``totals``, ``by_kelurahan`` and ``by_usaha``, all from one kelurahan × usaha pass."""
    table = _raw_breakdown(registry, ("kelurahan", "usaha"), f, money=False)
    names = _Names(registry)
    totals = dict.fromkeys(MEASURES, 0)
    money = _raw_breakdown(registry, (), f).get((), {})
    by_kel: dict[str, dict[str, int]] = defaultdict(lambda: {"groups": 0, "members": 0})
    by_usaha: dict[int, dict[str, int]] = defaultdict(lambda: {"groups": 0, "members": 0})
    for (kel, usaha), measures in table.items():
        for measure in ("groups", "members"):
            totals[measure] += measures[measure]
        for target in (by_kel[kel], by_usaha[usaha]):
            target["groups"] += measures["groups"]
            target["members"] += measures["members"]
    by_kelurahan = [
        {**names.row(("kelurahan",), (kel,)), **counts} for kel, counts in by_kel.items() if counts["groups"]
    ]
    by_kelurahan.sort(key=lambda r: (r["kecamatan"], r["kelurahan"]))
    by_usaha_rows = [{"usaha": names.usaha[u], **c} for u, c in by_usaha.items() if c["groups"]]
    by_usaha_rows.sort(key=lambda r: (-r["groups"], r["usaha"].casefold()))
    return {
        "totals": {
            "groups": totals["groups"], "members": totals["members"], "kelurahan": len(by_kelurahan),
            "aid_total": money.get("aid_total", 0), "revenue_total": money.get("revenue_total", 0),
        },
        "by_kelurahan": by_kelurahan,
        "by_usaha": by_usaha_rows,
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
        "FROM revenue r JOIN groups g ON g.id = r.group_id JOIN wilayah kel ON kel.kode = g.kelurahan_kode "
        "JOIN wilayah kec ON kec.kode = kel.parent JOIN usaha u ON u.id = g.usaha_id "
        f"WHERE r.year = ? AND {where} GROUP BY g.id HAVING sum(r.amount) >= ? ORDER BY revenue DESC, g.code",
        [year, *params, threshold],
    )
    return year, threshold, rows


def pkh_graduates(registry: Registry, f: Filters) -> tuple[int, int]:
    """``(graduates, members)``: current members of the groups ``f`` counts, and how many left PKH."""
    where, params = f.group_where()
    graduates, members = registry.conn.execute(
        "SELECT coalesce(sum(m.pkh_graduate), 0), count(*) FROM members m JOIN groups g ON g.id = m.group_id "
        f"WHERE m.removed_at IS NULL AND {where}",
        params,
    ).fetchone()
    return graduates, members
