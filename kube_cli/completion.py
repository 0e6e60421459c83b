"""Completing what an officer types: in the shell (``kube --install-completion``) and when kube asks.

Values come from the registry in use (``--db``, else ``KUBE_DB``, else the default), read-only: a
missing registry completes nothing and is never created. Commands and options are click's own.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kube_cli import typer_compat
from kube_cli.vocab import AID_KINDS, ROLES, STATUSES

Values = list[tuple[str, str]]  # (value, help)
LIMIT = 200  # a shell shows no more; an all-Indonesia registry has 83,000 kelurahan


def registry_path(ctx: Any) -> Path:
    from kube_cli.db import resolve_path

    root = ctx.find_root() if ctx is not None else None
    return resolve_path(root.params.get("db") if root is not None else None)


def _rows(ctx: Any, sql: str, *params: object) -> list[tuple[Any, ...]]:
    path = registry_path(ctx)
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:  # not a registry, or an older one: nothing to offer
        return []


def _like(incomplete: str) -> str:
    return incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def kelurahan(ctx: Any, incomplete: str) -> Values:
    from kube_cli.records import kecamatan_join  # here: completing a command imports only what it uses

    return [(name, f"{kec}" if kec else "") for name, kec in _rows(ctx, (
        f"SELECT kel.nama, kec.nama FROM wilayah kel {kecamatan_join('LEFT JOIN')} "
        "WHERE kel.level = 'kelurahan_desa' AND kel.nama LIKE ? ESCAPE '\\' ORDER BY kel.nama LIMIT ?"),
        _like(incomplete), LIMIT)]  # fmt: skip


def kecamatan(ctx: Any, incomplete: str) -> Values:
    return [(name, "") for (name,) in _rows(ctx, (
        "SELECT nama FROM wilayah WHERE level = 'kecamatan' AND nama LIKE ? ESCAPE '\\' ORDER BY nama LIMIT ?"),
        _like(incomplete), LIMIT)]  # fmt: skip


def usaha(ctx: Any, incomplete: str) -> Values:
    return [
        (name, "")
        for (name,) in _rows(
            ctx, "SELECT name FROM usaha WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?", _like(incomplete), LIMIT
        )
    ]


def group_code(ctx: Any, incomplete: str) -> Values:
    return [(code, name) for code, name in _rows(
        ctx, "SELECT code, name FROM groups WHERE code LIKE ? ESCAPE '\\' ORDER BY code LIMIT ?", _like(incomplete),
        LIMIT)]  # fmt: skip


def member(ctx: Any, incomplete: str) -> Values:
    """Current members by id (the NIK is not offered: completion shows on screen)."""
    from kube_cli.records import current_member

    return [(str(id_), f"{name} ({code})") for id_, name, code in _rows(ctx, (
        "SELECT m.id, m.name, g.code FROM members m JOIN groups g ON g.id = m.group_id "
        f"WHERE {current_member('m')} AND CAST(m.id AS TEXT) LIKE ? ORDER BY m.id LIMIT ?"), _like(incomplete), LIMIT)]  # fmt: skip


def _fixed(words: tuple[str, ...]) -> Callable[[Any, str], Values]:
    return lambda _ctx, incomplete: [(w, "") for w in words if w.startswith(incomplete.lower())]


# a parameter's name -> its values; "code" only for the CODE argument (``group add --code`` is a new one)
BY_NAME: dict[str, Callable[[Any, str], Values]] = {
    "kelurahan": kelurahan, "kecamatan": kecamatan, "usaha": usaha, "to": group_code, "member": member,
    "kind": _fixed(AID_KINDS), "role": _fixed(ROLES), "status": _fixed(STATUSES),
}  # fmt: skip


def values_for(param: Any) -> Callable[[Any, str], Values] | None:
    if param.name == "code":
        return group_code if param.param_type_name == "argument" else None
    return BY_NAME.get(param.name or "")


def attach(command: Any) -> None:
    """Complete the values of every parameter under ``command`` that names a kelurahan, usaha, code…"""
    for each in typer_compat.walk(command):
        for param in each.params:
            if (values := values_for(param)) is not None:
                typer_compat.set_completion(param, values)


# --- asking at a terminal ------------------------------------------------------------------------


def ask(ctx: Any, param: Any, label: str) -> str | None:
    """Ask for ``param``'s value at the terminal, Tab completing it; ``None`` at the end of input."""
    values = values_for(param)
    if values is not None:
        offer = lambda text: [value for value, _help in values(ctx, text)]  # noqa: E731
    else:  # a choice (--by, --format): typer's own completion of it
        offer = lambda text: [item.value for item in param.shell_complete(ctx, text)]  # noqa: E731
    if sys.stdin.isatty() and sys.stdout.isatty():
        return _ask_with_readline(label, offer)
    sys.stderr.write(label)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line.rstrip("\n") if line else None


def _ask_with_readline(label: str, candidates: Callable[[str], list[str]]) -> str | None:
    import readline

    found: list[str] = []

    def complete(text: str, state: int) -> str | None:
        if state == 0:
            found[:] = candidates(readline.get_line_buffer())
        return found[state] if state < len(found) else None

    previous = readline.get_completer(), readline.get_completer_delims()
    readline.set_completer(complete)
    readline.set_completer_delims("")  # a kelurahan's name has spaces: complete the whole line
    readline.parse_and_bind("tab: complete")
    try:
        return input(label)
    except EOFError:
        sys.stderr.write("\n")
        return None
    finally:
        readline.set_completer(previous[0])
        readline.set_completer_delims(previous[1])
