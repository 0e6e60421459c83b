"""Finding the table in a sheet as an office lays it out.

Above the header there may be a title block; the header may be two rows with merged cells
(``Alamat`` over ``Kelurahan | Kecamatan``); below it a numbering row ``(1) (2) (3)``; among the
data blank rows and total rows (``JUMLAH``); after the data a signature block (``Palu, 12 Juli
2021``, ``WALI KOTA PALU,``, ``ttd.``, a name). None of these is data: :func:`find_table` finds the
header, and :class:`Body` yields the data rows as ``(line, cells)``, counting what it skipped and
why, and the lines of hidden rows.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kube_cli.i18n import _

SheetRow = tuple[int, list[Any], bool]
HEADER_SEARCH_ROWS = 30
MAX_LINES_NAMED = 50

_NUMBERING = re.compile(r"^\(?\s*(\d{1,3})\s*\)?\.?$")
_TOTAL = re.compile(r"^(jumlah|total|sub\s*total|grand\s*total|jml\.?)\b", re.IGNORECASE)
_TOTAL_FIRST = frozenset("jJtTsSgG \t")  # what a total row's label may start with
# the same tests over a chunk's lead cells joined by newlines (a false alarm only sends a chunk row by row)
_TOTAL_LINE = re.compile(r"^(jumlah|total|sub\s*total|grand\s*total|jml\.?)\b", re.IGNORECASE | re.MULTILINE)
_TOTAL_WORDS = ("jumlah", "total", "sub", "grand", "jml")  # how _TOTAL_LINE's match begins, lower-cased
_PLACE_DATE = re.compile(r"^[A-Za-z][A-Za-z .'-]*,\s*\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}$")
_SIGNATURE = re.compile(
    r"^(ttd\b|t\.t\.d|mengetahui|menyetujui|kepala\b|wali\s*kota|walikota|bupati|camat\b|lurah\b|nip\b|nip\.|"
    r"a\.\s*n\.?|an\.|plt\.?|plh\.?|sekretaris\s+daerah|pembina\b|penata\b|dibuat\s+oleh|diketahui)",
    re.IGNORECASE,
)


def _three_filled(rows: Sequence[list[Any]], width: int) -> bool:
    """Every one of a CSV's ``rows`` has three or more cells filled: three columns without an empty cell
    say so at once (0.05 -> 0.005 s for 200k rows); else each row's empty cells are counted."""
    full = 0
    for i in range(width):
        full += "" not in map(operator.itemgetter(i), rows)
        if full == 3:
            return True
    return width - max(map(list.count, rows, itertools.repeat(""))) > 2  # a CSV's cells are text, never None


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def is_blank(cells: list[Any]) -> bool:
    return not any(c is not None and str(c).strip() for c in cells)


def merge_header(top: list[Any], bottom: list[Any], known: Callable[[str], bool]) -> list[str]:
    """One header from two rows: a cell of the bottom row under a merged (or spanning) top cell is
    named by itself, or by itself with its parent when that is a known header (``Nama`` under
    ``Anggota`` is ``Nama Anggota``); a column blank below keeps the top row's name."""
    width = max(len(top), len(bottom))
    top = list(top) + [None] * (width - len(top))
    bottom = list(bottom) + [None] * (width - len(bottom))
    header: list[str] = []
    parent = ""
    for own, child in zip(top, bottom, strict=True):
        if text_of(own):
            parent = text_of(own)
        name = text_of(child)
        if not name:
            header.append(text_of(own))
            continue
        chosen = name
        if parent and (not known(name) or name.casefold() == "nama"):
            words = parent.split()
            for candidate in (f"{name} {parent}", f"{parent} {name}", f"{name} {words[-1]}" if words else ""):
                if candidate and known(candidate):
                    chosen = candidate
                    break
        header.append(chosen)
    return header


@dataclass
class Found:
    line: int  # the header's last line
    header: list[str]
    ahead: list[SheetRow]  # rows read past the header while looking
    title: list[str] = field(default_factory=list)  # the texts of the rows above it (a year may be there)


def find_table(
    rows: Iterator[SheetRow], score: Callable[[list[Any]], int], known: Callable[[str], bool]
) -> Found | None:
    """The header among the first rows: the first with two known headers, merged with the row
    below (or above) when the two together name more known columns."""
    seen: list[SheetRow] = []
    for row in rows:
        seen.append(row)
        if len(seen) > HEADER_SEARCH_ROWS + 1:
            break

    def quality(header: list[Any]) -> tuple[int, int]:
        """Known headers, then distinct ones: two 'Nama' are worse than 'Nama KUBE' and 'Nama Anggota'."""
        names = [text_of(c).casefold() for c in header if text_of(c) and known(text_of(c))]
        return len(names), len(set(names))

    for index, (line, cells, _hidden) in enumerate(seen[:HEADER_SEARCH_ROWS]):
        if score(cells) < 2:
            continue
        best = [text_of(c) for c in cells]
        best_line, rest = line, index + 1
        best_quality = quality(best)
        following = seen[index + 1] if index + 1 < len(seen) else None
        if following is not None and not is_blank(following[1]):
            merged = merge_header(cells, following[1], known)
            if quality(merged) > best_quality:
                best, best_line, rest, best_quality = merged, following[0], index + 2, quality(merged)
        if best_line == line and index > 0:
            above = seen[index - 1][1]
            if sum(1 for c in above if text_of(c)) >= 2:
                merged = merge_header(above, cells, known)
                if quality(merged) > best_quality:
                    best = merged
        title = [text_of(c) for _line, cells_above, _h in seen[:index] for c in cells_above if text_of(c)]
        return Found(best_line, best, seen[rest:], title)
    return None


@dataclass
class Skipped:
    """What the body left out, and why."""

    blank: int = 0
    numbering: int = 0
    total: int = 0
    signature: int = 0
    hidden: list[int] = field(default_factory=list)
    hidden_count: int = 0

    def any(self) -> bool:
        return bool(self.blank or self.numbering or self.total or self.signature or self.hidden_count)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in (("blank", self.blank), ("numbering", self.numbering), ("total", self.total),
                                  ("signature", self.signature), ("hidden", self.hidden_count)) if v}  # fmt: skip

    def describe(self) -> str:
        """``skipped 6 rows: 1 numbering row, 1 total row, 4 signature block rows``."""
        parts = []
        if self.numbering:
            parts.append(_("{n} numbering row(s)").format(n=self.numbering))
        if self.total:
            parts.append(_("{n} total row(s)").format(n=self.total))
        if self.signature:
            parts.append(_("{n} signature block row(s)").format(n=self.signature))
        if self.hidden_count:
            parts.append(_("{n} hidden row(s)").format(n=self.hidden_count))
        if self.blank:
            parts.append(_("{n} blank row(s)").format(n=self.blank))
        count = self.blank + self.numbering + self.total + self.signature + self.hidden_count
        return _("skipped {n} row(s), not data: {parts}").format(n=count, parts=", ".join(parts))

    def hidden_warning(self, name: str) -> str:
        lines = compact_lines(self.hidden)
        if self.hidden_count > len(self.hidden):
            lines += _(" …and {n} more").format(n=self.hidden_count - len(self.hidden))
        return _("{name}: skipped {n} hidden row(s), lines {lines} (--include-hidden reads them)").format(
            name=name, n=self.hidden_count, lines=lines)  # fmt: skip


def compact_lines(lines: list[int]) -> str:
    """``5, 9-12, 20``."""
    parts: list[str] = []
    start = end = None
    for line in lines:
        if end is not None and line == end + 1:
            end = line
            continue
        if start is not None:
            parts.append(str(start) if start == end else f"{start}-{end}")
        start = end = line
    if start is not None:
        parts.append(str(start) if start == end else f"{start}-{end}")
    return ", ".join(parts)


class Body:
    """The data rows under a header, each ``(line, cells)`` with one cell per column: cut to the header's
    width, a short row padded with ``None``. Read it once: as rows (iterate) or as chunks (``chunks``)."""

    def __init__(self, found: Found, rows: Iterator[SheetRow], include_hidden: bool = False,
                 gaps: bool = False) -> None:  # fmt: skip
        self.found = found
        self.gaps = gaps  # a spreadsheet may leave blank rows out: count them by the line numbers
        self.rows = rows
        self.include_hidden = include_hidden
        self.skipped = Skipped()
        self.width = len(found.header)
        self._signature = False  # inside a signature block
        self._first = True  # the numbering row sits right under the header
        self._previous = found.line
        self._blanks = 0  # counted when a row follows them: blank rows at the end are no news

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        yield from self._each(self.found.ahead)
        yield from self._each(self.rows)

    def chunks(self, size: int, resumed: bool = False) -> Iterator[tuple[Sequence[int], Sequence[list[Any]]]]:
        """The same rows as iterating gives, ``size`` rows of the file at a time as ``(lines, rows)``. A chunk
        whose every row is the common kind (as wide as the header, three or more cells filled, none hidden,
        none leading with a total's label) is vouched for at once; any other is read row by row.
        ``resumed``: the rows after those an earlier call gave (and ``read_elsewhere``)."""
        width = self.width
        source = self.rows if resumed else itertools.chain(self.found.ahead, self.rows)
        take = getattr(self.rows, "take", None)  # a CSV's reader gives many rows at once (batch_read._CsvRows)
        first = not resumed  # the rows read ahead, and those after them up to ``size``, one by one
        while True:
            if first or take is None or self.gaps:
                items: Iterable[SheetRow] = list(itertools.islice(source, size))
                if not items:
                    return
                lines, rows, hidden = zip(*items, strict=True)
                first = False
            else:
                lines, rows = take(size)
                if not rows:
                    return
                items, hidden = zip(lines, rows, itertools.repeat(False)), ()  # type: ignore[assignment]
            if not self.gaps and not self._first and not any(hidden):
                common = self.common(rows, width)
                if common is not None:
                    self.skipped.blank += self._blanks
                    self._previous, self._blanks, self._signature = lines[-1], 0, False
                    yield lines, common
                    continue
            kept = list(self._each(items))
            if kept:
                yield tuple(zip(*kept, strict=True))  # type: ignore[misc]

    def read_elsewhere(self, last: int) -> None:
        """The rows up to line ``last`` were read by another process, every one a common data row."""
        self.skipped.blank += self._blanks
        self._previous, self._blanks, self._signature, self._first = last, 0, False, False

    @staticmethod
    def common(rows: Sequence[list[Any]], width: int) -> Sequence[list[Any]] | None:
        """A CSV's ``rows`` cut to ``width`` when every one is a common data row (``_each``'s first test);
        else None."""
        widths = set(map(len, rows))
        if min(widths) < width:
            return None
        if widths != {width}:
            rows = tuple(r[:width] for r in rows)
        if not _three_filled(rows, width):
            return None
        firsts = [r[0] for r in rows]
        try:
            leads = "\n".join(firsts)
            if any(map(str.isdigit, firsts)):  # a No column: the label is the next cell
                leads = "\n".join(r[1] if r[0].isdigit() else r[0] for r in rows)
        except TypeError:
            return None
        if not leads or "\n\n" in leads or leads[0] == "\n" or leads[-1] == "\n":  # an empty lead
            return None
        folded = leads.lower()  # a total's label starts a line: looked for by substring first (~5x faster)
        hinted = folded.startswith(_TOTAL_WORDS) or any(f"\n{word}" in folded for word in _TOTAL_WORDS)
        if hinted and _TOTAL_LINE.search(leads):
            return None
        return rows

    def _each(self, source: Iterable[SheetRow]) -> Iterator[tuple[int, list[Any]]]:
        skipped = self.skipped
        width = self.width
        gaps = self.gaps
        include_hidden = self.include_hidden
        for line, cells, hidden in source:
            size = len(cells)
            if size != width:
                cells = cells[:width] if size > width else [*cells, *[None] * (width - size)]
            # the common row: three or more cells filled, the first not a total's label (C-speed checks)
            filled = len(cells) - cells.count("") - cells.count(None)
            if filled > 2 and not self._first and not hidden:
                lead = cells[0]
                if type(lead) is int or (type(lead) is str and lead.isdigit()):  # the No column
                    lead = cells[1]
                if type(lead) is str and lead and (lead[0] not in _TOTAL_FIRST or not _TOTAL.match(lead)):
                    skipped.blank += line - self._previous - 1 if gaps else self._blanks
                    self._previous, self._blanks, self._signature = line, 0, False
                    yield line, cells
                    continue
            if not filled or is_blank(cells):
                self._blanks += 1
                continue
            skipped.blank += line - self._previous - 1 if gaps else self._blanks
            self._previous, self._blanks = line, 0
            if hidden and not include_hidden:
                skipped.hidden_count += 1
                if len(skipped.hidden) < MAX_LINES_NAMED:
                    skipped.hidden.append(line)
                continue
            texts = [t for t in map(text_of, cells) if t]
            if self._first and _is_numbering(cells, texts):
                skipped.numbering += 1
                self._first = False
                continue
            self._first = False
            if _TOTAL.match(_lead(cells)) and not _has_id(texts):
                skipped.total += 1
                continue
            if len(texts) <= (2 if width > 3 else 1):  # a narrow table: one lone cell at most
                if self._signature or any(_PLACE_DATE.match(t) or _SIGNATURE.match(t) for t in texts):
                    self._signature = True
                    skipped.signature += 1
                    continue
            else:
                self._signature = False
            yield line, cells


def _lead(cells: list[Any]) -> str:
    """The first filled cell that is not a number: where a total row says JUMLAH."""
    for cell in cells:
        text = text_of(cell)
        if text and not _NUMBERING.match(text):
            return text
    return ""


def _is_numbering(cells: list[Any], texts: list[str]) -> bool:
    if len(texts) < 2:
        return False
    numbers = []
    for text in texts:
        match = _NUMBERING.match(text)
        if not match:
            return False
        numbers.append(int(match.group(1)))
    return numbers == sorted(numbers) and len(set(numbers)) == len(numbers) and numbers[0] <= 2


def _has_id(texts: list[str]) -> bool:
    """A NIK-like value: a total row never carries one."""
    return any(len(t) >= 15 and t.lstrip("'").replace(" ", "").isdigit() for t in texts)
