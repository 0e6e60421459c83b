"""``--format csv`` on a command that creates or changes a record prints that record: a header and one row,
the same columns and values as ``--format json`` (flags as ``ya``/``tidak``, as every kube CSV writes them)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

NIK = "7271084506859001"  # fictional: Kota Palu, a woman born 05/06/1985
MASKED = "727108******9001"


def csv_record(result: Any) -> dict[str, str]:
    """The single record a command printed as CSV (nothing else on stdout)."""
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1 and len(result.stdout.splitlines()) == 2, result.stdout
    return rows[0]


def as_csv(record: dict[str, Any]) -> dict[str, str]:
    """A JSON record as its CSV row reads back."""
    return {
        k: ("ya" if v else "tidak") if isinstance(v, bool) else "" if v is None else str(v) for k, v in record.items()
    }


def test_group_add_prints_the_group_as_csv(kube, palu: Path) -> None:
    add = ["group", "add", "KUBE Sintuvu", "--kelurahan", "lasoani", "--usaha", "e-waroeng", "--year", "2021",
           "--allow-duplicate-name"]  # fmt: skip
    row = csv_record(kube(*add, "--code", "SNTV-1", "--format", "csv"))
    as_json = kube.json("group", "edit", "SNTV-1", "--status", "nonaktif")  # the same record, one value changed
    assert list(row) == list(as_json) and row == {**as_csv(as_json), "status": "aktif"}
    assert (row["code"], row["kelurahan"], row["usaha"], row["members"]) == ("SNTV-1", "Lasoani", "e-Warong", "0")
    # the table form for a script is still the bare code, and JSON still the record
    code = kube(*add).stdout
    assert code.strip() and len(code.splitlines()) == 1 and "," not in code
    assert kube.json(*add, "--code", "SNTV-2")["code"] == "SNTV-2"


def test_member_add_prints_the_member_as_csv_with_the_nik_masked(kube, palu: Path) -> None:
    kube("group", "add", "KUBE Sintuvu", "--kelurahan", "lasoani", "--usaha", "e-warong", "--code", "SNTV-1")
    result = kube("member", "add", "SNTV-1", "--nik", NIK, "--name", "Ibu Fiktif", "--role", "ketua",
                  "--pkh-graduate", "--format", "csv")  # fmt: skip
    assert NIK not in result.stdout
    row = csv_record(result)
    as_json = kube.json("member", "edit", row["id"], "--role", "anggota")  # the same record, one value changed
    assert list(row) == list(as_json) and row == {**as_csv(as_json), "role": "ketua"}
    assert (row["nik"], row["gender"], row["pkh_graduate"]) == (MASKED, "P", "ya")


def test_aid_record_and_void_print_the_aid_as_csv(kube, palu: Path) -> None:
    kube("group", "add", "KUBE Sintuvu", "--kelurahan", "lasoani", "--usaha", "e-warong", "--code", "SNTV-1")
    row = csv_record(kube("aid", "record", "SNTV-1", "--amount", "20 juta", "--kind", "peralatan",
                          "--date", "15/06/2021", "--source", "Kemensos RI", "--format", "csv"))  # fmt: skip
    as_json = next(a for a in kube.json("aid", "list", "SNTV-1") if str(a["id"]) == row["id"])
    assert list(row) == list(as_json) and row == as_csv(as_json)
    assert (row["amount"], row["date"], row["void"]) == ("20000000", "2021-06-15", "tidak")
    voided = csv_record(kube("aid", "void", row["id"], "--reason", "dicatat dua kali", "--format", "csv"))
    assert voided == {**row, "void": "ya"}


def test_import_summary_as_csv_has_a_column_per_count(kube, palu: Path, tmp_path: Path) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text("code,name,kelurahan,usaha\nSNTV-1,KUBE Sintuvu,lasoani,e-warong\n", encoding="utf-8")
    row = csv_record(kube("import", str(groups), "--kind", "groups", "--dry-run", "--format", "csv"))
    as_json = kube.json("import", str(groups), "--kind", "groups", "--dry-run")
    assert row == as_csv({k: v for k, v in as_json.items() if k != "groups"}) | {
        f"groups.{count}": str(n) for count, n in as_json["groups"].items()
    }
    assert (row["dry_run"], row["groups.added"]) == ("ya", "1")
