"""Money totals per group and year are maintained by the registry, and always equal a recount."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from kube_cli.maintenance import GROUP_MONEY_RECOUNT, MONEY_RECOUNT

SAMPLE = Path(__file__).parent.parent / "sample_data"


def recount_mismatches(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(MONEY_RECOUNT).fetchall() + conn.execute(GROUP_MONEY_RECOUNT).fetchall()
    finally:
        conn.close()


def test_totals_follow_record_void_replace_and_import(kube, demo_registry: Path, tmp_path: Path) -> None:
    kube("aid", "record", "PALU-001", "--amount", "2 juta", "--kind", "modal", "--date", "2022-03-01")
    voided = kube.json("aid", "record", "PALU-001", "--amount", "750rb", "--kind", "pelatihan", "--date", "2022-04-01")
    kube("aid", "void", str(voided["id"]), "--reason", "salah catat")
    kube("revenue", "record", "PALU-002", "--amount", "3 juta", "--period", "2022-01")
    kube("revenue", "record", "PALU-002", "--amount", "4 juta", "--period", "2022-01", "--replace")
    kube("revenue", "record", "PALU-003", "--amount", "12 juta", "--period", "2022")
    (tmp_path / "rev.csv").write_text("group_code,period,amount\nPALU-003,2022,15000000\nPALU-004,2023-05,1500000\n")
    kube("import", str(tmp_path / "rev.csv"), "--replace")

    assert recount_mismatches(demo_registry) == []
    for year in ("2021", "2022", "2023"):  # the report reads the maintained totals: it equals the rows
        totals = kube.json("report", "--year", year)["totals"]
        conn = sqlite3.connect(demo_registry)
        aid, revenue = conn.execute(
            "SELECT (SELECT coalesce(sum(a.amount), 0) FROM aid a JOIN groups g ON g.id = a.group_id WHERE "
            "a.voided_at IS NULL AND g.status = 'aktif' AND g.year <= ?1 AND a.date LIKE ?1 || '-%'), "
            "(SELECT coalesce(sum(r.amount), 0) FROM revenue r JOIN groups g ON g.id = r.group_id WHERE "
            "g.status = 'aktif' AND g.year <= ?1 AND r.year = ?1)", (int(year),)
        ).fetchone()  # fmt: skip
        conn.close()
        assert (totals["aid_total"], totals["revenue_total"]) == (aid, revenue), year
    by_year = {row["year"]: row for row in kube.json("report", "--by", "year")}
    assert by_year[2022]["revenue_total"] >= 4_000_000 + 15_000_000


def test_merge_keeps_totals_exact(kube, demo_registry: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    for name in ("roster", "aid", "revenue"):
        kube("--db", str(other), "import", str(SAMPLE / f"palu-2021-{name}.csv"))
    kube("--db", str(other), "aid", "record", "PALU-005", "--amount", "5 juta", "--kind", "peralatan")
    kube("merge", str(other), "--prefer", "theirs")
    assert recount_mismatches(demo_registry) == []


def test_check_catches_a_total_that_drifted(kube, demo_registry: Path) -> None:
    conn = sqlite3.connect(demo_registry)
    conn.execute("UPDATE group_money SET aid_total = aid_total + 1 WHERE group_id = (SELECT min(group_id) "
                 "FROM group_money WHERE aid_total > 0) AND aid_total > 0")  # fmt: skip
    conn.commit()
    conn.close()
    result = kube("check", "--format", "json", code=1)
    problems = [p for p in json.loads(result.stdout) if p["code"] == "money_total"]
    assert len(problems) == 1 and "a recount gives" in problems[0]["problem"]


def test_check_catches_a_group_total_that_drifted(kube, demo_registry: Path) -> None:
    conn = sqlite3.connect(demo_registry)
    conn.execute("UPDATE groups SET revenue_total = revenue_total + 1 WHERE code = 'PALU-001'")
    conn.commit()
    conn.close()
    result = kube("check", "--format", "json", code=1)
    problems = [p for p in json.loads(result.stdout) if p["code"] == "money_total"]
    assert [p["target"] for p in problems] == ["PALU-001"] and "all years" in problems[0]["problem"]


def test_the_sample_totals_equal_a_recount(demo_registry: Path) -> None:
    assert recount_mismatches(demo_registry) == []
