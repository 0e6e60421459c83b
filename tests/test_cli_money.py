"""``kube aid …`` and ``kube revenue …``: money in whole Rupiah, voids and replacements kept honest."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import one_line

AID_KEYS = ["id", "group_code", "date", "kind", "amount", "source", "note", "void"]
REVENUE_KEYS = ["group_code", "period", "amount", "note"]


def test_aid_record_and_list(kube, demo_registry: Path) -> None:
    aid = kube.json("aid", "record", "PALU-001", "--amount", "Rp 2.500.000,00", "--kind", "pelatihan",
                    "--date", "15/06/2021", "--source", "APBD")  # fmt: skip
    assert list(aid) == AID_KEYS
    assert (aid["amount"], aid["date"], aid["kind"], aid["void"]) == (2_500_000, "2021-06-15", "pelatihan", False)
    listed = kube.json("aid", "list", "PALU-001", "--year", "2021")
    assert aid in listed and all(type(r["amount"]) is int for r in listed)
    assert kube.json("aid", "list", "PALU-001", "--year", "2020") == []


def test_aid_void_stops_counting_and_twice_is_refused(kube, demo_registry: Path, unchanged) -> None:
    before = kube.json("report")["totals"]["aid_total"]
    aid = kube.json("aid", "record", "PALU-001", "--amount", "5jt", "--kind", "modal", "--date", "2021-07-01")
    assert kube.json("report")["totals"]["aid_total"] == before + 5_000_000
    voided = kube.json("aid", "void", str(aid["id"]), "--reason", "dicatat dua kali")
    assert voided["void"] is True
    assert kube.json("report")["totals"]["aid_total"] == before
    assert any(r["id"] == aid["id"] and r["void"] for r in kube.json("aid", "list", "PALU-001"))  # still listed
    entry = kube.json("log")[0]
    assert entry["action"] == "aid.void" and "dicatat dua kali" in entry["detail"]
    with unchanged():
        one_line(kube("aid", "void", str(aid["id"]), "--reason", "lagi", code=1), f"id '{aid['id']}'", "already void")
        one_line(kube("aid", "void", "99999", "--reason", "x", code=1), "id '99999'")
        one_line(kube("aid", "void", "satu", "--reason", "x", code=1), "id 'satu'")


def test_aid_refusals(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        one_line(kube("aid", "record", "NOPE", "--amount", "5jt", "--kind", "modal", code=1), "code 'NOPE'")
        one_line(kube("aid", "record", "PALU-001", "--amount", "5jt", "--kind", "modal", "--date", "2021-02-29",
                      code=1), "date '2021-02-29'")  # fmt: skip


def test_revenue_for_a_recorded_period_needs_replace(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():
        one_line(kube("revenue", "record", "PALU-001", "--amount", "30 juta", "--period", "2021", code=1),
                 "period '2021'", "Rp27.450.000", "--replace")  # fmt: skip
    row = kube.json("revenue", "record", "PALU-001", "--amount", "30 juta", "--period", "2021", "--replace")
    assert row == {"group_code": "PALU-001", "period": "2021", "amount": 30_000_000, "note": ""}
    assert kube.json("revenue", "list", "PALU-001") == [row]
    assert "replaced=27450000" in kube.json("log")[0]["detail"]


def test_yearly_and_monthly_revenue_never_mix(kube, demo_registry: Path, unchanged) -> None:
    with unchanged():  # PALU-001 has a yearly 2021 record
        one_line(kube("revenue", "record", "PALU-001", "--amount", "1jt", "--period", "2021-03", code=1),
                 "period '2021-03'", "yearly")  # fmt: skip
    months = kube.json("revenue", "list", "PALU-002", "--year", "2021")
    assert len(months) > 1 and all(len(m["period"]) == 7 for m in months)
    with unchanged():
        one_line(kube("revenue", "record", "PALU-002", "--amount", "9jt", "--period", "2021", code=1),
                 "period '2021'", "monthly")  # fmt: skip
    kube("revenue", "record", "PALU-002", "--amount", "9jt", "--period", "2021", "--replace")
    assert kube.json("revenue", "list", "PALU-002", "--year", "2021") == [
        {"group_code": "PALU-002", "period": "2021", "amount": 9_000_000, "note": ""}]  # fmt: skip
    kube("revenue", "record", "PALU-002", "--amount", "750rb", "--period", "2021-3", "--replace")
    assert kube.json("revenue", "list", "PALU-002", "--year", "2021") == [
        {"group_code": "PALU-002", "period": "2021-03", "amount": 750_000, "note": ""}]  # fmt: skip


def test_revenue_list_shape_and_table_total(kube, demo_registry: Path) -> None:
    rows = kube.json("revenue", "list", "--year", "2021")
    assert rows and list(rows[0]) == REVENUE_KEYS and all(type(r["amount"]) is int for r in rows)
    table = kube("revenue", "list", "PALU-001").stdout
    assert "Rp27.450.000" in table


def test_money_in_csv_is_a_plain_integer(kube, demo_registry: Path) -> None:
    lines = kube("revenue", "list", "PALU-001", "--format", "csv").stdout.splitlines()
    assert lines[0] == "group_code,period,amount,note"
    assert lines[1].startswith("PALU-001,2021,27450000,")
