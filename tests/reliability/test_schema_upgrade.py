"""Registries from older kube open (upgraded in place, a copy kept first); a newer one is refused whole."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from kube_cli import migrations
from tests.conftest import copy_registry
from tests.reliability.conftest import integrity, run_kube, scalar

V1 = Path(__file__).parents[1] / "data" / "registry-v1.db"  # made by tests/data/make_registry_v1.py


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "kube.db"
    shutil.copy(V1, path)
    return path


def test_a_registry_from_the_first_release_opens_with_its_data_intact(v1: Path) -> None:
    groups = json.loads(run_kube("group", "list", "--format", "json", db=v1).stdout)
    # member counts are maintained by triggers since schema 3: the upgrade must have counted v1's members
    assert [(g["code"], g["members"], g["kelurahan"]) for g in groups] == [("V1-SINTUVU", 5, "Lasoani")]
    members = json.loads(run_kube("member", "list", "--format", "json", db=v1).stdout)
    assert members[0]["name"] == "Siti Rahma" and members[0]["role"] == "ketua"
    report = json.loads(run_kube("report", "--format", "json", db=v1).stdout)
    assert report["totals"]["aid_total"] == 25_000_000 and report["totals"]["revenue_total"] == 27_450_000
    added = run_kube("group", "add", "KUBE Baru", "--kelurahan", "Tondo", "--usaha", "e-Warong", db=v1)
    assert added.returncode == 0, added.stderr


def test_an_upgrade_keeps_a_copy_first_and_migrates_in_place(kube, v1: Path, monkeypatch) -> None:
    """A next schema step, added for this test only, runs on the v1 file through the real code."""

    def _add_email_column(db) -> None:  # (phone is a real column since schema 9)
        db.execute("ALTER TABLE members ADD COLUMN email TEXT NOT NULL DEFAULT ''")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, _add_email_column])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    monkeypatch.setenv("KUBE_DB", str(v1))
    old_version = scalar(v1, "PRAGMA user_version")

    assert [g["code"] for g in kube.json("group", "list")] == ["V1-SINTUVU"]

    assert old_version < migrations.SCHEMA_VERSION - 1  # the fixture is older than the code, not only the test step
    assert scalar(v1, "PRAGMA user_version") == migrations.SCHEMA_VERSION
    assert scalar(v1, "SELECT count(*) FROM members WHERE email = ''") == 5
    (copy,) = v1.parent.glob("kube.db.before-upgrade-*")
    assert scalar(copy, "PRAGMA user_version") == old_version and integrity(copy) == ["ok"]
    assert copy.stat().st_mode & 0o777 == 0o600


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", [["group", "list"], ["group", "add", "X", "--kelurahan", "Tondo", "--usaha",
                                                          "e-Warong"], ["check"]])  # fmt: skip
def test_a_registry_from_a_newer_kube_is_refused_untouched(v1: Path, command: list[str]) -> None:
    conn = sqlite3.connect(v1)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = _digest(v1)

    refused = run_kube(*command, db=v1)

    assert refused.returncode == 1
    assert "newer version of kube" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert _digest(v1) == before
    assert sorted(p.name for p in v1.parent.iterdir()) == ["kube.db"]


_WORDS = {  # a table's vocabulary column, a word it takes and one it refuses
    "members": ("role", "bendahara", "wakil"),
    "groups": ("stage", "mandiri", "selesai"),
    "aid": ("kind", "pelatihan", "hibah"),
    "visits": ("business", "stalled", "closed"),
    "wilayah": ("level", "kecamatan", "dusun"),
}


def _tables(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN "
                                 f"({', '.join('?' * len(_WORDS))})", list(_WORDS)))  # fmt: skip
    finally:
        conn.close()


def test_the_vocabulary_checks_refuse_the_same_words_written_as_comparisons(
    v1: Path, empty_file: Path, demo_file: Path, tmp_path: Path
) -> None:
    """Schema 11 writes each ``x IN ('a', 'b', 'c')`` check as comparisons (SQLite rebuilt the list for
    every row an import wrote): an upgraded file gets the same tables as a new one, and both still take
    each word of the vocabulary and refuse any other."""
    assert run_kube("group", "list", db=v1).returncode == 0  # upgraded from the first release
    assert _tables(v1) == _tables(empty_file)
    tried = set()
    for path in (v1, copy_registry(demo_file, tmp_path / "demo.db")):
        conn = sqlite3.connect(path)
        try:
            for table, (column, good, bad) in _WORDS.items():
                assert f"{column} IN (" not in _tables(path)[table]
                if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:
                    continue
                first = f"UPDATE {table} SET {column} = ? WHERE rowid = (SELECT min(rowid) FROM {table})"
                conn.execute("SAVEPOINT t")
                conn.execute(first, (good,))
                with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                    conn.execute(first, (bad,))
                conn.execute("ROLLBACK TO t")
                tried.add(table)
        finally:
            conn.close()
    assert tried == set(_WORDS)  # each table's check tried on a row
