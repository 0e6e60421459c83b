"""``kube report``: counts and totals, their JSON shapes, and every breakdown adding up."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

MEASURES = ("groups", "members", "aid_total", "revenue_total")


def test_summary_json_shape(kube, demo_registry: Path) -> None:
    data = kube.json("report")
    assert list(data) == ["totals", "by_kelurahan", "by_usaha"]
    assert list(data["totals"]) == ["groups", "members", "kelurahan", "aid_total", "revenue_total"]
    assert list(data["by_kelurahan"][0]) == ["kecamatan", "kelurahan", "groups", "members"]
    assert list(data["by_usaha"][0]) == ["usaha", "groups", "members"]
    totals = data["totals"]
    assert (totals["groups"], totals["members"], totals["kelurahan"]) == (77, 385, len(data["by_kelurahan"]))
    assert all(type(totals[k]) is int for k in totals)
    assert sum(r["groups"] for r in data["by_kelurahan"]) == sum(r["groups"] for r in data["by_usaha"]) == 77
    assert data["by_usaha"][0] == {"usaha": "e-Warong", "groups": 9, "members": 45}


@pytest.mark.parametrize("dims", [["kecamatan"], ["kelurahan"], ["usaha"], ["year"], ["kecamatan", "usaha"]])
def test_breakdowns_sum_to_the_totals(kube, demo_registry: Path, dims: list[str]) -> None:
    totals = kube.json("report")["totals"]
    rows = kube.json("report", *[a for d in dims for a in ("--by", d)])
    wanted = set(dims) | ({"kecamatan"} if "kelurahan" in dims else set())
    for row in rows:
        assert set(row) == wanted | set(MEASURES), row
    for measure in MEASURES:
        assert sum(r[measure] for r in rows) == totals[measure], measure


def test_by_year_counts_groups_registered_and_money_dated_each_year(kube, demo_registry: Path) -> None:
    rows = {r["year"]: r for r in kube.json("report", "--by", "year")}
    groups = kube.json("group", "list")
    for year, row in rows.items():
        assert row["groups"] == sum(1 for g in groups if g["year"] == year)
    aid_2021 = sum(a["amount"] for a in kube.json("aid", "list", "--year", "2021") if not a["void"])
    assert rows[2021]["aid_total"] == aid_2021
    assert rows[2021]["revenue_total"] == sum(r["amount"] for r in kube.json("revenue", "list", "--year", "2021"))


def test_year_counts_groups_registered_by_then_and_money_of_that_year(kube, demo_registry: Path) -> None:
    kube("group", "add", "KUBE Baru", "--kelurahan", "Talise", "--usaha", "jasa", "--year", "2022", "--code", "N1")
    kube("aid", "record", "N1", "--amount", "10 juta", "--kind", "modal", "--date", "2022-03-01")
    kube("aid", "record", "PALU-001", "--amount", "1 juta", "--kind", "lainnya", "--date", "2022-04-01")
    in_2021 = kube.json("report", "--year", "2021")["totals"]
    in_2022 = kube.json("report", "--year", "2022")["totals"]
    assert in_2021["groups"] == 77 and in_2022["groups"] == 78
    assert in_2022["aid_total"] == 11_000_000 and in_2022["revenue_total"] == 0
    by_year = {r["year"]: r for r in kube.json("report", "--by", "year")}
    assert by_year[2022]["aid_total"] == 11_000_000 and by_year[2022]["groups"] == 1
    assert in_2021["aid_total"] == by_year[2021]["aid_total"]


def test_kecamatan_filter(kube, demo_registry: Path) -> None:
    data = kube.json("report", "--kecamatan", "Mantikulore")
    assert {r["kecamatan"] for r in data["by_kelurahan"]} == {"Mantikulore"}
    by_kec = {r["kecamatan"]: r for r in kube.json("report", "--by", "kecamatan")}
    assert data["totals"]["groups"] == by_kec["Mantikulore"]["groups"]
    assert data["totals"]["revenue_total"] == by_kec["Mantikulore"]["revenue_total"]


def test_omset_min(kube, demo_registry: Path) -> None:
    rows = kube.json("report", "--omset-min", "25 juta")
    assert rows and list(rows[0]) == ["code", "name", "kelurahan", "kecamatan", "usaha", "year", "revenue"]
    lasoani = next(r for r in rows if r["code"] == "PALU-001")
    assert (lasoani["kelurahan"], lasoani["usaha"], lasoani["year"], lasoani["revenue"]) == (
        "Lasoani", "e-Warong", 2021, 27_450_000)  # fmt: skip
    assert all(r["revenue"] >= 25_000_000 for r in rows)
    assert "2021" in kube("report", "--omset-min", "25 juta").stdout  # names the year it used
    assert kube.json("report", "--omset-min", "1 miliar") == []


def test_omset_min_refuses_a_bad_amount(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        result = kube("report", "--omset-min", "banyak", code=1)
    assert "omset-min 'banyak'" in result.stderr


def test_csv_and_markdown_carry_the_numbers(kube, demo_registry: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(kube("report", "--by", "kecamatan", "--format", "csv").stdout)))
    assert sum(int(r["groups"]) for r in rows) == 77
    assert sum(int(r["members"]) for r in rows) == 385
    summary = list(csv.DictReader(io.StringIO(kube("report", "--format", "csv").stdout)))
    assert summary[0]["section"] == "total" and summary[0]["groups"] == "77"
    markdown = kube("report", "--format", "markdown").stdout
    assert "| e-Warong | 9 | 45 |" in markdown and "| **Total** | **77** | **385** |" in markdown
    by_md = kube("report", "--by", "usaha", "--format", "markdown").stdout
    assert "**77**" in by_md and "**385**" in by_md


def test_table_is_plain_text_and_prints_names_literally(kube, demo_registry: Path) -> None:
    kube("group", "edit", "PALU-001", "--name", "[bold]KUBE Maju[/bold]")
    shown = kube("group", "show", "PALU-001").stdout
    listed = kube("group", "list").stdout
    assert "[bold]KUBE Maju[/bold]" in shown and "[bold]KUBE Maju[/bold]" in listed
    report = kube("report").stdout
    assert "\x1b[" not in report + shown + listed
    assert "77" in report and "385" in report and "Rp" in report


def test_demo_title_is_one_line(kube) -> None:
    out = kube("demo").stdout
    assert "KUBE report — sample registry (fictional people, real kelurahan)\n" in out
