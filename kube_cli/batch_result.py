"""What an import found and did: its counts, and the problems of its rows, reported by file line.

The reading side (``batch``) and the checking and writing side (``batch_apply``) both use these, so
they live apart from either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kube_cli.errors import KubeError, Problem
from kube_cli.i18n import _

MAX_PROBLEMS = 50


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    file: str
    kind: str
    dry_run: bool
    counts: dict[str, Counts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    plausibility: list[str] = field(default_factory=list)  # the first MAX_PROBLEMS, as FILE:LINE: warning
    plausibility_count: int = 0  # every plausibility warning of the rows added or changed
    skipped: dict[str, int] = field(default_factory=dict)  # rows that were not data, by why

    def as_dict(self) -> dict[str, Any]:
        extra = {"skipped": self.skipped} if self.skipped else {}
        return {"file": self.file, "kind": self.kind, "dry_run": self.dry_run,
                **{k: vars(c) for k, c in self.counts.items()}, "warnings": self.plausibility_count,
                **extra}  # fmt: skip


class Problems:
    """Collects ``FILE:LINE: field 'value': reason``; keeps the first ones, counts them all."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.kept: list[tuple[int, Problem]] = []
        self.count = 0

    decode: Callable[[int], int] | None = None  # staged keys back to file lines (a wide revenue sheet)

    def add(self, line: int, problem: Problem) -> None:
        self.count += 1
        if self.decode is not None:
            line = self.decode(line)
            if self.kept and self.kept[-1][0] == line and self.kept[-1][1].reason.endswith(problem.reason):
                self.count -= 1  # the same problem for each month of one row: once
                return
        where = f"{self.name}:{line}:"
        if problem.field:
            located = Problem(f"{where} {problem.field}", problem.value, problem.reason, problem.hint)
        else:
            located = Problem("", "", f"{where} {problem.reason}", problem.hint)
        self.kept.append((line, located))
        if len(self.kept) > 4 * MAX_PROBLEMS:
            self._trim()

    def _trim(self) -> None:
        self.kept.sort(key=lambda item: item[0])
        del self.kept[MAX_PROBLEMS:]

    def error(self) -> KubeError:
        self._trim()
        problems = [p for _line, p in self.kept]
        if self.count > len(problems):
            problems.append(Problem("", "", _("…and {n} more").format(n=self.count - len(problems))))
        return KubeError.many(problems)


class _Collected(Problems):
    """Problems kept as they are, to be reported again for each row they apply to."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.problems: list[Problem] = []

    def add(self, line: int, problem: Problem) -> None:
        self.problems.append(problem)
