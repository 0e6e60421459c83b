"""Plausibility: implausible amounts, the same aid twice, NIKs born on no calendar day and shared
No. KK are recorded all the same, with a warning, in commands, import, ``check`` and the briefing."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_cli import plausibility
from kube_cli.plausibility import AID_MAX, AID_MIN, MONTH_OMSET_MAX, YEAR_OMSET_MAX

AID_KEYS = ["id", "group_code", "date", "kind", "amount", "source", "note", "void"]


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]


def plausibility_rows(kube) -> list[dict[str, str]]:
    return [p for p in kube.json("check") if p["code"] in plausibility.CODES]


# --- commands ------------------------------------------------------------------------------------


def test_one_miliar_of_aid_is_recorded_with_a_warning_naming_it_in_rupiah(kube, demo_registry: Path) -> None:
    result = kube("aid", "record", "PALU-001", "--amount", "1 M", "--kind", "modal", "--date", "2021-06-15",
                  "--format", "json")  # fmt: skip
    import json

    record = json.loads(result.stdout)  # stdout is the record alone, as before
    assert list(record) == AID_KEYS and record["amount"] == 1_000_000_000
    (line,) = warnings_of(result)
    assert "PALU-001" in line and "Rp1.000.000.000" in line and "over Rp100.000.000" in line


def test_aid_under_fifty_thousand_warns_and_ordinary_aid_does_not(kube, demo_registry: Path) -> None:
    small = kube("aid", "record", "PALU-001", "--amount", "15rb", "--kind", "pelatihan", "--date", "2021-07-01")
    (line,) = warnings_of(small)
    assert "Rp15.000" in line and "under Rp50.000" in line
    ordinary = kube("aid", "record", "PALU-001", "--amount", "5 juta", "--kind", "modal", "--date", "2021-07-01")
    assert warnings_of(ordinary) == [] and "Recorded aid" in ordinary.stderr


def test_the_same_aid_twice_on_one_day_warns_and_voiding_one_settles_it(kube, demo_registry: Path) -> None:
    args = ("aid", "record", "PALU-002", "--amount", "2 juta", "--kind", "peralatan", "--date", "2021-09-09")
    first = kube(*args)
    assert warnings_of(first) == []
    second = kube(*args, "--format", "json")
    (line,) = warnings_of(second)
    assert "PALU-002" in line and "Rp2.000.000" in line and "2 times" in line and "kube aid void" in line
    assert [p["code"] for p in plausibility_rows(kube)] == ["duplicate_aid"]
    import json

    kube("aid", "void", str(json.loads(second.stdout)["id"]), "--reason", "dicatat dua kali")
    assert plausibility_rows(kube) == []
    # on another day, or of another kind, it is another aid
    assert warnings_of(kube(*args[:-1], "2021-09-10")) == []


def test_revenue_over_a_month_or_a_year_warns(kube, demo_registry: Path) -> None:
    month = kube("revenue", "record", "PALU-001", "--amount", "150 juta", "--period", "2022-03")
    (line,) = warnings_of(month)
    assert "Rp150.000.000" in line and "2022-03" in line and "over Rp100.000.000" in line
    year = kube("revenue", "record", "PALU-002", "--amount", "1,5 M", "--period", "2023")
    (line,) = warnings_of(year)
    assert "Rp1.500.000.000" in line and "2023" in line and "over Rp1.000.000.000" in line
    assert warnings_of(kube("revenue", "record", "PALU-003", "--amount", "100 juta", "--period", "2022-01")) == []


def test_months_that_add_up_to_more_than_a_miliar_warn_for_their_year(kube, demo_registry: Path) -> None:
    for month in range(1, 11):
        result = kube("revenue", "record", "PALU-004", "--amount", "95 juta", "--period", f"2024-{month:02d}")
        assert warnings_of(result) == [], result.stderr  # 10 x 95 juta = 950 juta: a busy year, not implausible
    result = kube("revenue", "record", "PALU-004", "--amount", "95 juta", "--period", "2024-11")
    (line,) = warnings_of(result)
    assert "Rp1.045.000.000" in line and "2024" in line


@pytest.mark.parametrize(("nik", "warned"), [
    ("7271087002850001", True),  # a woman born on 30 February
    ("7271083104850001", True),  # 31 April
    ("7271082902010001", True),  # 29 February 1901 or 2001: neither is a leap year
    ("7271082902000001", False),  # 29 February 2000 was (1900 was not: either century will do)
    ("7271086902880001", False),  # a woman born on 29 February 1988
    ("7271081508850001", False),
])  # fmt: skip
def test_a_nik_born_on_no_calendar_day_is_added_with_a_warning(kube, demo_registry: Path, nik, warned) -> None:
    result = kube("member", "add", "PALU-005", "--nik", nik, "--name", "Uji Kalender", "--format", "json")
    lines = warnings_of(result)
    assert bool(lines) is warned, result.stderr
    assert nik not in result.stderr  # masked, in the warning as everywhere
    if warned:
        assert lines[0].startswith(f"Warning: {nik[:6]}******{nik[-4:]}: birth date")
        assert plausibility_rows(kube) == [
            {"severity": "warning", "code": "nik_birth_date", "problem": lines[0].split(": ", 2)[2],
             "target": f"{nik[:6]}******{nik[-4:]}"}]  # fmt: skip


def test_warnings_are_in_indonesian_too(kube, demo_registry: Path) -> None:
    result = kube("--lang", "id", "aid", "record", "PALU-001", "--amount", "1 M", "--kind", "modal",
                  "--date", "2021-06-15")  # fmt: skip
    (line,) = [w for w in result.stderr.splitlines() if "Rp1.000.000.000" in w and "bantuan" in w]
    assert "lebih dari Rp100.000.000" in line and "Juni" in line
    rows = kube.json("--lang", "id", "check")
    assert any(r["code"] == "implausible_amount" and "jumlahnya benar" in r["problem"] for r in rows)


# --- kube check ----------------------------------------------------------------------------------


def test_check_lists_every_kind_of_warning_and_exits_0(kube, demo_registry: Path) -> None:
    assert plausibility_rows(kube) == []  # the sample is plausible
    kube("aid", "record", "PALU-001", "--amount", "1 M", "--kind", "modal", "--date", "2021-06-15")
    for _ in range(2):
        kube("aid", "record", "PALU-002", "--amount", "30rb", "--kind", "lainnya", "--date", "2021-06-16")
    kube("revenue", "record", "PALU-003", "--amount", "2 M", "--period", "2021", "--replace")
    kube("member", "add", "PALU-005", "--nik", "7271087002850001", "--name", "Uji Kalender")
    table = kube("check")  # warnings only: exit 0
    assert "Rp1.000.000.000" in table.stdout and "Rp2.000.000.000" in table.stdout
    rows = plausibility_rows(kube)
    assert all(list(r) == ["severity", "code", "problem", "target"] and r["severity"] == "warning" for r in rows)
    assert [(r["code"], r["target"]) for r in rows] == [
        ("implausible_amount", "PALU-001"), ("implausible_amount", "PALU-002"), ("implausible_amount", "PALU-002"),
        ("duplicate_aid", "PALU-002"), ("implausible_amount", "PALU-003"), ("nik_birth_date", "727108******0001"),
    ]  # fmt: skip
    csv_lines = kube("check", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "severity,code,problem,target" and any(",duplicate_aid," in x for x in csv_lines)


def test_shared_kk_once_members_carry_a_no_kk(kube, demo_registry: Path) -> None:
    """Two current members with one No. KK (``member edit --kk``) are a warning of ``check``."""
    assert plausibility_rows(kube) == []
    kube("member", "edit", "1", "--kk", "7271080101090001")
    kube("member", "edit", "7", "--kk", "7271080101090001")
    kube("member", "edit", "2", "--kk", "7271080101090002")
    with sqlite3.connect(demo_registry) as conn:
        group_of = dict(conn.execute("SELECT m.id, g.code FROM members m JOIN groups g ON g.id = m.group_id"))
    rows = plausibility_rows(kube)
    assert [(r["code"], r["target"]) for r in rows] == [("shared_kk", "727108******0001")]
    assert "2 current members" in rows[0]["problem"] and group_of[7] in rows[0]["problem"]
    assert "7271080101090001" not in kube("check").stdout
    with sqlite3.connect(demo_registry) as conn:
        conn.execute("UPDATE members SET removed_at = '2026-01-01' WHERE id = 7")  # only current members count
    assert plausibility_rows(kube) == []


# --- kube import ---------------------------------------------------------------------------------


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_import_lists_at_most_50_warnings_and_counts_them(kube, demo_registry: Path, tmp_path: Path) -> None:
    days = [date(2022, 1, 1) + timedelta(days=i) for i in range(60)]
    file = write_csv(tmp_path / "bantuan.csv", "group_code,date,kind,amount",
                     [f"PALU-001,{d.isoformat()},modal,10000" for d in days])  # fmt: skip
    dry = kube("import", str(file), "--dry-run", "--format", "json")
    import json

    assert json.loads(dry.stdout)["warnings"] == 60
    result = kube("import", str(file), "--format", "json")
    summary = json.loads(result.stdout)
    assert summary["aid"]["added"] == 60 and summary["warnings"] == 60
    lines = result.stderr.splitlines()
    assert len(warnings_of(result)) == 51 and lines[-1] == "Warning: …and 10 more warnings"
    assert lines[0] == (f"Warning: {file}:2: PALU-001: aid Rp10.000 (modal, 1 January 2022) is under Rp50.000, "
                        "far less than a KUBE gets: is the amount right?")  # fmt: skip
    assert lines[49].startswith(f"Warning: {file}:51: ")  # the first 50 by line
    again = kube("import", str(file), "--format", "json")  # nothing new: nothing to warn of
    assert json.loads(again.stdout)["warnings"] == 0 and warnings_of(again) == []
    assert len(plausibility_rows(kube)) == 60  # check lists them all


def test_import_warns_of_the_same_aid_twice_and_a_big_month(kube, demo_registry: Path, tmp_path: Path) -> None:
    aid = write_csv(tmp_path / "aid.csv", "group_code,date,kind,amount",
                    ["PALU-003,2022-02-02,modal,5000000", "PALU-003,2022-02-02,modal,5000000"])  # fmt: skip
    result = kube("import", str(aid))
    (line,) = warnings_of(result)
    assert f"{aid}:3: PALU-003: the same aid (Rp5.000.000, modal, 2 February 2022) is recorded 2 times" in line
    assert warnings_of(kube("import", str(aid))) == []  # the same file again adds nothing
    kube("aid", "record", "PALU-008", "--amount", "3 juta", "--kind", "modal", "--date", "2022-03-03")
    twice = write_csv(tmp_path / "aid2.csv", "group_code,date,kind,amount",
                      ["PALU-008,2022-03-03,modal,3000000", "PALU-008,2022-03-03,modal,3000000"])  # fmt: skip
    (line,) = warnings_of(kube("import", str(twice)))  # one copy is the recorded one, the other is new
    assert f"{twice}:3: PALU-008: the same aid (Rp3.000.000, modal, 3 March 2022) is recorded 2 times" in line
    assert result.stderr.splitlines()[-1].endswith("; warnings: 1, listed above")
    revenue = write_csv(tmp_path / "omset.csv", "group_code,period,amount",
                        ["PALU-004,2022-01,2000000", "PALU-004,2022-02,250000000"])  # fmt: skip
    (line,) = warnings_of(kube("import", str(revenue)))
    assert f"{revenue}:3: PALU-004: revenue Rp250.000.000 for the month 2022-02" in line


def test_import_warns_of_a_year_over_a_miliar_with_the_months_already_recorded(
    kube, demo_registry: Path, tmp_path: Path
) -> None:
    for month in range(1, 7):
        kube("revenue", "record", "PALU-006", "--amount", "90 juta", "--period", f"2025-{month:02d}")
    revenue = write_csv(tmp_path / "omset.csv", "group_code,period,amount",
                        [f"PALU-006,2025-{m:02d},90000000" for m in range(7, 13)])  # fmt: skip
    result = kube("import", str(revenue), "--format", "json")
    (line,) = warnings_of(result)
    assert "PALU-006: revenue Rp1.080.000.000 for the year 2025" in line
    assert plausibility_rows(kube)[0]["problem"] == line.split(": ", 3)[3]  # check says the same
    again = kube("import", str(revenue), "--format", "json")  # changes nothing: warns of nothing
    assert warnings_of(again) == [] and '"warnings": 0' in again.stdout
    yearly = write_csv(tmp_path / "tahunan.csv", "group_code,period,amount", ["PALU-007,2025,1000000001"])
    (line,) = warnings_of(kube("import", str(yearly)))
    assert "PALU-007: revenue Rp1.000.000.001 for the year 2025" in line


def test_import_warns_of_a_member_born_on_31_april(kube, demo_registry: Path, tmp_path: Path) -> None:
    members = write_csv(tmp_path / "anggota.csv", "group_code,nik,name",
                        ["PALU-007,7271083104900003,Uji April", "PALU-007,7271081504900004,Uji Biasa"])  # fmt: skip
    result = kube("import", str(members), "--format", "json")
    (line,) = warnings_of(result)
    assert line == f"Warning: {members}:2: 727108******0003: birth date: 31-04 is not on the calendar; check the NIK"
    assert "7271083104900003" not in result.stderr


# --- the briefing --------------------------------------------------------------------------------


def test_briefing_warns_on_stderr_of_what_its_numbers_hold(kube, demo_registry: Path) -> None:
    clean = kube("report", "briefing")
    assert clean.stderr == ""
    kube("aid", "record", "PALU-001", "--amount", "1 M", "--kind", "modal", "--date", "2021-06-15")
    for fmt in ("text", "json"):
        result = kube("report", "briefing", "--format", fmt)
        (line,) = warnings_of(result)
        assert "PALU-001" in line and "Rp1.000.000.000" in line and "kube check" in line
    text = kube("report", "briefing")
    assert "Rp2,58 miliar" in text.stdout and text.stdout == kube("report", "briefing").stdout
    assert warnings_of(kube("report", "briefing", "--year", "2020")) == []  # not in that year's numbers
    assert warnings_of(kube("report", "briefing", "--kecamatan", "Tatanga")) == []  # nor in Tatanga's
    kube("member", "add", "PALU-005", "--nik", "7271087002850001", "--name", "Uji Kalender")
    assert len(warnings_of(kube("report", "briefing"))) == 1  # a NIK's date changes no number it states


def test_briefing_stdout_is_the_same_with_or_without_warnings(kube, demo_registry: Path) -> None:
    kube("aid", "record", "PALU-001", "--amount", "30rb", "--kind", "modal", "--date", "2021-06-15")
    result = kube("report", "briefing", "--format", "json")
    import json

    assert set(json.loads(result.stdout)) == {"paragraph", "numbers"}
    assert warnings_of(result)


# --- the rules themselves ------------------------------------------------------------------------


def test_thresholds_are_the_contracts() -> None:
    assert (AID_MIN, AID_MAX, MONTH_OMSET_MAX, YEAR_OMSET_MAX) == (50_000, 100_000_000, 100_000_000, 1_000_000_000)
    assert plausibility.aid_amount(AID_MIN, "modal", "2021-01-01") is None
    assert plausibility.aid_amount(AID_MAX, "modal", "2021-01-01") is None
    assert plausibility.aid_amount(AID_MIN - 1, "modal", "2021-01-01")
    assert plausibility.aid_amount(AID_MAX + 1, "modal", "2021-01-01")
    assert plausibility.month_omset(MONTH_OMSET_MAX, "2021-01") is None
    assert plausibility.month_omset(MONTH_OMSET_MAX + 1, "2021-01")
    assert plausibility.month_omset(MONTH_OMSET_MAX + 1, "2021") is None  # a year has its own limit
    assert plausibility.year_omset(YEAR_OMSET_MAX, 2021) is None
    assert plausibility.year_omset(YEAR_OMSET_MAX + 1, 2021)


def _sql_bad(niks: list[str]) -> list[bool]:
    conn = sqlite3.connect(":memory:")
    sql = f"SELECT {plausibility.nik_birth_date_bad_sql('?')}"
    return [bool(conn.execute(sql.replace("?", "?1"), (nik,)).fetchone()[0]) for nik in niks]


niks = st.builds(
    lambda day, month, yy, rest: f"727108{day:02d}{month:02d}{yy:02d}{rest:04d}",
    st.one_of(st.integers(0, 35), st.integers(38, 75)), st.integers(0, 13), st.integers(0, 99), st.integers(0, 9999),
)  # fmt: skip


@given(st.lists(niks, min_size=1, max_size=20))
def test_nik_birth_date_rule_in_python_and_in_sql_agree(batch: list[str]) -> None:
    ok = [plausibility.nik_birth_date_ok(nik) for nik in batch]
    assert _sql_bad(batch) == [not x for x in ok]
    for nik, fine in zip(batch, ok, strict=True):
        assert (plausibility.nik_birth_date(nik) is None) == fine


@given(st.integers(1, 71).filter(lambda d: d <= 31 or d >= 41), st.integers(1, 12), st.integers(0, 99))
def test_nik_birth_date_rule_is_the_calendar(day: int, month: int, yy: int) -> None:
    nik = f"727108{day:02d}{month:02d}{yy:02d}0001"
    expected = any(_valid(century + yy, month, day - 40 if day > 40 else day) for century in (1900, 2000))
    assert plausibility.nik_birth_date_ok(nik) is expected
    if (day % 40, month) == (29, 2):
        assert expected is (yy % 4 == 0)  # 00: 2000 was a leap year, though 1900 was not


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def test_every_calendar_day_passes_and_a_few_that_are_not_fail() -> None:
    day = date(1950, 1, 1)
    while day.year < 2050:
        for women in (0, 40):
            nik = f"727108{day.day + women:02d}{day.month:02d}{day.year % 100:02d}0001"
            assert plausibility.nik_birth_date_ok(nik), nik
        day += timedelta(days=1)
    for bad in ("7271083002850001", "7271083104850001", "7271087102850001", "7271080013850001", "7271083206850001"):
        assert not plausibility.nik_birth_date_ok(bad)
    assert _sql_bad(["7271083002850001", "7271082902000001"]) == [True, False]


def test_staged_members_sharing_a_no_kk_once_imports_stage_it(palu: Path) -> None:
    """The import's half of the No. KK rule, for when ``temp.sm`` carries ``kk`` (members.kk's own change)."""
    from kube_cli.db import open_registry

    with open_registry(palu, "petugas-uji") as registry:
        conn = registry.conn
        conn.execute("CREATE TEMP TABLE sm (line INTEGER PRIMARY KEY, code TEXT, nik TEXT, name TEXT, role TEXT, "
                     "gender TEXT, pkh INTEGER, kk TEXT)")  # fmt: skip
        rows = [(2, "K-1", "7271081508850001", "7271080101090001"), (3, "K-2", "7271081508850002", "7271080101090001"),
                (4, "K-2", "7271081508850003", "7271080101090002"), (5, "K-2", "7271081508850004", "")]  # fmt: skip
        conn.executemany("INSERT INTO sm (line, code, nik, kk) VALUES (?, ?, ?, ?)", rows)
        found = list(plausibility.staged_findings(conn, "members", "1"))
        conn.execute("DROP TABLE temp.sm")
    assert [(line, f.code, f.target) for line, f in found] == [(2, "shared_kk", "727108******0001")]
    assert "K-1, K-2" in found[0][1].problem or "K-2, K-1" in found[0][1].problem


def test_briefing_lists_at_most_50_warnings(kube, demo_registry: Path, tmp_path: Path) -> None:
    days = [date(2021, 1, 1) + timedelta(days=i) for i in range(55)]
    file = write_csv(tmp_path / "bantuan.csv", "group_code,date,kind,amount",
                     [f"PALU-001,{d.isoformat()},modal,10000" for d in days])  # fmt: skip
    kube("import", str(file))
    lines = warnings_of(kube("report", "briefing"))
    assert len(lines) == 51 and lines[-1] == "Warning: …and 5 more warnings"
