"""Progress bars on stderr, drawn only when stderr is a terminal (rich is imported only then)."""

from __future__ import annotations

import os
import sys
from typing import Any

from kube_cli.i18n import _
from kube_cli.output_terminal import stderr_console


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
