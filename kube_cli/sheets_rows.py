"""The one row interface every spreadsheet reader gives (``Book``, ``Sheet``, ``SheetRow``), and the
limits every reader keeps: a row is ``(line, cells, hidden)``, ``line`` being the row number the
spreadsheet shows, ``cells`` its values left to right (numbers stay numbers, a date cell is a
``datetime``), ``hidden`` whether the office hid it (by hand or by a filter)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kube_cli.errors import KubeError
from kube_cli.i18n import _

SheetRow = tuple[int, list[Any], bool]  # (line, cells, hidden)

MAX_CELL = 32_767  # Excel's own limit on a cell's characters
MAX_COLUMNS = 16_384  # Excel's last column, XFD
MAX_REPEAT = 1_000_000
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


class Bomb(Exception):
    """What a reader refuses while it streams (a DTD, an overlong cell): the reason, to be named."""


def too_long() -> Bomb:
    return Bomb(_("holds a cell longer than {n} characters").format(n=MAX_CELL))


def repeat(text: str | None) -> int:
    if not text:
        return 1
    try:
        return max(1, min(int(text), MAX_REPEAT))
    except ValueError:
        return 1
