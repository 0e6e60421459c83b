"""The import's staging tables, as the record descriptions make them.

Each kind of row a file holds is staged in a temporary table, one row per file line, already
canonical: ``temp.gs`` groups, ``temp.sm`` members, ``temp.sa`` aid, ``temp.sr`` revenue, ``temp.sv``
visits. A staged table has the file ``line``, the group's ``code`` (its own, or the one it refers to),
then one column per field an import reads (``records.Field.cell`` or ``lookup``), named as the stored
column it fills. From the same list come the comparisons ("is this row different from what is
recorded?"), the columns new records are inserted with and those ``--replace`` updates, so a field
added to a record description is staged, compared and written with nothing else to edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kube_cli.records import AID, FLAG, GROUPS, KELURAHAN, MEMBERS, NUMBER, REVENUE, USAHA, VISITS, Field, Record

LOOKED_UP = {KELURAHAN: "kode FROM wilayah", USAHA: "id FROM usaha"}  # where a looked-up field's key is
# A roster row is a group's and a member's: where their names meet, the roster's column says whose it is
# (the headers of group_name and member_name are records.ROSTER_NAMES).
ROSTER_RENAMED = {
    ("groups", "code"): "group_code",
    ("groups", "name"): "group_name",
    ("members", "name"): "member_name",
}


@dataclass(frozen=True)
class Staged:
    """One staging table: the record its rows become and the fields staged for it, in order."""

    table: str
    record: Record
    fields: tuple[Field, ...]
    key: str = ""  # the column a staged row is matched to a recorded one by, besides the group's code
    derived: tuple[tuple[str, str], ...] = ()  # (column, SQL type) a staged row computes from its values
    # (column, SQL type) that tie a staged row to the other staged table of its file (a roster's groups
    # and members, by the order the groups were staged in), not written to the record
    links: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Every staged column after ``line`` and ``code``."""
        return (*(f.column for f in self.fields), *(c for c, _t in self.derived))

    @property
    def layout(self) -> tuple[str, ...]:
        """The staged row, column by column, as ``INSERT INTO temp.<table> VALUES (…)`` takes it."""
        return ("line", "code", *self.columns, *(c for c, _t in self.links))

    def create(self, name: str | None = None, *, unique_code: bool = False) -> str:
        types = [*(_sql_type(f) for f in self.fields), *(t for _c, t in (*self.derived, *self.links))]
        unique = " UNIQUE" if unique_code else ""
        columns = ", ".join(f"{c} {t}" for c, t in zip(self.layout[2:], types, strict=True))
        return (f"CREATE TEMP TABLE {name or self.table} (line INTEGER PRIMARY KEY, code TEXT COLLATE NOCASE{unique}, "
                f"{columns})")  # fmt: skip

    def differs(self, staged: str, stored: str) -> str:
        """SQL: a staged row gives a value other than the recorded one (an empty cell never differs)."""
        return " OR ".join(f"({staged}.{c} IS NOT NULL AND {staged}.{c} IS NOT {stored}.{c})" for c in self._values())

    def new_values(self, staged: str) -> list[tuple[str, str]]:
        """``(column, SQL)`` of a new record: the staged value, else what a new record otherwise gets."""
        defaults = {c.stored: c.default for c in self.record.columns}
        values = []
        for f in self.fields:
            column, value = f.column, f"{staged}.{f.column}"
            fallback = f.otherwise.replace("{row}", staged) if f.otherwise else _literal(defaults.get(column))
            values.append((column, value if fallback == "NULL" else f"coalesce({value}, {fallback})"))
        return values

    def updates(self, staged: str, table: str) -> str:
        """``SET`` list of ``--replace``: each value the file gives; an empty cell keeps what is recorded."""
        return ", ".join(f"{c} = coalesce({staged}.{c}, {table}.{c})" for c in self._values())

    def _values(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.compared)

    @property
    def compared(self) -> tuple[Field, ...]:
        """The fields a staged row is compared by: the stored ones, not the key nor a derived one."""
        return tuple(f for f in self.fields if f.name != self.key)

    def pairs(self, staged: str, stored: str) -> str:
        """SQL: each compared column staged and stored, side by side (for ``differing``)."""
        return ", ".join(f"{staged}.{c}, {stored}.{c}" for c in self._values())

    def differing(self, pairs: Sequence[Any]) -> list[Field]:
        """The fields whose staged value differs from the stored one, from a row of ``pairs``."""
        return [f for f, mine, theirs in zip(self.compared, pairs[::2], pairs[1::2], strict=True)
                if mine is not None and mine != theirs]  # fmt: skip

    def unknown_references(self) -> str:
        """SQL: a staged row names a kelurahan or usaha that is not in the registry (what its foreign
        keys would refuse)."""
        return " OR ".join(f"{f.column} NOT IN (SELECT {LOOKED_UP[f.lookup]})" for f in self.fields if f.lookup)

    def builder(self, names: Sequence[str]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        """A staged row from values given in ``names``' order (``line``, ``code``, columns); the rest None."""
        where = [names.index(c) if c in names else -1 for c in self.layout]
        if where == list(range(len(names))):
            return tuple
        return lambda values: tuple(values[i] if i >= 0 else None for i in where)


def _sql_type(f: Field) -> str:
    if f.lookup:
        return "INTEGER" if f.lookup == USAHA else "TEXT"
    return "INTEGER" if f.show in (FLAG, NUMBER) else f.type


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def _read(record: Record) -> tuple[Field, ...]:
    """The fields an import reads of a record, in the description's order; the group's code (its own or
    the one it refers to) is the staged ``code``."""
    return tuple(f for f in record.fields if f.exported and (f.cell or f.lookup) and f.name not in CODES)


CODES = ("code", "group_code")


# A roster's group rows are numbered as they are staged (``seq``, from 1) and each member row carries its
# group's number (``group_seq``): when every group is new and staged once, the members are written with
# their group's id without looking the group up by code (batch_apply.Checker._apply).
GROUP_ROWS = Staged("gs", GROUPS, _read(GROUPS), links=(("seq", "INTEGER"),))
MEMBER_ROWS = Staged("sm", MEMBERS, _read(MEMBERS), key="nik", links=(("group_seq", "INTEGER"),))
AID_ROWS = Staged("sa", AID, _read(AID))
REVENUE_ROWS = Staged("sr", REVENUE, _read(REVENUE), derived=(("year", "INTEGER"),))  # a period's year
VISIT_ROWS = Staged("sv", VISITS, _read(VISITS))
STAGED = {s.table: s for s in (GROUP_ROWS, MEMBER_ROWS, AID_ROWS, REVENUE_ROWS, VISIT_ROWS)}
KINDS = {"groups": (GROUP_ROWS,), "members": (MEMBER_ROWS,), "roster": (GROUP_ROWS, MEMBER_ROWS),
         "aid": (AID_ROWS,), "revenue": (REVENUE_ROWS,), "visits": (VISIT_ROWS,)}  # fmt: skip


def kind_column(kind: str, record: Record, name: str) -> str:
    """The column of a ``kind`` of file that holds a record's field (a roster's ``group_name``…)."""
    if kind == "roster":
        return ROSTER_RENAMED.get((record.name, name), name)
    return name


def columns_of(kind: str, staged: Staged) -> tuple[str, ...]:
    """The file columns whose values fill a staged table's columns, in its order (after line and code)."""
    return tuple(kind_column(kind, staged.record, f.name) for f in staged.fields)


def _roster(record: Record) -> tuple[str, ...]:
    return tuple(kind_column("roster", record, f.name) for f in record.fields if f.exported and f.name != "group_code")


ROSTER_GROUP = ("group_code", *_roster(GROUPS))  # a roster's columns that describe the group (repeated per member)
ROSTER_MEMBER = _roster(MEMBERS)  # ... and those that describe the member


def roster_columns(first: Iterable[str]) -> tuple[str, ...]:
    """A roster's columns: the order rosters have had (``first``), then any field added since."""
    every = dict.fromkeys((*ROSTER_GROUP, *ROSTER_MEMBER))
    known = [c for c in first if c in every]
    return (*known, *(c for c in every if c not in known))
