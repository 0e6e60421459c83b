"""A full disk and a read-only one (issue 16, item 9): one line naming the file and the fix, exit 1,
the registry whole, and no file left behind. Each test mounts a small tmpfs, so it runs as root
(or where mounting is allowed) and is skipped elsewhere."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_registry
from tests.reliability.conftest import integrity, run_kube, scalar

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                                reason="mounts a small tmpfs: Linux, as root")  # fmt: skip

NIKS = ["7271084506850001", "7271080101800002", "7271080202810003"]


def _mount(folder: Path, *options: str) -> bool:
    folder.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=4m", *options)), "tmpfs", str(folder)],
                          capture_output=True, check=False)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of its own, unmounted afterwards."""
    folder = tmp_path / "disk"
    if not _mount(folder):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path) -> None:
    """Use up every free byte of ``disk``."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as error:
                    assert error.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


@pytest.fixture
def registry(kube, palu: Path) -> Path:
    """A registry with one group of three members (on the ordinary disk)."""
    kube("group", "add", "KUBE Penuh", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "PENUH")
    for i, nik in enumerate(NIKS):
        kube("member", "add", "PENUH", "--nik", nik, "--name", f"Anggota {i}")
    return palu


def _refused(done: subprocess.CompletedProcess[str], path: Path | str, *needles: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr and "bug" not in done.stderr, done.stderr
    assert str(path) in lines[0] and all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def _on(disk: Path, registry: Path) -> Path:
    db = disk / "kube.db"
    copy_registry(registry, db)
    return db


HOLD = "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1 FROM groups'); print(1, flush=True); time.sleep(60)"


@pytest.fixture(params=["read", "write"])
def full(request: pytest.FixtureRequest, disk: Path, registry: Path) -> Iterator[Path]:
    """The registry on a disk with no byte free: ``read``, even its -shm cannot be made (nothing can
    be read); ``write``, another kube holds it open (-wal and -shm exist), so reads work and the
    write itself fails."""
    db = _on(disk, registry)
    holder = None
    if request.param == "write":
        holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "1"
    fill(disk)
    try:
        yield db
    finally:
        if holder:
            holder.kill()
            holder.wait()
        (disk / "filler").unlink(missing_ok=True)


# --- the registry's own disk is full ----------------------------------------------------------


def test_member_add_on_a_full_disk_is_refused_and_the_registry_stays_whole(full: Path) -> None:
    refused = run_kube("member", "add", "PENUH", "--nik", "7271080303840004", "--name", "Anggota Baru", db=full)

    _refused(refused, full, "disk is full")
    (full.parent / "filler").unlink()  # room again: a WAL registry cannot even be read on a full disk
    assert integrity(full) == ["ok"]
    assert scalar(full, "SELECT count(*) FROM members") == 3


@pytest.mark.parametrize("full", ["write"], indirect=True)  # the "read" case is member add's
def test_an_import_on_a_full_disk_says_the_disk_is_full(full: Path, tmp_path: Path) -> None:
    roster = tmp_path / "groups.csv"
    rows = "".join(f"G{n:04d},KUBE Nomor {n},Lasoani,e-Warong,2024\n" for n in range(400))
    roster.write_text("code,name,kelurahan,usaha,year\n" + rows)

    refused = run_kube("import", str(roster), "--kind", "groups", db=full)

    line = _refused(refused, full, "disk is full")
    assert "rollback" not in line
    (full.parent / "filler").unlink()
    assert scalar(full, "SELECT count(*) FROM groups") == 1 and integrity(full) == ["ok"]


# --- the destination is full ------------------------------------------------------------------


def test_a_backup_to_a_full_disk_is_refused_and_leaves_no_file(disk: Path, registry: Path) -> None:
    fill(disk)

    refused = run_kube("backup", str(disk / "kube-backup.db"), db=registry)

    _refused(refused, disk / "kube-backup.db", "disk is full")
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]
    assert run_kube("log", "--format", "json", db=registry).stdout.count("registry.backup") == 0


@pytest.mark.parametrize("name", ["anggota.xlsx", "anggota.csv"])
def test_an_export_to_a_full_disk_is_one_line_and_leaves_no_file(disk: Path, registry: Path, name: str) -> None:
    fill(disk)

    refused = run_kube("export", "members", "-o", str(disk / name), db=registry)

    _refused(refused, disk / name, "disk is full")
    assert "Exception ignored" not in refused.stderr
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]


def test_a_publish_to_a_full_disk_leaves_no_folder(disk: Path, registry: Path) -> None:
    fill(disk)

    refused = run_kube("publish", str(disk / "publik"), db=registry)

    _refused(refused, disk / "publik", "disk is full")
    assert sorted(p.name for p in disk.iterdir()) == ["filler"]


# --- a read-only disk ---------------------------------------------------------------------------


def test_a_registry_on_a_read_only_disk_is_not_called_foreign(disk: Path, registry: Path) -> None:
    db = _on(disk, registry)
    read_only(disk)

    for command in (("group", "list"), ("group", "add", "KUBE B", "--kelurahan", "Tondo", "--usaha", "e-Warong")):
        line = _refused(run_kube(*command, db=db), db, "read-only")
        assert "not a kube registry" not in line


def test_a_backup_into_a_read_only_folder_names_it(disk: Path, registry: Path) -> None:
    read_only(disk)
    _refused(run_kube("backup", str(disk / "b.db"), db=registry), disk / "b.db", "read-only")
