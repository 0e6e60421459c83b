"""The registry as files: made private, copied whole, recognised, removed.

Apart from ``db`` (opening the registry) so that the migrations, which copy a registry before they
upgrade it, and maintenance can use them without importing ``db`` back.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from kube_cli import fileio


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, in 0700 folders if its folders are new."""
    fileio.make_folders(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def make_private(path: Path) -> None:
    """The registry file (and SQLite's files beside it) readable by its owner only."""
    for name in (str(path), *(str(path) + s for s in fileio.SIDECARS)):
        with contextlib.suppress(OSError):  # gone, or not ours to change
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)


def remove_registry_files(path: Path) -> None:
    fileio.discard(path)


def copy_into(source: sqlite3.Connection, path: Path) -> None:
    """A consistent copy of ``source`` as one self-contained file at ``path`` (an empty file)."""
    dest = sqlite3.connect(path, isolation_level=None)
    try:
        source.backup(dest)  # all pages in one step: one snapshot, writers carry on meanwhile
        dest.execute("PRAGMA journal_mode = DELETE")  # a single file, no -wal beside it
    finally:
        dest.close()


def copy_database(source: sqlite3.Connection, target: Path, *, how: str = "new") -> Path:
    """A consistent copy of ``source`` at ``target``, readable by its owner only, built under a
    temporary name and put in place whole (``how``: see ``fileio.place``); returns where."""
    with fileio.NewFile(target, how=how) as new:
        copy_into(source, new.temp)
    return new.path


def copy_before_upgrade(path: Path) -> Path:
    """Keep a copy of a registry before its schema is upgraded; returns the copy's path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    source = sqlite3.connect(path)  # SQLite's own second handle: it keeps the first one's locks
    try:
        with fileio.refused_as(path.parent, "registry"):
            return copy_database(source, path.with_name(f"{path.name}.before-upgrade-{stamp}"), how="unique")
    finally:
        source.close()


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` starts as a SQLite file does. Never call it on the open registry: closing any
    other handle on a file drops this process's POSIX locks on it, SQLite's included."""
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"
