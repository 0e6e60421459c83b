"""A second process for a large CSV import's later rows, on the machine's second core.

While this process reads, checks and stages the first part of the file, a forked helper does the same
with the part after it, through the same fast path (``batch_fast.FastMembers``), into an in-memory
database of staging tables, which it hands back whole (``sqlite3`` serialize). The helper takes only
what the fast path vouches for without doubt: it stops at the first chunk that is not all common data
rows of one line each, whose rows the fast path doubts, or that the file cannot be decoded at, and this
process reads on from there itself, so every problem is still found and reported by this process as
before, in line order. If the helper fails in any way, this process reads its part too. Nothing of the
helper's touches the registry: it reads the vocabularies (kelurahan, usaha) through its own connection,
and takes nothing if that view is not this process's (another officer wrote in between); it writes nothing
but its pipe. Linux only (``fork``, ``PR_SET_PDEATHSIG``); ``KUBE_ONE_PROCESS=1`` reads
every file in one process.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import mmap
import os
import pickle
import select
import signal
import sqlite3
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kube_cli.batch_fast import CHUNK, GROUP_STAGED, MEMBER_STAGED
from kube_cli.batch_transaction import HELPER, create_staging
from kube_cli.db import connect
from kube_cli.tables import Body

if TYPE_CHECKING:
    from kube_cli.batch_fast import FastMembers
    from kube_cli.batch_read import CsvParts

MIN_BYTES = 2 << 20  # a smaller file is read by one process: forking and merging would cost more than it saves
SHARE = 0.47  # of the file, the helper's part: it has its part to find and hand back, ~5% of its time
MAX_BYTES = 16 << 20  # the most the helper reads (its memory stays flat: ~10 MB of staging at most)
AHEAD = 1 << 20  # this process's part is at least this much more than it has read already
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")  # where '"', a line break and the delimiter are one byte each
STALLED = 30.0  # seconds without a word or a row from the helper: it is stopped and its part read here
_PROGRESS = struct.Struct("qq")  # the helper's rows and bytes read so far, in memory both processes share
_HEAD = struct.Struct("QQ")  # the helper's message: the sizes of what it tells (pickled) and of its staging
# What the vocabularies' look-ups read, and the audit log every change of kube's writes to: the helper reads
# them in a view of its own, and takes nothing unless that view's are this process's
_VOCABULARIES = ("SELECT (SELECT max(id) FROM audit_log), (SELECT count(*) || '/' || coalesce(max(rowid), 0) FROM usaha), "
                 "(SELECT count(*) || '/' || coalesce(max(rowid), 0) FROM usaha_alias), "
                 "(SELECT count(*) || '/' || coalesce(max(rowid), 0) FROM wilayah_alias), "
                 "(SELECT coalesce(max(rowid), 0) FROM wilayah)")  # fmt: skip


@dataclass
class Handed:
    """What the helper read: its rows up to ``stop_line`` (at byte ``stop_byte``), the state the fast path
    had there for this process to go on with, and for a roster the member rows of each group it staged."""

    stop_line: int
    stop_byte: int
    state: tuple[Any, ...]
    sizes: list[int]
    staged: Any = None  # the serialized staging database (sent after the rest), only the rows before ``stop_line``


class Helper:
    """The helper process for ``parts``' bytes from ``start`` to ``end``; this process reads up to ``start``."""

    def __init__(self, fast: FastMembers, parts: CsvParts, start: int, end: int) -> None:
        self.fast, self.parts, self.start, self.end = fast, parts, start, end
        self.seen = fast.stager.reader.places.registry.conn.execute(_VOCABULARIES).fetchone()
        self.shared = mmap.mmap(-1, _PROGRESS.size)
        self.pipe: int | None = None
        self.reaped = signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN  # then the system reaps it
        read, write = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no process to be had (a limit, no memory): this one reads it all
            os.close(read)
            os.close(write)
            self.shared.close()
            raise
        if pid == 0:  # the helper: never returns, never runs the parent's clean-ups
            status = 1
            try:
                os.close(read)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _die_with(parent)
                _send(write, self._read_part())
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.pipe = pid, read
        parts.stop_at(start)

    @classmethod
    def start_for(cls, fast: FastMembers) -> Helper | None:
        """A helper for the later part of a large CSV on a system that can fork one; else ``None``."""
        parts = fast.table.parts
        if parts is None or parts.size < MIN_BYTES or parts.encoding not in ENCODINGS or not _can_fork():
            return None
        position = parts.handle.tell()  # what this process has read so far, with its buffers
        start = _line_start(parts, min(int(parts.size * (1 - SHARE)), MAX_BYTES))
        if start is None or start <= position + AHEAD:
            return None
        end = min(parts.size, start + MAX_BYTES)  # the helper stops at the first chunk that ends past it
        try:
            return cls(fast, parts, start, end)
        except OSError:
            return None

    def hand_over(self, fast: FastMembers, progress: Callable[[int, int], Any]) -> int:
        """Once the helper is done (``progress``: its rows so far and the bytes read in all, now and then
        meanwhile), its rows into this process's staging and the file read on after them here; returns the
        rows it staged (none if it failed: then its part is read here)."""
        handed = self.finish(lambda: progress(*self._so_far()))
        if handed is None:
            self.parts.resume(self.start, self.parts.lines_before(self.start) + 1)
            return 0
        rows = merge(fast.stager.conn, fast, handed)
        self.parts.resume(handed.stop_byte, handed.stop_line)
        return rows

    def _so_far(self) -> tuple[int, int]:
        rows, read = self.progress()
        return rows, self.start + read

    def progress(self) -> tuple[int, int]:
        """The helper's rows and bytes read so far."""
        return _PROGRESS.unpack_from(self.shared)

    def finish(self, on_wait: Callable[[], Any] | None = None) -> Handed | None:
        """What the helper read, once it is done (``on_wait`` is called now and then while it works), or
        ``None`` if it failed."""
        try:
            head = self._receive(_HEAD.size, on_wait)
            if head is None:
                return None
            meta, staged = _HEAD.unpack(head)
            told = self._receive(meta, on_wait)
            data = self._receive(staged, on_wait)
        finally:
            self.close()
        if told is None or data is None:
            return None
        handed = pickle.loads(told)
        handed.staged = data
        return handed

    def _receive(self, size: int, on_wait: Callable[[], Any] | None) -> bytearray | None:
        """``size`` bytes from the helper, read into one buffer; ``None`` if it stopped before, or went
        ``STALLED`` seconds without reading a row or saying a word."""
        buffer = bytearray(size)
        view, got = memoryview(buffer), 0
        waiting = select.poll()
        waiting.register(self.pipe, select.POLLIN | select.POLLHUP)
        heard, last = time.monotonic(), self.progress()
        while got < size:
            if not waiting.poll(200):
                if on_wait:
                    on_wait()
                now = self.progress()
                if now != last:
                    heard, last = time.monotonic(), now
                elif time.monotonic() - heard > STALLED:
                    return None
                continue
            n = os.readv(self.pipe, [view[got:]])
            if not n:
                return None
            got, heard = got + n, time.monotonic()
        return buffer

    def close(self) -> None:
        """The helper stopped and reaped, whatever state it is in."""
        if self.pipe is None:
            return
        os.close(self.pipe)
        self.pipe = None
        with contextlib.suppress(ChildProcessError):  # ignored SIGCHLD: the system has reaped it, or will
            if os.waitpid(self.pid, os.WNOHANG) == (0, 0):  # still running: never a reused number
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        self.shared.close()

    # --- in the helper ---------------------------------------------------------------------------

    def _read_part(self) -> Handed:
        fast, parts = self.fast, self.parts
        stager = fast.stager
        registry = stager.reader.places.registry
        inherited = (registry.conn, stager.conn)  # noqa: F841 - kept: the parent's connection is never closed here
        own = connect(registry.path)  # a connection of its own, as every command opens one
        own.execute("BEGIN")
        registry.conn = own  # the vocabularies' look-ups; nothing is written
        if own.execute(_VOCABULARIES).fetchone() != self.seen:
            self.end = self.start  # another officer changed the registry since this import's view began: no part
        staging = sqlite3.connect(":memory:", isolation_level=None)
        staging.execute("PRAGMA temp_store = MEMORY")  # the staging tables are TEMP ones: in memory, no file
        create_staging(staging)
        stager.conn = staging
        before = parts.lines_before(self.start)
        line, byte = before + 1, self.start
        encoding = "utf-8" if parts.encoding == "utf-8-sig" else parts.encoding
        width = fast.table.body.width if fast.table.body else 0
        state = (*fast.state(), stager.group_seq)
        with open(f"/proc/self/fd/{parts.handle.fileno()}", "rb") as handle:  # the file opened, at an offset of its own
            handle.seek(self.start)
            while byte < self.end:
                piece = list(itertools.islice(handle, CHUNK))  # lines with their line breaks
                if not piece:
                    break
                joined = b"".join(piece)
                if b'"' in joined or joined.count(b"\r") != joined.count(b"\r\n") + joined.endswith(b"\r"):
                    break  # a quoted cell, or a line ended by \r alone: its rows and lines may not be one to one
                try:
                    text = joined.decode(encoding)
                    rows = list(csv.reader(text.removesuffix("\n").split("\n"), delimiter=parts.delimiter))
                except (UnicodeDecodeError, csv.Error):
                    break
                common = Body.common(rows, width) if len(rows) == len(piece) else None
                if common is None:
                    break
                try:
                    slow = fast.add(range(line, line + len(rows)), common)
                except Exception:  # noqa: BLE001 - whatever it is, this process meets it again and says it
                    break
                if slow:
                    break
                state = (*fast.state(), stager.group_seq)
                line += len(piece)
                byte += len(joined)
                _PROGRESS.pack_into(self.shared, 0, line - before - 1, byte - self.start)
        fast.flush()
        groups = state[-1]
        sizes = stager.group_sizes[:groups]
        if byte < parts.size:  # the chunk the helper stopped at: its rows were staged and counted, and are not its
            for seq, count in staging.execute("SELECT group_seq, count(*) FROM sm WHERE line >= ? AND group_seq "
                                              "<= ? GROUP BY group_seq", (line, groups)):  # fmt: skip
                sizes[seq - 1] -= count
            staging.execute("DELETE FROM sm WHERE line >= ?", (line,))
            staging.execute("DELETE FROM gs WHERE line >= ?", (line,))
        return Handed(line, byte, state[:-1], sizes, staging.serialize(name="temp"))


def merge(conn: sqlite3.Connection, fast: FastMembers, handed: Handed) -> int:
    """The helper's staged rows into this process's staging, its groups numbered on from this one's; the
    fast path's state as the helper left it. Returns the rows taken."""
    conn.deserialize(handed.staged, name=HELPER)
    handed.staged = None  # SQLite has its own copy
    try:
        return _merge(conn, fast, handed)
    finally:
        conn.deserialize(_empty_database(), name=HELPER)  # the copy freed before the checks and the write


def _merge(conn: sqlite3.Connection, fast: FastMembers, handed: Handed) -> int:
    stager = fast.stager
    members = MEMBER_STAGED if fast.kind == "roster" else MEMBER_STAGED[:-1]
    if fast.kind != "roster":
        conn.execute(f"INSERT INTO temp.sm ({', '.join(members)}) SELECT {', '.join(members)} FROM {HELPER}.sm")
    elif handed.sizes:
        first = conn.execute(f"SELECT {', '.join(GROUP_STAGED[1:-1])} FROM {HELPER}.gs WHERE seq = 1").fetchone()
        same = first == stager._last_group  # the group at the split, staged here already: its members go on
        shift = stager.group_seq - same
        conn.execute(f"INSERT INTO temp.gs ({', '.join(GROUP_STAGED)}) SELECT {', '.join(GROUP_STAGED[:-1])}, "
                     f"seq + ? FROM {HELPER}.gs WHERE seq > ?", (shift, int(same)))  # fmt: skip
        conn.execute(f"INSERT INTO temp.sm ({', '.join(members)}) SELECT {', '.join(members[:-1])}, group_seq + ? "
                     f"FROM {HELPER}.sm", (shift,))  # fmt: skip
        sizes = handed.sizes
        if same:
            stager.group_sizes[-1] += sizes[0]
        stager.group_sizes.extend(sizes[int(same) :])
        stager.group_seq += len(sizes) - same
    (rows,) = conn.execute(f"SELECT count(*) FROM {HELPER}.sm").fetchone()
    if rows:
        fast.restore(handed.state)
        fast.table.body.read_elsewhere(handed.stop_line - 1)
    return rows


def _empty_database() -> bytes:
    """A database with nothing in it, serialized (SQLite takes no empty buffer for one)."""
    empty = sqlite3.connect(":memory:")
    try:
        empty.execute("CREATE TABLE t (x)")
        empty.execute("DROP TABLE t")
        return empty.serialize()
    finally:
        empty.close()


def _die_with(parent: int) -> None:
    """The helper killed by the system when the process that forked it dies (Linux's PR_SET_PDEATHSIG)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # it died before that was set
        os._exit(1)


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and os.environ.get("KUBE_ONE_PROCESS") != "1"


def _line_start(parts: CsvParts, byte: int) -> int | None:
    """The start of the first line at or after ``byte`` where the csv module starts a row: every quote
    before it opens a cell at a cell's start and closes it before a delimiter or a line break, so none
    is left open; ``None`` when that cannot be said cheaply (a quote anywhere else, too many quoted cells)."""
    if byte >= parts.size:
        return None
    delimiter = parts.delimiter.encode()
    with mmap.mmap(
        parts.handle.fileno(), 0, access=mmap.ACCESS_READ
    ) as data:  # the file opened, whatever its name holds now
        newline = data.find(b"\n", max(byte - 1, 0))
        if newline < 0 or newline + 1 >= parts.size:
            return None
        split = newline + 1
        head = data[:split]
    if head.count(b'"') > MAX_QUOTES:
        return None
    at = head.find(b'"')
    while at >= 0:
        if at and head[at - 1 : at] not in (delimiter, b"\n", b"\r"):
            return None  # a quote inside a cell: the csv module keeps it as it is, and the count says nothing
        close = head.find(b'"', at + 1)
        while close >= 0 and head[close + 1 : close + 2] == b'"':  # a doubled quote inside the cell
            close = head.find(b'"', close + 2)
        if close < 0 or head[close + 1 : close + 2] not in (delimiter, b"\n", b"\r"):
            return None  # open at the split, or text after the closing quote
        at = head.find(b'"', close + 1)
    return split


MAX_QUOTES = 20_000  # a file quoting more cells than this before the split is read by one process


def _send(fd: int, handed: Handed) -> None:
    """The helper's message: the sizes, what it tells, then its staging (written from where it is, no copy)."""
    staged, handed.staged = handed.staged, None
    told = pickle.dumps(handed, protocol=pickle.HIGHEST_PROTOCOL)
    for data in (_HEAD.pack(len(told), len(staged)), told, staged):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
