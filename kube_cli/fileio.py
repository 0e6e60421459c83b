"""Files on disk: one way to write a file atomically, one way to open a SQLite file read-only, and
one mapping of what the operating system refuses (a full disk, a read-only folder) to one line.

Every file kube writes (a backup, a copy kept before an upgrade or a restore, an export, the public
copy, a new registry) is built under a temporary name beside its target, flushed to the disk, then
renamed or linked into place: a crash leaves the old file or the new one whole, never half of one.
The temporary names say whose they are (``.kube.db.restore-HOST-PID-TOKEN.kube-tmp``), so the next
kube to write in that folder removes those of processes that no longer run (a ``kill -9`` gives no
chance to clean up; the leftover may be a full copy of personal data).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from kube_cli.errors import KubeError
from kube_cli.i18n import _

TEMP_SUFFIX = ".kube-tmp"
_EDQUOT = getattr(errno, "EDQUOT", -1)  # not on Windows
SIDECARS = ("-journal", "-wal", "-shm")  # the files SQLite keeps beside a database
_HOST = re.sub(
    r"[^A-Za-z0-9]", "", os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
)[:24]
_SIDECAR = r"(?:-journal|-wal|-shm)?"
_OURS = re.compile(rf"\..*\.[a-z]+-(?P<host>[A-Za-z0-9]*)-(?P<pid>\d+)-[0-9a-f]{{8}}{re.escape(TEMP_SUFFIX)}{_SIDECAR}")
_BEFORE = re.compile(rf"\..*\.(?:restore|part|new)-(?P<pid>\d+)-[0-9a-f]{{8}}{_SIDECAR}")  # kube before 2026-12


# --- folders --------------------------------------------------------------------------------


def make_folders(folder: Path, *, mode: int = 0o700) -> list[Path]:
    """Create ``folder`` and any missing parents, each readable by its owner only unless ``mode``
    says otherwise (never more than the umask allows); returns the folders this call created,
    outermost first, for :func:`remove_folders`."""
    missing = []
    for level in (folder, *folder.parents):
        if level.exists():
            break
        missing.append(level)
    made = []
    for level in reversed(missing):
        try:
            os.mkdir(level, mode)
        except FileExistsError:  # another kube made it meanwhile: it is not ours to remove
            continue
        made.append(level)
    return made


def remove_folders(made: list[Path]) -> None:
    """Remove the folders :func:`make_folders` created, innermost first, if they are still empty."""
    for level in reversed(made):
        with contextlib.suppress(OSError):
            os.rmdir(level)


# --- writing a file atomically --------------------------------------------------------------


def temp_beside(target: Path, purpose: str = "part") -> Path:
    """A new empty file beside ``target``, readable by its owner only, named as kube's own temporary.

    Leftovers in that folder of kube processes that no longer run are removed first."""
    import secrets

    clean_leftovers(target.parent)
    name = f".{target.name[:100]}.{purpose}-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}"
    temp = target.with_name(name)
    os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return temp


def discard(temp: Path) -> None:
    """Remove a temporary file and the files SQLite may have kept beside it."""
    for suffix in ("", *SIDECARS):
        with contextlib.suppress(OSError):
            os.unlink(f"{temp}{suffix}")


def place(temp: Path, target: Path, *, how: str = "replace") -> Path:
    """Put the finished ``temp`` at ``target``, on the disk before this returns; returns where.

    ``how``: ``replace`` an existing target; ``new``: a target that appeared meanwhile is never
    overwritten (``FileExistsError``); ``unique``: then ``target-2``, ``target-3``, … instead."""
    _sync(temp)
    if how == "replace":
        os.replace(temp, target)
    else:
        n = 1
        while True:
            candidate = target if n == 1 else target.with_name(f"{target.name}-{n}")
            try:
                _link(temp, candidate)
                break
            except FileExistsError:
                if how == "new":
                    raise
                n += 1
        target = candidate
    _sync(target.parent)
    return target


def _link(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno in (errno.ENOSPC, _EDQUOT, errno.EROFS, errno.EIO):
            raise
        if target.exists():  # no hard links on this file system (a FAT stick): rename, if still free
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.replace(temp, target)
    else:
        os.unlink(temp)


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to the disk; a folder that cannot be opened is skipped."""
    if path.is_dir():
        if os.name != "posix":
            return
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
    else:
        fd = os.open(path, os.O_RDWR if os.name == "nt" else os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        if not path.is_dir() or error.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


class NewFile:
    """``with NewFile(target) as new:`` write ``new.temp``; when the block ends well it is placed
    at ``target`` (``new.path``, see :func:`place` for ``how``) with ``mode``; otherwise removed."""

    def __init__(self, target: Path, *, how: str = "replace", purpose: str = "part", mode: int = 0o600) -> None:
        self.target, self.how, self.purpose, self.mode = target, how, purpose, mode
        self.path = target

    def __enter__(self) -> NewFile:
        self.temp = temp_beside(self.target, self.purpose)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                if self.mode != 0o600:
                    os.chmod(self.temp, self.mode)
                self.path = place(self.temp, self.target, how=self.how)
        finally:
            discard(self.temp)


# --- leftovers of processes that were killed ------------------------------------------------


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove kube's temporary files in ``folder`` whose process (on this machine) no longer runs."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        found = _OURS.fullmatch(entry.name) or _BEFORE.fullmatch(entry.name)
        if not found or found.groupdict().get("host", _HOST) != _HOST or _alive(int(found["pid"])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # elsewhere os.kill would end the process: keep it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, as another user's
        return True
    return True


# --- opening a file kube did not make -------------------------------------------------------


def open_readonly(path: Path, *, private: bool = False) -> sqlite3.Connection:
    """``path`` as a read-only SQLite connection, whatever its name holds (``#``, ``?``, ``%41``):
    the name is percent-encoded into the URI, so SQLite opens that file and no other, and never
    creates one. ``private``: a copy only this process uses (no locks, nothing written beside it).

    The file is not read here: a file that is not SQLite fails at the first query."""
    uri = Path(os.path.abspath(path)).as_uri() + ("?mode=ro&immutable=1" if private else "?mode=ro")
    return sqlite3.connect(uri, uri=True, isolation_level=None)


# --- what the operating system refuses ------------------------------------------------------

_FULL, _QUOTA, _READ_ONLY, _DENIED, _CANNOT_OPEN = "full", "quota", "read-only", "denied", "cannot-open"
_ERRNO = {errno.ENOSPC: _FULL, _EDQUOT: _QUOTA, errno.EROFS: _READ_ONLY, errno.EACCES: _DENIED, errno.EPERM: _DENIED}
_DISK = "disk"
# SQLITE_FULL, _READONLY, _PERM, _CANTOPEN, _IOERR
_SQLITE = {13: _FULL, 8: _READ_ONLY, 3: _DENIED, 14: _CANNOT_OPEN, 10: _DISK}
_SQLITE_TEXT = {"database or disk is full": _FULL, "attempt to write a readonly database": _READ_ONLY,
                "unable to open database file": _CANNOT_OPEN, "disk I/O error": _DISK}  # fmt: skip


def refusal(error: BaseException, path: Path | str | None, field: str = "registry") -> KubeError | None:
    """The one-line refusal for ``error`` when it is the disk or the system refusing a file (full,
    read-only, not allowed), naming the file (``path``, else the one the error names) and the fix;
    ``None`` when it is anything else (a bug)."""
    kind, shown = None, path
    if isinstance(error, OSError):
        kind = _ERRNO.get(error.errno or 0)
        shown = path or error.filename
    elif isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        kind = _SQLITE.get(code & 0xFF) if isinstance(code, int) else _SQLITE_TEXT.get(str(error))
    if kind is None:
        return None
    if kind == _DISK:  # SQLite does not say why: a full disk (a WAL registry cannot even be read then)?
        kind = _FULL if shown and _free_bytes(Path(shown)) < 1 << 16 else _DISK
    reason, hint = _WORDS[kind]()
    return KubeError(field, str(shown or ""), reason, hint)


def _words_full() -> tuple[str, str]:
    return _("cannot be written: the disk is full"), _("free some space or use another disk, then run the command "
                                                         "again (nothing was changed)")  # fmt: skip


def _words_quota() -> tuple[str, str]:
    return _("cannot be written: your disk quota is used up"), _("free some space or use another disk, then run "
                                                                   "the command again (nothing was changed)")  # fmt: skip


def _words_read_only() -> tuple[str, str]:
    return _("cannot be written: the disk or folder is read-only"), _("copy it to a folder you can write to, or "
                                                                        "check the permissions")  # fmt: skip


def _words_denied() -> tuple[str, str]:
    return _("cannot be used: permission denied"), _("check the permissions of the file and its folder")


def _words_cannot_open() -> tuple[str, str]:
    return _("cannot be opened: its folder is read-only or cannot be reached"), _(
        "copy it to a folder you can write to, or check the permissions of the file and its folder"
    )


def _words_disk() -> tuple[str, str]:
    return _("cannot be read or written: the disk reports an error"), _(
        "check the disk (is it full, removed, or failing?), then run the command again"
    )


def _free_bytes(path: Path) -> int:
    """Free space for this user on the disk that holds ``path`` (its nearest existing folder)."""
    for folder in (path, *path.parents):
        try:
            stat = os.statvfs(folder)
        except (OSError, AttributeError):  # no statvfs on Windows
            continue
        return stat.f_bavail * stat.f_frsize
    return 1 << 30


_WORDS = {_DISK: _words_disk, _FULL: _words_full, _QUOTA: _words_quota, _READ_ONLY: _words_read_only, _DENIED: _words_denied,
          _CANNOT_OPEN: _words_cannot_open}  # fmt: skip


@contextmanager
def refused_as(path: Path | str, field: str, *, any_os_error: bool = False) -> Iterator[None]:
    """Inside: a full disk, a read-only folder or a refused permission becomes one line naming
    ``path``; with ``any_os_error``, so does any other error of the system (a file kube is asked to
    write where none can be, like ``/proc``)."""
    try:
        yield
    except (OSError, sqlite3.Error) as error:
        if (refused := refusal(error, path, field)) is not None:
            raise refused from None
        if any_os_error and isinstance(error, OSError) and not isinstance(error, FileExistsError):
            raise KubeError(field, str(path), _("cannot be written in that folder ({reason})").format(
                reason=error.strerror or error)) from None  # fmt: skip
        raise
