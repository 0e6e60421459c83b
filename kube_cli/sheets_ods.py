"""ODS: every sheet is in ``content.xml``, read as it streams; hidden rows carry ``table:visibility``,
repeated rows and columns are expanded up to a bound."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

from kube_cli.i18n import _
from kube_cli.sheets_rows import CHUNK, MAX_CELL, MAX_COLUMNS, MAX_REPEAT, Bomb, Sheet, SheetRow, repeat, too_long
from kube_cli.sheets_zip import DAMAGED, ZipBook, expat_parser, iso_datetime, refuse_dtd

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0}"


class OdsBook(ZipBook):
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
        if wanted is None:
            self.sheets = []
        content = _Content(wanted, self.sheets)
        parser = expat_parser()
        parser.StartElementHandler, parser.EndElementHandler = content.start, content.end
        parser.CharacterDataHandler = content.data
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse_dtd
        try:
            with self.zip.open(self.members["content.xml"]) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    self.done += len(chunk)
                    yield from content.ready
                    content.ready.clear()
                    if content.past_wanted:
                        return
                parser.Parse(b"", True)
                yield from content.ready
        except Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part="content.xml", reason=error)) from None
        except (expat.ExpatError, *DAMAGED) as error:
            raise self.refuse(_("is not a readable ODS file (content.xml: {error})").format(error=error)) from None


def _typed_value(attrs: dict[str, str]) -> Any:
    """A cell's value from its ``office:value-type`` attributes; None for text (read from its paragraphs)."""
    kind = attrs.get(_OFFICE + "value-type")
    if kind in ("float", "percentage", "currency"):
        raw = attrs.get(_OFFICE + "value", "")
        try:
            value = float(raw)
        except ValueError:
            return raw
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if kind == "date":
        return iso_datetime(attrs.get(_OFFICE + "date-value", ""))
    if kind == "boolean":
        return attrs.get(_OFFICE + "boolean-value", "") == "true"
    return None


class _Content:
    """Expat's handlers for ``content.xml``, one small one per element kind, and what they have read.

    Listing (``wanted`` None) notes each sheet's name and visibility in ``sheets``; streaming reads
    the rows of sheet ``wanted`` into ``ready`` and sets ``past_wanted`` once the next sheet begins.
    """

    def __init__(self, wanted: int | None, sheets: list[Sheet]) -> None:
        self.wanted = wanted
        self.sheets = sheets
        self.ready: list[SheetRow] = []
        self.past_wanted = False
        self.hidden_styles: set[str] = set()
        self.style = ""  # the table style being read
        self.table = -1  # the sheet being read, counted from 0
        self.line = 0  # the row number the spreadsheet shows
        self.cells: list[Any] | None = None  # the row being read; None outside the wanted sheet's rows
        self.hidden = False
        self.row_repeat = 1
        self.blanks = 0  # blank cells not yet added: only when something follows them
        self.value: Any = None  # the cell being read: its typed value, or its text while it has none
        self.text: list[str] | None = None
        self.size = 0
        self.paragraphs = 0
        self.cell_repeat = 1
        self._starts: dict[str, Callable[[dict[str, str]], None]] = {
            _TABLE + "table-cell": self._cell,
            _TABLE + "covered-table-cell": self._cell,
            _TABLE + "table-row": self._row,
            _TABLE + "table": self._table,
            _TEXT + "p": self._paragraph,
            _TEXT + "s": self._spaces,
            _TEXT + "tab": self._tab,
            _STYLE + "style": self._style,
            _STYLE + "table-properties": self._table_properties,
        }
        self._ends: dict[str, Callable[[list[Any]], None]] = {
            _TABLE + "table-cell": self._cell_end,
            _TABLE + "covered-table-cell": self._cell_end,
            _TABLE + "table-row": self._row_end,
        }

    def start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self._starts.get(name)
        if handler is not None:
            handler(attrs)

    def end(self, name: str) -> None:
        handler = self._ends.get(name)
        if handler is not None and self.cells is not None:
            handler(self.cells)

    def data(self, text: str) -> None:
        if self.text is not None and self.paragraphs:
            self.size += len(text)
            if self.size > MAX_CELL:
                raise too_long()
            self.text.append(text)

    def _table(self, attrs: dict[str, str]) -> None:
        self.table += 1
        if self.wanted is None:
            style = attrs.get(_TABLE + "style-name", "")
            self.sheets.append(Sheet(attrs.get(_TABLE + "name", ""), style not in self.hidden_styles))
        elif self.table > self.wanted:
            self.past_wanted = True

    def _row(self, attrs: dict[str, str]) -> None:
        if self.table != self.wanted:
            return
        self.row_repeat = repeat(attrs.get(_TABLE + "number-rows-repeated"))
        self.hidden = attrs.get(_TABLE + "visibility", "visible") != "visible"
        self.cells = []
        self.blanks = 0

    def _cell(self, attrs: dict[str, str]) -> None:
        if self.cells is None:
            return
        self.cell_repeat = repeat(attrs.get(_TABLE + "number-columns-repeated"))
        self.value = _typed_value(attrs)
        self.text = [] if self.value is None else None
        self.size = 0
        self.paragraphs = 0

    def _paragraph(self, _attrs: dict[str, str]) -> None:
        if self.text is not None:
            if self.paragraphs:
                self.text.append("\n")
            self.paragraphs += 1

    def _spaces(self, attrs: dict[str, str]) -> None:
        if self.text is not None:
            self.text.append(" " * repeat(attrs.get(_TEXT + "c")))

    def _tab(self, _attrs: dict[str, str]) -> None:
        if self.text is not None:
            self.text.append("\t")

    def _style(self, attrs: dict[str, str]) -> None:
        if attrs.get(_STYLE + "family") == "table":
            self.style = attrs.get(_STYLE + "name", "")

    def _table_properties(self, attrs: dict[str, str]) -> None:
        if attrs.get(_TABLE + "display") == "false":
            self.hidden_styles.add(self.style)

    def _cell_end(self, cells: list[Any]) -> None:
        value = self.value
        if value is None and self.text:
            value = "".join(self.text)
        count = self.cell_repeat
        if value is None or value == "":
            self.blanks += count  # a run of blanks counts only when something follows it
            return
        if len(cells) + self.blanks + count > MAX_COLUMNS:
            return
        cells.extend([None] * self.blanks)
        self.blanks = 0
        cells.extend([value] * count)

    def _row_end(self, cells: list[Any]) -> None:
        self.cells = None
        if not cells:
            self.line += self.row_repeat  # blank rows, often a million repeated at the end
            return
        for _i in range(min(self.row_repeat, MAX_REPEAT)):
            self.line += 1
            self.ready.append((self.line, list(cells), self.hidden))
