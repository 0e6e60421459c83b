"""Issue 16's file faults, each reproduced with real processes on real files: odd folder names,
foreign SQLite files, several first opens of an old registry, kills during an upgrade, leftovers
of killed processes, and the modes and folders kube leaves behind."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import copy_registry
from tests.reliability.conftest import integrity, kube_env, run_kube, scalar

V1 = Path(__file__).parents[1] / "data" / "registry-v1.db"
ADD = ("group", "add", "KUBE Uji", "--kelurahan", "Lasoani", "--usaha", "e-Warong")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def _registry_with_group(folder: Path, empty_file: Path, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = copy_registry(empty_file, folder / "kube.db")
    assert run_kube(*ADD, "--code", code, db=db).returncode == 0
    return db


def _damaged_copy(good: Path, target: Path) -> Path:
    target.write_bytes(good.read_bytes())
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX groups_year ON groups(name)' WHERE name = 'groups_year'")
    conn.close()
    return target


# --- item 1: the check of a backup reads that file, whatever its folder is called --------------


def test_restore_in_a_folder_with_a_hash_checks_the_backup_not_a_sibling(tmp_path: Path, empty_file: Path) -> None:
    db = _registry_with_group(tmp_path / "dinsos#1", empty_file, "ASLI")
    copy_registry(db, tmp_path / "dinsos")  # a sound registry where `file:.../dinsos#1/...` would cut the path
    good = tmp_path / "good.db"
    assert run_kube("backup", str(good), db=db).returncode == 0
    damaged = _damaged_copy(good, tmp_path / "damaged.db")

    refused = run_kube("restore", str(damaged), db=db)

    _one_line(refused, "damaged")
    assert integrity(db) == ["ok"]
    assert run_kube("group", "list", db=db).returncode == 0


@pytest.mark.parametrize("folder", ["tanya?q=1", "persen%41"])
def test_restore_of_a_good_backup_works_whatever_the_folder_is_called(tmp_path: Path, empty_file: Path,
                                                                      folder: str) -> None:  # fmt: skip
    db = _registry_with_group(tmp_path / folder, empty_file, "ASLI")
    backup = tmp_path / "backup.db"
    assert run_kube("backup", str(backup), db=db).returncode == 0
    before = sorted(p.name for p in tmp_path.iterdir())

    done = run_kube("restore", str(backup), db=db)

    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray `tanya` or `persen` file outside
    assert [g["code"] for g in json.loads(run_kube("group", "list", "--format", "json", db=db).stdout)] == ["ASLI"]


def test_merge_reads_the_other_file_whatever_its_folder_is_called(tmp_path: Path, empty_file: Path) -> None:
    ours = _registry_with_group(tmp_path / "kami", empty_file, "KAMI")
    theirs = _registry_with_group(tmp_path / "mereka#2?x=%41", empty_file, "MEREKA")

    done = run_kube("merge", str(theirs), db=ours)

    assert done.returncode == 0, done.stderr
    codes = {g["code"] for g in json.loads(run_kube("group", "list", "--format", "json", db=ours).stdout)}
    assert codes == {"KAMI", "MEREKA"}


# --- item 7: a foreign SQLite file is refused before anything changes -------------------------


def _foreign(path: Path, user_version: int = 0) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO groups (name) VALUES ('Paduan Suara Gereja')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.close()
    return path


@pytest.mark.parametrize(("command", "user_version"), [(("group", "list"), 0), (ADD, 0), (("check",), 0),
                                                     (("init",), 0), (("group", "list"), 3)],
                         ids=["list", "add", "check", "init", "list-version-3"])  # fmt: skip
def test_a_foreign_sqlite_file_with_a_groups_table_is_refused_untouched(tmp_path: Path, command: tuple[str, ...],
                                                                        user_version: int) -> None:  # fmt: skip
    other = _foreign(tmp_path / "paduan.db", user_version)
    before = _digest(other)

    refused = run_kube(*command, db=other)

    _one_line(refused, "not a kube registry", str(other))
    assert _digest(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paduan.db"]  # no -wal, no before-upgrade copy


# --- item 4: several kubes opening an old registry for the first time ---------------------------


def test_ten_kubes_opening_an_old_registry_at_once_all_read_it(tmp_path: Path) -> None:
    for trial in range(int(os.environ.get("KUBE_KILL_TRIALS", "1"))):
        db = tmp_path / f"trial-{trial}" / "kube.db"
        db.parent.mkdir()
        shutil.copy(V1, db)
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(lambda _n, db=db: run_kube("group", "list", "--format", "json", db=db), range(10)))
        failed = [r.stderr for r in results if r.returncode != 0]
        assert not failed, failed[:2]
        assert all(json.loads(r.stdout)[0]["code"] == "V1-SINTUVU" for r in results)
        assert integrity(db) == ["ok"]


# --- item 6: an upgrade rerun within the second of a killed one -------------------------------


def test_an_upgrade_with_copies_already_named_for_this_second_keeps_its_own(tmp_path: Path) -> None:
    db = tmp_path / "kube.db"
    shutil.copy(V1, db)
    start = datetime.now(UTC)
    for second in range(4):  # what a killed upgrade in the same second left (a half-written copy)
        stamp = (start + timedelta(seconds=second)).strftime("%Y%m%dT%H%M%S")
        (tmp_path / f"kube.db.before-upgrade-{stamp}").write_bytes(b"SQLite format 3\x00half")

    done = run_kube("group", "list", "--format", "json", db=db)

    assert done.returncode == 0, done.stderr
    copies = [p for p in tmp_path.glob("kube.db.before-upgrade-*") if p.stat().st_size > 100]
    assert len(copies) == 1 and integrity(copies[0]) == ["ok"]
    assert scalar(copies[0], "SELECT count(*) FROM members") == 5


# --- item 12: leftovers of killed kubes are removed by the next one ---------------------------


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_leftovers_of_a_killed_kube_are_removed_and_a_running_ones_kept(palu: Path, tmp_path: Path) -> None:
    dead, alive = _dead_pid(), subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = __import__("kube_cli.fileio").fileio._HOST
        folder = tmp_path / "usb"
        folder.mkdir()
        stale = [palu.parent / f".kube.db.restore-{dead}-0123abcd",  # as kube left them before
                 folder / f".b.db.part-{dead}-0123abcd", folder / f".b.db.part-{dead}-0123abcd-journal",
                 palu.parent / f".kube.db.restore-{host}-{dead}-89abcdef.kube-tmp"]  # fmt: skip
        running = palu.parent / f".kube.db.restore-{host}-{alive.pid}-89abcdef.kube-tmp"
        for path in (*stale, running):
            path.write_bytes(b"a copy of personal data")

        assert run_kube("group", "list", db=palu).returncode == 0
        assert run_kube("backup", str(folder / "b.db"), db=palu).returncode == 0

        assert [p for p in stale if p.exists()] == []
        assert running.exists()
        assert sorted(p.name for p in folder.iterdir()) == ["b.db"]
    finally:
        alive.kill()
        alive.wait()


# --- item 13: folders, modes, messages --------------------------------------------------------


def _umask0(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(db), *args], capture_output=True, text=True,
                          env=kube_env(), check=False, timeout=60, umask=0)  # fmt: skip


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_every_folder_made_for_a_new_registry_is_private_even_under_umask_0(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "c" / "kube.db"
    assert _umask0("init", db=db).returncode == 0
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_an_upgrade_makes_a_0644_registry_private(tmp_path: Path) -> None:
    db = tmp_path / "kube.db"
    shutil.copy(V1, db)
    db.chmod(0o644)
    assert run_kube("group", "list", db=db).returncode == 0
    assert db.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("command", [("init", "--wilayah", "99.99"), ("group", "add", "KUBE A", "--kelurahan",
                                     "Laswani", "--usaha", "e-Warong"), ("restore", "NOFILE"),
                                     ("import", "BADFILE")], ids=["init", "add", "restore", "import"])  # fmt: skip
def test_a_refused_command_leaves_no_folder_behind(tmp_path: Path, command: tuple[str, ...]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kelurahan,usaha\nX1,KUBE X,Laswani,e-Warong\n")
    args = [str(bad) if a == "BADFILE" else str(tmp_path / "bad.csv") if a == "NOFILE" else a for a in command]
    if command[0] == "restore":
        args[1] = str(bad)  # not a SQLite file

    refused = run_kube(*args, db=tmp_path / "nf" / "deeper" / "x.db")

    assert refused.returncode == 1, refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_a_restore_of_a_backup_with_8k_pages_leaves_the_registry_in_wal_mode(palu: Path, tmp_path: Path) -> None:
    assert run_kube(*ADD, "--code", "BESAR", db=palu).returncode == 0
    backup = tmp_path / "backup-8k.db"
    assert run_kube("backup", str(backup), db=palu).returncode == 0
    conn = sqlite3.connect(backup, isolation_level=None)
    conn.execute("PRAGMA page_size = 8192")
    conn.execute("VACUUM")
    conn.close()
    assert scalar(backup, "PRAGMA page_size") == 8192

    done = run_kube("restore", str(backup), db=palu)

    assert done.returncode == 0, done.stderr
    assert scalar(palu, "PRAGMA journal_mode") == "wal"
    assert integrity(palu) == ["ok"] and scalar(palu, "SELECT count(*) FROM groups") == 1


RACING_WRITER = r"""
import sqlite3, sys, time, uuid
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
kel = conn.execute("SELECT kode FROM wilayah WHERE level = 'kelurahan_desa' LIMIT 1").fetchone()[0]
n = 0
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    n += 1
    conn.execute("INSERT INTO groups (uuid, code, name, kelurahan_kode, usaha_id, year, created_at, updated_at) "
                 "VALUES (?, ?, 'KUBE Balap', ?, 1, 2024, 'now', 'now')", (str(uuid.uuid4()), f"RACE-{n}", kel))
"""


def test_the_backup_message_counts_what_the_copy_holds_while_others_write(palu: Path, tmp_path: Path) -> None:
    writer = subprocess.Popen([sys.executable, "-c", RACING_WRITER, str(palu), "20"])
    try:
        for n in range(2):
            copy = tmp_path / f"copy-{n}.db"
            done = run_kube("backup", str(copy), db=palu)
            assert done.returncode == 0, done.stderr
            groups = scalar(copy, "SELECT count(*) FROM groups")
            assert f"Backed up {groups} groups" in done.stderr, (groups, done.stderr)
    finally:
        writer.kill()
        writer.wait()
