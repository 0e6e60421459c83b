"""Records from outside a command (a merged registry, which anyone can edit by hand) checked the way a
command checks what it is given: one validator per record kind, each value through the same parser.

Each validator takes a record as ``merge`` holds it (database column names, references as UUIDs) and
the words that name it in a message (``member 727108******0001 in K-7GXP-96Z6``), and returns one
``Problem`` per bad value, naming the record and the field, like a bad row of an import. A value that
parses but is not stored as kube stores it (``Ketua`` for ``ketua``, ``2021-4-5`` for a date) is
refused too: the registry's queries rely on the stored form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kube_cli.errors import KubeError, Problem
from kube_cli.i18n import _
from kube_cli.vocab import (
    MAX_AMOUNT,
    clean_text,
    parse_aid_kind,
    parse_business,
    parse_date,
    parse_desil,
    parse_kk,
    parse_nik,
    parse_period,
    parse_phone,
    parse_role,
    parse_stage,
    parse_status,
    parse_year,
    period_year,
)

_STAMP = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$")


class _Checker:
    """Collects the problems of one record."""

    def __init__(self, what: tuple[str, str], record: dict[str, Any]) -> None:
        self.label = f"{what[0]} {what[1]}"
        self.record = record
        self.problems: list[Problem] = []

    def has(self, field: str) -> bool:
        """A registry from an older kube may lack the column: merge gives it the default."""
        return field in self.record

    def refuse(self, field: str, value: Any, reason: str) -> None:
        self.problems.append(Problem(f"{self.label}: {field}", "" if value is None else str(value), reason))

    def parsed(self, field: str, parse: Callable[[str, str], Any]) -> None:
        """The value must parse, and be what the parser makes of it."""
        if not self.has(field):
            return
        value = self.record[field]
        if value is None or isinstance(value, bytes | float):
            self.refuse(field, value, _("is missing or not of its kind"))
            return
        try:
            canonical = parse(str(value), field)
        except KubeError as error:
            for problem in error.problems:
                self.problems.append(Problem(f"{self.label}: {problem.field}", problem.value, problem.reason))
            return
        if canonical != value:
            self.refuse(field, value, _("is not stored as kube stores it ('{canonical}')").format(canonical=canonical))

    def optional(self, field: str, parse: Callable[[str, str], Any]) -> None:
        """A value that may be missing (NULL); when given, as ``parsed``."""
        if self.record.get(field) is not None:
            self.parsed(field, parse)

    def text(self, field: str, *, required: bool = True, max_len: int = 200) -> None:
        if self.record.get(field) is None and not required:
            return
        self.parsed(field, lambda text, label: clean_text(text, label, required=required, max_len=max_len))

    def amount(self, field: str) -> None:
        value = self.record.get(field)
        if self.has(field) and (type(value) is not int or not 0 < value <= MAX_AMOUNT):
            self.refuse(field, value, _("is not a whole amount of Rupiah above zero"))

    def flag(self, field: str) -> None:
        value = self.record.get(field)
        if self.has(field) and (value not in (0, 1) or type(value) is float):
            self.refuse(field, value, _("must be 0 or 1"))

    def stamp(self, field: str, *, required: bool = True) -> None:
        value = self.record.get(field)
        if not self.has(field) or (value is None and not required):
            return
        if not isinstance(value, str) or not _STAMP.match(value):
            self.refuse(field, value, _("is not a time kube writes"))

    def stamped(self) -> list[Problem]:
        """The problems found, once the two times every record carries are checked too."""
        for column in ("created_at", "updated_at"):
            self.stamp(column)
        return self.problems


def group(record: dict[str, Any], what: tuple[str, str], known_usaha: set[str]) -> list[Problem]:
    """A group as ``group add`` takes it; its kelurahan is checked against the region by merge."""
    from kube_cli.vocab import parse_code

    check = _Checker(what, record)
    check.parsed("code", parse_code)
    check.text("name")
    check.parsed("year", parse_year)
    check.parsed("status", parse_status)
    check.parsed("stage", parse_stage)
    check.text("note", required=False, max_len=2000)
    if "usaha" in record and record["usaha"] not in known_usaha:
        check.refuse("usaha", record["usaha"], _("is not a business type of either registry"))
    return check.stamped()


def member(record: dict[str, Any], what: tuple[str, str]) -> list[Problem]:
    """A member as ``member add`` takes it."""
    check = _Checker(what, record)
    check.parsed("nik", parse_nik)
    check.text("name")
    check.parsed("role", parse_role)
    if record.get("gender") not in ("L", "P", None):
        check.refuse("gender", record["gender"], _("must be L (laki-laki) or P (perempuan)"))
    check.flag("pkh_graduate")
    check.optional("kk", parse_kk)
    check.optional("phone", parse_phone)
    check.optional("desil", parse_desil)
    check.stamp("removed_at", required=False)
    return check.stamped()


def aid(record: dict[str, Any], what: tuple[str, str]) -> list[Problem]:
    """An aid record as ``aid record`` takes it; a voided one with its reason."""
    check = _Checker(what, record)
    check.parsed("date", parse_date)
    check.parsed("kind", parse_aid_kind)
    check.amount("amount")
    check.text("source", required=False)
    check.text("note", required=False, max_len=2000)
    check.stamp("voided_at", required=False)
    check.text("void_reason", required=False, max_len=500)
    return check.stamped()


def revenue(record: dict[str, Any], what: tuple[str, str]) -> list[Problem]:
    """A revenue record as ``revenue record`` takes it; its year is its period's."""
    check = _Checker(what, record)
    check.parsed("period", parse_period)
    period = record.get("period")
    if isinstance(period, str) and period[:4].isdigit() and "year" in record and record["year"] != period_year(period):
        check.refuse("year", record["year"], _("is not the year of its period"))
    check.amount("amount")
    check.text("note", required=False, max_len=2000)
    return check.stamped()


def visit(record: dict[str, Any], what: tuple[str, str]) -> list[Problem]:
    """A monitoring visit as ``visit record`` takes it; a removed one with its reason."""
    check = _Checker(what, record)
    check.parsed("date", parse_date)
    check.text("officer", max_len=100)
    check.parsed("business", parse_business)
    check.flag("bookkeeping")
    present = record.get("members_present")
    if present is not None and (type(present) is not int or present < 0):
        check.refuse("members_present", present, _("is not a number of members"))
    check.text("note", required=False, max_len=2000)
    check.stamp("removed_at", required=False)
    check.text("removal_reason", required=False, max_len=500)
    return check.stamped()


def usaha(name: Any, alias: bool = False) -> list[Problem]:
    """A business type's name, or one of its aliases, as ``usaha add`` takes it."""
    check = _Checker(("alias" if alias else "usaha", ""), {"name": name})
    check.label = check.label.strip()
    check.text("name", max_len=60)
    return check.problems
