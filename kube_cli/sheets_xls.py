"""The two kinds of ``.xls`` offices send: XLS 97-2003, a binary format that xlrd
(``formatting_info=True``) reads with each row's ``Rowinfo.hidden`` and each sheet's visibility (at
most 65,536 rows, so read whole, within a time limit), and an HTML table a web app saved as
``.xls``, read with ``html.parser``."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.sheets_rows import CHUNK, MAX_CELL, MAX_COLUMNS, Bomb, Book, Sheet, SheetRow, repeat, too_long

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
            self.span = repeat(values.get("colspan"))
            rows = repeat(values.get("rowspan"))
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
                raise too_long()
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
        except Bomb as error:
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
