"""Where the registry lives, how it is opened, its schema migrations and the audit writer.

Reads and writes go through the standard ``sqlite3`` module; ``sqlite_utils`` is imported only
when a migration is pending, so that everyday commands start fast.
"""

from __future__ import annotations

import contextlib
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

from kube_cli.errors import KubeError, MissingRegistry
from kube_cli.i18n import _

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
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

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


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def file_id(path: Path) -> tuple[int, int] | None:
    """Which file ``path`` names now (device, inode); ``None`` when it is gone."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_dev, stat.st_ino)


def create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, in a 0700 folder if the folder is new."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def remove_registry_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _create_registry(path: Path, officer: str, wilayah: str | Scope) -> bool:
    """Build a new registry in a private temporary file, then link it into place.

    No other kube ever sees a half-made registry, and when two start at once on a missing file
    exactly one creation wins (``os.link`` never overwrites). Returns whether this call's won.
    """
    import secrets

    from kube_cli import migrations

    temp = path.with_name(f".{path.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        create_private_file(temp)
    except OSError as error:
        raise KubeError(
            "registry", str(path), _("cannot be created: {error}").format(error=error.strerror or error)
        ) from None
    try:
        registry = Registry(connect(temp), temp, officer)
        try:
            migrations.upgrade(registry, wilayah=wilayah, fresh=True)
        finally:
            registry.close()
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links (a FAT stick): replace, if still missing
            if path.exists():
                return False
            os.replace(temp, path)
        return True
    finally:
        remove_registry_files(temp)


def _discard_if_untouched(path: Path, *, remove_folder: bool) -> None:
    """Remove a registry this command created, unless another kube has written to it since."""
    try:
        conn = connect(path)
        try:
            (written,) = conn.execute("SELECT count(*) FROM audit_log").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return
    if not written:
        remove_registry_files(path)
        if remove_folder:
            with contextlib.suppress(OSError):  # not empty: something else lives there now
                path.parent.rmdir()


@contextmanager
def open_registry(
    path: Path, officer: str, *, create: bool = False, wilayah: str | Scope | None = None
) -> Iterator[Registry]:
    """Open (and migrate) the registry at ``path``.

    ``create``: make it when missing (write commands); a read command on a missing registry is
    refused. When this call created the file and the command then fails, the file is removed:
    a refused command leaves nothing behind.
    """
    created, folder_existed = False, path.parent.exists()
    if not path.exists():
        if not create:
            raise MissingRegistry("registry", str(path), _("does not exist"), _("run `kube init` first, or pass --db"))
        created = _create_registry(path, officer, wilayah or DEFAULT_WILAYAH)
    try:
        conn = connect(path)
    except sqlite3.Error as error:
        raise KubeError("registry", str(path), _("cannot be opened: {error}").format(error=error)) from None
    registry = Registry(conn, path, officer, file_id(path))
    try:
        from kube_cli import migrations

        migrations.upgrade(registry, wilayah=wilayah or DEFAULT_WILAYAH, fresh=False)
        yield registry
    except BaseException:
        registry.close()
        if created:
            _discard_if_untouched(path, remove_folder=not folder_existed)
        raise
    else:
        registry.close()


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of ``source`` as one self-contained file at ``target`` (new), created 0600
    before a byte is written."""
    create_private_file(target)
    dest = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(dest)  # all pages in one step: one snapshot, writers carry on meanwhile
        dest.execute("PRAGMA journal_mode = DELETE")  # a single file, no -wal beside it
    finally:
        dest.close()


def copy_before_upgrade(path: Path) -> Path:
    """Keep a copy of a registry before its schema is upgraded; returns the copy's path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.before-upgrade-{stamp}")
    source = sqlite3.connect(path)
    try:
        copy_database(source, target)
    finally:
        source.close()
    return target


def is_sqlite_file(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"
