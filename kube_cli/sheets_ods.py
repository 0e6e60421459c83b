"""ODS: every sheet is in ``content.xml``, read as it streams; hidden rows carry ``table:visibility``,
repeated rows and columns are expanded up to a bound."""

from __future__ import annotations

from collections.abc import Iterator
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
                    st["crepeat"] = repeat(attrs.get(_TABLE + "number-columns-repeated"))
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
                        value = iso_datetime(attrs.get(_OFFICE + "date-value", ""))
                    elif kind == "boolean":
                        value = attrs.get(_OFFICE + "boolean-value", "") == "true"
                    st["value"] = value
                    st["text"] = [] if value is None else None
                    st["size"] = 0
                    st["p"] = 0
                elif local == "table-row":
                    if st["table"] != wanted:
                        return
                    st["repeat"] = repeat(attrs.get(_TABLE + "number-rows-repeated"))
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
                    st["text"].append(" " * repeat(attrs.get(_TEXT + "c")))
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
                    raise too_long()
                st["text"].append(text)

        parser = expat_parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse_dtd
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
        except Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part="content.xml", reason=error)) from None
        except (expat.ExpatError, *DAMAGED) as error:
            raise self.refuse(_("is not a readable ODS file (content.xml: {error})").format(error=error)) from None
