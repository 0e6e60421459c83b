"""Where the registry lives, how it is opened, its schema migrations and the audit writer.

Reads and writes go through the standard ``sqlite3`` module; ``sqlite_utils`` is imported only
when a migration is pending, so that everyday commands start fast.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kube_cli import fileio
from kube_cli.errors import KubeError, MissingRegistry
from kube_cli.i18n import _
from kube_cli.registry_files import (  # noqa: F401 - db's callers have them from here
    copy_before_upgrade,
    copy_database,
    copy_into,
    create_private_file,
    is_sqlite_file,
    make_private,
    remove_registry_files,
)

if TYPE_CHECKING:
    from kube_cli.regions import Scope  # imported for real only when a registry is created

DEFAULT_WILAYAH = "72.71"  # Kota Palu
BUSY_TIMEOUT_MS = 30_000


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("kube", appauthor=False) / "kube.db"


def resolve_path(explicit: str | os.PathLike[str] | None) -> Path:
    """``--db`` > ``KUBE_DB`` > the platform's user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    if env := os.environ.get("KUBE_DB"):
        return Path(env).expanduser()
    return default_path()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_today() -> date:
    """Today where the officer is (a visit at 07:00 in Palu is still yesterday in UTC)."""
    return datetime.now(UTC).astimezone().date()


def new_uuid() -> str:
    return str(uuid.uuid4())


@dataclass
class Registry:
    """An open registry: the connection, where it is, and who is making changes."""

    conn: sqlite3.Connection
    path: Path
    officer: str
    file_id: tuple[int, int] | None = None  # the file opened: a write is refused if it was swapped since

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. ``BEGIN IMMEDIATE`` takes the write lock up front, so two
        officers writing at once wait for each other instead of failing half-way."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        if self.file_id is not None and file_id(self.path) != self.file_id:
            self.conn.execute("ROLLBACK")
            raise KubeError("registry", str(self.path), _("was removed or replaced while this command ran"),
                            _("nothing was written; run the command again"))  # fmt: skip
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk): then there is nothing to
            # roll back, and trying would hide the error that matters
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def audit(self, action: str, target: str, detail: dict[str, Any] | None = None) -> None:
        """Write one audit row; call inside the transaction of the change it records."""
        self.conn.execute(
            "INSERT INTO audit_log (uuid, time, officer, action, target, detail) VALUES (?,?,?,?,?,?)",
            (new_uuid(), now(), self.officer, action, target,
             json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)),
        )  # fmt: skip

    def meta(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @property
    def region(self) -> str:
        """The name of the region the registry is scoped to (``kube init --wilayah``)."""
        return self.meta("wilayah_name", "Kota Palu")

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def close(self) -> None:
        self.conn.close()


# Pages are read through a memory map, not copied by read(): a national registry's `kube due` query went
# from 1.13 to 0.73 s (bench/README.md). Writes still go through SQLite's own I/O; the map is address
# space, not memory kube allocates.
MMAP_BYTES = 1 << 30


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


def file_id(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode); ``None`` when it is gone."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def _create_registry(path: Path, officer: str, wilayah: str | Scope) -> bool:
    """Build a new registry in a private temporary file, then link it into place.

    No other kube ever sees a half-made registry, and when two start at once on a missing file
    exactly one creation wins (a link never overwrites). Returns whether this call's won.
    """
    from kube_cli import migrations

    try:
        temp = fileio.temp_beside(path, "new")
    except OSError as error:
        if refused := fileio.refusal(error, path):
            raise refused from None
        raise KubeError(
            "registry", str(path), _("cannot be created: {error}").format(error=error.strerror or error)
        ) from None
    try:
        registry = Registry(connect(temp), temp, officer)
        try:
            migrations.upgrade(registry, wilayah=wilayah, fresh=True)
        finally:
            registry.close()
        with fileio.refused_as(path, "registry"):
            fileio.place(temp, path, how="new")
        return True
    except FileExistsError:
        return False
    finally:
        fileio.discard(temp)


def _discard_if_untouched(path: Path) -> None:
    """Remove a registry this command created, unless another kube has written to it since."""
    try:
        conn = connect(path)
        try:
            (written,) = conn.execute("SELECT count(*) FROM audit_log").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:  # it cannot even be read (SQLite's files beside it cannot be made): no one wrote
        written = 0
    if not written:
        remove_registry_files(path)


def _create_if_missing(path: Path, officer: str, create: bool, wilayah: str | Scope | None) -> tuple[bool, list[Path]]:
    """Make a missing registry (and its folders) when ``create`` says so, else refuse it; returns whether
    this call created it and the folders it made. An existing one is tidied of killed kubes' copies."""
    if path.exists():
        fileio.clean_leftovers(path.parent)  # copies left by kubes that were killed
        return False, []
    if not create:
        raise MissingRegistry("registry", str(path), _("does not exist"), _("run `kube init` first, or pass --db"))
    with fileio.refused_as(path, "registry"):
        made = fileio.make_folders(path.parent)
    try:
        return _create_registry(path, officer, wilayah or DEFAULT_WILAYAH), made
    except BaseException:
        fileio.remove_folders(made)
        raise


def _connect_or_refuse(path: Path, made: list[Path]) -> sqlite3.Connection:
    """The connection to the registry; one that cannot be opened is refused, the folders just made removed."""
    try:
        return connect(path)
    except sqlite3.Error as error:
        fileio.remove_folders(made)
        if refused := fileio.refusal(error, path):
            raise refused from None
        raise KubeError("registry", str(path), _("cannot be opened: {error}").format(error=error)) from None


@contextmanager
def open_registry(
    path: Path, officer: str, *, create: bool = False, wilayah: str | Scope | None = None
) -> Iterator[Registry]:
    """Open (and migrate) the registry at ``path``.

    ``create``: make it when missing (write commands); a read command on a missing registry is
    refused. When this call created the file (or its folders) and the command then fails, they are
    removed: a refused command leaves nothing behind.
    """
    created, made = _create_if_missing(path, officer, create, wilayah)
    conn = _connect_or_refuse(path, made)
    registry = Registry(conn, path, officer, file_id(path))
    try:
        from kube_cli import migrations

        migrations.upgrade(registry, wilayah=wilayah or DEFAULT_WILAYAH, fresh=False)
        yield registry
    except BaseException:
        registry.close()
        if created:
            _discard_if_untouched(path)
            fileio.remove_folders(made)
        raise
    else:
        registry.close()
