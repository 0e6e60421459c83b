"""XLSX: the workbook, shared strings and styles, then each worksheet's rows as they stream (the
``<dimension>`` a sheet claims is not trusted; hidden rows carry ``hidden``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.parsers import expat

from kube_cli.i18n import _
from kube_cli.sheets_rows import CHUNK, MAX_CELL, MAX_COLUMNS, Bomb, Sheet, SheetRow, too_long
from kube_cli.sheets_zip import DAMAGED, ZipBook, expat_parser, iso_datetime, refuse_dtd

MAX_SHARED = 5_000_000  # distinct strings; a 1M-member roster has about 2M
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


class XlsxBook(ZipBook):
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
            parser = expat_parser()
            parser.StartElementHandler = rel
            self.parse("xl/_rels/workbook.xml.rels", parser)
        parser = expat_parser()
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
                        raise Bomb(_("holds more than {n} distinct texts").format(n=MAX_SHARED))
                    strings.append("".join(buffer))

            def data(text: str) -> None:
                if state["in_t"]:
                    state["size"] += len(text)
                    if state["size"] > MAX_CELL:
                        raise too_long()
                    buffer.append(text)

            parser = expat_parser()
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

            parser = expat_parser()
            parser.StartElementHandler, parser.EndElementHandler = start, end
            self.parse("xl/styles.xml", parser)
        self.date_styles = {
            index for index, fmt in enumerate(xfs)
            if (fmt in _DATE_FORMATS and fmt not in formats) or (fmt in formats and is_date_format(formats[fmt]))
        }  # fmt: skip
        return self.date_styles

    def rows(self, index: int) -> Iterator[SheetRow]:
        """The sheet's rows as they stream; the ``<dimension>`` the file claims is not trusted."""
        sheet = _Worksheet(self._shared_strings(), self._date_styles(), self.date1904)
        part = self.parts[index]
        self.total = self.members[part].compress_size
        self.done = 0
        parser = expat_parser()
        parser.StartElementHandler, parser.EndElementHandler = sheet.start, sheet.end
        parser.CharacterDataHandler = sheet.data
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse_dtd
        try:
            with self.zip.open(self.members[part]) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    left = getattr(stream, "_compress_left", None)  # progress in the archive's bytes
                    self.done = self.total - left if isinstance(left, int) else self.done + len(chunk)
                    yield from sheet.ready
                    sheet.ready.clear()
                parser.Parse(b"", True)
                yield from sheet.ready
        except Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part=part, reason=error)) from None
        except (expat.ExpatError, *DAMAGED) as error:
            raise self.refuse(
                _("is not a readable XLSX file ({part}: {error})").format(part=part, error=error)
            ) from None


def _column_index(ref: str) -> int:
    """The column of a cell reference counted from 0: ``A1`` is 0, ``AA7`` is 26."""
    letters = _COLUMN.match(ref)
    column = 0
    for ch in letters.group() if letters else "":
        column = column * 26 + ord(ch) - 64
    return column - 1


class _Worksheet:
    """Expat's handlers for one worksheet, one small one per element kind, and the row and cell being
    read; each finished row goes to ``ready``."""

    def __init__(self, strings: list[str], dates: set[int], date1904: bool) -> None:
        self.strings = strings
        self.dates = dates
        self.date1904 = date1904
        self.ready: list[SheetRow] = []
        self.line = 0  # the row being read: the number the spreadsheet shows, its cells, hidden or not
        self.cells: list[Any] = []
        self.hidden = False
        self.next_column = 0
        self.column = 0  # the cell being read: its column, type, style and text so far
        self.kind = "n"
        self.style = -1
        self.parts: list[str] = []
        self.size = 0
        self.in_text = False
        self._starts: dict[str, Callable[[dict[str, str]], None]] = {
            "c": self._cell,
            "v": self._text,
            "t": self._inline_text,
            "row": self._row,
            "rPh": self._phonetic,
        }
        self._ends: dict[str, Callable[[], None]] = {
            "c": self._cell_end,
            "v": self._text_end,
            "t": self._text_end,
            "row": self._row_end,
        }

    def start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self._starts.get(name[name.rfind("}") + 1 :])
        if handler is not None:
            handler(attrs)

    def end(self, name: str) -> None:
        handler = self._ends.get(name[name.rfind("}") + 1 :])
        if handler is not None:
            handler()

    def data(self, text: str) -> None:
        if self.in_text:
            self.size += len(text)
            if self.size > MAX_CELL:
                raise too_long()
            self.parts.append(text)

    def _row(self, attrs: dict[str, str]) -> None:
        number = attrs.get("r")
        self.line = int(number) if number and number.isdigit() else self.line + 1
        self.next_column = 0
        self.cells = []
        self.hidden = attrs.get("hidden", "0") in ("1", "true")

    def _cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        self.column = _column_index(ref) if ref else self.next_column
        self.next_column = self.column + 1
        self.kind = attrs.get("t", "n")
        style = attrs.get("s")
        self.style = int(style) if style and style.isdigit() else -1
        self.parts = []
        self.size = 0

    def _text(self, _attrs: dict[str, str]) -> None:
        self.in_text = True

    def _inline_text(self, _attrs: dict[str, str]) -> None:
        if self.kind == "inlineStr":
            self.in_text = True

    def _phonetic(self, _attrs: dict[str, str]) -> None:
        self.in_text = False  # phonetic guide text is not the cell's text

    def _text_end(self) -> None:
        self.in_text = False

    def _row_end(self) -> None:
        self.ready.append((self.line, self.cells, self.hidden))

    def _cell_end(self) -> None:
        self.in_text = False
        column = self.column
        if column >= MAX_COLUMNS or not self.parts:
            return
        value = self._value("".join(self.parts))
        cells = self.cells
        if column > len(cells):
            cells.extend([None] * (column - len(cells)))
        if column == len(cells):
            cells.append(value)
        else:
            cells[column] = value

    def _value(self, text: str) -> Any:
        """The cell's value from its text, by its type (``t``) and, for a number, its style."""
        kind = self.kind
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError):
                raise Bomb(_("refers to a text it does not hold")) from None
        if kind in ("str", "inlineStr", "e"):
            return text  # an error (e) such as #N/A or #REF! is shown as the sheet shows it
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return iso_datetime(text)
        return self._number(text)

    def _number(self, text: str) -> Any:
        value: Any
        try:
            value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        except ValueError:
            return text
        if self.style in self.dates and 0 <= value < 2_958_466:
            return excel_date(value, self.date1904)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
