"""``kube import``: every format and encoding, office sheets, every bad row, re-import, conflicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.batch_fixtures import empty_registry  # noqa: F401
from tests.conftest import copy_registry, snapshot

SAMPLE = Path(__file__).parent.parent / "sample_data"
ROSTER_HEADER = "group_code,group_name,kelurahan,kecamatan,usaha,year,member_name,nik,role,gender,pkh_graduate"


def nik(i: int, female: bool = True) -> str:
    """A fictional NIK, valid in form: Kota Palu, kecamatan 08, born 1990, serial 9xxx."""
    day = (1 + i % 28) + (40 if female else 0)
    return f"727108{day:02d}0190{9000 + i % 1000:04d}"


def roster_rows(code: str = "K-1", start: int = 0, name: str = "KUBE Maju", kelurahan: str = "Lasoani") -> list[str]:
    roles = ["ketua", "sekretaris", "bendahara", "anggota", "anggota"]
    return [f"{code},{name},{kelurahan},Mantikulore,e-Warong,2021,Ibu {start + i},{nik(start + i)},{role},P,ya"
            for i, role in enumerate(roles)]  # fmt: skip


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_sample_roster_aid_revenue_import_and_report(kube, tmp_path: Path) -> None:
    for name in ("roster", "aid", "revenue"):
        result = kube("import", str(SAMPLE / f"palu-2021-{name}.csv"))
    assert "137 revenue records added; 0 changed; 0 unchanged" in result.stderr
    totals = kube.json("report")["totals"]
    assert (totals["groups"], totals["members"]) == (77, 385)
    log = kube.json("log", "--limit", "3")
    assert [e["action"] for e in log] == ["import"] * 3 and log[2]["target"] == "palu-2021-roster.csv"


def test_imported_records_get_unique_time_ordered_uuids(kube, tmp_path: Path, registry_path: Path) -> None:
    """UUIDs are how `kube merge` tells records apart: imported ones must be real, distinct UUIDs, and
    they follow the file's order (version 7), which keeps a big import's uuid index writes sequential."""
    import sqlite3
    import uuid

    for name in ("roster", "aid", "revenue"):
        kube("import", str(SAMPLE / f"palu-2021-{name}.csv"))
    kube("group", "add", "KUBE Satu Lagi", "--kelurahan", "Lasoani", "--usaha", "kios")
    with sqlite3.connect(registry_path) as conn:
        for table, count in (("groups", 78), ("members", 385), ("aid", None), ("revenue", 137)):
            uuids = [row[0] for row in conn.execute(f"SELECT uuid FROM {table} ORDER BY id")]
            parsed = [uuid.UUID(u) for u in uuids]
            assert len(set(uuids)) == len(uuids) and (count is None or len(uuids) == count)
            assert all(str(p) == u for p, u in zip(parsed, uuids, strict=True))  # canonical lower-case form
            imported = parsed[:77] if table == "groups" else parsed
            assert {p.version for p in imported} == {7} and {p.variant for p in imported} == {uuid.RFC_4122}
            assert imported == sorted(imported), table
        # a roster's groups and members are written in the same millisecond, a group's first row and its
        # first member on the same line: still no UUID twice
        both = conn.execute("SELECT count(*), count(DISTINCT uuid) FROM (SELECT uuid FROM groups UNION ALL "
                            "SELECT uuid FROM members)").fetchone()  # fmt: skip
        assert both == (78 + 385, 78 + 385)
        added_alone = conn.execute("SELECT uuid FROM groups ORDER BY id DESC").fetchone()[0]
        assert uuid.UUID(added_alone).version == 4  # a record made by a command: random, as before


def test_reimport_changes_nothing(kube, demo_registry: Path) -> None:
    before = snapshot(demo_registry)
    for name in ("roster", "aid", "revenue"):
        result = kube("import", str(SAMPLE / f"palu-2021-{name}.csv"))
        assert result.stderr.startswith("0 added; 0 changed;"), result.stderr
    assert "77 groups, 385 members unchanged" in kube("import", str(SAMPLE / "palu-2021-roster.csv")).stderr
    assert snapshot(demo_registry) == before


def test_office_xlsx_gives_the_same_registry_as_the_csv(kube, empty_file, tmp_path: Path) -> None:
    kube("import", str(SAMPLE / "palu-2021-roster.csv"))
    from_csv = kube.json("member", "list", "--show-nik")
    other = copy_registry(empty_file, tmp_path / "other.db")
    result = kube("--db", str(other), "import", str(SAMPLE / "palu-2021-roster.xlsx"))
    assert "77 groups, 385 members added" in result.stderr
    assert json.loads(kube("--db", str(other), "member", "list", "--show-nik", "--format", "json").stdout) == from_csv


def test_bom_semicolons_indonesian_headers_title_block_and_no_column(kube, tmp_path: Path) -> None:
    lines = ["DAFTAR KUBE KOTA PALU;;;", ";;;",
             "No.;Kode KUBE;Nama KUBE;Kelurahan;Kecamatan;Jenis Usaha;Tahun;Nama Anggota;NIK;Jabatan;"
             "Jenis Kelamin;Graduasi PKH"]  # fmt: skip
    for i, row in enumerate(roster_rows(), start=1):
        lines.append(f"{i};" + row.replace(",", ";").replace("Ibu", "  Ibu"))
    lines.insert(5, ";;;;")  # a blank row in the middle
    path = write(tmp_path / "kube.csv", lines, "utf-8-sig")
    kube("import", str(path))
    members = kube.json("member", "list", "K-1")
    assert [m["name"] for m in members][:2] == ["Ibu 0", "Ibu 1"] and members[0]["role"] == "ketua"


def test_windows_1252_csv_keeps_accents(kube, tmp_path: Path) -> None:
    rows = roster_rows()
    rows[0] = rows[0].replace("Ibu 0", "Andé Rosé")
    kube("import", str(write(tmp_path / "excel.csv", [ROSTER_HEADER, *rows], "cp1252")))
    assert kube.json("member", "list", "K-1")[0]["name"] == "Andé Rosé"


def test_english_headers_in_any_case_and_spacing(kube, tmp_path: Path) -> None:
    header = "Group Code, GROUP_NAME ,Kelurahan,kecamatan,Usaha,Year,Member Name,NIK,Role,Gender,PKH Graduate"
    kube("import", str(write(tmp_path / "r.csv", [header, *roster_rows()])))
    assert kube.json("group", "show", "K-1")["members"] == 5


def test_json_array_and_ndjson(kube, tmp_path: Path) -> None:
    kube("import", str(write(tmp_path / "r.csv", [ROSTER_HEADER, *roster_rows()])))
    records = [
        {"group_code": "K-1", "date": "2021-06-15", "kind": "modal", "amount": 20000000, "source": "Kemensos RI"}
    ]
    (tmp_path / "aid.json").write_text(json.dumps(records))
    assert "1 aid records added" in kube("import", str(tmp_path / "aid.json")).stderr
    lines = [json.dumps({"kode_kube": "K-1", "periode": "2021", "omset": "25 juta"}), "",
             json.dumps({"kode_kube": "K-1", "periode": "2020", "omset": "Rp1.500.000"})]  # fmt: skip
    write(tmp_path / "omset.ndjson", lines)
    kube("import", str(tmp_path / "omset.ndjson"))
    assert [r["amount"] for r in kube.json("revenue", "list")] == [1_500_000, 25_000_000]


def test_ndjson_bad_line_is_reported_by_its_number(kube, tmp_path: Path, unchanged) -> None:
    lines = [json.dumps({"group_code": "K-1", "period": "2021", "amount": 5}), "{not json", "[1]"]
    write(tmp_path / "r.ndjson", lines)
    kube("import", str(write(tmp_path / "r.csv", [ROSTER_HEADER, *roster_rows()])))
    with unchanged():
        result = kube("import", str(tmp_path / "r.ndjson"), code=1)
    text = result.stderr
    assert f"{tmp_path / 'r.ndjson'}:2: is not valid JSON" in text
    assert f"{tmp_path / 'r.ndjson'}:3: is not a JSON object" in text


def test_excel_number_trap_is_refused_with_the_fix(kube, tmp_path: Path, unchanged) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Daftar KUBE"])
    sheet.append(ROSTER_HEADER.split(","))
    for row in roster_rows():
        cells = row.split(",")
        sheet.append([*cells[:5], int(cells[5]), *cells[6:]])
    sheet["H4"] = int(sheet["H4"].value)  # one NIK typed into a General cell: a number
    book.save(tmp_path / "r.xlsx")
    with unchanged():
        result = kube("import", str(tmp_path / "r.xlsx"), code=1)
    assert errors(result) == [
        "Error: "
        + str(tmp_path / "r.xlsx")
        + ":4: nik '727108******9001': is stored as a number, so the spreadsheet has "
        "lost its last digits; format the NIK column as Text, type the NIKs again, and import again"
    ]


def test_nik_in_scientific_notation_is_the_same_trap(kube, tmp_path: Path) -> None:
    rows = roster_rows()
    rows[1] = rows[1].replace(nik(1), "7.27108E+15")
    result = kube("import", str(write(tmp_path / "r.csv", [ROSTER_HEADER, *rows])), code=1)
    assert "r.csv:3: nik '7.27108E+15': is stored as a number" in result.stderr


def test_every_bad_row_is_reported_with_its_line(kube, tmp_path: Path, unchanged) -> None:
    rows = roster_rows() + roster_rows("K-2", 10, "KUBE Dua", "Talise")
    rows[1] = rows[1].replace(nik(1), "7271081301909001")  # month 13  -> line 3
    rows[2] = rows[2].replace("Lasoani", "Laswani")  # typo -> line 4 (and the group disagrees)
    rows[3] = rows[3].replace(",P,ya", ",L,ya")  # gender against the NIK -> line 5
    rows[4] = rows[4].replace("anggota", "ketua")  # a second ketua -> line 6
    rows[6] = rows[6].replace(nik(11), nik(0))  # a NIK twice -> line 8
    rows[7] = rows[7].replace("Ibu 12", '"Ibu\n12"')  # a cell over two lines: lines 9-10
    rows[8] = rows[8].replace("KUBE Dua", "KUBE Tiga")  # the group disagrees with its first row -> line 11
    path = write(tmp_path / "r.csv", [ROSTER_HEADER, *rows])
    with unchanged():
        result = kube("import", str(path), code=1)
    lines = errors(result)
    where = [line.split(": ", 2)[1].split(" ")[0] for line in lines]
    prefix = str(path) + ":"
    assert where == [prefix + n for n in ("3", "4", "5", "6", "8", "9", "11")], lines
    assert "kelurahan 'Laswani'" in lines[1] and "'Lasoani'" in lines[1]
    assert "727108******9000" in lines[4] and "first on line 2" in lines[4]
    assert "name 'Ibu\\n12': contains control characters" in lines[5]
    assert "group_name 'KUBE Tiga': differs from line 7 for group K-2 ('KUBE Dua')" in lines[6]
    assert "7271081301909001" not in result.stderr


def test_at_most_fifty_problems_then_how_many_more(kube, tmp_path: Path) -> None:
    rows = [f"K-{i},KUBE {i},Nowhere,,e-Warong,2021,Ibu {i},{nik(i)},anggota,P,ya" for i in range(60)]
    result = kube("import", str(write(tmp_path / "r.csv", [ROSTER_HEADER, *rows])), code=1)
    lines = errors(result)
    assert len(lines) == 51 and lines[-1] == "Error: …and 10 more"
    assert lines[0].startswith(f"Error: {tmp_path / 'r.csv'}:2: kelurahan 'Nowhere'")


def test_dry_run_checks_counts_and_writes_nothing(kube, tmp_path: Path, unchanged) -> None:
    kube("init")
    path = write(tmp_path / "r.csv", [ROSTER_HEADER, *roster_rows()])
    with unchanged():
        result = kube("import", str(path), "--dry-run")
    assert "nothing written" in result.stderr and "1 groups, 5 members added" in result.stderr
    with unchanged():
        kube("import", str(write(tmp_path / "bad.csv", [ROSTER_HEADER, "K-1,x,Nowhere,,Kuliner,2021,a,1,,,"])),
             "--dry-run", code=1)  # fmt: skip


def test_nik_of_another_group_is_a_conflict_unless_replace(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    moved = roster_rows("K-2", 10, "KUBE Dua", "Talise")
    moved[4] = moved[4].replace(nik(14), nik(3))
    path = write(tmp_path / "b.csv", [ROSTER_HEADER, *moved])
    with unchanged():
        result = kube("import", str(path), code=1)
    assert errors(result) == [f"Error: {path}:6: nik '727108******9003': already belongs to group K-1; "
                              "use --replace to move the member to K-2"]  # fmt: skip
    result = kube("import", str(path), "--replace")
    assert "1 groups, 4 members added; 1 members changed" in result.stderr
    assert kube.json("group", "show", "K-1")["members"] == 4


def test_second_ketua_against_the_registry(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    header = "group_code,nik,name,role"
    path = write(tmp_path / "m.csv", [header, f"K-1,{nik(7)},Ibu Baru,ketua"])
    with unchanged():
        result = kube("import", str(path), "--kind", "members", code=1)
    assert "group K-1 already has a ketua (Ibu 0); use --replace to make them anggota" in result.stderr
    kube("import", str(path), "--replace")
    roles = {m["name"]: m["role"] for m in kube.json("member", "list", "K-1")}
    assert roles["Ibu Baru"] == "ketua" and roles["Ibu 0"] == "anggota"


def test_revenue_conflicts_and_replace(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    kube("import", str(write(tmp_path / "r1.csv", ["group_code,period,amount", "K-1,2021,10 juta"])))
    changed = write(tmp_path / "r2.csv", ["group_code,period,amount", "K-1,2021,12 juta"])
    with unchanged():
        result = kube("import", str(changed), code=1)
    assert "period '2021': group K-1 already has revenue Rp10.000.000 for it; use --replace" in result.stderr
    months = write(tmp_path / "r3.csv", ["kode,periode,omset", "K-1,2021-01,1 juta", "K-1,2021-02,1 juta"])
    with unchanged():
        result = kube("import", str(months), code=1)
    assert "recorded the other way" in result.stderr
    mixed = write(tmp_path / "r4.csv", ["kode,periode,omset", "K-2,2020,1 juta", "K-1,2020,1 juta", "K-1,2020-03,1"])
    result = kube("import", str(mixed), code=1)
    assert f"{mixed}:2: kode 'K-2': no such group" in result.stderr
    assert f"{mixed}:4: periode '2020-03': group K-1 also has the whole year on line 3" in result.stderr
    assert "1 revenue records changed" in kube("import", str(months), "--replace").stderr
    assert [r["period"] for r in kube.json("revenue", "list")] == ["2021-01", "2021-02"]


def test_identical_aid_rows_count_once_per_occurrence(kube, tmp_path: Path) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    row = "K-1,2021-06-15,pelatihan,750rb,APBD,"
    twice = write(tmp_path / "aid2.csv", ["group_code,date,kind,amount,source,note", row, row])
    assert "2 aid records added" in kube("import", str(twice)).stderr
    assert "0 added; 0 changed; 2 aid records unchanged" in kube("import", str(twice)).stderr
    thrice = write(tmp_path / "aid3.csv", ["group_code,date,kind,amount,source,note", row, row, row])
    assert "1 aid records added; 0 changed; 2 aid records unchanged" in kube("import", str(thrice)).stderr
    assert len(kube.json("aid", "list")) == 3


def test_changed_group_details_need_replace(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    path = write(tmp_path / "g.csv", ["code,name,kelurahan,usaha,status", "K-1,KUBE Maju Jaya,Lasoani,e-Warong,"])
    with unchanged():
        assert "use --replace to update the group" in kube("import", str(path), code=1).stderr
    assert "1 groups changed" in kube("import", str(path), "--replace").stderr
    assert kube.json("group", "show", "K-1")["name"] == "KUBE Maju Jaya"


def test_unknown_columns_warn_and_missing_ones_refuse(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    path = write(tmp_path / "r.csv", ["group_code,period,amount,Petugas", "K-1,2021,5 juta,Budi"])
    result = kube("import", str(path))
    assert f"Warning: {path}: ignoring unknown column(s) 'Petugas'" in result.stderr
    with unchanged():
        result = kube("import", str(write(tmp_path / "m.csv", ["nik,jabatan", f"{nik(20)},ketua"])), code=1)
    assert "lacks the required column(s) group_code, name for members" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "is not a readable XLS file"),
     (b"hello\x00world", "is not a CSV, XLSX, JSON or NDJSON file"), (b"a,b\n1,2\n", "has no header row"),
     (b"code,period\nK-1,2021\n", "lacks the required column(s) amount")],
)  # fmt: skip
def test_files_that_are_not_batch_files_are_refused_in_one_line(kube, tmp_path, unchanged, content, message) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with unchanged():
        result = kube("import", str(path), code=1)
    assert len(errors(result)) == 1 and message in result.stderr


def test_a_bad_kind_is_refused_data_and_missing_file_is_refused(kube, tmp_path: Path, unchanged) -> None:
    # CONTRACT: values of domain options such as --kind are data: a bad one exits 1, naming it
    (tmp_path / "x.csv").write_text("code,name\n")
    with unchanged():
        result = kube("import", str(tmp_path / "x.csv"), "--kind", "anggota", code=1)
    assert result.stderr.count("\n") == 1 and "kind 'anggota'" in result.stderr and "roster" in result.stderr
    assert "does not exist" in kube("import", str(tmp_path / "nope.csv"), code=1).stderr


def test_json_nik_as_a_number_and_ndjson_item_numbers(kube, tmp_path: Path, unchanged) -> None:
    """CONTRACT: a NIK that arrives as a number is refused; NDJSON problems name the item, not the line."""
    members = tmp_path / "n.json"
    members.write_text('[{"group_code": "X", "nik": 7271084101900011, "name": "N", "role": "anggota"}]')
    with unchanged():
        result = kube("import", str(members), "--kind", "members", code=1)
    assert "n.json:1:" in result.stderr and "as Text" in result.stderr
    revenue = tmp_path / "r.ndjson"
    revenue.write_text(
        '{"group_code": "A", "period": "2022", "amount": "5jt"}\n\n{"group_code": "B", "period": "20x"}\n'
    )
    with unchanged():
        result = kube("import", str(revenue), "--kind", "revenue", code=1)
    assert "r.ndjson:2:" in result.stderr and "r.ndjson:3:" not in result.stderr, result.stderr


def test_re_importing_a_sheet_does_not_bring_voided_aid_back(kube, demo_registry: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "bantuan.csv"
    sheet.write_text("group_code,date,kind,amount,source,note\nPALU-001,2022-02-01,modal,5000000,APBD,\n")
    kube("import", str(sheet))
    (aid,) = [a for a in kube.json("aid", "list", "PALU-001") if a["date"] == "2022-02-01"]
    kube("aid", "void", str(aid["id"]), "--reason", "salah catat")
    kube("import", str(sheet))
    again = [a for a in kube.json("aid", "list", "PALU-001") if a["date"] == "2022-02-01"]
    assert [a["void"] for a in again] == [True]


def test_import_format_json_prints_the_counts_for_scripts(kube, tmp_path: Path) -> None:
    sheet = tmp_path / "kube.csv"
    sheet.write_text(
        "code,name,kelurahan,kecamatan,usaha,year,status\nJ-1,KUBE Json,Lasoani,Mantikulore,e-Warong,2021,aktif\n"
    )
    first = kube.json("import", str(sheet))
    assert first["kind"] == "groups" and first["groups"] == {"added": 1, "changed": 0, "unchanged": 0}
    assert kube.json("import", str(sheet))["groups"] == {"added": 0, "changed": 0, "unchanged": 1}
