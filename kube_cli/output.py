"""Every way kube prints: tables, CSV, JSON and Markdown on stdout; messages on stderr.

Commands hand plain rows here. Money stays an integer in JSON and CSV and reads
``Rp25.000.000`` in tables; every cell is plain text (a name like ``[maju]`` prints as typed).
rich is imported only when a table is drawn.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kube_cli import records
from kube_cli.i18n import N_, _, format_date
from kube_cli.safetext import escaped, mask_digit_runs, neutralise
from kube_cli.vocab import format_rupiah

if TYPE_CHECKING:
    from rich.console import Console


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


_KINDS = records.show_kinds()
MONEY = frozenset(
    {k for k, kind in _KINDS.items() if kind == records.MONEY} | {"aid_total", "revenue_total", "revenue"}
)
FLAGS = frozenset({k for k, kind in _KINDS.items() if kind == records.FLAG} | {"dry_run"})
NUMBERS = MONEY | {k for k, kind in _KINDS.items() if kind == records.NUMBER} | {"groups", "members"}
DATES = frozenset(k for k, kind in _KINDS.items() if kind == records.DATE) | {"last_visit"}
_LABELS = records.labels()
# `kube check` severities: words in a table, kept as `error`/`warning` in CSV and JSON for scripts.
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}
# What a visit found: words in tables and messages, kept as `running`/`stalled`/`stopped` in CSV and JSON.
BUSINESS = {"running": N_("running"), "stalled": N_("stalled"), "stopped": N_("stopped")}


def business_word(value: str) -> str:
    return _(BUSINESS[value]) if value in BUSINESS else value


def header(column: str) -> str:
    """The heading a person reads for a column (CSV and JSON keep the column's name)."""
    headings = {
        "groups": _("Groups"), "aid_total": _("Aid"), "revenue_total": _("Revenue"), "revenue": _("Revenue"),
        "time": _("Time"), "officer": _("Officer"), "action": _("Action"), "target": _("Target"),
        "detail": _("Detail"), "kode": _("Code"), "kabupaten_kota": _("Kabupaten/Kota"),
        "aliases": _("Aliases"), "warning": _("Warning"), "severity": _("Severity"), "problem": _("Problem"),
        "last_visit": _("Last visit"), "reasons": _("Reasons"),
    }  # fmt: skip
    if column in _LABELS:
        return _(_LABELS[column])
    return headings.get(column, column.replace("_", " ").capitalize())


def safe_text(text: object) -> str:
    """Any untrusted text (a name from a merged registry, a file name, a CSV header) made safe for a
    line on the terminal: control and invisible characters shown as escapes (``\\x1b``), never sent."""
    return escaped(str(text))


def _message(text: str) -> str:
    """A message for stderr: safe for the terminal, and every NIK-long digit run in it masked."""
    return safe_text(mask_digit_runs(text))


def _cell(column: str, value: Any) -> str:
    """A value as a person reads it in a table or Markdown."""
    return safe_text(_cell_text(column, value))


def _cell_text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in MONEY and isinstance(value, int):
        return format_rupiah(value)
    if column in FLAGS:
        return _("yes") if value else _("no")
    if column in DATES:
        return format_date(str(value))
    if column == "business" and value in BUSINESS:
        return business_word(value)
    if column == "severity" and value in SEVERITIES:
        return _(SEVERITIES[value])
    if column == "time":
        return local_time(str(value))
    return str(value)


def local_time(iso: str) -> str:
    """A log time (UTC, ``2026-12-01T15:36:06Z``) in the local time zone (``TZ``): ``2026-12-01 23:36``."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _csv_value(column: str, value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula is neutralised, as ``kube export`` does."""
    if column in FLAGS:
        return "ya" if value else "tidak"
    return "" if value is None else neutralise(value)


# --- consoles -------------------------------------------------------------------------------


def stdout_console() -> Console:
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(highlight=False, width=None if tty else 1_000, no_color=not tty or None)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, no_color=not sys.stderr.isatty() or None)


def emit_line(text: object) -> None:
    """One line of data on stdout: a path, a code, the version, for people and scripts alike."""
    print(text)


def say(text: str) -> None:
    """A confirmation or note for the person at the terminal: stderr, never mixed with data."""
    print(_message(text), file=sys.stderr)


def warn(text: str) -> None:
    print(_("Warning: {text}").format(text=_message(text)), file=sys.stderr)


def error(text: str) -> None:
    print(_("Error: {text}").format(text=_message(text)), file=sys.stderr)


def progress(description: str):
    """A progress bar on stderr, drawn only when stderr is a terminal (rich is imported only then)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=stderr_console(), disable=not sys.stderr.isatty() or bool(os.environ.get("KUBE_NO_PROGRESS")),
        transient=True,
    )  # fmt: skip


def count_text(n: int) -> str:
    """``42003`` as people read it: ``42.003`` in Indonesian, ``42,003`` in English."""
    from kube_cli.i18n import current_language

    text = f"{n:,}"
    return text.replace(",", ".") if current_language() == "id" else text


class RowProgress:
    """``kube import``'s bar: rows read, of about how many (from how far into the file they are), and
    the time left; on stderr, only on a terminal. Call it with ``(rows, position, size)``: position and
    size in the file's own unit (bytes of a CSV, rows of a sheet), size 0 when unknown."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> RowProgress:
        if sys.stderr.isatty() and not os.environ.get("KUBE_NO_PROGRESS"):
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn(self.description), BarColumn(), TextColumn("{task.fields[rows]}"),
                                TimeRemainingColumn(), console=stderr_console(), transient=True)  # fmt: skip
            self.bar.__enter__()
            self.task = self.bar.add_task("", total=None, rows="")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, rows: int, position: int = 0, size: int = 0) -> None:
        if self.bar is None:
            return
        if size and position:
            total = max(rows, round(rows * size / position))
            text = _("{rows} of about {total} rows").format(rows=count_text(rows), total=count_text(total))
            self.bar.update(self.task, completed=rows, total=total, rows=text)
        else:
            self.bar.update(self.task, completed=rows, total=None, rows=_("{rows} rows").format(rows=count_text(rows)))


# --- rows -----------------------------------------------------------------------------------


def json_text(data: Any) -> str:
    """JSON indented by two spaces, except that a list of flat records has one record per line.

    Python's json indents in pure Python (only compact output has its C encoder): indenting every
    value of the national report's 75,000 kelurahan rows took a second; one C-encoded line per
    record takes a tenth of that, and reads as well. ``kube export --format json`` looks the same.
    """
    import json  # here, not at the top: a table in a terminal needs neither json nor csv

    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

    def text(value: Any, pad: str) -> str:
        inner = pad + "  "
        if isinstance(value, dict) and value:
            items = (f"{inner}{encode(str(k))}: {text(v, inner)}" for k, v in value.items())
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(value, list) and value:
            records = all(type(v) is dict for v in value)
            if records and not any(type(x) in (dict, list) for v in value for x in v.values()):
                lines = [inner + encode(v) for v in value]
            else:
                lines = [inner + text(v, inner) for v in value]
            return "[\n" + ",\n".join(lines) + "\n" + pad + "]"
        return encode(value)

    return text(data, "")


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(c, row.get(c)) for c in columns])
    return out.getvalue()


def markdown_text(rows: Sequence[dict[str, Any]], columns: Sequence[str], totals: dict[str, Any] | None = None) -> str:
    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [line(header(c) for c in columns)]
    lines.append("| " + " | ".join("---:" if c in NUMBERS else "---" for c in columns) + " |")
    lines += [line(_cell(c, row.get(c)) for c in columns) for row in rows]
    if totals:
        lines.append(line(f"**{_cell(c, totals.get(c))}**" if totals.get(c) not in (None, "") else "" for c in columns))
    return "\n".join(lines) + "\n"


# --- tables at a terminal ---------------------------------------------------------------------

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


def terminal_size() -> tuple[int, int]:
    """The terminal's columns and lines (80 x 24 when it does not say)."""
    import shutil

    size = shutil.get_terminal_size((80, 24))
    return size.columns or 80, size.lines or 24


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

    grid = [[header(c) for c in columns], *([_cell(c, r.get(c)) for c in columns] for r in rows)]
    if totals:
        grid.append([_cell(c, totals.get(c)) for c in columns])
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
    grid = [[header(c) for c in columns], *([_cell(c, r.get(c)) for c in columns] for r in rows)]
    if totals:
        grid.append([_cell(c, totals.get(c)) for c in columns])
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

    grid = [[header(c) for c in columns], *([_cell(c, r.get(c)) for c in columns] for r in first)]
    if totals:
        grid.append([_cell(c, totals.get(c)) for c in columns])
    kept = _fit(grid, columns, width, overhead=2, edge=0)
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

    def lines(cells: Sequence[str]) -> Iterator[str]:
        parts = {i: [cells[i]] if columns[i] in WHOLE or len(cells[i]) <= widths[i] else
                 textwrap.wrap(cells[i], widths[i]) or [""] for i in kept}  # fmt: skip
        for n in range(max(len(p) for p in parts.values())):
            out = []
            for i in kept:
                piece = parts[i][n] if n < len(parts[i]) else ""
                out.append(piece.rjust(widths[i]) if columns[i] in NUMBERS else piece.ljust(widths[i]))
            yield "  ".join(out).rstrip() + "\n"

    rule = "  ".join("─" * widths[i] for i in kept) + "\n"
    if title:
        yield title + "\n"
    yield from lines(grid[0])
    yield rule
    for cells in grid[1 : len(first) + 1]:
        yield from lines(cells)
    for row in rows:
        yield from lines([_cell(c, row.get(c)) for c in columns])
    if totals:
        yield rule
        yield from lines(grid[-1])
    if note := _dropped_caption(columns, kept, caption):
        yield "".join(textwrap.fill(line, width) + "\n" for line in note.splitlines())


# --- the pager ------------------------------------------------------------------------------

_pager_off = False


def no_pager(value: bool = True) -> None:
    """``--no-pager``: print straight to the terminal, however long the output."""
    global _pager_off
    _pager_off = value


def _pager_command() -> str | None:
    """The pager to use for this run's stdout, or None: only on a terminal, ``PAGER`` else ``less``."""
    if _pager_off or not sys.stdout.isatty():
        return None
    command = os.environ.get("KUBE_PAGER", os.environ.get("PAGER", "less")).strip()
    if not command or command == "cat":
        return None
    import shlex
    import shutil

    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return None
    return command if shutil.which(program) else None


def page(chunks: Iterable[str], *, long: bool) -> None:
    """Write ``chunks`` to stdout, through the pager when the output is ``long`` (longer than the
    screen) and stdout is a terminal. The pager gets ``LESS=FRX`` unless ``LESS`` is set, as git does."""
    command = _pager_command() if long else None
    if command is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    import contextlib
    import signal
    import subprocess

    sys.stdout.flush()
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env, encoding="utf-8",
                             errors="replace")  # fmt: skip
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the pager's, as with git
    assert pager.stdin is not None
    try:
        for chunk in chunks:
            pager.stdin.write(chunk)
    except OSError:  # the reader quit the pager before the end (a broken pipe): not an error
        pass
    finally:
        with contextlib.suppress(OSError):
            pager.stdin.close()
        pager.wait()
        signal.signal(signal.SIGINT, previous)


def show(text: str) -> None:
    """Text for stdout, paged on a terminal when it is longer than the screen."""
    page([text], long=text.count("\n") >= terminal_size()[1] - 1)


def render(*renderables: Any) -> str:
    """Rich renderables as the terminal would show them (colour and all), as text."""
    console = stdout_console()
    with console.capture() as captured:
        for item in renderables:
            console.print(item)
    return captured.get()


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


STREAM_AFTER = 200  # rows: a longer table goes to the terminal line by line (rich takes ~1 s for 200)
WIDTH_SAMPLE = 2_000  # rows: a streamed table's columns are as wide as these need


def emit_rows(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str = "table", *,
    title: str | None = None, totals: dict[str, Any] | None = None, caption: str | None = None,
    empty: str | None = None,
) -> None:  # fmt: skip
    """Print records in ``fmt``. JSON carries every key of each row as it is; CSV and JSON are
    never paged. ``rows`` may be a generator: a long table on a terminal is streamed to the pager."""
    if fmt == "table" and sys.stdout.isatty():
        import itertools

        rows = iter(rows)
        first = list(itertools.islice(rows, WIDTH_SAMPLE))
        if len(first) >= STREAM_AFTER:
            lines = stream_table(rows, columns, first, terminal_size()[0], title=title, totals=totals, caption=caption)
            page(lines, long=True)
            return
        rows = first
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if fmt == "json":
        sys.stdout.write(json_text(list(rows)) + "\n")
    elif fmt == "csv":
        sys.stdout.write(csv_text(rows, columns))
    elif fmt == "markdown":
        if title:
            sys.stdout.write(f"### {title}\n\n")
        sys.stdout.write(markdown_text(rows, columns, totals))
        if caption:
            sys.stdout.write(f"\n{caption}\n")
    elif not rows and empty:
        say(empty)
    else:
        print_table(rows, columns, title, totals, caption)


def emit_check(problems: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, empty: str) -> None:
    """``kube check``: scripts get each finding's ``code`` (``no_ketua``); a table says it in words only."""
    if fmt == "table":
        columns = [c for c in columns if c != "code"]
    emit_rows(problems, columns, fmt, empty=empty)


LOG_COLUMNS = ("time", "officer", "action", "target", "detail")


def emit_log(entries: Sequence[dict[str, Any]], fmt: str, empty: str) -> None:
    """``kube log``: JSON and CSV as stored (UTC times, ``group.edit``); a table in words and local time."""
    if fmt in ("json", "csv"):
        emit_rows([{k: v for k, v in e.items() if k != "changes"} for e in entries], LOG_COLUMNS, fmt)
        return
    from kube_cli.audit import action_words, describe

    rows = [{**e, "action": action_words(e["action"]), "detail": describe(e["changes"])} for e in entries]
    emit_rows(rows, LOG_COLUMNS, fmt, empty=empty)


def emit_groups(groups: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str) -> None:
    """``group list``: in a table, groups outside 5-20 members (Permensos 2/2019) are flagged ``!``."""
    caption = None
    if fmt in ("table", "markdown"):
        from kube_cli.registry import MAX_MEMBERS, MIN_MEMBERS

        inside = [MIN_MEMBERS <= g["members"] <= MAX_MEMBERS for g in groups]
        groups = [g if ok else {**g, "members": f"{g['members']} !"} for g, ok in zip(groups, inside, strict=True)]
        if not all(inside):
            caption = _("! {n} groups outside {min}-{max} members (Permensos 2/2019)").format(
                n=inside.count(False), min=MIN_MEMBERS, max=MAX_MEMBERS)  # fmt: skip
    emit_rows(groups, columns, fmt, caption=caption, empty=_("No groups match."))


def emit_money_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, empty: str) -> None:
    """Aid or revenue records; a table adds the total of what counts (void aid does not)."""
    counted = [r for r in rows if not r.get("void")]
    totals = totals_row(counted, "group_code", ["amount"]) if fmt in ("table", "markdown") and rows else None
    emit_rows(rows, columns, fmt, totals=totals, empty=empty)


def record_csv_text(record: dict[str, Any]) -> str:
    """One record as CSV: a header of its keys and one row; a nested count (``groups: {added: 1}``)
    becomes a column of its own (``groups.added``)."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            flat[key] = value
    return csv_text([flat], list(flat))


def emit_record(record: dict[str, Any], fmt: str, message: str) -> None:
    """After a change: the record on stdout with ``--format json`` or ``csv``, else a line on stderr."""
    if fmt == "json":
        sys.stdout.write(json_text(record) + "\n")
    elif fmt == "csv":
        sys.stdout.write(record_csv_text(record))
    else:
        say(message)


def emit_created_code(record: dict[str, Any], fmt: str, message: str) -> None:
    """``group add``: JSON or CSV, or the message on a terminal, or the code alone for a script."""
    if fmt in ("json", "csv"):
        emit_record(record, fmt, message)
    elif sys.stdout.isatty():
        print(message)
    else:
        print(record["code"])


def details_text(pairs: Sequence[tuple[str, Any]], title: str) -> str:
    """A record shown whole: its title on a line, then one ``label  value`` line each."""
    if not sys.stdout.isatty():
        width = max((len(label) for label, _value in pairs), default=0)
        return (
            safe_text(title) + "\n" + "".join(f"{label.ljust(width)}  {safe_text(value)}\n" for label, value in pairs)
        )
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in pairs:
        table.add_row(Text(label), Text(safe_text(value)))
    return render(Text(safe_text(title), style="bold"), table)  # its own line: a table title wraps to the table's width


def emit_details(pairs: Sequence[tuple[str, Any]], title: str) -> None:
    show(details_text(pairs, title))


# --- reports --------------------------------------------------------------------------------

SUMMARY_CSV_COLUMNS = ("section", "kecamatan", "kelurahan", "usaha", "groups", "members", "aid_total", "revenue_total")


def emit_summary(data: dict[str, Any], fmt: str, title: str) -> None:
    """``kube report`` without ``--by``: totals, then counts by kelurahan and by usaha."""
    totals = data["totals"]
    kel_cols, usaha_cols = ("kecamatan", "kelurahan", "groups", "members"), ("usaha", "groups", "members")
    if fmt == "json":
        sys.stdout.write(json_text(data) + "\n")
        return
    if fmt == "csv":
        rows = [{"section": "total", **totals}]
        rows += [{"section": "kelurahan", **r} for r in data["by_kelurahan"]]
        rows += [{"section": "usaha", **r} for r in data["by_usaha"]]
        sys.stdout.write(csv_text(rows, SUMMARY_CSV_COLUMNS))
        return
    total_pairs = [
        (_("KUBE (active groups)"), totals["groups"]), (_("Members"), totals["members"]),
        (_("Kelurahan with a KUBE"), totals["kelurahan"]), (_("Aid given"), format_rupiah(totals["aid_total"])),
        (_("Revenue reported"), format_rupiah(totals["revenue_total"])),
    ]  # fmt: skip
    kel_totals = {"kecamatan": _("Total"), "groups": totals["groups"], "members": totals["members"]}
    usaha_totals = {"usaha": _("Total"), "groups": totals["groups"], "members": totals["members"]}
    if fmt == "markdown":
        out = [f"## {title}\n", "| | |", "| --- | ---: |", *(f"| {k} | {v} |" for k, v in total_pairs), ""]
        out += [f"### {_('By kelurahan')}\n", markdown_text(data["by_kelurahan"], kel_cols, kel_totals)]
        out += [f"### {_('By usaha')}\n", markdown_text(data["by_usaha"], usaha_cols, usaha_totals)]
        sys.stdout.write("\n".join(out))
        return
    show("\n".join([
        details_text(total_pairs, title), table_text(data["by_kelurahan"], kel_cols, _("By kelurahan"), kel_totals),
        table_text(data["by_usaha"], usaha_cols, _("By usaha"), usaha_totals),
    ]))  # fmt: skip


def totals_row(rows: Sequence[dict[str, Any]], label_column: str, measures: Sequence[str]) -> dict[str, Any]:
    totals: dict[str, Any] = {label_column: _("Total")}
    for measure in measures:
        totals[measure] = sum(r.get(measure) or 0 for r in rows)
    return totals


def scope_title(year: int | None, kecamatan: str | None) -> str:
    parts = [str(year)] if year else []
    if kecamatan:
        parts.append(_("Kecamatan {name}").format(name=kecamatan))
    return (" — " + ", ".join(parts)) if parts else ""


def breakdown_columns(dims: Sequence[str]) -> list[str]:
    order = tuple(records.DIMENSIONS)
    wanted = set(dims) | ({"kecamatan"} if "kelurahan" in dims else set())
    return [d for d in order if d in wanted] + ["groups", "members", "aid_total", "revenue_total"]


def emit_breakdown(rows: Sequence[dict[str, Any]], dims: Sequence[str], fmt: str, scope: str) -> None:
    columns = breakdown_columns(dims)
    totals = totals_row(rows, columns[0], ["groups", "members", "aid_total", "revenue_total"])
    if "year" in dims:  # groups and money of different years: the sums are still the totals
        totals["year"] = totals.get("year", "")
    title = _("KUBE by {dimensions}").format(dimensions=", ".join(dims)) + scope
    emit_rows(rows, columns, fmt, title=title, totals=totals if fmt in ("table", "markdown") else None)


def emit_omset(rows: Sequence[dict[str, Any]], fmt: str, year: int | None, minimum: int, scope: str) -> None:
    columns = ("code", "name", "kelurahan", "kecamatan", "usaha", "year", "revenue")
    if year is None:
        if fmt in ("json", "csv"):
            emit_rows([], columns, fmt)
        else:
            say(_("No revenue is recorded yet."))
        return
    title = _("Groups with revenue of at least {amount} in {year}").format(amount=format_rupiah(minimum), year=year)
    emit_rows(rows, columns, fmt, title=title + scope, empty=title + ": " + _("none."))


def emit_group(group: dict[str, Any], fmt: str, member_columns: Sequence[str]) -> None:
    """``group show``: the group, its members, its money and what is wrong with it."""
    if fmt == "json":
        sys.stdout.write(json_text(group) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(
            csv_text([group], ("code", "name", "kelurahan", "kecamatan", "usaha", "year", "status", "members"))
        )
        return
    revenue = ", ".join(f"{r['year']}: {format_rupiah(r['revenue'])}" for r in group["revenue_by_year"]) or "—"
    pairs = [
        (_("Name"), group["name"]), (_("Kelurahan"), f"{group['kelurahan']} ({group['kelurahan_kode']})"),
        (_("Kecamatan"), group["kecamatan"]), (_("Usaha"), group["usaha"]), (_("Year"), group["year"]),
        (_("Status"), group["status"]), (_("Members"), group["members"]),
        (_("Aid given"), format_rupiah(group["aid_total"])), (_("Revenue"), revenue),
    ]  # fmt: skip
    if group["note"]:
        pairs.append((_("Note"), group["note"]))
    text = details_text(pairs, _("KUBE {code}").format(code=group["code"]))
    if group["member_list"]:
        text += table_text(group["member_list"], member_columns, _("Members"))
    show(text)
    for warning in group["warnings"]:
        warn(warning)


def emit_due(rows: Sequence[dict[str, Any]], fmt: str, title: str, total: int | None = None) -> None:
    """``kube due``: reason identifiers in JSON and CSV (``;`` between them), the reasons in words in a table."""
    from kube_cli.worklist import KEYS

    if fmt in ("json", "csv"):
        shown = [{k: row[k] for k in KEYS} for row in rows]
        if fmt == "csv":
            shown = [{**row, "reasons": ";".join(row["reasons"])} for row in shown]
        emit_rows(shown, KEYS, fmt)
        return
    table = [{**row, "reasons": "; ".join(row["reason_text"])} for row in rows]
    emit_rows(table, ("code", "name", "kelurahan", "last_visit", "reasons"), fmt, title=title,
              caption=_("{n} groups due").format(n=len(rows) if total is None else total),
              empty=_("No group is due for a visit."))  # fmt: skip


# --- finding people and their history -----------------------------------------------------

FOUND_KINDS = {"group": N_("group"), "member": N_("member")}


def emit_found(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, empty: str) -> None:
    """``kube find``: JSON and CSV as the rows are; a table says ``group``/``member`` in its language."""
    if fmt == "table":
        rows = [{**r, "kind": _(FOUND_KINDS[r["kind"]])} for r in rows]
    emit_rows(rows, columns, fmt, empty=empty)


DETAIL_LABELS = {"name": N_("name"), "role": N_("role"), "gender": N_("gender"), "pkh_graduate": N_("PKH graduate"),
                 "reason": N_("reason"), "nik": N_("NIK")}  # fmt: skip


def detail_text(detail: dict[str, Any]) -> str:
    """An audit entry's detail for people: ``nama: Siti → Siti Rahma, alasan: …``; a move ``A → B``."""
    if set(detail) == {"from", "to"}:
        return f"{detail['from']} → {detail['to']}"
    parts = []
    for key, value in detail.items():
        label = _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            parts.append(f"{label}: {_cell(key, value['from'])} → {_cell(key, value['to'])}")
        elif value not in (None, ""):
            parts.append(f"{label}: {_cell(key, value)}")
    return ", ".join(parts)


def emit_member(member: dict[str, Any], fmt: str) -> None:
    """``member show``: the member, their group, and their history, oldest first."""
    if fmt == "json":
        sys.stdout.write(json_text(member) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(csv_text([member], ("id", "nik", "name", "group_code", "role", "gender", "pkh_graduate")))
        return
    group = member["group"]
    pairs = [
        (_("NIK"), member["nik"]), (_("Group"), f"{group['name']} ({group['code']})"),
        (_("Kelurahan"), f"{group['kelurahan']}, {group['kecamatan']}"), (_("Role"), member["role"]),
        (_("Gender"), member["gender"]), (_("PKH graduate"), _cell("pkh_graduate", member["pkh_graduate"])),
    ]  # fmt: skip
    if member["removed_at"]:
        pairs.append((_("Removed"), member["removed_at"]))
    emit_details(pairs, _("{name} (member {id})").format(**member))
    history = [{**h, "detail": detail_text(h["detail"])} for h in member["history"]]
    if history:
        sys.stdout.write("\n")
        print_table(history, ("time", "officer", "action", "target", "detail"), _("History"))


MERGE_ACTIONS = {"add": N_("add"), "update": N_("update"), "remove": N_("remove"), "refuse": N_("refuse")}
MERGE_TABLES = {"groups": N_("group"), "members": N_("member"), "aid": N_("aid"), "revenue": N_("revenue"),
                "usaha": "usaha", "": ""}  # fmt: skip


def emit_merge_changes(changes: Sequence[dict[str, Any]], fmt: str) -> None:
    """``merge --dry-run`` in a table: one line per record it would add, update, remove or refuse
    (NIK masked). JSON carries them in the summary's ``changes``."""
    if fmt != "table":
        return
    for change in changes:
        action, table = _(MERGE_ACTIONS[change["action"]]), MERGE_TABLES.get(change["table"], change["table"])
        emit_line(f"{action:<8} {_(table) if table else '':<8} {change['record']}")


# --- briefing and charts --------------------------------------------------------------------


class BriefingFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def emit_briefing(briefing: dict[str, Any], fmt: str) -> None:
    """The press paragraph: as it is, under a Markdown heading, or as JSON with its numbers."""
    if fmt == "json":
        sys.stdout.write(json_text({"paragraph": briefing["paragraph"], "numbers": briefing["numbers"]}) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(f"### {briefing['title']}\n\n{briefing['paragraph']}\n")
    else:
        sys.stdout.write(briefing["paragraph"] + "\n")


def emit_bar_chart(chart: dict[str, Any], label_heading: str) -> None:
    """A horizontal bar chart drawn with block characters, for the terminal (no matplotlib)."""
    from rich.table import Table
    from rich.text import Text

    if not chart["bars"]:
        say(chart["title"] + ": " + _("none."))
        return
    console = stdout_console()
    label_width = max(len(label) for label, _count in chart["bars"])
    count_width = max(len(str(count)) for _label, count in chart["bars"])
    room = (console.width if sys.stdout.isatty() else 80) - label_width - count_width - 4
    bar_width = max(10, min(60, room))
    largest = max(count for _label, count in chart["bars"])
    table = Table(title=chart["title"], title_justify="left", box=None, show_header=True, padding=(0, 1, 0, 0))
    table.add_column(label_heading, no_wrap=True)
    table.add_column(_("Groups"), justify="left", no_wrap=True)
    for label, count in chart["bars"]:
        blocks = max(1, round(count / largest * bar_width))
        bar = Text("█" * blocks, style="cyan")
        bar.append(f" {count}")
        table.add_row(Text(safe_text(label)), bar)
    console.print(table)


def emit_merge_summary(summary: dict[str, Any], fmt: str) -> None:
    """``kube merge``: the counts as JSON or CSV (one row per table), or one summary line on stderr."""
    if fmt == "json":
        sys.stdout.write(json_text(summary) + "\n")
        return
    if fmt == "csv":
        rows = [{"table": table, **counts} for table, counts in summary["tables"].items()]
        sys.stdout.write(csv_text(rows, ("table", "added", "updated", "unchanged")))
        return
    emit_merge_changes(summary.get("changes", []), fmt)
    text = _("{added} added, {updated} updated, {unchanged} unchanged, {conflicts} conflicts resolved; "
             "{audit_added} log entries added").format(**summary)  # fmt: skip
    lead = _("Would merge {file}: ") if summary["dry_run"] else _("Merged {file}: ")
    say(lead.format(file=summary["file"]) + text + (_(" (dry run: nothing written)") if summary["dry_run"] else ""))


# --- plausibility ---------------------------------------------------------------------------


def warn_briefing(findings: Sequence[Any], limit: int = 50) -> None:
    """``kube check``'s warnings about numbers a briefing states, on stderr (the first ``limit``, then
    how many more): the paragraph stays as it is."""
    for finding in findings[:limit]:
        warn(_("{finding} (counted in this briefing; see `kube check`)").format(finding=finding))
    if len(findings) > limit:
        warn(_("…and {n} more warnings").format(n=len(findings) - limit))


# --- questions ------------------------------------------------------------------------------

YES_WORDS = frozenset({"y", "yes", "ya", "iya"})


def asks(yes: bool) -> bool:
    """Whether ``confirm`` will ask: only a person at a terminal (stdin and stderr), without ``--yes`` or ``KUBE_YES``."""
    if yes or os.environ.get("KUBE_YES", "").strip().lower() in {"1", "true", "yes", "y", "ya"}:
        return False
    return sys.stdin.isatty() and sys.stderr.isatty()


def confirm(question: str, yes: bool) -> None:
    """Ask ``question`` at the terminal, default no; return when the answer is yes.

    A script (stdin or stderr not a terminal), ``--yes`` or ``KUBE_YES=1`` is not asked. Any other
    answer than yes (or the end of input) refuses: exit 1, and the command writes nothing.
    """
    if not asks(yes):
        return
    from kube_cli.errors import KubeError

    choices = _("[y/N]")
    sys.stderr.write(f"{question} {choices} ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):  # Ctrl-D: end the question's line
        sys.stderr.write("\n")
    if answer.strip().lower() not in YES_WORDS:
        raise KubeError("", "", _("not confirmed; nothing was written"))
