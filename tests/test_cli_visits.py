"""``kube visit record|list|remove``, ``kube due`` and what they feed: the briefing, merge, the demo."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import one_line, snapshot
from tests.test_merge import Officer

VISIT_KEYS = ["id", "group_code", "date", "officer", "business", "bookkeeping", "members_present", "note"]
TODAY = date.today()


def visit(kube, code: str, *extra: str, code_: int = 0):
    return kube("visit", "record", code, *extra, code=code_)


def test_a_visit_is_recorded_today_by_the_officer_and_listed(kube, demo_registry: Path) -> None:
    row = kube.json("--officer", "Rahmat", "visit", "record", "PALU-001", "--business", "running", "--bookkeeping",
                    "--members-present", "4", "--note", "stok lengkap")  # fmt: skip
    assert list(row) == VISIT_KEYS
    assert (row["group_code"], row["officer"], row["business"], row["bookkeeping"], row["members_present"]) == (
        "PALU-001", "Rahmat", "running", True, 4)  # fmt: skip
    assert abs((date.fromisoformat(row["date"]) - TODAY).days) <= 1  # the officer's local day
    listed = kube.json("visit", "list", "PALU-001")
    assert listed[-1] == row and all(list(v) == VISIT_KEYS for v in listed)
    assert kube.json("log", "--limit", "1")[0]["action"] == "visit.record"


def test_visit_with_omset_records_revenue_in_the_same_transaction(kube, palu: Path, unchanged) -> None:
    kube("group", "add", "KUBE Uji", "--kelurahan", "lasoani", "--usaha", "kuliner", "--code", "U-1", "--year", "2024")
    row = kube.json("visit", "record", "U-1", "--date", "2025-03-14", "--business", "running", "--omset", "1,5 juta")
    assert row["revenue"] == {"group_code": "U-1", "period": "2025-03", "amount": 1_500_000, "note": ""}
    with unchanged():  # the period has a record: the visit is refused with it
        result = kube("visit", "record", "U-1", "--date", "2025-03-20", "--business", "running", "--omset", "2 juta",
                      code=1)  # fmt: skip
    one_line(result, "period '2025-03'", "--replace")
    kube("visit", "record", "U-1", "--date", "2025-03-20", "--business", "running", "--omset", "2 juta", "--replace")
    kube(
        "visit",
        "record",
        "U-1",
        "--date",
        "2025-04-02",
        "--business",
        "running",
        "--omset",
        "3jt",
        "--period",
        "2025",
        "--replace",
    )  # the yearly record replaces the months, as `revenue record --replace` does
    assert kube.json("revenue", "list", "U-1") == [{"group_code": "U-1", "period": "2025", "amount": 3_000_000,
                                                    "note": ""}]  # fmt: skip
    assert len(kube.json("visit", "list", "U-1")) == 3
    with unchanged():
        one_line(kube("visit", "record", "U-1", "--business", "running", "--omset", "nol", code=1), "omset 'nol'")


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["PALU-001", "--business", "jalan-jalan"], "business 'jalan-jalan'"),
     (["PALU-001", "--business", "stoped"], "did you mean 'stopped'?"),
     (["PALU-001", "--business", "running", "--date", (TODAY + timedelta(days=2)).isoformat()], "in the future"),
     (["NOPE-1", "--business", "running"], "code 'NOPE-1'"),
     (["PALU-001", "--business", "running", "--members-present", "6"], "members-present '6'"),
     (["PALU-001", "--business", "running", "--members-present", "lima"], "members-present 'lima'"),
     (["PALU-001", "--business", "running", "--period", "2021"], "--omset")],
)  # fmt: skip
def test_bad_visits_are_refused_one_line_and_nothing_written(kube, demo_registry, unchanged, args, needle) -> None:
    with unchanged():
        result = kube("visit", "record", *args, code=1)
    one_line(result, needle)


def test_a_nonaktif_group_can_be_visited(kube, demo_registry: Path) -> None:
    kube("group", "edit", "PALU-002", "--status", "nonaktif")
    row = kube.json("visit", "record", "PALU-002", "--business", "stopped", "--note", "usaha tutup")
    assert row["business"] == "stopped"


def test_visit_remove_is_a_soft_delete_kept_in_the_history(kube, demo_registry: Path, unchanged) -> None:
    row = kube.json("visit", "record", "PALU-001", "--business", "stalled", "--date", "2026-01-05")
    kube("visit", "remove", str(row["id"]), "--reason", "salah kelompok", "--yes")
    assert row["id"] not in [v["id"] for v in kube.json("visit", "list")]
    stored = sqlite3.connect(demo_registry).execute(
        "SELECT removed_at IS NOT NULL, removal_reason FROM visits WHERE id = ?", (row["id"],)).fetchone()  # fmt: skip
    assert stored == (1, "salah kelompok")
    with unchanged():
        one_line(kube("visit", "remove", str(row["id"]), "--reason", "lagi", "--yes", code=1), "already removed")
        one_line(kube("visit", "remove", "99999", "--reason", "x", "--yes", code=1), "id '99999'")


def test_visit_list_filters_by_group_date_year_and_officer(kube, palu: Path) -> None:
    kube("group", "add", "KUBE Uji", "--kelurahan", "lasoani", "--usaha", "kuliner", "--code", "U-1", "--year", "2023")
    kube("group", "add", "KUBE Dua", "--kelurahan", "talise", "--usaha", "kuliner", "--code", "U-2", "--year", "2023")
    kube("--officer", "Rahmat", "visit", "record", "U-1", "--business", "running", "--date", "2024-06-01")
    kube("--officer", "Wahyuni", "visit", "record", "U-2", "--business", "stalled", "--date", "2025-02-01")
    kube("--officer", "rahmat", "visit", "record", "U-2", "--business", "running", "--date", "2025-08-01")
    assert [v["date"] for v in kube.json("visit", "list", "U-2")] == ["2025-02-01", "2025-08-01"]
    assert [v["date"] for v in kube.json("visit", "list", "--since", "2025-01-01")] == ["2025-02-01", "2025-08-01"]
    assert [v["date"] for v in kube.json("visit", "list", "--year", "2024")] == ["2024-06-01"]
    assert [v["group_code"] for v in kube.json("visit", "list", "--officer", "RAHMAT")] == ["U-1", "U-2"]
    csv_lines = kube("visit", "list", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == ",".join(VISIT_KEYS) and csv_lines[2].endswith(",stalled,tidak,,")


# --- kube due --------------------------------------------------------------------------------------


@pytest.fixture
def worklist(kube, palu: Path) -> Path:
    """Five groups registered in 2022 with a ketua and five members (not due on those counts), and one
    new group of 2025 with two members, on 2025-06-30."""

    def group(code: str, year: str = "2022", members: int = 5, ketua: bool = True) -> None:
        kube("group", "add", f"KUBE {code}", "--kelurahan", "lasoani" if code != "E" else "talise", "--usaha",
             "kuliner", "--code", code, "--year", year)  # fmt: skip
        for n in range(members):
            nik = f"727108010190{ord(code[0]) - 60:02d}{n:02d}"
            role = ["--role", "ketua"] if ketua and n == 0 else []
            kube("member", "add", code, "--nik", nik, "--name", f"Anggota {code}{n}", *role)
        kube("revenue", "record", code, "--amount", "5 juta", "--period", "2024")

    for code in "ABCDE":
        group(code)
    group("F", year="2025", members=2, ketua=False)
    for day in ("2023-09-01", "2024-03-01", "2024-09-01", "2025-03-01"):  # A: visited, running with books
        kube("--officer", "Rahmat", "visit", "record", "A", "--business", "running", "--bookkeeping", "--date", day)
    kube("--officer", "Rahmat", "visit", "record", "B", "--business", "stalled", "--date", "2025-06-01")
    kube("--officer", "Wahyuni", "visit", "record", "C", "--business", "running", "--date", "2025-06-20")
    kube("--officer", "Wahyuni", "visit", "record", "E", "--business", "stopped", "--date", "2025-01-10")
    kube("--officer", "Wahyuni", "visit", "record", "E", "--business", "running", "--date", "2025-07-10")  # after
    return palu


def test_due_orders_the_worklist_and_names_stable_reasons(kube, worklist: Path) -> None:
    rows = kube.json("due", "--as-of", "2025-06-30")
    assert all(list(r) == ["code", "name", "kelurahan", "kecamatan", "last_visit", "reasons"] for r in rows)
    got = [(r["code"], r["last_visit"], r["reasons"]) for r in rows]
    assert got == [
        ("E", "2025-01-10", ["not_visited_days", "business_stopped"]),  # the visit of 10 July is after the day
        ("B", "2025-06-01", ["business_stalled"]),
        ("F", None, ["never_visited", "too_few_members", "no_ketua"]),  # registered this year: no revenue asked
        ("D", None, ["never_visited"]),  # never visited too, with fewer reasons
        ("A", "2025-03-01", ["not_visited_days", "stage_review"]),
    ]  # C was visited 10 days before, runs, has revenue: not due
    assert rows[0]["kelurahan"] == "Talise" and rows[0]["kecamatan"] == "Mantikulore"


def test_due_days_kecamatan_officer_and_the_next_year(kube, worklist: Path) -> None:
    assert [r["code"] for r in kube.json("due", "--as-of", "2025-06-30", "--days", "200")] == ["E", "B", "F", "D", "A"]
    assert "not_visited_days" not in kube.json("due", "--as-of", "2025-06-30", "--days", "200")[-1]["reasons"]
    assert [r["code"] for r in kube.json("due", "--as-of", "2025-06-30", "--officer", "rahmat")] == ["B", "F", "D", "A"]
    assert [r["code"] for r in kube.json("due", "--as-of", "2025-06-30", "--kecamatan", "mantikulore")] == [
        "E",
        "B",
        "F",
        "D",
        "A",
    ]  # fmt: skip (Lasoani and Talise are both in Mantikulore)
    assert kube.json("due", "--as-of", "2025-06-30", "--kecamatan", "palu barat") == []
    next_year = {r["code"]: r["reasons"] for r in kube.json("due", "--as-of", "2026-01-15")}
    assert "no_revenue_last_year" in next_year["C"] and "no_revenue_last_year" in next_year["F"]


def test_due_in_words_in_both_languages(kube, worklist: Path) -> None:
    english = kube("due", "--as-of", "2025-06-30").stdout
    assert "business stopped at the last visit" in english and "not visited for 171 days" in english
    indonesian = kube("--lang", "id", "due", "--as-of", "2025-06-30").stdout
    assert "belum pernah dikunjungi" in indonesian and "171 hari" in indonesian
    csv_lines = kube("due", "--as-of", "2025-06-30", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "code,name,kelurahan,kecamatan,last_visit,reasons"
    assert csv_lines[1].endswith(",2025-01-10,not_visited_days;business_stopped")


def test_due_refuses_bad_options_with_one_line(kube, worklist: Path, unchanged) -> None:
    with unchanged():
        one_line(kube("due", "--as-of", "31/02/2025", code=1), "as-of '31/02/2025'")
        one_line(kube("due", "--kecamatan", "atlantis", code=1), "kecamatan 'atlantis'")
        one_line(kube("due", "--days", "0", code=1), "days '0'")


def test_the_demo_registry_has_a_real_worklist_on_any_day(kube, demo_registry: Path) -> None:
    rows = kube.json("due")
    reasons = {reason for r in rows for reason in r["reasons"]}
    assert {"never_visited", "business_stalled", "business_stopped", "not_visited_days"} <= reasons
    assert rows[0]["reasons"][0] in ("not_visited_days", "business_stalled", "business_stopped")
    assert len(kube.json("visit", "list")) > 300


# --- the briefing, merge ---------------------------------------------------------------------------


def test_briefing_visit_numbers_reconcile_with_visit_list(kube, worklist: Path) -> None:
    numbers = kube.json("report", "briefing", "--year", "2025")["numbers"]
    visits = kube.json("visit", "list", "--year", "2025")
    last: dict[str, str] = {}
    for v in visits:  # oldest first: the last one per group wins
        last[v["group_code"]] = v["business"]
    assert numbers["visits_year"] == 2025
    assert numbers["visited_groups"] == len(last) == 4
    assert numbers["visited_running"] == sum(b == "running" for b in last.values()) == 3
    assert kube.json("report", "briefing")["numbers"]["visits_year"] == 2025  # the latest year with visits
    paragraph = kube("report", "briefing", "--year", "2025").stdout
    assert "4 kelompok" in paragraph and "3 di antaranya" in paragraph


def test_visits_merge_between_laptops_like_every_record(kube, tmp_path: Path, demo_registry: Path) -> None:
    andi = Officer(kube, Path(shutil.copy(demo_registry, tmp_path / "andi.db")), "andi")
    budi = Officer(kube, Path(shutil.copy(demo_registry, tmp_path / "budi.db")), "budi")
    budi("visit", "record", "PALU-001", "--business", "running", "--bookkeeping", "--date", "2026-02-02")
    andi("visit", "record", "PALU-002", "--business", "stalled", "--date", "2026-02-03", "--note", "dobel")
    first = andi.merge(budi)
    assert first["tables"]["visits"]["added"] == 1
    budi.merge(andi)
    rows = {json.dumps(v, sort_keys=True) for v in kube.json("--db", str(andi.path), "visit", "list")}
    assert {json.dumps({**v, "id": None}, sort_keys=True) for v in map(json.loads, rows)} == {
        json.dumps({**v, "id": None}, sort_keys=True) for v in kube.json("--db", str(budi.path), "visit", "list")
    }
    removed = next(v for v in kube.json("--db", str(budi.path), "visit", "list") if v["note"] == "dobel")
    budi("visit", "remove", str(removed["id"]), "--reason", "dobel", "--yes")
    assert andi.merge(budi)["tables"]["visits"]["updated"] == 1
    assert "dobel" not in [v["note"] for v in kube.json("--db", str(andi.path), "visit", "list")]
    before = snapshot(andi.path)
    assert andi.merge(budi)["added"] == 0 and snapshot(andi.path) == before


def test_a_registry_without_visits_merges_as_it_is(kube, tmp_path: Path) -> None:
    data = Path(__file__).parent / "data"
    office = Officer(kube, Path(shutil.copy(data / "registry-v7-office.db", tmp_path / "office.db")), "kantor")
    old = tmp_path / "old.db"
    shutil.copy(data / "registry-v7-laptop.db", old)
    office("visit", "record", office.kube.json("--db", str(office.path), "group", "list")[0]["code"], "--business",
           "running")  # fmt: skip
    summary = office.merge(Officer(kube, old, "lapangan"))
    assert summary["tables"]["visits"] == {"added": 0, "updated": 0, "unchanged": 1}


# --- import and export -----------------------------------------------------------------------------

VISIT_HEADER = "group_code,date,officer,business,bookkeeping,members_present,note"


def test_export_visits_imports_back_as_it_is(kube, demo_registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "kunjungan.csv"
    kube("export", "visits", "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == VISIT_HEADER and len(lines) == 1 + len(kube.json("visit", "list"))
    before = snapshot(demo_registry)
    summary = kube.json("import", str(out))
    assert summary["kind"] == "visits" and summary["visits"] == {"added": 0, "changed": 0, "unchanged": len(lines) - 1}
    assert snapshot(demo_registry) == before


def test_import_visits_from_an_office_sheet(kube, demo_registry: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "monev.csv"
    sheet.write_text("Kode KUBE;Tanggal;Petugas;Kondisi Usaha;Pembukuan;Anggota Hadir;Keterangan\n"
                     "PALU-001;03/02/2026;Rahmat Lasantu;berjalan;ya;5;stok lengkap\n"
                     "PALU-002;2026-02-04;;macet;tidak;;modal habis\n", encoding="utf-8")  # fmt: skip
    summary = kube.json("import", str(sheet))
    assert summary["visits"]["added"] == 2
    mine = [v for v in kube.json("visit", "list", "--since", "2026-02-03") if v["note"] in ("stok lengkap", "modal habis")
            and v["date"] in ("2026-02-03", "2026-02-04")]  # fmt: skip
    assert {(v["group_code"], v["officer"], v["business"], v["bookkeeping"]) for v in mine} >= {
        ("PALU-001", "Rahmat Lasantu", "running", True), ("PALU-002", "petugas-uji", "stalled", False)}  # fmt: skip
    assert kube.json("import", str(sheet))["visits"]["added"] == 0  # the same sheet again adds nothing


def test_bad_visit_rows_are_refused_by_line_and_nothing_written(kube, demo_registry, tmp_path, unchanged) -> None:
    future = (TODAY + timedelta(days=3)).isoformat()
    sheet = tmp_path / "monev.csv"
    sheet.write_text(VISIT_HEADER + "\n" + "\n".join([
        "PALU-001,2026-01-05,Rahmat,running,ya,5,",
        f"PALU-001,{future},Rahmat,running,ya,5,",
        "NOPE-1,2026-01-05,Rahmat,running,ya,5,",
        "PALU-002,2026-01-05,Rahmat,jalan-jalan,ya,5,",
        "PALU-003,2026-01-05,Rahmat,running,ya,9,",
    ]) + "\n", encoding="utf-8")  # fmt: skip
    with unchanged():
        result = kube("import", str(sheet), "--kind", "visits", code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4
    assert "monev.csv:3: date" in lines[0] and "in the future" in lines[0]
    assert "monev.csv:4: group_code 'NOPE-1'" in lines[1]
    assert "monev.csv:5: business 'jalan-jalan'" in lines[2]
    assert "monev.csv:6: members_present '9'" in lines[3]


def test_household_and_stage_columns_import_and_export(kube, demo_registry: Path, tmp_path: Path) -> None:
    kube("member", "edit", "1", "--kk", "7271050101010001", "--phone", "0812 3456 7890", "--desil", "3")
    kube("group", "edit", "PALU-001", "--stage", "mandiri")
    members, groups = tmp_path / "anggota.csv", tmp_path / "kube.csv"
    kube("export", "members", "--show-nik", "-o", str(members))
    kube("export", "groups", "-o", str(groups))
    assert members.read_text().splitlines()[0].endswith(",pkh_graduate,kk,phone,desil")
    assert groups.read_text().splitlines()[0].endswith(",status,stage")
    before = snapshot(demo_registry)
    assert kube.json("import", str(members))["members"]["changed"] == 0
    assert kube.json("import", str(groups))["groups"]["changed"] == 0
    assert snapshot(demo_registry) == before
    sheet = tmp_path / "dtsen.csv"
    sheet.write_text("Kode KUBE,NIK,Nama,No KK,No. HP,Desil\n"
                     "PALU-002,7271084506859902,Siti Rahma,'7271050101010002,0813-1111-2222,2\n", encoding="utf-8")  # fmt: skip
    kube("import", str(sheet))
    added = next(m for m in kube.json("member", "list", "PALU-002", "--show-nik") if m["nik"] == "7271084506859902")
    assert (added["kk"], added["phone"], added["desil"]) == ("7271050101010002", "+6281311112222", 2)
    stages = tmp_path / "tahap.csv"
    stages.write_text("kode,nama,kelurahan,usaha,tahap\nPALU-001,KUBE Sejahtera Lasoani,Lasoani,e-Warong,pengembangan\n",
                      encoding="utf-8")  # fmt: skip
    assert kube("import", str(stages), code=1).stderr.count("--replace") == 1
    kube("import", str(stages), "--replace")
    assert kube.json("group", "show", "PALU-001")["stage"] == "pengembangan"


def test_a_no_kk_that_a_spreadsheet_made_a_number_is_refused(kube, demo_registry, tmp_path, unchanged) -> None:
    sheet = tmp_path / "kk.csv"
    sheet.write_text("group_code,nik,name,kk\nPALU-002,7271084506859902,Siti Rahma,7.27105E+15\n", encoding="utf-8")
    with unchanged():
        result = kube("import", str(sheet), code=1)
    one_line(result, "kk '7.27105E+15'", "No. KK column as Text")
    masked = tmp_path / "masked.csv"
    masked.write_text("group_code,nik,name,kk,phone\nPALU-002,7271084506859902,Siti Rahma,727105******0001,"
                      "+62******7890\n", encoding="utf-8")  # fmt: skip
    with unchanged():
        result = kube("import", str(masked), code=1)
    assert result.stderr.count("is masked") == 2


def _both_ways(path: Path, as_of: str, **scope) -> tuple[list, list]:
    from kube_cli import worklist

    conn = sqlite3.connect(path)
    try:
        s = worklist.Scope(date.fromisoformat(as_of), **scope)
        return [sorted(conn.execute(worklist.due_sql(s, summary), s.params).fetchall()) for summary in (True, False)]
    finally:
        conn.close()


def test_the_visit_summary_answers_as_the_visits_do(kube, worklist: Path) -> None:
    """``visit_summary`` (kept by triggers) and one pass over the visits give the same worklist."""
    kube("visit", "record", "B", "--business", "running", "--bookkeeping", "--date", "2025-08-01")
    kube("visit", "record", "B", "--business", "running", "--bookkeeping", "--date", "2025-08-01")  # same day
    for scope in ({}, {"days": 30}, {"officer": "Wahyuni"}, {"kecamatan_kode": "72.71.08"}):
        fast, slow = _both_ways(worklist, "2026-01-15", **scope)
        assert fast == slow and fast, scope
    removed = next(v for v in kube.json("visit", "list", "E") if v["date"] == "2025-07-10")
    kube("visit", "remove", str(removed["id"]), "--reason", "salah", "--yes")
    fast, slow = _both_ways(worklist, "2026-01-15")
    assert fast == slow
    assert next(r for r in kube.json("due", "--as-of", "2026-01-15") if r["code"] == "E")["last_visit"] == "2025-01-10"


def test_the_demo_worklist_is_the_same_either_way(demo_registry: Path) -> None:
    fast, slow = _both_ways(demo_registry, (TODAY + timedelta(days=1)).isoformat())
    assert fast == slow and len(fast) > 10


def test_the_roster_carries_status_stage_and_household_columns(kube, demo_registry: Path, tmp_path: Path) -> None:
    kube("member", "edit", "1", "--kk", "7271050101010001", "--phone", "081234567890", "--desil", "3")
    kube("group", "edit", "PALU-001", "--stage", "mandiri")
    roster = tmp_path / "roster.csv"
    kube("export", "roster", "--show-nik", "-o", str(roster))
    lines = roster.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",pkh_graduate,status,stage,kk,phone,desil")
    assert lines[1].endswith(",aktif,mandiri,7271050101010001,'+6281234567890,3")
    before = snapshot(demo_registry)
    assert kube.json("import", str(roster))["members"]["changed"] == 0
    assert snapshot(demo_registry) == before


def test_a_hand_edited_visit_in_the_other_registry_is_refused(kube, tmp_path: Path, demo_registry: Path) -> None:
    andi = Officer(kube, Path(shutil.copy(demo_registry, tmp_path / "andi.db")), "andi")
    budi = Officer(kube, Path(shutil.copy(demo_registry, tmp_path / "budi.db")), "budi")
    budi("visit", "record", "PALU-001", "--business", "running", "--date", "2026-02-02", "--note", "diubah")
    with sqlite3.connect(budi.path) as conn:
        conn.execute("UPDATE visits SET date = '2026-2-2', members_present = 99 WHERE note = 'diubah'")
    before = snapshot(andi.path)
    result = andi.merge(budi, code=1)
    assert "date '2026-2-2'" in result.stderr and snapshot(andi.path) == before


def test_check_recounts_the_visit_summary(kube, demo_registry: Path) -> None:
    assert not [p for p in kube.json("check") if p["code"] == "visit_summary"]
    with sqlite3.connect(demo_registry) as conn:
        conn.execute("UPDATE visit_summary SET business = 'stopped' WHERE group_id = 1")
    found = [p for p in json.loads(kube("check", "--format", "json", code=1).stdout) if p["code"] == "visit_summary"]
    assert found == [
        {"severity": "error", "code": "visit_summary", "problem": found[0]["problem"], "target": "PALU-001"}
    ]


def test_what_a_visit_found_reads_in_indonesian_and_stays_a_value_for_scripts(kube, palu) -> None:
    kube("group", "add", "KUBE Kata", "--kelurahan", "Lasoani", "--usaha", "Kuliner", "--code", "KATA-1")
    said = kube("--lang", "id", "visit", "record", "KATA-1", "--business", "stalled", "--date", "2026-01-05")
    assert "usaha macet" in said.stderr and "stalled" not in said.stderr
    table = kube("--lang", "id", "visit", "list", "KATA-1").stdout
    assert "macet" in table and "stalled" not in table
    assert kube.json("visit", "list", "KATA-1")[0]["business"] == "stalled"
