"""Every way kube prints: tables, CSV, JSON and Markdown on stdout; messages and questions on stderr.

Commands hand plain rows here. Money stays an integer in JSON and CSV and reads
``Rp25.000.000`` in tables; every cell is plain text (a name like ``[maju]`` prints as typed).
rich is imported only when a table is drawn.

This module holds what most commands call (``emit_rows``, ``emit_record``, ``say``, ``warn``,
``confirm``); its parts live beside it: ``output_cells`` (how one value reads), ``output_writers``
(JSON, CSV, Markdown), ``output_tables`` (tables fitted to the terminal, plain or streamed),
``output_terminal`` (consoles, the terminal's size, the pager), ``output_progress`` (progress bars),
``output_details`` (``group show``, ``member show``) and ``output_reports`` (``kube report``,
``kube due``, the briefing and the chart).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from kube_cli.i18n import N_, _
from kube_cli.output_cells import safe_text
from kube_cli.output_tables import print_table, stream_table, totals_row
from kube_cli.output_terminal import page, terminal_size
from kube_cli.output_writers import csv_text, json_text, markdown_text, record_csv_text
from kube_cli.safetext import mask_digit_runs


def _message(text: str) -> str:
    """A message for stderr: safe for the terminal, and every NIK-long digit run in it masked."""
    return safe_text(mask_digit_runs(text))


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


FOUND_KINDS = {"group": N_("group"), "member": N_("member")}


def emit_found(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, empty: str) -> None:
    """``kube find``: JSON and CSV as the rows are; a table says ``group``/``member`` in its language."""
    if fmt == "table":
        rows = [{**r, "kind": _(FOUND_KINDS[r["kind"]])} for r in rows]
    emit_rows(rows, columns, fmt, empty=empty)


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
