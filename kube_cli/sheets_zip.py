"""The zip archives of XML that XLSX and ODS are, read as a stream with the standard library's expat,
safely: a member that would inflate beyond ``RATIO`` times its compressed size (plus a floor) is
refused before a byte is inflated (zipfile never yields more than the declared size), and an XML
document with a DTD (entity expansion) is refused."""

from __future__ import annotations

import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.parsers import expat

from kube_cli.i18n import _
from kube_cli.sheets_rows import CHUNK, Bomb, Book

RATIO = 100  # how far an archive member may inflate
FLOOR = 16 * 1024 * 1024  # ... plus this, so small files with long runs of blanks stay readable

# what zipfile and zlib raise on a damaged archive (an encrypted one is a RuntimeError)
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)


class ZipBook(Book):
    def __init__(self, path: Path, name: str) -> None:
        super().__init__(path, name)
        try:
            self.zip = zipfile.ZipFile(path)
        except (*DAMAGED, ValueError) as error:
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
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse_dtd
        try:
            with self.zip.open(self.members[member]) as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    if progress:
                        self.done += len(chunk)
                parser.Parse(b"", True)
        except Bomb as error:
            raise self.refuse(_("is refused: {part} {reason}").format(part=member, reason=error)) from None
        except (expat.ExpatError, ValueError, *DAMAGED) as error:
            raise self.refuse(_("is not a readable {fmt} file ({part}: {error})").format(
                fmt=self.format.upper(), part=member, error=error)) from None  # fmt: skip


def expat_parser() -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    return parser


def refuse_dtd(*_args: Any) -> None:
    raise Bomb(_("declares a DTD (XML entities), which no spreadsheet needs"))


def iso_datetime(text: str) -> Any:
    try:
        return datetime.fromisoformat(text.strip().rstrip("Z"))
    except ValueError:
        return text
