"""``kube export``: files import reads back, NIK masked, formulas neutralised, owner-only files."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from tests.batch_fixtures import empty_registry  # noqa: F401
from tests.conftest import copy_registry

KINDS = ("groups", "members", "aid", "revenue")


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_then_import_into_an_empty_registry_gives_the_same_report(
    kube, demo_registry, empty_file, tmp_path, fmt
) -> None:
    report = kube.json("report")
    by_usaha_year = kube.json("report", "--by", "usaha", "--by", "year")
    for kind in KINDS:
        kube("export", kind, "--format", fmt, "-o", str(tmp_path / f"{kind}.{fmt}"), "--show-nik")
    fresh = str(copy_registry(empty_file, tmp_path / "fresh.db"))
    for kind in KINDS:
        kube("--db", fresh, "import", str(tmp_path / f"{kind}.{fmt}"))
    assert json.loads(kube("--db", fresh, "report", "--format", "json").stdout) == report
    again = kube("--db", fresh, "report", "--by", "usaha", "--by", "year", "--format", "json").stdout
    assert json.loads(again) == by_usaha_year


def test_export_is_csv_on_stdout_with_import_headers_and_masked_nik(kube, demo_registry) -> None:
    rows = list(csv.DictReader(io.StringIO(kube("export", "members").stdout)))
    assert list(rows[0]) == ["group_code", "nik", "name", "role", "gender", "pkh_graduate", "kk", "phone", "desil"]
    assert len(rows) == 385 and rows[0]["nik"] == "727108******9001" and rows[0]["pkh_graduate"] == "ya"
    groups = kube("export", "groups").stdout.splitlines()
    assert groups[0] == "code,name,kelurahan,kecamatan,usaha,year,status,stage"
    assert kube("export", "aid").stdout.startswith("group_code,date,kind,amount,source,note\n")
    assert kube("export", "revenue").stdout.startswith("group_code,period,amount,note\n")


def test_show_nik_is_written_to_the_audit_log(kube, demo_registry) -> None:
    assert "7271086501799001" in kube("export", "members", "--show-nik").stdout
    entry = kube.json("log", "--limit", "1")[0]
    assert entry["action"] == "nik.show" and "export members" in entry["detail"]


def test_formula_cells_are_neutralised_in_csv_and_xlsx(kube, empty_file, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    kube("group", "add", '=HYPERLINK("http://x")', "--kelurahan", "Lasoani", "--usaha", "Kuliner", "--code", "F-1")
    kube("aid", "record", "F-1", "--amount", "1 juta", "--kind", "modal", "--date", "2021-01-02",
         "--source", "@SUM(A1)", "--note", "-2+3")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(kube("export", "groups").stdout)))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    aid = next(iter(csv.DictReader(io.StringIO(kube("export", "aid").stdout))))
    assert (aid["source"], aid["note"]) == ("'@SUM(A1)", "'-2+3")
    kube("export", "groups", "--format", "xlsx", "-o", str(tmp_path / "g.xlsx"))
    sheet = load_workbook(tmp_path / "g.xlsx").active
    assert sheet["B2"].value == '\'=HYPERLINK("http://x")' and sheet["B2"].data_type == "s"
    copy_registry(empty_file, tmp_path / "b.db")
    # and import takes the quote off again: the round trip keeps the name as typed
    kube("--db", str(tmp_path / "b.db"), "import", str(tmp_path / "g.xlsx"))
    assert json.loads(kube("--db", str(tmp_path / "b.db"), "group", "show", "F-1", "--format", "json").stdout)[
        "name"] == "=HYPERLINK(\"http://x\")"  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_export_files_are_readable_by_their_owner_only(kube, demo_registry, tmp_path, fmt) -> None:
    out = tmp_path / f"members.{fmt}"
    out.write_text("old")
    out.chmod(0o644)
    kube("export", "members", "--format", fmt, "-o", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_refusals(kube, demo_registry, tmp_path: Path) -> None:
    kube("export", "anggota", code=2)
    kube("export", "groups", "--format", "pdf", code=2)
    kube("export", "groups", "-o", str(tmp_path / "no" / "such" / "g.csv"), code=1)
    assert not (tmp_path / "no").exists()


def test_export_of_a_missing_registry_is_refused(kube, tmp_path: Path) -> None:
    assert "does not exist" in kube("--db", str(tmp_path / "none.db"), "export", "groups", code=1).stderr


def test_the_output_file_s_extension_chooses_the_format_and_xlsx_can_be_piped(
    kube, demo_registry: Path, tmp_path: Path
) -> None:
    kube("export", "groups", "-o", str(tmp_path / "g.xlsx"))
    assert (tmp_path / "g.xlsx").read_bytes()[:2] == b"PK"  # a workbook, not CSV in a .xlsx name
    kube("export", "aid", "-o", str(tmp_path / "a.json"))
    assert json.loads((tmp_path / "a.json").read_text())[0]["group_code"]
    piped = kube("export", "revenue", "--format", "xlsx")  # `kube export … --format xlsx > file.xlsx`
    assert piped.stdout_bytes[:2] == b"PK"


def test_a_refused_show_nik_export_writes_nothing_to_the_log(
    kube, demo_registry: Path, tmp_path: Path, unchanged
) -> None:
    """CONTRACT: a refused command writes nothing; the NIK was never shown, so nothing is logged."""
    with unchanged():
        kube("export", "members", "--show-nik", "-o", str(tmp_path / "missing" / "m.csv"), code=1)


def test_a_show_nik_export_cut_short_by_a_closed_pipe_is_still_logged(kube, demo_registry: Path) -> None:
    """`kube export members --show-nik | head -1`: NIKs went out before the pipe closed, so the use is logged."""
    import fcntl
    import os
    import subprocess
    import sys

    env = {**os.environ, "KUBE_DB": str(demo_registry), "PYTHONPATH": str(Path(__file__).parent.parent)}
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)  # smaller than the export: kube waits for the reader
    process = subprocess.Popen([sys.executable, "-m", "kube_cli", "export", "members", "--show-nik"],
                               stdout=write_end, stderr=subprocess.PIPE, env=env)  # fmt: skip
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        assert reader.readline().startswith("group_code,nik")  # as `head -1` does, then it goes away
    _out, err = process.communicate(timeout=60)
    assert process.returncode != 0 and b"Traceback" not in err  # the write failed part-way
    entry = kube.json("log", "--limit", "1")[0]
    assert entry["action"] == "nik.show" and "export members" in entry["detail"]


def test_a_show_nik_export_that_fails_before_any_record_logs_nothing(kube, demo_registry: Path, tmp_path) -> None:
    """The NIKs were never shown: an export that fails before its first record writes no log entry."""
    before = kube.json("log", "--limit", "1")
    kube("export", "members", "--show-nik", "-o", str(tmp_path / "x" / "m.csv"), code=1)  # a missing folder
    if Path("/proc").is_dir():  # a folder no file can be made in, even by root
        refused = kube("export", "members", "--show-nik", "-o", "/proc/kube-export.csv", code=1)
        assert refused.stderr.startswith("Error: output '/proc/kube-export.csv': cannot be written in that folder")
    assert kube.json("log", "--limit", "1") == before
