"""Issue 15, members and groups: No. KK, phone and desil of a member, the stage of a group."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import one_line

NEW = "7271084506859902"
KK = "7271050101010001"


def test_member_kk_phone_desil_are_stored_canonical_and_shown_masked(kube, demo_registry: Path) -> None:
    member = kube.json("member", "add", "PALU-002", "--nik", NEW, "--name", "Siti Rahma", "--kk", "'7271 0501 0101 0001",
                       "--phone", "0812-3456-7890", "--desil", "2")  # fmt: skip
    assert list(member)[-3:] == ["kk", "phone", "desil"]
    assert (member["kk"], member["phone"], member["desil"]) == ("727105******0001", "+62******7890", 2)
    listed = next(m for m in kube.json("member", "list", "PALU-002") if m["id"] == member["id"])
    assert (listed["kk"], listed["phone"]) == ("727105******0001", "+62******7890")
    row = (
        sqlite3.connect(demo_registry).execute("SELECT kk, phone, desil FROM members WHERE nik = ?", (NEW,)).fetchone()
    )
    assert row == (KK, "+6281234567890", 2)


def test_show_nik_reveals_kk_and_phone_and_is_logged(kube, demo_registry: Path) -> None:
    kube("member", "add", "PALU-002", "--nik", NEW, "--name", "Siti Rahma", "--kk", KK, "--phone", "+62 812 3456 7890")
    shown = next(m for m in kube.json("member", "list", "PALU-002", "--show-nik") if m["nik"] == NEW)
    assert (shown["kk"], shown["phone"]) == (KK, "+6281234567890")
    assert kube.json("log", "--limit", "1")[0]["action"] == "nik.show"


def test_member_edit_sets_household_fields_and_logs_them_masked(kube, demo_registry: Path) -> None:
    member = kube.json("member", "edit", "7271086501799001", "--kk", KK, "--phone", "081234567890", "--desil", "10")
    assert (member["kk"], member["phone"], member["desil"]) == ("727105******0001", "+62******7890", 10)
    detail = kube.json("log", "--limit", "1")[0]["detail"]
    assert "727105******0001" in detail and "+62******7890" in detail
    assert KK not in detail and "81234567890" not in detail


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [("--desil", "0", "desil '0'"), ("--desil", "11", "desil '11'"), ("--phone", "+1 555 123 4567", "phone"),
     ("--kk", "9971050101010001", "kk '997105******0001'"), ("--kk", "727105010101000", "length")],
)  # fmt: skip
def test_bad_household_values_are_refused_and_nothing_written(kube, demo_registry, unchanged, option, value, needle):
    with unchanged():
        result = kube("member", "add", "PALU-002", "--nik", NEW, "--name", "Siti Rahma", option, value, code=1)
    line = one_line(result, needle)
    assert not re.search(r"\d{13,}", line)
    with unchanged():
        kube("member", "edit", "7271086501799001", option, value, code=1)


def test_group_stage_add_edit_list_and_report(kube, demo_registry: Path) -> None:
    group = kube.json("group", "add", "KUBE Tahap", "--kelurahan", "lasoani", "--usaha", "kuliner", "--code", "T-1",
                      "--stage", "pengembangan")  # fmt: skip
    assert list(group)[-1] == "stage" and group["stage"] == "pengembangan"
    assert kube.json("group", "show", "PALU-001")["stage"] == "penumbuhan"
    kube("group", "edit", "PALU-001", "--stage", "mandiri")
    assert [g["code"] for g in kube.json("group", "list", "--stage", "mandiri")] == ["PALU-001"]
    rows = {r["stage"]: r["groups"] for r in kube.json("report", "--by", "stage")}
    assert rows == {"mandiri": 1, "pengembangan": 1, "penumbuhan": 76}
    assert "mandiri" in kube("report", "chart", "--by", "stage").stdout


def test_an_unknown_stage_gets_did_you_mean_and_writes_nothing(kube, demo_registry, unchanged) -> None:
    with unchanged():
        result = kube("group", "edit", "PALU-001", "--stage", "pengembngan", code=1)
    one_line(result, "stage 'pengembngan'", "did you mean 'pengembangan'?")
    with unchanged():
        one_line(kube("group", "list", "--stage", "mandri", code=1), "did you mean 'mandiri'?")


def test_publish_copies_stage_but_never_kk_phone_or_desil(kube, demo_registry: Path, tmp_path: Path) -> None:
    kube("member", "edit", "7271086501799001", "--kk", KK, "--phone", "081234567890", "--desil", "3")
    kube("publish", str(tmp_path / "pub"))
    conn = sqlite3.connect(tmp_path / "pub" / "kube-public.db")
    columns = {row[1] for t in ("groups", "aid", "revenue") for row in conn.execute(f"PRAGMA table_info({t})")}
    assert "stage" in columns and not columns & {"kk", "phone", "desil", "nik"}
    dump = "\n".join(conn.iterdump()) + json.dumps(json.loads((tmp_path / "pub" / "metadata.json").read_text()))
    assert KK not in dump and "81234567890" not in dump


def test_a_no_kk_another_member_holds_is_recorded_with_a_warning(kube, demo_registry: Path) -> None:
    kube("member", "edit", "1", "--kk", KK)
    result = kube("member", "edit", "7", "--kk", KK)
    assert "727105******0001" in result.stderr and KK not in result.stderr
    added = kube("member", "add", "PALU-002", "--nik", NEW, "--name", "Siti Rahma", "--kk", KK)
    assert "3 current members" in added.stderr
