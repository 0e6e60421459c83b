"""``kube backup``, ``kube restore`` and ``kube check`` end to end, as real processes on real files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import snapshot
from tests.reliability.conftest import integrity, run_kube, scalar
from tests.reliability.test_crash_safety import start_large_write

NIKS = ["7271084506850001", "7271080101800002", "7271080202810003", "7271084303820004", "7271080404830005"]


def _sound_group(kube, code: str = "SEHAT", niks: list[str] = NIKS) -> None:
    kube("group", "add", f"KUBE {code}", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", code)
    for i, nik in enumerate(niks):
        kube("member", "add", code, "--nik", nik, "--name", f"Anggota {i}", "--role", "ketua" if i == 0 else "anggota")


def _sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


# --- backup ---------------------------------------------------------------------------------


def test_backup_into_a_folder_names_the_file_and_restores_the_data(kube, palu: Path, tmp_path: Path) -> None:
    _sound_group(kube)
    folder = tmp_path / "usb"
    folder.mkdir()

    made = run_kube("backup", str(folder), db=palu)

    assert made.returncode == 0, made.stderr
    copy = Path(made.stdout.strip())
    assert copy.parent == folder and copy.name.startswith("kube-") and copy.suffix == ".db"
    assert integrity(copy) == ["ok"]
    assert scalar(copy, "SELECT count(*) FROM members") == 5
    assert sorted(p.name for p in folder.iterdir()) == [copy.name]  # one self-contained file


def test_backup_never_overwrites_a_file(kube, palu: Path, tmp_path: Path) -> None:
    existing = tmp_path / "kube-backup.db"
    existing.write_bytes(b"precious")

    refused = run_kube("backup", str(existing), db=palu)

    assert refused.returncode == 1
    assert "already exists" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert existing.read_bytes() == b"precious"


def test_backup_while_another_kube_is_writing_takes_a_consistent_copy(kube, palu: Path, tmp_path: Path) -> None:
    _sound_group(kube)
    writer = start_large_write(palu)
    try:
        assert writer.stdout.readline().strip() == "writing"  # a big write transaction is open now
        made = run_kube("backup", str(tmp_path / "during.db"), db=palu, timeout=30)
    finally:
        writer.kill()
        writer.wait()
    assert made.returncode == 0, made.stderr
    copy = tmp_path / "during.db"
    assert integrity(copy) == ["ok"]
    assert scalar(copy, "SELECT count(*) FROM members") == 5  # what was committed, nothing half-written


# --- restore --------------------------------------------------------------------------------


def test_restore_swaps_in_the_backup_and_keeps_the_current_registry(kube, palu: Path, tmp_path: Path) -> None:
    _sound_group(kube, "LAMA")
    backup = tmp_path / "backup.db"
    assert run_kube("backup", str(backup), db=palu).returncode == 0
    kube("group", "add", "KUBE Baru", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "BARU")

    done = run_kube("restore", str(backup), db=palu)

    assert done.returncode == 0, done.stderr
    assert [g["code"] for g in kube.json("group", "list")] == ["LAMA"]
    kept = list(palu.parent.glob("kube.db.before-restore-*"))
    assert len(kept) == 1 and "BARU" in {row[2] for row in snapshot(kept[0])["groups"]}
    assert kube.json("log", "--limit", "1")[0]["action"] == "registry.restore"
    assert integrity(palu) == ["ok"]


def test_restore_warns_when_the_backup_breaks_the_registry_rules(kube, palu: Path, tmp_path: Path) -> None:
    """A sound file can still hold a year with both yearly and monthly revenue: restore says so."""
    _sound_group(kube, "LAMA")
    kube("revenue", "record", "LAMA", "--amount", "5 juta", "--period", "2024")
    backup = tmp_path / "backup.db"
    assert run_kube("backup", str(backup), db=palu).returncode == 0
    _sql(backup, "INSERT INTO revenue (uuid, group_id, period, year, amount, created_at, updated_at) "
                 "SELECT 'u-x', id, '2024-03', 2024, 1000, 'now', 'now' FROM groups WHERE code = 'LAMA'")  # fmt: skip
    clean = run_kube("restore", str(backup), db=palu)
    assert clean.returncode == 0, clean.stderr
    assert "Warning: the restored registry has a problem: revenue: 2024" in clean.stderr
    assert "kube check" in clean.stderr


def _truncated(backup: Path, target: Path) -> Path:
    target.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return target


def _not_kube(_backup: Path, target: Path) -> Path:
    _sql(target, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)", "INSERT INTO photos VALUES (1, 'a')")
    return target


def _newer(backup: Path, target: Path) -> Path:
    target.write_bytes(backup.read_bytes())
    _sql(target, "PRAGMA user_version = 99")
    return target


def _not_sqlite(_backup: Path, target: Path) -> Path:
    target.write_text("kode,nama\n72.71,Palu\n")
    return target


def _damaged(backup: Path, target: Path) -> Path:
    target.write_bytes(backup.read_bytes())
    _sql(target, "PRAGMA writable_schema = ON",
         "UPDATE sqlite_master SET sql = 'CREATE INDEX groups_year ON groups(name)' WHERE name = 'groups_year'")  # fmt: skip
    return target


@pytest.mark.parametrize(
    ("make", "reason"),
    [(_not_sqlite, "not a SQLite database"), (_truncated, ("truncated", "damaged")), (_not_kube, "not a kube registry"),
     (_newer, "newer version of kube"), (_damaged, "damaged")],
    ids=["not-sqlite", "truncated", "not-kube", "newer-schema", "damaged"],
)  # fmt: skip
def test_restore_refuses_a_bad_backup_and_changes_nothing(kube, palu: Path, tmp_path: Path, make, reason) -> None:
    _sound_group(kube)
    good = tmp_path / "good.db"
    assert run_kube("backup", str(good), db=palu).returncode == 0
    bad = make(good, tmp_path / "bad.db")
    before, files = snapshot(palu), sorted(p.name for p in palu.parent.iterdir())

    refused = run_kube("restore", str(bad), db=palu)

    assert refused.returncode == 1, refused.stderr
    reasons = (reason,) if isinstance(reason, str) else reason
    assert any(r in refused.stderr for r in reasons) and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert snapshot(palu) == before
    assert sorted(p.name for p in palu.parent.iterdir()) == files  # no copy, no temporary file left


# --- check ----------------------------------------------------------------------------------


def _check(db: Path) -> tuple[int, list[dict[str, str]]]:
    done = run_kube("check", "--format", "json", db=db)
    return done.returncode, json.loads(done.stdout)


def test_check_on_a_sound_registry_finds_nothing(kube, palu: Path) -> None:
    _sound_group(kube)
    done = run_kube("check", db=palu)
    assert done.returncode == 0, done.stderr
    assert "No problems found." in done.stderr


def test_check_warns_about_groups_outside_the_rules_and_exits_0(kube, palu: Path) -> None:
    _sound_group(kube, "SEHAT")
    kube("group", "add", "KUBE Kecil", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "KECIL")
    kube("group", "add", "KUBE Tidur", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "TIDUR")
    kube("group", "edit", "TIDUR", "--status", "nonaktif")  # an inactive group is not held to the rules
    kube("group", "add", "KUBE Besar", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "BESAR")
    for i in range(21):
        kube("member", "add", "BESAR", "--nik", f"72710801018{i:01d}{9000 + i:04d}"[:16], "--name", f"A {i}",
             "--role", "ketua" if i == 0 else "anggota")  # fmt: skip

    code, problems = _check(palu)

    assert code == 0
    assert {(p["severity"], p["target"]) for p in problems} == {
        ("warning", "KECIL"), ("warning", "BESAR")}  # fmt: skip
    assert any("no ketua" in p["problem"] for p in problems if p["target"] == "KECIL")
    assert any("at most 20" in p["problem"] for p in problems if p["target"] == "BESAR")
    assert any("at least 5" in p["problem"] for p in problems if p["target"] == "KECIL")


def test_check_finds_each_kind_of_error_and_exits_1(kube, palu: Path) -> None:
    _sound_group(kube, "SATU")
    _sound_group(kube, "DUA", [f"72710801019{i}{9100 + i:04d}"[:16] for i in range(5)])
    group_one = scalar(palu, "SELECT id FROM groups WHERE code = 'SATU'")
    group_two = scalar(palu, "SELECT id FROM groups WHERE code = 'DUA'")
    row = "'u-{n}', {group}, '{nik}', 'Rusak {n}', '{role}', 'L', '2024-01-01', '2024-01-01'"
    _sql(
        palu,
        "DROP INDEX members_current_nik",  # rules the schema enforces, broken on purpose by raw SQL
        "DROP INDEX members_one_ketua",
        "INSERT INTO members (uuid, group_id, nik, name, role, gender, created_at, updated_at) VALUES ("
        + row.format(n=1, group=group_two, nik=NIKS[1], role="anggota") + ")",
        "INSERT INTO members (uuid, group_id, nik, name, role, gender, created_at, updated_at) VALUES ("
        + row.format(n=2, group=group_one, nik="7271080505840006", role="ketua") + ")",
        "INSERT INTO revenue (uuid, group_id, period, year, amount, created_at, updated_at) "
        f"VALUES ('r1', {group_one}, '2024', 2024, 1000000, 'x', 'x'), ('r2', {group_one}, '2024-03', 2024, 5000, 'x', 'x')",
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO aid (uuid, group_id, date, kind, amount, created_at, updated_at) "
        "VALUES ('a1', 999, '2024-01-01', 'modal', 1000, 'x', 'x')",
    )  # fmt: skip

    code, problems = _check(palu)

    assert code == 1
    errors = {p["problem"].split(":")[0].split(" ")[0]: p for p in problems if p["severity"] == "error"}
    assert errors["foreign"]["target"] == f"aid {scalar(palu, 'SELECT max(id) FROM aid')}"
    assert errors["revenue"]["target"] == "SATU" and "2024" in errors["revenue"]["problem"]
    assert errors["NIK"]["target"] == "727108******0002"  # masked: check output is shared freely
    assert "DUA" in errors["NIK"]["problem"] and "SATU" in errors["NIK"]["problem"]
    assert errors["2"]["target"] == "SATU"  # "2 members are ketua"
    # scripts match on codes, which stay the same in every language
    assert {p["code"] for p in problems if p["severity"] == "error"} >= {
        "foreign_key", "revenue_yearly_and_monthly", "nik_in_two_groups", "ketua_count"}  # fmt: skip


def test_check_reports_a_damaged_file(kube, palu: Path) -> None:
    _sound_group(kube)
    _sql(palu, "PRAGMA writable_schema = ON",
         "UPDATE sqlite_master SET sql = 'CREATE INDEX groups_year ON groups(name)' WHERE name = 'groups_year'")  # fmt: skip

    code, problems = _check(palu)

    assert code == 1
    assert problems[0]["severity"] == "error" and problems[0]["problem"].startswith("integrity:")
    table = run_kube("check", db=palu)
    assert table.returncode == 1 and "integrity" in table.stdout
