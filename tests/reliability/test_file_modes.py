"""Personal data on disk: the registry, its folder and every copy kube makes are the owner's only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import kube_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _kube(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """A child kube with umask 0, so the modes come from kube itself and not from the umask."""
    return subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(db), *args], capture_output=True,
                          text=True, env=kube_env(), check=False, timeout=60, umask=0)  # fmt: skip


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_registry_0600_in_a_new_0700_folder_and_copies_0600(tmp_path: Path) -> None:
    db = tmp_path / "dinsos" / "kube.db"
    assert _kube("init", db=db).returncode == 0
    assert _mode(db.parent) == 0o700 and _mode(db) == 0o600

    assert _kube("group", "add", "KUBE A", "--kelurahan", "Tondo", "--usaha", "e-Warong", db=db).returncode == 0
    backup = tmp_path / "backup.db"
    assert _kube("backup", str(backup), db=db).returncode == 0
    assert _mode(backup) == 0o600
    assert _kube("restore", str(backup), db=db).returncode == 0
    (kept,) = db.parent.glob("kube.db.before-restore-*")
    assert _mode(kept) == 0o600 and _mode(db) == 0o600
    for sidecar in db.parent.glob("kube.db-*"):  # -wal / -shm, when SQLite keeps them
        assert _mode(sidecar) == 0o600, sidecar
    assert os.listdir(db.parent) == [p.name for p in db.parent.iterdir()]


def test_a_refused_first_command_leaves_no_file_and_no_folder(tmp_path: Path) -> None:
    db = tmp_path / "baru" / "kube.db"
    refused = _kube("group", "add", "KUBE A", "--kelurahan", "Laswani", "--usaha", "e-Warong", db=db)
    assert refused.returncode == 1 and "Lasoani" in refused.stderr
    assert not db.parent.exists()
