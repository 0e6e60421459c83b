"""The errors kube reports to people, and the exit codes scripts rely on."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from enum import IntEnum

from kube_cli.safetext import message_line, shown_value


class ExitCode(IntEnum):
    """Exit codes named as CONTRACT.md names them."""

    OK = 0
    REFUSED = 1  # the data was refused: invalid value, unknown record, duplicate, conflict
    USAGE = 2  # unknown option or command, missing argument, bad --format/--by choice
    INTERNAL = 3  # a bug: one line, the traceback only with --debug


@dataclass(frozen=True)
class Problem:
    """One refused value: which field, what was given, why, and how to fix it."""

    field: str
    value: str
    reason: str
    hint: str = ""

    def __str__(self) -> str:
        """One line: the value as typed, but cut, its NIK-long digit runs masked and its control and
        invisible characters escaped; the same for whatever the reason and hint quote (a file name,
        a merged record's name)."""
        from kube_cli.i18n import field_label  # the field's word in the interface language, at display time

        text = f"{field_label(self.field)} '{shown_value(self.value)}': {self.reason}" if self.field else self.reason
        return message_line(f"{text}; {self.hint}" if self.hint else text)


class KubeError(Exception):
    """Data refused by kube. Carries one or more problems; each prints as one line."""

    exit_code = ExitCode.REFUSED

    def __init__(self, field: str, value: object = "", reason: str = "", hint: str = "") -> None:
        self.problems: list[Problem] = [Problem(field, str(value), reason, hint)]
        super().__init__(str(self.problems[0]))

    @classmethod
    def many(cls, problems: list[Problem]) -> KubeError:
        error = cls(problems[0].field, problems[0].value, problems[0].reason, problems[0].hint)
        error.problems = list(problems)
        return error

    @property
    def problem(self) -> Problem:
        return self.problems[0]

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class NotFound(KubeError):
    """An unknown group, member or record."""


class Conflict(KubeError):
    """A change that would break a rule of the registry (duplicate, second ketua, ...)."""


class MissingRegistry(KubeError):
    """A read command pointed at a registry file that does not exist."""


class Damaged(KubeError):
    """A registry (or another kube file) whose bytes are damaged: SQLite or UTF-8 decoding says so."""


_UNDECODABLE = re.compile(r"Could not decode to UTF-8 column '([^']*)'")


def damage(error: BaseException) -> str | None:
    """What is damaged, when ``error`` is SQLite finding a damaged file or text that is not UTF-8
    (which only damage puts in a registry: kube stores nothing else); ``None`` for anything else.

    The one place that tells damage from a bug: the error boundary and ``kube check`` both ask here.
    """
    from kube_cli.i18n import _

    sqlite3 = sys.modules.get("sqlite3")
    if isinstance(error, UnicodeDecodeError):
        return _("text that is not UTF-8")
    if sqlite3 is None or not isinstance(error, sqlite3.DatabaseError):
        return None
    if match := _UNDECODABLE.match(str(error)):  # the text itself is not shown: it may hold a NIK
        return _("text that is not UTF-8 in column '{column}'").format(column=match[1])
    code = getattr(error, "sqlite_errorcode", None)
    if type(error) is sqlite3.DatabaseError or (code is not None and code & 0xFF in (11, 26)):  # CORRUPT, NOTADB
        return str(error)[:120]
    return None


def damaged_registry(what: str) -> Damaged:
    """The one way a damaged registry is reported: one line, and how to get the data back."""
    from kube_cli.i18n import _

    return Damaged("", "", _("the registry file is damaged: {problem}; restore a backup with `kube restore`").format(
        problem=what))  # fmt: skip
