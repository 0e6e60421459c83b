"""Reading batch files as they arrive: CSV, XLSX, JSON and NDJSON, one row at a time.

A reader finds the header row (below any title block), then yields ``(line, {header: value})``
for every non-blank row, where ``line`` is what a person looks up: the physical line of a CSV,
the spreadsheet's row number, or the item number of a JSON array or NDJSON file. Values stay as
the file holds them (a spreadsheet's numbers stay numbers), so the caller can tell a NIK that
Excel turned into a number. Nothing is read whole except a JSON array.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.tables import HEADER_SEARCH_ROWS, Body, Found, find_table

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t")

Row = dict[str, Any] | str  # a row's cells by header, or what is wrong with the item


@dataclass
class Table:
    """An opened batch file: its header and a stream of rows."""

    name: str
    format: str
    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, Row]]
    total: int = 0  # for the progress bar: bytes or rows, 0 when unknown
    position: Callable[[], int] = lambda: 0
    closers: list[Callable[[], Any]] = field(default_factory=list)
    body: Body | None = None  # what was skipped, for spreadsheets and CSV
    notes: list[str] = field(default_factory=list)  # warnings from opening (the sheet chosen)
    totals: Callable[[], int] | None = None
    title: list[str] = field(default_factory=list)  # the title block's texts
    parts: CsvParts | None = None  # a CSV's later rows can be read by another process (batch_helper)

    def close(self) -> None:
        for close in self.closers:
            close()

    def column_index(self, raw: str) -> int:
        """Where the cell of header ``raw`` sits in a row of cells (``body.chunks``, the import's fast path,
        which reads a CSV's rows as lists instead of ``rows``): the last column of that name, as the row's
        dict (``rows``) keeps it."""
        return len(self.header) - 1 - self.header[::-1].index(raw)

    def as_row(self, cells: list[Any]) -> dict[str, Any]:
        """A row of cells as ``rows`` would have given it."""
        return dict(zip(self.header, cells, strict=False))


def header_key(text: Any) -> str:
    """A header as matched: case, spaces, underscores, dots, dashes and a unit in brackets
    (``Nilai Bantuan (Rp)``) ignored."""
    raw = str(text or "")
    if "(" in raw:
        raw = re.sub(r"\([^)]*\)", "", raw)
    return re.sub(r"[\s_.\-]+", "", raw).casefold()


def open_table(
    path: Path, name: str, score: Callable[[list[str]], int], sheet: str | None = None, *,
    known: Callable[[str], bool] | None = None, fits: Callable[[list[str]], bool] | None = None,
    include_hidden: bool = False,
) -> Table:  # fmt: skip
    """Open ``path`` (shown as ``name``); ``score`` counts the known headers among a row's cells,
    ``known`` tells one header, ``fits`` whether a header row names one kind's required columns."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        raise KubeError("file", name, _("does not exist")) from None
    except IsADirectoryError:
        raise KubeError("file", name, _("is a folder, not a file")) from None
    except OSError as error:
        raise KubeError("file", name, _("cannot be read: {error}").format(error=error.strerror or error)) from None
    if not head:
        raise KubeError("file", name, _("is empty"))
    fmt = detect_format(path, name, head)
    known = known or (lambda text: score([text]) > 0)
    if sheet is not None and fmt not in SHEETED:
        raise KubeError("sheet", sheet, _("only a spreadsheet (XLSX, XLS, ODS) has sheets; {name} is {fmt}").format(
            name=name, fmt=fmt))  # fmt: skip
    if fmt in SHEETED or fmt == "html":
        return _open_book(path, name, fmt, score, known, fits, sheet, include_hidden)
    if fmt == "json":
        return _open_json(path, name)
    if fmt == "ndjson":
        return _open_ndjson(path, name)
    return _open_csv(path, name, score, known, include_hidden)


SHEETED = ("xlsx", "xls", "ods")


def detect_format(path: Path, name: str, head: bytes) -> str:
    """The format from the content first (a zip is XLSX or ODS, OLE2 is XLS, ``<`` an HTML table,
    ``[`` JSON, ``{`` NDJSON), then the name."""
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "ods" if b"application/vnd.oasis.opendocument.spreadsheet" in head[:400] else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        raise KubeError("file", name, _("is an Excel 2003 XML spreadsheet, which kube does not read"),
                        _("open it in Excel or LibreOffice and save it as .xlsx"))  # fmt: skip
    if head.lstrip(b"\xef\xbb\xbf").lstrip()[:1] == b"<":  # the HTML reader's module only for a file that may be one
        from kube_cli.sheets_xls import looks_like_html

        if looks_like_html(head):
            return "html"
    if suffix in (".xlsx", ".xlsm", ".ods"):
        raise KubeError("file", name, _("is not an XLSX or ODS file (it is not a zip archive)"))
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        return "ndjson"
    if suffix in (".json", ".ndjson", ".jsonl"):
        raise KubeError("file", name, _("is not JSON: it starts with neither '[' nor '{'"))
    return "csv"


# --- CSV ------------------------------------------------------------------------------------


def _encoding(sample: bytes, complete: bool, name: str) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise KubeError("file", name, _("is not a CSV, XLSX, JSON or NDJSON file"))
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if complete or error.start < len(sample) - 3:
            return "cp1252"  # what Excel writes as "CSV" on Windows
    return "utf-8"


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """``(first physical line, cells)``: a quoted cell may run over several lines."""
    line = reader.line_num + 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


class _CsvRows:
    """A CSV's rows as a sheet's: ``(first physical line, cells, hidden)`` (a CSV hides none), with decoding
    and CSV errors turned into our one-line refusal. ``take`` reads many rows at once, for ``Body.chunks``."""

    def __init__(self, reader: Any, name: str, encoding: str) -> None:
        self.reader = reader
        self.name = name
        self.encoding = encoding
        self.last = 0  # the line of the last row read: where an error is said to come after
        self.skipped = 0  # lines before the reader's first one (``CsvParts.resume``)
        self.locate: Callable[[], int] | None = None  # the line before the first byte that does not decode

    def __iter__(self) -> _CsvRows:
        return self

    def __next__(self) -> tuple[int, list[str], bool]:
        line = self.reader.line_num + 1 + self.skipped
        try:
            cells = next(self.reader)
        except UnicodeDecodeError:
            raise _undecodable(self.name, self.encoding, self.locate() if self.locate else self.last) from None
        except csv.Error as error:
            raise _unreadable(self.name, error, self.last) from None
        self.last = line
        return line, cells, False

    def take(self, size: int) -> tuple[Sequence[int], list[list[str]]]:
        """The next ``size`` rows (fewer at the end) and their first lines, read by the csv module in one go."""
        reader = self.reader
        before = reader.line_num + self.skipped
        rows: list[list[str]] = []
        try:
            rows.extend(itertools.islice(reader, size))  # on an error, the rows read before it stay
        except UnicodeDecodeError:
            self._lines(before, rows)
            raise _undecodable(self.name, self.encoding, self.locate() if self.locate else self.last) from None
        except csv.Error as error:
            self._lines(before, rows)
            raise _unreadable(self.name, error, self.last) from None
        return self._lines(before, rows), rows

    def _lines(self, before: int, rows: list[list[str]]) -> Sequence[int]:
        """Each row's first line: one after the other, unless a quoted cell holds line breaks (\\n, \\r or
        \\r\\n, as the file is read: each one more line for its row)."""
        if self.reader.line_num + self.skipped - before == len(rows):
            lines: Sequence[int] = range(before + 1, before + 1 + len(rows))
        else:
            lines, line = [], before + 1
            for cells in rows:
                lines.append(line)
                line += 1 + sum(
                    c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells if "\n" in c or "\r" in c
                )
        if rows:
            self.last = lines[-1]
        return lines


def _open_csv(path: Path, name: str, score: Callable[[list[str]], int], known: Callable[[str], bool],
              include_hidden: bool) -> Table:  # fmt: skip
    handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by Table.close
    sample = handle.read(SAMPLE_BYTES)
    complete = len(sample) < SAMPLE_BYTES
    encoding = _encoding(sample, complete, name)
    try:
        text = sample.decode(encoding, errors="ignore" if not complete else "strict")
    except UnicodeDecodeError:
        handle.close()
        raise KubeError("file", name, _("is not text in UTF-8 or Windows-1252"), _("save it as CSV UTF-8")) from None
    best: tuple[int, str] = (0, ",")
    for delimiter in DELIMITERS:
        try:
            rows = _csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            sniffed = find_table(((line, cells, False) for line, cells in rows), score, known)
        except csv.Error:
            continue
        if sniffed and score(sniffed.header) > best[0]:
            best = (score(sniffed.header), delimiter)
    delimiter = best[1]
    handle.seek(0)
    parts = CsvParts(path, handle, encoding, delimiter, name)
    rows = parts.rows
    found = find_table(rows, score, known)
    if found is None:
        handle.close()
        raise _no_header(name)
    body = Body(found, rows, include_hidden)
    header = found.header
    size = path.stat().st_size
    parts.size = size
    return Table(name, "csv", header, found.line, _as_dicts(body, header), size, handle.tell, [handle.close],
                 body=body, title=found.title, parts=parts)  # fmt: skip


class _Window(io.RawIOBase):
    """A file read only up to ``end`` (``None``: to its end); closing it leaves the file open."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.end: int | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        room = len(buffer) if self.end is None else min(len(buffer), self.end - self.handle.tell())
        return self.handle.readinto(memoryview(buffer)[:room]) if room > 0 else 0


class CsvParts:
    """A CSV read in parts: this process reads up to ``stop_at``'s byte while another reads on from there
    (batch_helper), then ``resume`` goes on where the other stopped. ``rows`` gives the rows, numbered by
    the file's lines whichever part they come from; a byte that does not decode is placed exactly (the text
    is decoded a block at a time, so where the reader meets it depends on where its part began)."""

    def __init__(self, path: Path, handle: Any, encoding: str, delimiter: str, name: str) -> None:
        self.path, self.handle, self.encoding, self.delimiter = path, handle, encoding, delimiter
        self.size = 0
        self.window = _Window(handle)
        self.rows = _CsvRows(self._reader(encoding), name, encoding)
        self.rows.locate = self.undecodable_line

    def _reader(self, encoding: str) -> Any:
        stream = io.TextIOWrapper(io.BufferedReader(self.window, READ_BYTES), encoding=encoding, newline="",
                                  errors="strict")  # fmt: skip
        return csv.reader(stream, delimiter=self.delimiter)

    def stop_at(self, byte: int) -> None:
        """This process's rows end at ``byte`` (the start of a line, after what it has read so far)."""
        self.window.end = byte

    def resume(self, byte: int, line: int) -> None:
        """The rows from ``byte`` on, where ``line`` starts: after what this process and the other read."""
        self.handle.seek(byte)
        self.window = _Window(self.handle)  # the last part's readers close theirs when they are collected
        self.rows.reader = self._reader("utf-8" if self.encoding == "utf-8-sig" else self.encoding)  # BOM: at the start
        self.rows.skipped = self.rows.last = line - 1

    def lines_before(self, byte: int) -> int:
        """The lines before ``byte`` as the csv module counts them (\\n, \\r or \\r\\n each one), from the
        file this opened (whatever its name holds now)."""
        lines, fd, at, cr_before = 0, self.handle.fileno(), 0, False
        while at < byte:
            block = _pread(fd, min(COUNT_BYTES, byte - at), at)
            if not block:
                break
            lines += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n") - (cr_before and block[:1] == b"\n")
            cr_before, at = block[-1:] == b"\r", at + len(block)
        return lines

    def undecodable_line(self) -> int:
        """The line before the one holding the file's first byte that is not text in its encoding."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        fd, at = self.handle.fileno(), 0
        while block := _pread(fd, COUNT_BYTES, at):
            held = len(decoder.getstate()[0])  # bytes of a character begun in the block before
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return self.lines_before(at - held + error.start)
            at += len(block)
        return self.lines_before(at)


COUNT_BYTES = 1 << 20  # the file looked through in pieces of this size


def _pread(fd: int, size: int, at: int) -> bytes:
    """``size`` bytes of the file at ``at``, its position left as it was (another part may be reading it)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, at)
    kept = os.lseek(fd, 0, os.SEEK_CUR)  # Windows: no pread
    try:
        os.lseek(fd, at, os.SEEK_SET)
        return os.read(fd, size)
    finally:
        os.lseek(fd, kept, os.SEEK_SET)


READ_BYTES = 1 << 16  # the file is read in pieces of this size


def _as_dicts(rows: Iterable[tuple[int, list[Any]]], header: list[str]) -> Iterator[tuple[int, Row]]:
    for line, cells in rows:
        yield line, dict(zip(header, cells, strict=False))


def _undecodable(name: str, encoding: str, line: int) -> KubeError:
    shown = "Windows-1252" if encoding == "cp1252" else "UTF-8"
    return KubeError(
        "file", name, _("is not valid {encoding} text after line {line}").format(encoding=shown, line=line),
        _("save it as CSV UTF-8"),
    )  # fmt: skip


def _unreadable(name: str, error: csv.Error, line: int) -> KubeError:
    return KubeError("file", name, _("cannot be read as CSV after line {line}: {error}").format(
        line=line, error=error))  # fmt: skip


def _no_header(name: str, sheet: str = "") -> KubeError:
    where = _(" (sheet '{sheet}')").format(sheet=sheet) if sheet else ""
    return KubeError(
        "file", name, _("has no header row{where} (none of its first {n} rows names two known columns)").format(
            where=where, n=HEADER_SEARCH_ROWS),
        _("name the columns as `kube import --help` shows, or map them with --map \"HEADER=FIELD\""),
    )  # fmt: skip


# --- spreadsheets: XLSX, XLS, ODS, an HTML table -------------------------------------------


def _open_book(
    path: Path, name: str, fmt: str, score: Callable[[list[str]], int], known: Callable[[str], bool],
    fits: Callable[[list[str]], bool] | None, sheet: str | None, include_hidden: bool,
) -> Table:  # fmt: skip
    from kube_cli.sheets import open_book

    book = open_book(path, name, fmt)
    try:
        index, found, warning = _choose_sheet(book, name, score, known, fits, sheet)
    except BaseException:
        book.close()
        raise
    # the look-ahead read the sheet's top; read it again from there, past the header
    rows = itertools.dropwhile(lambda row: row[0] <= found.line, book.rows(index))
    found = Found(found.line, found.header, [], found.title)
    body = Body(found, rows, include_hidden, gaps=True)
    header = found.header
    rows = _as_dicts(body, header)
    table = Table(name, fmt, header, found.line, rows, 0, lambda: book.done, [book.close], body=body)
    table.total = 0
    table.totals = lambda: book.total
    if warning:
        table.notes.append(warning)
    table.title = found.title
    return table


def _choose_sheet(
    book: Any, name: str, score: Callable[[list[str]], int], known: Callable[[str], bool],
    fits: Callable[[list[str]], bool] | None, sheet: str | None,
) -> tuple[int, Found, str]:  # fmt: skip
    """The sheet to read: ``--sheet``, else the first visible one holding a table kube knows, else
    the one other visible sheet that does (with a warning); else the error lists the sheets."""
    names = [s.name for s in book.sheets]
    if sheet is not None:
        matches = [i for i, s in enumerate(names) if s == sheet] or [
            i for i, s in enumerate(names) if s.strip().casefold() == sheet.strip().casefold()]  # fmt: skip
        if not matches:
            raise KubeError("sheet", sheet, _("is not a sheet of {name}").format(name=name),
                            _("its sheets: {names}").format(names=", ".join(names)))  # fmt: skip
        found = find_table(book.rows(matches[0]), score, known)
        if found is None:
            raise _no_header(name, names[matches[0]])
        return matches[0], found, ""
    visible = [i for i, s in enumerate(book.sheets) if s.visible] or [0]
    first = visible[0]
    found = find_table(book.rows(first), score, known)
    if found is not None and (fits is None or fits(found.header)):
        return first, found, ""
    others = []
    for index in visible[1:]:
        other = find_table(book.rows(index), score, known)
        if other is not None and (fits is None or fits(other.header)):
            others.append((index, other))
    if len(others) == 1:
        index, other = others[0]
        return index, other, _("{name}: the first sheet '{first}' holds no table kube knows; reading sheet '{sheet}'").format(
            name=name, first=names[first], sheet=names[index])  # fmt: skip
    shown = ", ".join(f"'{s.name}'" + ("" if s.visible else _(" (hidden)")) for s in book.sheets)
    if others:
        reason = _("has {n} sheets that hold a table kube knows").format(n=len(others))
    elif found is not None:
        return first, found, ""  # a table, just not a complete one: the column check says what it lacks
    else:
        reason = _("has no sheet holding a table kube knows (a header row naming its columns)")
    raise KubeError("file", name, reason, _("its sheets: {names}; pick one with --sheet NAME").format(names=shown))


# --- JSON and NDJSON ------------------------------------------------------------------------


def _open_json(path: Path, name: str) -> Table:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            items = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        where = _(" (line {line})").format(line=error.lineno) if isinstance(error, json.JSONDecodeError) else ""
        raise KubeError("file", name, _("is not valid JSON") + where) from None
    if not isinstance(items, list):
        raise KubeError("file", name, _("is not a JSON array of records"))
    header = list(items[0]) if items and isinstance(items[0], dict) else []
    done = [0]

    def body() -> Iterator[tuple[int, Row]]:
        for number, item in enumerate(items, start=1):
            done[0] = number
            yield number, item if isinstance(item, dict) else _("is not a JSON object")

    return Table(name, "json", header, 0, body(), len(items), lambda: done[0])


def _open_ndjson(path: Path, name: str) -> Table:
    handle = open(path, encoding="utf-8-sig")  # noqa: SIM115 - closed by Table.close
    header: list[str] = []
    lines = _guarded_lines(handle, name)
    first: list[tuple[int, Row]] = []
    for number, item in lines:
        first.append((number, item))
        if isinstance(item, dict):
            header = list(item)
            break

    def body() -> Iterator[tuple[int, Row]]:
        yield from first
        yield from lines

    size = path.stat().st_size
    return Table(name, "ndjson", header, 0, body(), size, lambda: handle.buffer.tell(), [handle.close])


def _guarded_lines(handle: Any, name: str) -> Iterator[tuple[int, Row]]:
    """NDJSON items numbered as CONTRACT says: by item (blank lines are not items), not by line."""
    number = line = 0
    try:
        for line, text in enumerate(handle, start=1):  # noqa: B007 - the error below names it
            if not text.strip():
                continue
            number += 1
            try:
                item = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                yield number, _("is not valid JSON")
                continue
            yield number, item if isinstance(item, dict) else _("is not a JSON object")
    except UnicodeDecodeError:
        raise KubeError("file", name, _("is not valid UTF-8 text after line {line}").format(line=line)) from None
