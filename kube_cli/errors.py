"""The errors kube reports to people, and the exit codes scripts rely on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


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
        from kube_cli.i18n import field_label  # the field's word in the interface language, at display time

        text = f"{field_label(self.field)} '{_printable(self.value)}': {self.reason}" if self.field else self.reason
        return f"{text}; {self.hint}" if self.hint else text


def _printable(value: str) -> str:
    """The value as typed, but with control characters escaped, so a problem stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)


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
