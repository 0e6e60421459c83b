"""Spreadsheets as offices save them — XLSX, XLS 97-2003, ODS, and an HTML table saved as ``.xls`` —
behind one row interface: each row is ``(line, cells, hidden)``, ``line`` being the row number the
spreadsheet shows, ``cells`` its values left to right (numbers stay numbers, a date cell is a
``datetime``), ``hidden`` whether the office hid it (by hand or by a filter).

Why these readers (the libraries' documentation was read for each):
- XLSX and ODS are zip archives of XML, read here as a stream with the standard library's expat.
  openpyxl's read-only mode trusts the sheet's ``<dimension>`` (a stale one silently drops rows) and
  does not report hidden rows; python-calamine reports neither hidden rows (tafia/calamine#237,
  closed as not planned) nor does it stream; odfpy builds the whole document in memory. Reading the
  XML ourselves gives the ``hidden`` flag of every format, ignores ``<dimension>``, keeps memory
  flat (one row at a time) and lets us bound what a hostile archive may inflate to.
- XLS 97-2003 is a binary format: xlrd (``formatting_info=True``) reads it with each row's
  ``Rowinfo.hidden`` and each sheet's visibility. An ``.xls`` is at most 65,536 rows, so reading it
  whole is bounded.
- An HTML table saved as ``.xls`` by a web app needs only ``html.parser``.

Safety: an archive member that inflates beyond ``RATIO`` times its compressed size (plus a floor)
is refused before a byte is inflated (zipfile never yields more than the declared size), an XML
document with a DTD (entity expansion) is refused, and a cell longer than Excel's 32,767 characters
is refused while it streams, so a zip bomb, a billion laughs or a 1 GB string costs seconds and
little memory.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.parsers import expat

from kube_cli.errors import KubeError
from kube_cli.i18n import _

SheetRow = tuple[int, list[Any], bool]  # (line, cells, hidden)

RATIO = 100  # how far an archive member may inflate
FLOOR = 16 * 1024 * 1024  # ... plus this, so small files with long runs of blanks stay readable
MAX_CELL = 32_767  # Excel's own limit on a cell's characters
MAX_SHARED = 5_000_000  # distinct strings; a 1M-member roster has about 2M
MAX_COLUMNS = 16_384  # Excel's last column, XFD
CHUNK = 64 * 1024


@dataclass
class Sheet:
    name: str
    visible: bool


class Book:
    """An opened workbook: its sheets and, for each, a stream of rows."""

    format = ""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.sheets: list[Sheet] = []
        self.done = 0  # progress: bytes (or rows) read so far
        self.total = 0

    def rows(self, index: int) -> Iterator[SheetRow]:  # pragma: no cover - every reader has its own
        raise NotImplementedError

    def close(self) -> None:
        pass

    def refuse(self, reason: str, hint: str = "") -> KubeError:
        return KubeError("file", self.name, reason, hint)


def open_book(path: Path, name: str, fmt: str) -> Book:
    """The workbook reader for ``fmt`` (``xlsx``, ``ods``, ``xls`` or ``html``)."""
    reader = {"xlsx": XlsxBook, "ods": OdsBook, "xls": XlsBook, "html": HtmlBook}[fmt]
    return reader(path, name)


# --- zip archives (XLSX, ODS) ---------------------------------------------------------------


class _Bomb(Exception):
    pass


# what zipfile and zlib raise on a damaged archive (an encrypted one is a RuntimeError)
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


class _ZipBook(Book):
    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        try:
            self.zip = zipfile.ZipFile(path)
        except (*_DAMAGED, ValueError) as error:
            raise self.refuse(_("is not a readable {fmt} file ({error})").format(
                fmt=self.format.upper(), error=type(error).__name__)) from None  # fmt: skip
        self.members = {info.filename: info for info in self.zip.infolist()}
        for info in self.members.values():
            if info.file_size > RATIO * info.compress_size + FLOOR:
                self.zip.close()
                raise self.refuse(
                    _("is refused: its part {part} would inflate to {size} MB from {packed} KB (a zip bomb?)").format(
                        part=info.filename, size=info.file_size // 2**20, packed=info.compress_size // 1024),
                    _("save the sheet again from Excel or LibreOffice"),
                )  # fmt: skip

    def close(self) -> None:
        self.zip.close()

    def parse(self, member: str, parser: Any, progress: bool = False) -> None:
        """Feed ``member`` to the expat ``parser`` in chunks; a DTD anywhere is refused."""

        def no_dtd(*_args: Any) -> None:
            raise _Bomb(_("declares a DTD (XML entities), which no spreadsheet needs"))

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            with self.zip.open(self.members[member]) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    if progress:
                        self.done += len(chunk)
                parser.Parse(b"", True)
        except _Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part=member, reason=error)) from None
        except (expat.ExpatError, ValueError, *_DAMAGED) as error:
            raise self.refuse(_("is not a readable {fmt} file ({part}: {error})").format(
                fmt=self.format.upper(), part=member, error=error)) from None  # fmt: skip


def _expat() -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    return parser


def _too_long() -> _Bomb:
    return _Bomb(_("holds a cell longer than {n} characters").format(n=MAX_CELL))


# --- XLSX -----------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_MAIN_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships}id"
_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
_COLUMN = re.compile(r"[A-Z]+")
_EPOCH = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def is_date_format(code: str) -> bool:
    """Whether a number format shows a date: a d, m or y outside quotes, brackets and escapes."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return bool(re.search(r"[dy]|m(?!.*[s])", bare)) and not re.fullmatch(r"[#0.,%\s-]*", bare)


def excel_date(serial: float, date1904: bool = False) -> datetime:
    return (_EPOCH_1904 if date1904 else _EPOCH) + timedelta(days=serial)


class XlsxBook(_ZipBook):
    format = "xlsx"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        try:
            self._read_workbook()
        except BaseException:
            self.zip.close()
            raise
        self.strings: list[str] | None = None
        self.date_styles: set[int] | None = None

    def _read_workbook(self) -> None:
        if "xl/workbook.xml" not in self.members:
            raise self.refuse(_("is not a readable XLSX file (it has no workbook)"))
        targets: dict[str, str] = {}
        sheets: list[tuple[str, bool, str]] = []
        flags = {"date1904": False}

        def rel(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship":
                target = attrs.get("Target", "")
                targets[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target

        def sheet(name: str, attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "sheet":
                rid = attrs.get(_REL) or attrs.get(_REL_STRICT) or ""
                sheets.append((attrs.get("name", ""), attrs.get("state", "visible") == "visible", rid))
            elif local == "workbookPr" and attrs.get("date1904", "0") in ("1", "true"):
                flags["date1904"] = True

        if "xl/_rels/workbook.xml.rels" in self.members:
            parser = _expat()
            parser.StartElementHandler = rel
            self.parse("xl/_rels/workbook.xml.rels", parser)
        parser = _expat()
        parser.StartElementHandler = sheet
        self.parse("xl/workbook.xml", parser)
        self.date1904 = flags["date1904"]
        self.parts: list[str] = []
        for name, visible, rid in sheets:
            part = targets.get(rid, "")
            if part not in self.members:
                continue  # a chart sheet or a dangling link: nothing to read
            self.sheets.append(Sheet(name, visible))
            self.parts.append(part)
        if not self.sheets:
            raise self.refuse(_("is not a readable XLSX file (it has no worksheet)"))

    def _shared_strings(self) -> list[str]:
        if self.strings is not None:
            return self.strings
        strings: list[str] = []
        part = next((m for m in ("xl/sharedStrings.xml", "xl/sharedstrings.xml") if m in self.members), None)
        if part is not None:
            state = {"in_t": False, "skip": 0, "size": 0}
            buffer: list[str] = []

            def start(name: str, _attrs: Any) -> None:
                local = _local(name)
                if local == "t" and not state["skip"]:
                    state["in_t"] = True
                elif local == "rPh":  # phonetic guide text is not the cell's text
                    state["skip"] += 1
                elif local == "si":
                    buffer.clear()
                    state["size"] = 0

            def end(name: str) -> None:
                local = _local(name)
                if local == "t":
                    state["in_t"] = False
                elif local == "rPh":
                    state["skip"] -= 1
                elif local == "si":
                    if len(strings) >= MAX_SHARED:
                        raise _Bomb(_("holds more than {n} distinct texts").format(n=MAX_SHARED))
                    strings.append("".join(buffer))

            def data(text: str) -> None:
                if state["in_t"]:
                    state["size"] += len(text)
                    if state["size"] > MAX_CELL:
                        raise _too_long()
                    buffer.append(text)

            parser = _expat()
            parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
            self.parse(part, parser)
        self.strings = strings
        return strings

    def _date_styles(self) -> set[int]:
        if self.date_styles is not None:
            return self.date_styles
        formats: dict[int, str] = {}
        xfs: list[int] = []
        state = {"in_xfs": False}
        if "xl/styles.xml" in self.members:

            def start(name: str, attrs: dict[str, str]) -> None:
                local = _local(name)
                if local == "numFmt":
                    with contextlib.suppress(ValueError):
                        formats[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
                elif local == "cellXfs":
                    state["in_xfs"] = True
                elif local == "xf" and state["in_xfs"]:
                    try:
                        xfs.append(int(attrs.get("numFmtId", "0")))
                    except ValueError:
                        xfs.append(0)

            def end(name: str) -> None:
                if _local(name) == "cellXfs":
                    state["in_xfs"] = False

            parser = _expat()
            parser.StartElementHandler, parser.EndElementHandler = start, end
            self.parse("xl/styles.xml", parser)
        self.date_styles = {
            index for index, fmt in enumerate(xfs)
            if (fmt in _DATE_FORMATS and fmt not in formats) or (fmt in formats and is_date_format(formats[fmt]))
        }  # fmt: skip
        return self.date_styles

    def rows(self, index: int) -> Iterator[SheetRow]:
        """The sheet's rows as they stream; the ``<dimension>`` the file claims is not trusted."""
        strings = self._shared_strings()
        dates = self._date_styles()
        date1904 = self.date1904
        part = self.parts[index]
        self.total = self.members[part].compress_size
        self.done = 0
        ready: list[SheetRow] = []
        # the row being read: [line, cells, hidden]; the cell: [column, type, style, text parts, size]
        row: list[Any] = [0, [], False]
        cell: list[Any] = [0, "n", -1, [], 0]
        state = {"text": False, "line": 0, "col": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            local = name[name.rfind("}") + 1 :]
            if local == "c":
                ref = attrs.get("r")
                if ref:
                    letters = _COLUMN.match(ref)
                    column = 0
                    for ch in letters.group() if letters else "":
                        column = column * 26 + ord(ch) - 64
                    column -= 1
                else:
                    column = state["col"]
                state["col"] = column + 1
                cell[0], cell[1], cell[3], cell[4] = column, attrs.get("t", "n"), [], 0
                style = attrs.get("s")
                cell[2] = int(style) if style and style.isdigit() else -1
            elif local == "v" or (local == "t" and cell[1] == "inlineStr"):
                state["text"] = True
            elif local == "row":
                number = attrs.get("r")
                line = int(number) if number and number.isdigit() else state["line"] + 1
                state["line"], state["col"] = line, 0
                row[0], row[1] = line, []
                row[2] = attrs.get("hidden", "0") in ("1", "true")
            elif local == "rPh":
                state["text"] = False

        def end(name: str) -> None:
            local = name[name.rfind("}") + 1 :]
            if local == "c":
                state["text"] = False
                column = cell[0]
                if column >= MAX_COLUMNS or not cell[3]:
                    return
                text = "".join(cell[3])
                kind = cell[1]
                value: Any
                if kind == "s":
                    try:
                        value = strings[int(text)]
                    except (ValueError, IndexError):
                        raise _Bomb(_("refers to a text it does not hold")) from None
                elif kind in ("str", "inlineStr"):
                    value = text
                elif kind == "b":
                    value = text.strip() in ("1", "true")
                elif kind == "e":
                    value = text  # #N/A, #REF!: shown as the sheet shows them
                elif kind == "d":
                    value = _iso_datetime(text)
                else:
                    try:
                        value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                    except ValueError:
                        value = text
                    if cell[2] in dates and isinstance(value, int | float) and 0 <= value < 2_958_466:
                        value = excel_date(value, date1904)
                    elif isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
                        value = int(value)
                cells = row[1]
                if column > len(cells):
                    cells.extend([None] * (column - len(cells)))
                if column == len(cells):
                    cells.append(value)
                else:
                    cells[column] = value
            elif local == "v" or local == "t":
                state["text"] = False
            elif local == "row":
                ready.append((row[0], row[1], row[2]))

        def data(text: str) -> None:
            if state["text"]:
                cell[4] += len(text)
                if cell[4] > MAX_CELL:
                    raise _too_long()
                cell[3].append(text)

        parser = _expat()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data

        def no_dtd(*_args: Any) -> None:
            raise _Bomb(_("declares a DTD (XML entities), which no spreadsheet needs"))

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            with self.zip.open(self.members[part]) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    left = getattr(stream, "_compress_left", None)  # progress in the archive's bytes
                    self.done = self.total - left if isinstance(left, int) else self.done + len(chunk)
                    yield from ready
                    ready.clear()
                parser.Parse(b"", True)
                yield from ready
        except _Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part=part, reason=error)) from None
        except (expat.ExpatError, *_DAMAGED) as error:
            raise self.refuse(
                _("is not a readable XLSX file ({part}: {error})").format(part=part, error=error)
            ) from None


def _iso_datetime(text: str) -> Any:
    try:
        return datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text


# --- ODS ------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
MAX_REPEAT = 1_000_000


class OdsBook(_ZipBook):
    """ODS: every sheet is in ``content.xml``; hidden rows carry ``table:visibility``."""

    format = "ods"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        if "content.xml" not in self.members:
            self.zip.close()
            raise self.refuse(_("is not a readable ODS file (it has no content.xml)"))
        try:
            for _sheet in self._stream(None):
                pass
        except BaseException:
            self.zip.close()
            raise
        if not self.sheets:
            self.zip.close()
            raise self.refuse(_("is not a readable ODS file (it has no sheet)"))

    def rows(self, index: int) -> Iterator[SheetRow]:
        self.total = self.members["content.xml"].file_size
        self.done = 0
        yield from self._stream(index)

    def _stream(self, wanted: int | None) -> Iterator[SheetRow]:
        """With ``wanted`` None: list the sheets (reading no cells); else stream that sheet's rows."""
        listing = wanted is None
        if listing:
            self.sheets = []
        hidden_styles: set[str] = set()
        ready: list[SheetRow] = []
        st: dict[str, Any] = {"table": -1, "line": 0, "style": "", "cells": None, "hidden": False, "repeat": 1,
                              "value": None, "text": None, "size": 0, "crepeat": 1, "blanks": 0, "p": 0,
                              "done": False}  # fmt: skip

        def start(name: str, attrs: dict[str, str]) -> None:
            uri, _sep, local = name.rpartition("}")
            uri += "}"
            if uri == _TABLE:
                if local in ("table-cell", "covered-table-cell"):
                    if st["cells"] is None:
                        return
                    st["crepeat"] = _repeat(attrs.get(_TABLE + "number-columns-repeated"))
                    kind = attrs.get(_OFFICE + "value-type")
                    value: Any = None
                    if kind in ("float", "percentage", "currency"):
                        raw = attrs.get(_OFFICE + "value", "")
                        try:
                            value = float(raw)
                            if value.is_integer() and abs(value) < 2**53:
                                value = int(value)
                        except ValueError:
                            value = raw
                    elif kind == "date":
                        value = _iso_datetime(attrs.get(_OFFICE + "date-value", ""))
                    elif kind == "boolean":
                        value = attrs.get(_OFFICE + "boolean-value", "") == "true"
                    st["value"] = value
                    st["text"] = [] if value is None else None
                    st["size"] = 0
                    st["p"] = 0
                elif local == "table-row":
                    if st["table"] != wanted:
                        return
                    st["repeat"] = _repeat(attrs.get(_TABLE + "number-rows-repeated"))
                    st["hidden"] = attrs.get(_TABLE + "visibility", "visible") != "visible"
                    st["cells"] = []
                    st["blanks"] = 0
                elif local == "table":
                    st["table"] += 1
                    if listing:
                        style = attrs.get(_TABLE + "style-name", "")
                        self.sheets.append(Sheet(attrs.get(_TABLE + "name", ""), style not in hidden_styles))
                    elif st["table"] > wanted:
                        st["done"] = True
            elif uri == _TEXT and st["text"] is not None:
                if local == "p":
                    if st["p"]:
                        st["text"].append("\n")
                    st["p"] += 1
                elif local == "s":
                    st["text"].append(" " * _repeat(attrs.get(_TEXT + "c")))
                elif local == "tab":
                    st["text"].append("\t")
            elif uri == _STYLE:
                if local == "style" and attrs.get(_STYLE + "family") == "table":
                    st["style"] = attrs.get(_STYLE + "name", "")
                elif local == "table-properties" and attrs.get(_TABLE + "display") == "false":
                    hidden_styles.add(st["style"])

        def end(name: str) -> None:
            uri, _sep, local = name.rpartition("}")
            if uri + "}" != _TABLE or st["cells"] is None:
                return
            if local in ("table-cell", "covered-table-cell"):
                value = st["value"]
                if value is None and st["text"]:
                    value = "".join(st["text"])
                cells = st["cells"]
                repeat = st["crepeat"]
                if value is None or value == "":
                    st["blanks"] += repeat  # a run of blanks counts only when something follows it
                    return
                if len(cells) + st["blanks"] + repeat > MAX_COLUMNS:
                    return
                cells.extend([None] * st["blanks"])
                st["blanks"] = 0
                cells.extend([value] * repeat)
            elif local == "table-row":
                cells, repeat = st["cells"], st["repeat"]
                st["cells"] = None
                if not cells:
                    st["line"] += repeat  # blank rows, often a million repeated at the end
                    return
                for _i in range(min(repeat, MAX_REPEAT)):
                    st["line"] += 1
                    ready.append((st["line"], list(cells), st["hidden"]))

        def data(text: str) -> None:
            if st["text"] is not None and st["p"]:
                st["size"] += len(text)
                if st["size"] > MAX_CELL:
                    raise _too_long()
                st["text"].append(text)

        parser = _expat()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _refuse_dtd
        try:
            with self.zip.open(self.members["content.xml"]) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    self.done += len(chunk)
                    yield from ready
                    ready.clear()
                    if st["done"]:
                        return
                parser.Parse(b"", True)
                yield from ready
        except _Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part="content.xml", reason=error)) from None
        except (expat.ExpatError, *_DAMAGED) as error:
            raise self.refuse(_("is not a readable ODS file (content.xml: {error})").format(error=error)) from None


def _refuse_dtd(*_args: Any) -> None:
    raise _Bomb(_("declares a DTD (XML entities), which no spreadsheet needs"))


def _repeat(text: str | None) -> int:
    if not text:
        return 1
    try:
        return max(1, min(int(text), MAX_REPEAT))
    except ValueError:
        return 1


# --- XLS 97-2003 ----------------------------------------------------------------------------


XLS_SECONDS = 120  # an .xls is at most 65,536 rows: far less than this even on a busy machine


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Raise ``_TooSlow`` after ``seconds`` (POSIX, main thread; elsewhere no limit)."""
    import signal
    import threading

    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(*_args: Any) -> None:
        raise _TooSlow(f"not read in {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Discard:
    def write(self, _text: str) -> None:
        pass


class XlsBook(Book):
    format = "xls"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        try:
            import xlrd
        except ImportError:  # pragma: no cover - xlrd is a dependency
            raise self.refuse(_("needs xlrd to be read"), _("pip install xlrd")) from None
        self._xlrd = xlrd
        try:  # xlrd writes its complaints to a log file, stdout by default: never to our stdout
            with _time_limit(XLS_SECONDS):  # a damaged sector chain can loop xlrd for ever
                self.book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=_Discard())
                self.loaded = [self.book.sheet_by_index(n) for n in range(self.book.nsheets)]
        except Exception as error:  # noqa: BLE001 - xlrd raises many kinds on a damaged file
            raise self.damaged(error) from None
        for sheet in self.loaded:
            self.sheets.append(Sheet(sheet.name, sheet.visibility == 0))
        if not self.sheets:
            raise self.refuse(_("is not a readable XLS file (it has no sheet)"))

    def damaged(self, error: Exception) -> KubeError:
        return self.refuse(_("is not a readable XLS file ({error})").format(error=type(error).__name__),
                           _("open it in Excel or LibreOffice and save it as .xlsx"))  # fmt: skip

    def rows(self, index: int) -> Iterator[SheetRow]:
        xlrd = self._xlrd
        sheet = self.loaded[index]
        info = sheet.rowinfo_map
        self.total = sheet.nrows
        for number in range(sheet.nrows):
            self.done = number
            cells: list[Any] = []
            for cell in sheet.row(number):
                kind, value = cell.ctype, cell.value
                if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                elif kind == xlrd.XL_CELL_NUMBER:
                    value = int(value) if float(value).is_integer() and abs(value) < 2**53 else value
                elif kind == xlrd.XL_CELL_DATE:
                    with contextlib.suppress(ValueError, OverflowError, xlrd.xldate.XLDateError):
                        value = xlrd.xldate.xldate_as_datetime(value, self.book.datemode)
                elif kind == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif kind == xlrd.XL_CELL_ERROR:
                    value = xlrd.error_text_from_code.get(value, "#ERROR")
                cells.append(value)
            row_info = info.get(number)
            yield number + 1, cells, bool(row_info and row_info.hidden)

    def close(self) -> None:
        self.book.release_resources()


# --- an HTML table saved as .xls ------------------------------------------------------------


class _TableParser(HTMLParser):
    """The rows of the first ``<table>`` that has rows; colspan and rowspan put cells where they show."""

    def __init__(self, emit: Callable[[list[Any], bool], None]) -> None:
        super().__init__(convert_charrefs=True)
        self.emit = emit
        self.depth = 0  # nested tables are read as text of their cell
        self.cells: list[Any] | None = None
        self.hidden = False
        self.text: list[str] | None = None
        self.span = 1
        self.down: dict[int, int] = {}  # column -> rows still covered by a rowspan above
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.depth += 1
        elif self.depth != 1:
            return
        elif tag == "tr":
            self._end_row()
            self.cells = []
            style = values.get("style", "").replace(" ", "").lower()
            self.hidden = "display:none" in style or "hidden" in values
        elif tag in ("td", "th") and self.cells is not None:
            self._end_cell()
            self._covered()
            self.text = []
            self.size = 0
            self.span = _repeat(values.get("colspan"))
            rows = _repeat(values.get("rowspan"))
            if rows > 1:
                for offset in range(min(self.span, MAX_COLUMNS)):
                    self.down[len(self.cells) + offset] = rows - 1
        elif tag == "br" and self.text is not None:
            self.text.append("\n")

    def _covered(self) -> None:
        assert self.cells is not None
        while self.down.get(len(self.cells)):
            self.down[len(self.cells)] -= 1
            self.cells.append(None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self.depth == 1:
                self._end_row()
            self.depth -= 1
        elif self.depth != 1:
            return
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self.text is not None and self.depth == 1:
            self.size += len(data)
            if self.size > MAX_CELL:
                raise _too_long()
            self.text.append(data)

    def _end_cell(self) -> None:
        if self.text is None or self.cells is None:
            return
        text = re.sub(r"[ \t\r\n\xa0]+", " ", "".join(self.text)).strip()
        self.cells.append(text or None)
        self.cells.extend([None] * (min(self.span, MAX_COLUMNS) - 1))
        self.text = None

    def _end_row(self) -> None:
        if self.cells is None:
            return
        self._end_cell()
        self._covered()
        self.emit(self.cells, self.hidden)
        self.cells = None


class HtmlBook(Book):
    format = "html"

    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        self.sheets = [Sheet(Path(name).stem, True)]
        self.total = path.stat().st_size

    def rows(self, index: int) -> Iterator[SheetRow]:
        ready: list[SheetRow] = []
        line = [0]

        def emit(cells: list[Any], hidden: bool) -> None:
            line[0] += 1
            ready.append((line[0], cells, hidden))

        parser = _TableParser(emit)
        raw = self.path.read_bytes()[:4096]
        encoding = _html_encoding(raw)
        self.done = 0
        try:
            with open(self.path, encoding=encoding, errors="replace") as handle:
                while chunk := handle.read(CHUNK):
                    parser.feed(chunk)
                    self.done += len(chunk)
                    yield from ready
                    ready.clear()
            parser.close()
            yield from ready
        except _Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part="HTML", reason=error)) from None


def _html_encoding(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    match = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", head)
    if match:
        name = match.group(1).decode("ascii").lower()
        import codecs

        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<?xml", b"<head", b"<body"))
