"""``kube log``: readable entries (words, Rupiah, masked NIK), filters, and no entry for a change of nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import one_line


@pytest.fixture
def logged(kube, demo_registry: Path) -> Path:
    kube("--officer", "rahmat", "group", "edit", "PALU-001", "--kelurahan", "Tondo")
    kube("aid", "record", "PALU-002", "--amount", "20jt", "--kind", "modal", "--date", "2026-11-30")
    kube("member", "edit", "2", "--role", "anggota")
    kube("member", "move", "2", "--to", "PALU-003")
    kube("member", "remove", "4", "--reason", "pindah")
    return demo_registry


def table(kube, *args: str) -> str:
    return kube("log", *args).stdout


def test_details_read_as_field_old_new_with_rupiah_and_masked_nik(kube, logged) -> None:
    shown = table(kube)
    assert "kelurahan: Lasoani → Tondo" in shown
    assert "amount: Rp20.000.000" in shown
    assert "role: sekretaris → anggota" in shown
    assert "PALU-001 → PALU-003" in shown
    assert "727108******9004" in shown and "{'from'" not in shown and "'to'" not in shown
    assert "group changed" in shown and "group.edit" not in shown


def test_json_and_csv_keep_the_log_as_scripts_read_it(kube, logged) -> None:
    entry = kube.json("log", "--limit", "5")[-1]
    assert set(entry) == {"time", "officer", "action", "target", "detail"}
    assert entry["action"] == "group.edit" and entry["time"].endswith("Z")
    assert entry["detail"] == "kelurahan={'from': 'Lasoani', 'to': 'Tondo'}"
    assert kube("log", "-n", "1", "--format", "csv").stdout.startswith("time,officer,action,target,detail\n")


def test_log_actions_and_fields_in_indonesian(kube, logged) -> None:
    shown = kube("--lang", "id", "log").stdout
    assert "kelompok diubah" in shown and "anggota dipindah" in shown and "bantuan dicatat" in shown
    assert "jabatan: sekretaris → anggota" in shown and "nilai: Rp20.000.000" in shown
    assert json.loads(kube("--lang", "id", "log", "--format", "json").stdout)[0]["action"] == "member.remove"


def test_filters(kube, logged) -> None:
    # a move is about both groups: it is found from either
    assert [e["action"] for e in kube.json("log", "--group", "palu-001")] == ["member.remove", "member.move",
                                                                             "member.edit", "group.edit"]  # fmt: skip
    assert [e["action"] for e in kube.json("log", "--group", "PALU-003", "--action", "member")] == ["member.move"]
    assert [e["officer"] for e in kube.json("log", "--officer", "RAHMAT")] == ["rahmat"]
    assert {e["action"] for e in kube.json("log", "--action", "member")} == {"member.edit", "member.move",
                                                                              "member.remove"}  # fmt: skip
    assert len(kube.json("log", "--action", "aid.record", "--limit", "1")) == 1
    today = date.today()
    assert kube.json("log", "--since", today.isoformat()) == kube.json("log")  # all made today
    assert kube.json("log", "--since", (today + timedelta(days=1)).strftime("%d/%m/%Y")) == []
    assert "No log entries match." in kube("log", "--officer", "nobody").stderr


def test_bad_filters_are_refused(kube, logged) -> None:
    one_line(kube("log", "--action", "grup", code=1), "action 'grup'", "did you mean 'group'")
    one_line(kube("log", "--since", "kemarin", code=1), "since 'kemarin'")


def test_an_edit_that_changes_nothing_is_refused_and_not_logged(kube, logged, unchanged) -> None:
    with unchanged():
        one_line(kube("group", "edit", "PALU-001", "--kelurahan", "tondo", code=1), "nothing to change")
        one_line(kube("member", "edit", "2", "--role", "anggota", code=1), "nothing to change")
    kube("group", "edit", "PALU-001", "--kelurahan", "Tondo", "--name", "KUBE Baru")
    assert kube.json("log", "-n", "1")[0]["detail"] == "name={'from': 'KUBE Sejahtera Lasoani', 'to': 'KUBE Baru'}"


def test_field_names_in_indonesian_errors(kube, demo_registry, unchanged) -> None:
    with unchanged():
        gender = kube("--lang", "id", "member", "add", "PALU-001", "--nik", "7271084506850001", "--name", "Siti",
                      "--gender", "X", code=1).stderr  # fmt: skip
        role = kube("--lang", "id", "member", "edit", "2", "--role", "raja", code=1).stderr
    assert gender.startswith("Kesalahan: jenis kelamin 'X'"), gender
    assert role.startswith("Kesalahan: jabatan 'raja'"), role
    english = kube("member", "edit", "2", "--role", "raja", code=1).stderr
    assert english.startswith("Error: role 'raja'")


def test_check_says_its_findings_in_words(kube, demo_registry) -> None:
    kube("member", "remove", "1")  # PALU-001 loses its ketua and drops to 4 members
    shown = kube("--lang", "id", "check").stdout
    assert "no_ketua" not in shown and "group_size" not in shown and "belum ada ketua" in shown
    assert {"no_ketua", "group_size"} <= {p["code"] for p in kube.json("check")}
