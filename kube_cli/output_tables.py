"""Tables of rows: fitted to the terminal's width (whole values stay whole, text wraps, the least
important columns are left out), aligned plain text for a pipe or a file, and streamed line by line
when long."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from kube_cli.i18n import _
from kube_cli.output_cells import DATES, FLAGS, NUMBERS, cell, header
from kube_cli.output_terminal import render, show, terminal_size

# Columns whose values are typed or read back whole (a code, a masked NIK, a date or time, an amount,
# a count): never wrapped, cut or elided. When the terminal is too narrow, text columns wrap and, if
# that is not enough, the least important columns are left out (and the caption names them).
CODES = frozenset({"code", "group_code", "kode"})
MASKED = frozenset({"nik", "kk", "phone"})
TIMES = frozenset({"time", "last_visit", "period"})
WHOLE = CODES | MASKED | DATES | TIMES | NUMBERS | FLAGS | {"year", "desil", "members_present", "severity"}
# How much a column matters on a narrow screen: the lowest is left out first (default 50).
PRIORITY = {
    "note": 10, "source": 15, "kabupaten_kota": 20, "aliases": 25, "desil": 25, "phone": 25, "kk": 25,
    "gender": 30, "pkh_graduate": 30, "kecamatan": 35, "stage": 35, "status": 40, "year": 40,
    "officer": 40, "usaha": 45, "void": 55, "kind": 55, "target": 60, "action": 65, "members": 70,
    "groups": 70, "detail": 72, "kelurahan": 75, "role": 60, "severity": 80, "period": 85, "date": 88,
    "time": 90, "nik": 90, "group_code": 92, "amount": 94, "name": 94, "problem": 94, "id": 96,
    "code": 98, "kode": 98,
}  # fmt: skip
TEXT_MIN = 12  # a wrapped text column is given at least this many cells when it can
SHORT_TEXT = 16  # a text column whose cells are all this short is not wrapped (a role, an action, a code)


def _fit(grid: Sequence[Sequence[str]], columns: Sequence[str], width: int, overhead: int, edge: int) -> list[int]:
    """The indexes of the columns to show in ``width`` cells; ``grid`` is the header row, then the cells.

    A whole column needs its longest cell or heading; a text column its longest cell up to ``TEXT_MIN``
    (it wraps).
    ``overhead`` is what each column adds (padding, a rule), ``edge`` what the table adds once.
    """
    need = []
    for i, c in enumerate(columns):
        longest = max((len(cells[i]) for cells in grid[1:]), default=0)
        head = max((len(w) for w in grid[0][i].split()), default=0)
        short = c in WHOLE or longest <= SHORT_TEXT  # shown unwrapped, its heading too
        need.append(max(longest, len(grid[0][i])) if short else min(max(longest, len(grid[0][i])), max(TEXT_MIN, head)))
    kept = list(range(len(columns)))
    while len(kept) > 1 and sum(need[i] for i in kept) + overhead * len(kept) + edge > width:
        kept.remove(min(reversed(kept), key=lambda i: PRIORITY.get(columns[i], 50)))
    return kept


def _dropped_caption(columns: Sequence[str], kept: Sequence[int], caption: str | None) -> str | None:
    if len(kept) == len(columns):
        return caption
    left_out = ", ".join(header(c) for i, c in enumerate(columns) if i not in kept)
    note = _("Left out to fit the terminal: {columns} (a wider window, or --format csv, shows them)").format(
        columns=left_out
    )
    return f"{caption}\n{note}" if caption else note


def rich_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    title: str | None = None,
    totals: dict[str, Any] | None = None,
    caption: str | None = None,
    width: int | None = None,
):
    """A rich table that fits ``width`` cells: whole values stay whole, text wraps, minor columns go."""
    from rich.table import Table
    from rich.text import Text

    grid = [[header(c) for c in columns], *([cell(c, r.get(c)) for c in columns] for r in rows)]
    if totals:
        grid.append([cell(c, totals.get(c)) for c in columns])
    kept = _fit(grid, columns, width or terminal_size()[0], overhead=3, edge=1)
    caption = _dropped_caption(columns, kept, caption)
    table = Table(title=title, caption=caption, show_footer=bool(totals), title_justify="left", caption_justify="left")
    for i in kept:
        c = columns[i]
        longest = max(len(cells[i]) for cells in grid)
        whole = c in WHOLE or max(len(cells[i]) for cells in grid[1:] or [[""] * len(columns)]) <= SHORT_TEXT
        table.add_column(
            header(c), justify="right" if c in NUMBERS else "left", footer=Text(grid[-1][i]) if totals else "",
            no_wrap=whole, min_width=longest if whole else None, overflow="fold",
        )  # fmt: skip
    for cells in grid[1 : len(rows) + 1]:
        table.add_row(*(Text(cells[i]) for i in kept))
    return table


def plain_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None,
    totals: dict[str, Any] | None = None, caption: str | None = None,
) -> str:  # fmt: skip
    """A table as aligned plain text, for a pipe or a file: no box drawing, no colour, no rich."""
    grid = [[header(c) for c in columns], *([cell(c, r.get(c)) for c in columns] for r in rows)]
    if totals:
        grid.append([cell(c, totals.get(c)) for c in columns])
    widths = [max(len(cells[i]) for cells in grid) for i in range(len(columns))]
    rule = "  ".join("-" * w for w in widths)

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if c in NUMBERS else cell.ljust(w) for cell, w, c in zip(cells, widths, columns, strict=True)
        ).rstrip()

    out = [title] if title else []
    out += [line(grid[0]), rule, *(line(cells) for cells in grid[1 : len(rows) + 1])]
    if totals:
        out += [rule, line(grid[-1])]
    if caption:
        out.append(caption)
    return "\n".join(out) + "\n"


def stream_table(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], first: Sequence[dict[str, Any]], width: int, *,
    title: str | None = None, totals: dict[str, Any] | None = None, caption: str | None = None,
) -> Iterator[str]:  # fmt: skip
    """A long table for the terminal, line by line as ``rows`` arrive, so the pager shows the first
    screen at once (rich lays out a whole table before it prints a line: ~5 ms a row on this VM,
    90 s for all of Indonesia).

    The column widths come from the ``first`` rows; a longer text further down wraps, a longer whole
    value widens its line rather than being cut.
    """
    import textwrap

    grid = [[header(c) for c in columns], *([cell(c, r.get(c)) for c in columns] for r in first)]
    if totals:
        grid.append([cell(c, totals.get(c)) for c in columns])
    kept = _fit(grid, columns, width, overhead=2, edge=0)
    widths = _stream_widths(grid, columns, kept, width)

    def lines(cells: Sequence[str]) -> Iterator[str]:
        return _wrapped_lines(cells, columns, kept, widths)

    rule = "  ".join("─" * widths[i] for i in kept) + "\n"
    if title:
        yield title + "\n"
    yield from lines(grid[0])
    yield rule
    for cells in grid[1 : len(first) + 1]:
        yield from lines(cells)
    for row in rows:
        yield from lines([cell(c, row.get(c)) for c in columns])
    if totals:
        yield rule
        yield from lines(grid[-1])
    if note := _dropped_caption(columns, kept, caption):
        yield "".join(textwrap.fill(line, width) + "\n" for line in note.splitlines())


def _stream_widths(grid: list[list[str]], columns: Sequence[str], kept: list[int], width: int) -> dict[int, int]:
    """The width of each kept column, from the heading and the first rows in ``grid``."""
    widths = {i: max(len(cells[i]) for cells in grid) for i in kept}
    texts = [i for i in kept if columns[i] not in WHOLE]
    for i in texts:  # a text column asks for what 9 in 10 of its cells need; the longest wrap
        lengths = sorted(len(cells[i]) for cells in grid[1:])
        widths[i] = max(len(grid[0][i]), lengths[len(lengths) * 9 // 10] if lengths else 0)
    text_room = width - sum(widths[i] for i in kept if columns[i] in WHOLE) - 2 * (len(kept) - 1)
    for i in sorted(texts, key=lambda i: widths[i]):  # share what is left; narrow columns keep their width
        widths[i] = min(widths[i], max(1, text_room // len(texts)))
        text_room -= widths[i]
        texts.remove(i)
    return widths


def _wrapped_lines(
    cells: Sequence[str], columns: Sequence[str], kept: list[int], widths: dict[int, int]
) -> Iterator[str]:
    """One row as lines: a text longer than its column wraps, a whole value (a number, a NIK) stays whole."""
    import textwrap

    parts: dict[int, list[str]] = {}
    for i in kept:
        fits = columns[i] in WHOLE or len(cells[i]) <= widths[i]
        parts[i] = [cells[i]] if fits else textwrap.wrap(cells[i], widths[i]) or [""]
    for n in range(max(len(p) for p in parts.values())):
        out = []
        for i in kept:
            piece = parts[i][n] if n < len(parts[i]) else ""
            out.append(piece.rjust(widths[i]) if columns[i] in NUMBERS else piece.ljust(widths[i]))
        yield "  ".join(out).rstrip() + "\n"


def table_text(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None,
    totals: dict[str, Any] | None = None, caption: str | None = None,
) -> str:  # fmt: skip
    """A table as text: fitted to the terminal's width there, aligned plain text in a pipe or a file."""
    if sys.stdout.isatty():
        return render(rich_table(rows, columns, title, totals, caption))
    return plain_table(rows, columns, title, totals, caption)


def print_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str | None = None,
    totals: dict[str, Any] | None = None, caption: str | None = None,
) -> None:  # fmt: skip
    """A rich table on a terminal (paged when long); aligned plain text when stdout is a pipe or a file."""
    show(table_text(rows, columns, title, totals, caption))


def totals_row(rows: Sequence[dict[str, Any]], label_column: str, measures: Sequence[str]) -> dict[str, Any]:
    totals: dict[str, Any] = {label_column: _("Total")}
    for measure in measures:
        totals[measure] = sum(r.get(measure) or 0 for r in rows)
    return totals
