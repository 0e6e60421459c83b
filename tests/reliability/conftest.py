"""Fixtures for the reliability suite: real ``kube`` processes against real registry files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kube_env(**extra: str) -> dict[str, str]:
    """The environment for a child ``kube``: this worktree first on the path, no colour."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update({"KUBE_LANG": "en", "KUBE_OFFICER": "petugas-uji", "NO_COLOR": "1"}, **extra)
    return env


def run_kube(*args: str, db: Path, timeout: float = 60, **popen: object) -> subprocess.CompletedProcess[str]:
    """``python -m kube_cli --db DB ARGS`` as a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "kube_cli", "--db", str(db), *args],
        capture_output=True, text=True, env=kube_env(), timeout=timeout, check=False, **popen,
    )  # fmt: skip


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def scalar(path: Path, sql: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()
