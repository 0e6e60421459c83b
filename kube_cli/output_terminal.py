"""The terminal: rich consoles for stdout and stderr, the terminal's size, and the pager."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def stdout_console() -> Console:
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(highlight=False, width=None if tty else 1_000, no_color=not tty or None)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, no_color=not sys.stderr.isatty() or None)


def terminal_size() -> tuple[int, int]:
    """The terminal's columns and lines (80 x 24 when it does not say)."""
    import shutil

    size = shutil.get_terminal_size((80, 24))
    return size.columns or 80, size.lines or 24


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
