"""Everything kube needs from typer beyond its public API, in one place (typer pinned in pyproject.toml).

typer 0.29 vendors click as ``typer._click`` and exports neither its usage errors nor its completion
items; ``typer.rich_utils`` reads its words with gettext once, at import. And it builds a pydantic
``TypeAdapter`` for every non-flag option while parsing: ~60 ms of pydantic import and 13 ms of
plugin scan that kube's options, all plain text, flags and choices, do not need. This module:

- re-exports the click classes kube catches or builds (``UsageError``, ``MissingParameter``…);
- ``fast_params``: gives each str, bool, choice and path parameter a plain-Python coercion with
  typer's own semantics (anything else keeps typer's pydantic one);
- ``set_completion``: a parameter's shell completion (click's ``shell_complete`` callback);
- ``translate_rich_utils``: typer's help words in the interface language;
- ``missing_params``: every required parameter a command line lacks (click stops at the first).

Proposed upstream (typer): build ``RuntimeParam`` without pydantic for ``str``/``bool``/``Enum``/
``Path`` (a table of plain coercions, pydantic only for the rest), export ``UsageError``,
``MissingParameter`` and ``CompletionItem`` from ``typer``, and let click's ``Command.parse_args``
report every missing required parameter at once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from typer import _coercion, _param_types  # the internals this module exists to isolate
from typer._click.core import Command, Parameter
from typer._click.exceptions import ClickException, MissingParameter, UsageError
from typer._click.shell_completion import CompletionItem

__all__ = [
    "ClickException",
    "Command",
    "CompletionItem",
    "MissingParameter",
    "UsageError",
    "accept_click_instruction",
    "fast_param",
    "fast_params",
    "fit_help",
    "missing_params",
    "set_completion",
    "translate_rich_utils",
    "walk",
]


def walk(command: Command) -> Iterator[Command]:
    """``command`` and every command under it that is already built."""
    yield command
    if isinstance(getattr(command, "commands", None), dict):  # a group (typer.core.TyperGroup)
        for sub in command.commands.values():
            yield from walk(sub)


# --- coercion without pydantic -------------------------------------------------------------------


class _Plain(_coercion.RuntimeParam):
    """typer's coercion of one plain parameter, in plain Python. A value it cannot take is handed to
    typer's own coercion (pydantic), so every error reads exactly as typer words it."""

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            if get_origin(self.annotation) is list:  # a repeatable option: each value alone
                (item_type,) = get_args(self.annotation)
                return [_leaf(item, item_type, self.parameter_info, param, ctx)
                        for item in (value if isinstance(value, list | tuple) else [value])]  # fmt: skip
            return _leaf(value, self.annotation, self.parameter_info, param, ctx)
        except (ValueError, TypeError):
            descriptor = _coercion.resolve_type_descriptor(self.annotation, self.parameter_info)
            return _coercion.build_runtime_param(descriptor)._coerce_value(value, param=param, ctx=ctx)


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"", "0", "off", "f", "false", "n", "no"})


def _leaf(value: Any, annotation: Any, info: Any, param: Any, ctx: Any) -> Any:
    """One value as typer's adapters make it: ``ValueError`` for what they would refuse."""
    if annotation is str:
        if isinstance(value, bytes):
            raise TypeError("bytes: typer's coercion decodes them")
        return str(value)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(text)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _param_types.coerce_cli_choice(value, choices=list(annotation), case_sensitive=info.case_sensitive,
                                              ctx=ctx)  # fmt: skip
    # a Path: typer converts with pydantic only when the value is not a Path yet
    return _param_types.coerce_cli_path(Path(value) if isinstance(value, str) else value, info,
                                        path_type=annotation, param=param, ctx=ctx)  # fmt: skip


def _plain_leaf(annotation: Any, info: Any) -> bool:
    if annotation in (str, bool):
        return True
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return True
    return isinstance(annotation, type) and issubclass(annotation, Path) and info.path_type is None


def _plain_type(descriptor: Any) -> bool:
    """Whether ``_Plain`` coerces this parameter exactly as typer would."""
    info, annotation = descriptor.parameter_info, descriptor.annotation
    if info.parser is not None or descriptor.is_file or descriptor.is_tuple:
        return False
    if descriptor.is_list:
        args = get_args(annotation)
        return len(args) == 1 and _plain_leaf(args[0], info)
    return _plain_leaf(annotation, info)


def fast_param(param: Parameter) -> None:
    """Give ``param``, when it is plain, typer's coercion without building a pydantic adapter."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and getattr(param, "_runtime_param", True) is None and _plain_type(descriptor):
        param._runtime_param = _Plain(parameter_info=descriptor.parameter_info,  # type: ignore[attr-defined]
                                      annotation=descriptor.annotation)  # fmt: skip


def fast_params(command: Command) -> None:
    """``fast_param`` for every parameter of ``command`` and the commands under it."""
    for each in walk(command):
        for param in each.params:
            fast_param(param)


# --- completion, help words, missing parameters --------------------------------------------------


def _plain_help_in_completion() -> None:
    """zsh and fish completion show help texts, which typer renders through rich (its markup, ~100 ms of
    imports: rich, markdown-it, pygments) even when a text has no markup: only texts with a ``[`` need it."""
    from typer import _completion_classes

    render = _completion_classes._sanitize_help_text
    if getattr(render, "_kube", False):
        return

    def sanitize(text: str) -> str:
        return render(text) if "[" in text else text

    sanitize._kube = True  # type: ignore[attr-defined]
    _completion_classes._sanitize_help_text = sanitize


_plain_help_in_completion()


def accept_click_instruction(var: str) -> None:
    """click's ``bash_complete`` instruction as typer's ``complete_bash`` (the same COMP_WORDS/COMP_CWORD protocol)."""
    import os

    if os.environ.get(var) in ("bash_complete", "bash_source"):
        shell, _, instruction = os.environ[var].partition("_")
        os.environ[var] = f"{instruction}_{shell}"


def set_completion(param: Parameter, values: Callable[[Any, str], list[tuple[str, str]]]) -> None:
    """Complete ``param`` with ``values(ctx, incomplete)``: (value, help) pairs."""

    def complete(ctx: Any, _param: Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(value, help=help or None) for value, help in values(ctx, incomplete)]

    param._custom_shell_complete = complete  # type: ignore[attr-defined]  # click's shell_complete=


def translate_rich_utils(words: Mapping[str, str]) -> None:
    """typer.rich_utils's words (read once, when it is first imported) in the current language."""
    if (rich_utils := sys.modules.get("typer.rich_utils")) is not None:
        for name, text in words.items():
            setattr(rich_utils, name, text)


def missing_params(command: Command, ctx: Any, args: list[str]) -> list[Parameter]:
    """Every required parameter that ``args`` (and the environment) leave without a value, in order."""
    opts, _rest, _order = command.make_parser(ctx).parse_args(args=list(args))
    missing = []
    for param in command.get_params(ctx):
        if not (param.required and param.expose_value) or param.resolve_envvar_value(ctx) is not None:
            continue
        if opts.get(param.name) in (None, (), []):
            missing.append(param)
    return missing


def fit_help(*, narrow: bool) -> None:
    """Help whose option names are never cut: typer 0.29 lets rich shrink them like any text
    (``--pkh-gradua…`` at 60 columns); here their columns do not wrap, so the help text wraps
    instead, and a window narrower than 80 (``narrow``) keeps one space between columns, not two."""
    from rich.table import Table
    from rich.text import Text
    from typer import rich_utils

    class HelpTable(Table):
        def add_row(self, *renderables: Any, **kwargs: Any) -> None:
            super().add_row(*renderables, **kwargs)
            for column, cell in zip(self.columns, renderables, strict=False):
                if isinstance(cell, Text) and cell.plain.startswith("-"):
                    column.no_wrap = True

    rich_utils.Table = HelpTable
    if narrow:
        rich_utils.STYLE_OPTIONS_TABLE_PADDING = (0, 1, 0, 0)
