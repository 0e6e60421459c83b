"""The fast path of a member or roster import: a chunk of rows checked column by column.

A row this cannot vouch for goes through ``batch.Stager.add``, which reports it as always; the fast
path never reports a problem itself (tests/test_import_fast_path.py: both paths give the same
registry and the same messages)."""

from __future__ import annotations

import operator
import re
from typing import TYPE_CHECKING, Any

from kube_cli.batch_staging import GROUP_ROWS, MEMBER_ROWS
from kube_cli.errors import KubeError
from kube_cli.vocab import PROVINCES

if TYPE_CHECKING:
    from kube_cli.batch import Stager

_DAY = "(?:0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])"
_NIK_FAST = "(?:" + "|".join(sorted(PROVINCES)) + ")[0-9]{4}" + _DAY + "(?:0[1-9]|1[0-2])[0-9]{6}"
_NIKS = re.compile(f"(?:{_NIK_FAST}\n)*")  # a chunk's NIKs joined by newlines: parse_nik would take each one
_NIK = re.compile(_NIK_FAST)
# what a cell must not hold for its text to be taken as it is: spaces to trim, a leading ' (a neutralised
# formula, or a NIK kept from Excel), emptiness, and what clean_text refuses (control and invisible marks)
_TEXT_DOUBT = re.compile(r"(?m)^[\s']|[^\S\n]$|^$|[\t\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                         r"\u2028\u2029\u2066-\u2069\ufeff]")  # fmt: skip
_GROUP_COLUMNS = ("group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year")
FAST_KINDS = ("roster", "members")
# The columns the fast path checks; a file with any other (No. KK, phone, desil, status, stage) takes the
# exact path for every row.
FAST_COLUMNS = frozenset({*_GROUP_COLUMNS, "nik", "name", "member_name", "role", "gender", "pkh_graduate"})
# the staged rows the fast path makes, from the values it checks; the other staged columns are empty
_group = GROUP_ROWS.builder(("line", "code", "name", "kelurahan_kode", "usaha_id", "year"))
_member = MEMBER_ROWS.builder(("line", "code", "nik", "name", "role", "gender", "pkh_graduate"))


def _texts_doubtful(values: list[Any], max_len: int = 200) -> set[int] | None:
    """Which cells of a text column the fast path cannot vouch for (``None``: all are fine)."""
    if all(type(v) is str for v in values):
        joined = "\n".join(values)
        if (
            not _TEXT_DOUBT.search(joined)
            and joined.count("\n") == len(values) - 1
            and max(map(len, values)) <= max_len
        ):
            return None
    return {i for i, v in enumerate(values) if type(v) is not str or "\n" in v or len(v) > max_len
            or _TEXT_DOUBT.search(v)}  # fmt: skip


class FastMembers:
    """Member and roster rows of the common shape, checked a chunk at a time, column by column: one regex
    over the chunk's NIKs, the small vocabularies (role, gender, PKH, code) parsed once per distinct value
    by their exact parsers, names checked joined. A row any of this cannot vouch for goes through
    ``Stager.add``, which reports it as always; the fast path never reports a problem itself."""

    def __init__(self, stager: Stager) -> None:
        self.stager = stager
        mapping = stager.reader.mapping
        self.kind = stager.kind
        self.raw = {column: raw for raw, column in mapping.by_header.items()}
        self.name = "member_name" if self.kind == "roster" else "name"
        self.group_raws = [self.raw.get(c) for c in _GROUP_COLUMNS]
        self._group_key: tuple[Any, ...] | None = None
        self._group: tuple[Any, ...] | None = None  # the staged group of the run, or None: its rows go slow
        self.group_parsers = [(c, parse) for c, parse in stager.group_parsers.items() if c in _GROUP_COLUMNS]

    @staticmethod
    def eligible(stager: Stager, table_format: str) -> bool:
        mapping = stager.reader.mapping
        columns = set(mapping.by_header.values())
        return (table_format == "csv" and stager.kind in FAST_KINDS and not mapping.ketua and not mapping.months
                and "group_code" in columns and columns <= FAST_COLUMNS)  # fmt: skip

    def column(self, rows: list[dict[str, Any]], column: str) -> list[Any] | None:
        raw = self.raw.get(column)
        return None if raw is None else list(map(operator.itemgetter(raw), rows))

    def vocabulary(self, rows: list[dict[str, Any]], column: str, slow: set[int]) -> list[Any]:
        """A column's values through its parser, once per distinct cell; refused or odd cells go slow."""
        cells = self.column(rows, column)
        if cells is None:
            return [None] * len(rows)
        parser, label = self.stager.parsers[column], self.stager.reader.labels[column]
        table: dict[Any, Any] = {}
        for cell in set(cells):
            if type(cell) is not str or cell != cell.strip() or cell[:1] == "'":
                continue
            try:
                table[cell] = parser(cell, label)
            except KubeError:
                continue
        doubt = object()
        values = [table.get(cell, doubt) for cell in cells]
        slow.update(i for i, v in enumerate(values) if v is doubt)
        return values

    def add(self, items: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, Any]]:
        """Stage what the fast checks vouch for; returns the rows for the exact path."""
        stager = self.stager
        rows = [row for _line, row in items]
        slow: set[int] = set()
        niks = self.column(rows, "nik")
        if all(type(v) is str for v in niks) and _NIKS.fullmatch("\n".join(niks) + "\n"):
            pass
        else:
            slow.update(i for i, v in enumerate(niks) if type(v) is not str or not _NIK.fullmatch(v))
        names = self.column(rows, self.name)
        slow.update(_texts_doubtful(names) or ())
        roles = self.vocabulary(rows, "role", slow)
        genders = self.vocabulary(rows, "gender", slow)
        pkhs = self.vocabulary(rows, "pkh_graduate", slow)
        codes = self.vocabulary(rows, "group_code", slow) if self.kind == "members" else None
        group_key = operator.itemgetter(*[raw for raw in self.group_raws if raw is not None])
        sm, gs = stager.buffers["sm"], stager.buffers["gs"]
        rest: list[tuple[int, Any]] = []
        for i, (line, row) in enumerate(items):
            if i in slow:
                rest.append((line, row))
                continue
            nik, gender = niks[i], genders[i]
            if gender is not None and gender != ("P" if nik[6:8] > "40" else "L"):
                rest.append((line, row))  # the exact path names the contradiction
                continue
            if codes is None:
                key = group_key(row)
                if key != self._group_key:
                    self._group_key, self._group = key, self._roster_group(line, row)
                group = self._group
                if group is None:
                    rest.append((line, row))
                    continue
                if group != stager._last_group:
                    gs.append((line, *group))
                    stager._last_group = group
                code = group[0]
            else:
                code = codes[i]
            pkh = pkhs[i]
            sm.append(_member((line, code, nik, names[i], roles[i], gender, None if pkh is None else int(pkh))))
            stager.niks += 1
            if nik[-1] != "0":
                stager.niks_not_0 += 1
            stager.staged += 1
        stager.flush_when_full()
        return rest

    def _roster_group(self, line: int, row: dict[str, Any]) -> tuple[Any, ...] | None:
        """A roster row's group as staged, when its cells parse without a problem; else ``None``."""
        texts: dict[str, str] = {}
        for column, raw in zip(_GROUP_COLUMNS, self.group_raws, strict=True):
            cell = "" if raw is None else row[raw]
            if type(cell) is not str or cell[:1] == "'":
                return None
            texts[column] = cell.strip()
        if not texts["group_code"]:
            return None  # a row without a code: the exact path finds or makes it
        reader = self.stager.reader
        labels = reader.labels
        try:  # the parsers alone: a refusal sends the row to the exact path, which reports it
            values = {column: parse(texts[column], labels[column]) for column, parse in self.group_parsers}
            place = reader.kelurahan(texts["kelurahan"], texts["kecamatan"])
        except KubeError:
            return None
        staged = (None, values["group_code"], values["group_name"], place.kode, values["usaha"], values["year"])
        return _group(staged)[1:]  # the other columns are not in the file (see eligible)
