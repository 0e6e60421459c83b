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
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kube_cli.errors import KubeError
from kube_cli.i18n import _

# A cell starting with one of these is run as a formula by spreadsheets (OWASP CSV injection): export
# puts a ' before it, and import takes that ' off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

SAMPLE_BYTES = 256 * 1024
HEADER_SEARCH_ROWS = 30
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

    def close(self) -> None:
        for close in self.closers:
            close()


def header_key(text: Any) -> str:
    """A header as matched: case, spaces, underscores, dots and dashes ignored."""
    return re.sub(r"[\s_.\-]+", "", str(text or "")).casefold()


def open_table(path: Path, name: str, score: Callable[[list[str]], int], sheet: str | None = None) -> Table:
    """Open ``path`` (shown as ``name``); ``score`` counts the known headers among a row's cells."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise KubeError("file", name, _("does not exist")) from None
    except IsADirectoryError:
        raise KubeError("file", name, _("is a folder, not a file")) from None
    except OSError as error:
        raise KubeError("file", name, _("cannot be read: {error}").format(error=error.strerror or error)) from None
    if not head:
        raise KubeError("file", name, _("is empty"))
    fmt = detect_format(path, name, head)
    if sheet is not None and fmt != "xlsx":
        raise KubeError("sheet", sheet, _("only an XLSX file has sheets; {name} is {fmt}").format(name=name, fmt=fmt))
    if fmt == "xlsx":
        return _open_xlsx(path, name, score, sheet)
    if fmt == "json":
        return _open_json(path, name)
    if fmt == "ndjson":
        return _open_ndjson(path, name)
    return _open_csv(path, name, score)


def detect_format(path: Path, name: str, head: bytes) -> str:
    """The format from the content first (a zip is XLSX, ``[`` JSON, ``{`` NDJSON), then the name."""
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise KubeError("file", name, _("is an old Excel .xls file"), _("save it as .xlsx or CSV and import that"))
    if suffix in (".xlsx", ".xlsm"):
        raise KubeError("file", name, _("is not an XLSX file (it is not a zip archive)"))
    with open(path, "rb") as handle:
        start = handle.read(4096).removeprefix(codecs.BOM_UTF8).lstrip()
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


def _find_header(rows: Iterator[tuple[int, list[str]]], score: Callable[[list[str]], int]) -> tuple[int, list[str]]:
    """The first of the first rows with at least two known headers."""
    for count, (line, cells) in enumerate(rows):
        if count >= HEADER_SEARCH_ROWS:
            break
        if score(cells) >= 2:
            return line, cells
    return 0, []


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """``(first physical line, cells)``: a quoted cell may run over several lines."""
    line = reader.line_num + 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _open_csv(path: Path, name: str, score: Callable[[list[str]], int]) -> Table:
    handle = open(path, "rb")  # noqa: SIM115 - closed by Table.close
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
            line, cells = _find_header(_csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), score)
        except csv.Error:
            continue
        if line and score(cells) > best[0]:
            best = (score(cells), delimiter)
    delimiter = best[1]
    handle.seek(0)
    stream = io.TextIOWrapper(handle, encoding=encoding, newline="", errors="strict")
    reader = csv.reader(stream, delimiter=delimiter)
    rows = _guarded(_csv_rows(reader), name, encoding)
    header_line, header = _find_header(rows, score)
    if not header_line:
        handle.close()
        raise _no_header(name)

    def body() -> Iterator[tuple[int, Row]]:
        width = len(header)
        for line, cells in rows:
            if not "".join(cells).strip():  # a blank row
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield line, dict(zip(header, cells, strict=False))

    size = path.stat().st_size
    return Table(name, "csv", header, header_line, body(), size, handle.tell, [handle.close])


def _guarded(rows: Iterator[tuple[int, list[str]]], name: str, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """Turn decoding and CSV errors into our one-line refusal, naming where they happened."""
    line = 0
    try:
        for line, cells in rows:
            yield line, cells
    except UnicodeDecodeError:
        shown = "Windows-1252" if encoding == "cp1252" else "UTF-8"
        raise KubeError(
            "file", name, _("is not valid {encoding} text after line {line}").format(encoding=shown, line=line),
            _("save it as CSV UTF-8"),
        ) from None  # fmt: skip
    except csv.Error as error:
        raise KubeError("file", name, _("cannot be read as CSV after line {line}: {error}").format(
            line=line, error=error)) from None  # fmt: skip


def _no_header(name: str) -> KubeError:
    return KubeError(
        "file", name, _("has no header row (none of its first {n} rows names two known columns)").format(
            n=HEADER_SEARCH_ROWS), _("see `kube import --help` for the column names"),
    )  # fmt: skip


# --- XLSX -----------------------------------------------------------------------------------


def _open_xlsx(path: Path, name: str, score: Callable[[list[str]], int], sheet: str | None) -> Table:
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise KubeError("file", name, _("needs openpyxl to be read"), _("pip install openpyxl")) from None
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise KubeError("file", name, _("is not a readable XLSX file ({error})").format(
            error=type(error).__name__)) from None  # fmt: skip
    if sheet is None:
        worksheet = book.worksheets[0]
    elif sheet in book.sheetnames:
        worksheet = book[sheet]
    else:
        book.close()
        raise KubeError("sheet", sheet, _("is not a sheet of {name}").format(name=name),
                        _("its sheets: {names}").format(names=", ".join(book.sheetnames)))  # fmt: skip
    all_rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
    header_line, raw_header = _find_header(((n, list(r)) for n, r in all_rows), score)
    if not header_line:
        book.close()
        raise _no_header(name)
    header = ["" if c is None else str(c) for c in raw_header]
    done = [header_line]

    def body() -> Iterator[tuple[int, Row]]:
        for line, cells in all_rows:
            done[0] = line
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            yield line, dict(zip(header, cells, strict=False))

    total = worksheet.max_row or 0
    return Table(name, "xlsx", header, header_line, body(), total, lambda: done[0], [book.close])


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
