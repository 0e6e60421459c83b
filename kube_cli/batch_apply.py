"""The checks that need a whole batch file or the registry, and the writing, as SQL.

Rows arrive staged in temporary tables (``temp.gs`` group rows, ``temp.sm`` members, ``temp.sa``
aid, ``temp.sr`` revenue, ``temp.sv`` visits), one per file line, already canonical. The checks here find what a
single-record command would refuse (a NIK twice, a second ketua, a group whose rows disagree, a
record that would overwrite another) and report it by line; the apply step then writes with
``INSERT … SELECT`` so that a million rows never pass through Python twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

from kube_cli.batch_result import Counts, Problems
from kube_cli.batch_staging import (
    AID_ROWS,
    GROUP_ROWS,
    MEMBER_ROWS,
    REVENUE_ROWS,
    VISIT_ROWS,
    Staged,
    kind_column,
)
from kube_cli.batch_transaction import BY_NIK, IN_GROUP_ORDER, counted_once, rebuilt_indexes
from kube_cli.db import now
from kube_cli.errors import Problem
from kube_cli.i18n import _
from kube_cli.records import (
    CURRENT_GROUP,
    GROUPS,
    MEMBERS,
    Field,
    Record,
    current_ketua,
    current_member,
    monthly,
    yearly,
)
from kube_cli.vocab import format_rupiah, mask_nik


def sql_uuid(line: str) -> str:
    """SQL for a new record's UUID: time-ordered (RFC 9562 version 7), made by SQLite for each staged row.

    ``uuids()`` gives each statement its UUIDs' first 24 characters (the millisecond, the version, 26
    random bits and the variant) and a random 48-bit start; a row's last 12 hex digits are the start
    plus its file line (RFC 9562's monotonic random, method 2). Rows written in line order get increasing
    UUIDs, so each lands at the end of the table's unique index on uuid instead of on a random page of it:
    for a million members the write step went from 37.7 s to 21.2 s (bench/README.md). Records made one
    at a time keep ``db.new_uuid``'s version 4; merging needs only that UUIDs never repeat: within a
    statement the lines differ, between two statements the millisecond or 74 random bits. One conversion
    a row (SQLite's printf costs ~0.3 µs each: four took 0.13 s for 200k members, this one 0.06 s).
    """
    return f"(:uuid_head || printf('%012x', :uuid_start + {line}))"


def uuids() -> dict[str, Any]:
    """One statement's ``sql_uuid`` parameters, new for each statement that makes records."""
    import os
    import time

    ms = f"{time.time_ns() // 1_000_000:012x}"
    bits = int.from_bytes(os.urandom(10))
    head = f"{ms[:8]}-{ms[8:]}-7{bits & 0xFFF:03x}-{0x8000 | (bits >> 12) & 0x3FFF:04x}-"
    return {"uuid_head": head, "uuid_start": (bits >> 26) % (2**48 - 2**32)}  # lines stay below 2**32


NIK_INDEX = "CREATE INDEX temp.sm_nik ON sm(nik)"  # made UNIQUE when it can be: then no NIK repeats in the file
FIRST_ROWS = "INSERT INTO gf SELECT * FROM gs WHERE line IN (SELECT min(line) FROM gs GROUP BY code)"
INDEXES = (
    GROUP_ROWS.create("gf", unique_code=True),  # the first row of each group: what is compared and written
    FIRST_ROWS,  # every staged row, when no code is staged twice (its unique index says so in the same pass)
    "CREATE INDEX temp.gs_code ON gs(code)",
    NIK_INDEX,
    "CREATE INDEX temp.sr_code ON sr(code, period)",
    "CREATE TEMP TABLE sk (line INTEGER PRIMARY KEY, code TEXT COLLATE NOCASE)",
)
# What makes a staged aid or visit row the same as a recorded one (besides its group): they have no key
OCCURRENCE = {"sa": ("date", "kind", "amount"), "sv": ("date", "officer", "business")}


def _occurrence_new(table: str, numbered: str, staged: Staged) -> str:
    """SQL over ``temp.<numbered>``: the row's occurrence is past the recorded records like it."""
    same = " AND ".join(f"x.{c} = {numbered}.{c}" for c in OCCURRENCE[staged.table])
    return f"n > (SELECT count(*) FROM {table} x WHERE x.group_id = {numbered}.gid AND {same})"


GROUP_DIFFERS = f"({GROUP_ROWS.differs('f', 'x')})"
MEMBER_DIFFERS = f"(g.code != s.code OR {MEMBER_ROWS.differs('s', 'm')})"
REVENUE_DIFFERS = "(x.amount != r.amount OR (r.note != '' AND r.note != x.note))"
# a year is a yearly record or the sum of its months: a staged one of either kind against the other
REVENUE_CLASH = (f"(({yearly('r')} AND x.year = r.year AND x.period != r.period) "
                 f"OR ({monthly('r')} AND x.period = substr(r.period, 1, 4)))")  # fmt: skip


APPLY_CACHE_MIB = 0  # the page cache while writing (0: SQLite's 2 MiB); chosen by bench/import_phases.py --cache-mib


class Checker:
    """Whole-file and registry checks over the staged rows, the counts, and the writing."""

    def __init__(self, conn: sqlite3.Connection, kind: str, labels: dict[str, str], problems: Problems,
                 replace: bool) -> None:  # fmt: skip
        self.conn = conn
        self.kind = kind
        self.labels = labels
        self.problems = problems
        self.replace = replace
        self._names: dict[tuple[str, Any], str] = {}
        self._counted = False  # the groups this write creates are inserted with their member counts
        self._niks_repeat = True  # a NIK is on more than one line of the file (``check`` finds out)
        self.groups_in_line_order = False  # a roster's groups were numbered in line order (batch.Stager)
        self._by_number = False  # the members are written with their group's id from its number (``_linked``)
        self._staged_once = False  # no group code is on two staged group rows (``_first_rows`` finds out)

    def rows(self, sql: str, params: Any = ()) -> Iterator[sqlite3.Row | tuple[Any, ...]]:
        return self.conn.execute(sql, params)

    def add(self, line: int, column: str, value: Any, reason: str, hint: str = "") -> None:
        self.problems.add(line, Problem(self.labels.get(column, column), str(value), reason, hint))

    def check(self) -> None:
        """Every check: the file's rows against each other, then against the registry."""
        for statement in INDEXES:
            if statement == NIK_INDEX:
                self._niks_repeat = not self._unique_index(statement)
            elif statement == FIRST_ROWS:
                self._first_rows()
            else:
                self.conn.execute(statement)
        for column in (f.column for f in GROUP_ROWS.compared):  # a group's detail on a later row than its first
            if self.conn.execute(f"SELECT 1 FROM gf WHERE {column} IS NULL LIMIT 1").fetchone() and (
                self.conn.execute(f"SELECT 1 FROM gs WHERE {column} IS NOT NULL LIMIT 1").fetchone()
            ):
                self.conn.execute(f"UPDATE gf SET {column} = (SELECT g.{column} FROM gs g WHERE g.code = gf.code "
                                  f"AND g.{column} IS NOT NULL ORDER BY g.line LIMIT 1) WHERE {column} IS NULL")  # fmt: skip
        self._checks(file=True)

    def _first_rows(self) -> None:
        """Each staged group's first row into ``gf``: all of ``gs`` when no code repeats (one pass, ~0.05 s
        less at 40,000 groups), else the first of each code."""
        self.conn.execute("SAVEPOINT first_rows")
        try:
            self.conn.execute("INSERT INTO gf SELECT * FROM gs")
            self._staged_once = True
        except sqlite3.IntegrityError:  # a code on two rows: gf's unique code
            self.conn.execute("ROLLBACK TO first_rows")
            self.conn.execute(FIRST_ROWS)
        self.conn.execute("RELEASE first_rows")

    def _unique_index(self, statement: str) -> bool:
        """Build an index as UNIQUE, if the rows allow it (the same sort as the plain one); else plain."""
        try:
            self.conn.execute(statement.replace("CREATE INDEX", "CREATE UNIQUE INDEX", 1))
            return True
        except sqlite3.IntegrityError:
            self.conn.execute(statement)
            return False

    def recheck(self) -> None:
        """The checks against the registry again, inside the write transaction, when another command
        wrote to it since ``check`` (a NIK added meanwhile is then a conflict, nothing is written)."""
        self._checks(file=False)

    def _checks(self, *, file: bool) -> None:
        if self.kind in ("groups", "roster"):
            self._check_groups(file)
        if self.kind in ("members", "roster"):
            self._check_members(file)
        if self.kind == "revenue":
            self._check_revenue(file)
        if self.kind == "aid":
            self._check_known_groups("sa")
        if self.kind == "visits":
            self._check_visits()

    # --- groups ---------------------------------------------------------------------------------

    def _check_groups(self, file: bool) -> None:
        code = "code" if self.kind == "groups" else "group_code"
        if file:  # the file's rows against each other: the same in the write
            compared = [f for f in GROUP_ROWS.fields if f.name != GROUP_ROWS.key]
            pairs_sql = ", ".join(f"g.{f.column}, f.{f.column}" for f in compared)
            for line, value, first, *pairs in self.rows(
                f"SELECT g.line, g.code, f.line, {pairs_sql} FROM gs g JOIN gf f ON f.code = g.code "
                "WHERE g.line > f.line ORDER BY g.line"
            ):
                if self.kind == "groups":
                    self.add(line, code, value, _("appears again (first on line {line})").format(line=first))
                    continue
                for f, mine, theirs in zip(compared, pairs[::2], pairs[1::2], strict=True):
                    if mine is not None and theirs is not None and mine != theirs:  # an empty cell says nothing
                        column = kind_column(self.kind, GROUPS, f.name)
                        self.add(line, column, self._shown(column, mine), _(
                            "differs from line {line} for group {code} ('{other}'); a group's rows must agree").format(
                            line=first, code=value, other=self._shown(column, theirs)))  # fmt: skip
        if not self.replace:
            for line, value, *pairs in self.rows(
                f"SELECT f.line, f.code, {GROUP_ROWS.pairs('f', 'x')} FROM gf f JOIN groups x ON x.code = f.code "
                f"WHERE {GROUP_DIFFERS}"
            ):
                self.add(line, code, value, _("is already registered with other details ({fields})").format(
                    fields=self._named(GROUPS, GROUP_ROWS.differing(pairs))), _("use --replace to update the group"))  # fmt: skip

    def _named(self, record: Record, fields: list[Field]) -> str:
        """The fields that differ, named as the file's headers name them (``tahun, tahap``)."""
        return ", ".join(self.labels.get(c, c) for c in (kind_column(self.kind, record, f.name) for f in fields))

    def _shown(self, column: str, value: Any) -> str:
        """A staged value as the officer wrote it: a kelurahan or usaha by its name."""
        key = (column, value)
        if key not in self._names:
            if column == "kelurahan":
                row = self.conn.execute("SELECT nama FROM wilayah WHERE kode = ?", (value,)).fetchone()
            elif column == "usaha":
                row = self.conn.execute("SELECT name FROM usaha WHERE id = ?", (value,)).fetchone()
            else:
                row = ("" if value is None else str(value),)
            self._names[key] = row[0] if row else str(value)
        return self._names[key]

    # --- members --------------------------------------------------------------------------------

    def _check_members(self, file: bool) -> None:
        if self.kind == "members":
            self._check_known_groups("sm")
        # the file's rows against each other (the same in the write); which lines only if a NIK repeats (the
        # index on the staged NIKs could not be unique), instead of a join of every row
        if file and self._niks_repeat:
            for line, nik, first in self.rows(
                "SELECT s.line, s.nik, f.line FROM sm s JOIN (SELECT nik, min(line) AS line FROM sm GROUP BY nik) f "
                "ON f.nik = s.nik WHERE s.line > f.line ORDER BY s.line"
            ):
                self.add(line, "nik", mask_nik(nik), _("appears again (first on line {line}); a NIK is in one group "
                                                       "at a time").format(line=first))  # fmt: skip
        if not self.replace:
            for line, nik, code, holder, *pairs in self.rows(
                f"SELECT s.line, s.nik, s.code, g.code, {MEMBER_ROWS.pairs('s', 'm')} FROM sm s JOIN members m "
                f"ON m.nik = s.nik AND {current_member()} JOIN groups g ON g.id = m.group_id WHERE {MEMBER_DIFFERS} "
                "ORDER BY s.line"
            ):
                if holder.casefold() != code.casefold():
                    self.add(line, "nik", mask_nik(nik), _("already belongs to group {code}").format(code=holder),
                             _("use --replace to move the member to {code}").format(code=code))  # fmt: skip
                else:
                    self.add(line, "nik", mask_nik(nik), _("is already in group {code} with other details ({fields})")
                             .format(code=code, fields=self._named(MEMBERS, MEMBER_ROWS.differing(pairs))),
                             _("use --replace to update the member"))  # fmt: skip
        self.conn.execute("DELETE FROM sk")  # who is ketua depends on the registry's roles: found again
        self.conn.execute(
            "INSERT INTO sk SELECT s.line, s.code FROM sm s WHERE coalesce(s.role, (SELECT m.role FROM members m "
            f"WHERE m.nik = s.nik AND {current_member()}), 'anggota') = 'ketua'"
        )
        # which lines only if a group has two ketua (one pass instead of a join of every ketua)
        two = self.conn.execute("SELECT 1 FROM sk GROUP BY code HAVING count(*) > 1 LIMIT 1").fetchone()
        for line, code, first in self.rows(
            "SELECT k.line, k.code, f.line FROM sk k JOIN (SELECT code, min(line) AS line FROM sk GROUP BY code) f "
            "ON f.code = k.code WHERE k.line > f.line ORDER BY k.line"
        ) if two else ():  # fmt: skip
            self.add(line, "role", "ketua", _("group {code} already has a ketua on line {line}").format(
                code=code, line=first))  # fmt: skip
        if not self.replace and self._registry_has_ketua():
            for line, code, name in self.rows(self._other_ketua_sql("f.line, f.code, m.name")):
                self.add(line, "role", "ketua", _("group {code} already has a ketua ({name})").format(
                    code=code, name=name), _("use --replace to make them anggota"))  # fmt: skip

    def _registry_has_ketua(self) -> bool:
        """Whether any current member is a ketua (else no group of the file has one already: the look-up of
        each group's is skipped; it sorted the file's ketua first, 0.3 s at 200,000 groups)."""
        return bool(self.conn.execute(
            f"SELECT 1 FROM members m WHERE m.role = 'ketua' AND {current_member()} LIMIT 1").fetchone())  # fmt: skip

    @staticmethod
    def _other_ketua_sql(columns: str) -> str:
        """Current ketua of groups that the file gives a ketua, who are not in the file themselves."""
        return (
            f"SELECT {columns} FROM (SELECT code, min(line) AS line FROM sk GROUP BY code) f "
            f"JOIN groups g ON g.code = f.code JOIN members m ON m.group_id = g.id AND {current_ketua()} "
            "WHERE m.nik NOT IN (SELECT nik FROM sm)"
        )

    def _check_known_groups(self, table: str) -> None:
        for line, code in self.rows(
            f"SELECT line, code FROM {table} WHERE code NOT IN (SELECT code FROM groups WHERE {CURRENT_GROUP}) ORDER BY line"
        ):
            self.add(
                line, "group_code", code, _("no such group"), _("import the groups first, or see `kube group list`")
            )

    # --- visits ---------------------------------------------------------------------------------

    def _check_visits(self) -> None:
        self._check_known_groups("sv")
        for line, present, code, members in self.rows(
            "SELECT v.line, v.members_present, g.code, g.member_count FROM sv v JOIN groups g ON g.code = v.code "
            "WHERE v.members_present > g.member_count ORDER BY v.line"
        ):
            self.add(line, "members_present", present, _("is more than the {n} current members of group {code}")
                     .format(n=members, code=code), _("add the missing members first"))  # fmt: skip

    # --- revenue --------------------------------------------------------------------------------

    def _check_revenue(self, file: bool) -> None:
        self._check_known_groups("sr")
        if file:  # the file's rows against each other: the same in the write
            for line, period, first in self.rows(
                "SELECT r.line, r.period, f.line FROM sr r JOIN (SELECT code, period, min(line) AS line FROM sr "
                "GROUP BY code, period) f ON f.code = r.code AND f.period = r.period WHERE r.line > f.line ORDER BY r.line"
            ):
                self.add(
                    line, "period", period, _("appears again for this group (first on line {line})").format(line=first)
                )
            for line, period, code, first in self.rows(
                "SELECT r.line, r.period, r.code, y.line FROM sr r JOIN sr y ON y.code = r.code "
                f"AND y.period = substr(r.period, 1, 4) WHERE {monthly('r')} ORDER BY r.line"
            ):
                self.add(line, "period", period, _("group {code} also has the whole year on line {line}: a year is a "
                                                   "yearly record or the sum of its months").format(code=code, line=first))  # fmt: skip
        if self.replace:
            return
        for line, code, period, amount in self.rows(
            "SELECT r.line, r.code, r.period, x.amount FROM sr r JOIN groups g ON g.code = r.code "
            f"JOIN revenue x ON x.group_id = g.id AND x.period = r.period WHERE {REVENUE_DIFFERS} ORDER BY r.line"
        ):
            self.add(line, "period", period, _("group {code} already has revenue {amount} for it").format(
                code=code, amount=format_rupiah(amount)), _("use --replace to overwrite it"))  # fmt: skip
        for line, code, period in self.rows(
            "SELECT DISTINCT r.line, r.code, r.period FROM sr r JOIN groups g ON g.code = r.code "
            f"JOIN revenue x ON x.group_id = g.id WHERE {REVENUE_CLASH} ORDER BY r.line"
        ):
            self.add(line, "period", period, _("group {code} has {year} recorded the other way (yearly or monthly): "
                     "a year is a yearly record or the sum of its months").format(code=code, year=period[:4]),
                     _("use --replace to replace those records"))  # fmt: skip

    # --- counts -----------------------------------------------------------------------------------

    def counts(self) -> dict[str, Counts]:
        def one(sql: str) -> int:
            return self.conn.execute(sql).fetchone()[0]

        result: dict[str, Counts] = {}
        self._counts = result
        self._all_new: set[str] = set()  # the kinds of which every staged row is new: written without looking
        if self.kind in ("groups", "roster"):
            total = one("SELECT count(*) FROM gf")
            added = one("SELECT count(*) FROM gf f WHERE NOT EXISTS (SELECT 1 FROM groups x WHERE x.code = f.code)")
            if added == total:
                self._all_new.add("groups")
            changed = one(f"SELECT count(*) FROM gf f JOIN groups x ON x.code = f.code WHERE {GROUP_DIFFERS}")
            result["groups"] = Counts(added, changed, total - added - changed)
        if self.kind in ("members", "roster"):
            total = one("SELECT count(*) FROM sm")
            added = one("SELECT count(*) FROM sm s WHERE NOT EXISTS "
                        f"(SELECT 1 FROM members m WHERE m.nik = s.nik AND {current_member()})")  # fmt: skip
            changed = one(f"SELECT count(*) FROM sm s JOIN members m ON m.nik = s.nik AND {current_member()} "
                          f"JOIN groups g ON g.id = m.group_id WHERE {MEMBER_DIFFERS}")  # fmt: skip
            demoted = one(self._other_ketua_sql("count(*)")) if self._registry_has_ketua() else 0
            if added == total:
                self._all_new.add("members")
            result["members"] = Counts(added, changed + demoted, total - added - changed)
            self._by_number = self._linked()
            if self.kind == "roster" and not self.replace and not self._by_number:  # each group's count by code
                self.conn.execute("CREATE INDEX IF NOT EXISTS temp.sm_code ON sm(code)")
        if self.kind == "revenue":
            total = one("SELECT count(*) FROM sr")
            added = one("SELECT count(*) FROM sr r JOIN groups g ON g.code = r.code WHERE NOT EXISTS "
                        "(SELECT 1 FROM revenue x WHERE x.group_id = g.id AND x.period = r.period)")  # fmt: skip
            changed = one("SELECT count(*) FROM sr r JOIN groups g ON g.code = r.code JOIN revenue x "
                          f"ON x.group_id = g.id AND x.period = r.period WHERE {REVENUE_DIFFERS}")  # fmt: skip
            removed = one("SELECT count(DISTINCT x.id) FROM sr r JOIN groups g ON g.code = r.code "
                          f"JOIN revenue x ON x.group_id = g.id WHERE {REVENUE_CLASH}")  # fmt: skip
            result["revenue"] = Counts(added, changed + removed, total - added - changed)
        if self.kind == "aid":
            result["aid"] = self._count_occurrences(AID_ROWS, "san", self._aid_new)
        if self.kind == "visits":
            result["visits"] = self._count_occurrences(VISIT_ROWS, "svn", self._visit_new)
        return result

    def warnings(self) -> Iterator[tuple[int, Any]]:
        """``(line, plausibility.Finding)`` for the rows this import adds or changes (after ``counts``)."""
        from kube_cli import plausibility

        return plausibility.staged_findings(self.conn, self.kind, self._aid_new)

    def _count_occurrences(self, staged: Staged, numbered: str, new: str) -> Counts:
        """Aid and visits have no key: a staged row is the n-th of its kind in the file, and new when
        the registry has fewer than n such records (two identical rows are two records). The numbered
        rows are kept in ``temp.<numbered>`` for the write (made again there, if need be)."""
        self.conn.execute(f"DROP TABLE IF EXISTS temp.{numbered}")
        match = ", ".join(f"s.{c}" for c in OCCURRENCE[staged.table])
        self.conn.execute(
            f"CREATE TEMP TABLE {numbered} AS SELECT s.line, g.id AS gid, {_each('s', staged.columns)}, "
            f"row_number() OVER (PARTITION BY g.id, {match} ORDER BY s.line) AS n "
            f"FROM {staged.table} s JOIN groups g ON g.code = s.code"
        )
        (total,) = self.conn.execute(f"SELECT count(*) FROM {numbered}").fetchone()
        (added,) = self.conn.execute(f"SELECT count(*) FROM {numbered} WHERE {new}").fetchone()
        return Counts(added, 0, total - added)

    # A voided record still matches its row: voiding is a decision, and re-importing the office's
    # sheet (which still lists the row) must not bring the aid back. A visit matches a recorded one of
    # the same group, day, officer and finding; a removed visit still matches its row.
    _aid_new = _occurrence_new("aid", "san", AID_ROWS)
    _visit_new = _occurrence_new("visits", "svn", VISIT_ROWS)

    # --- writing ----------------------------------------------------------------------------------

    def apply(self) -> None:
        """Write the staged rows. The member counts are taken once at the end, and for an import that
        adds more rows than a table holds, the indexes no statement here reads are built again after."""
        added = {kind: counts.added for kind, counts in self._counts.items()}
        (cache,) = self.conn.execute("PRAGMA cache_size").fetchone()
        if APPLY_CACHE_MIB:
            self.conn.execute(f"PRAGMA cache_size = {-1024 * APPLY_CACHE_MIB}")
        try:
            self._counted = self.kind == "roster" and not self.replace  # see counted_once
            members = counted_once(self.conn, counted_new_groups=self._counted) if self.kind in (
                "members", "roster") else nullcontext()  # fmt: skip
            # members written in their groups' order are appended to the indexes by group: kept, not rebuilt
            kept = IN_GROUP_ORDER if self._by_number else ()
            unread = {"members": BY_NIK} if "members" in self._all_new and not self.replace else {}  # none looked up
            with rebuilt_indexes(self.conn, added, kept, unread), members:
                self._apply()
            if self.kind in ("groups", "roster"):
                self._check_references()
        finally:
            self.conn.execute(f"PRAGMA cache_size = {cache}")

    def _check_references(self) -> None:
        """What the foreign keys would check of the written groups, for all of them at once."""
        (wrong,) = self.conn.execute(f"SELECT count(*) FROM gf WHERE {GROUP_ROWS.unknown_references()}").fetchone()
        if wrong:  # the lookups found these in the registry: a bug, and nothing is written
            raise sqlite3.IntegrityError(f"FOREIGN KEY constraint failed ({wrong} staged groups)")

    def _apply(self) -> None:
        stamp = now()
        params = {"now": stamp, "year": int(stamp[:4])}
        run = self.conn.execute
        if self.kind in ("groups", "roster"):
            if self.replace:
                run(f"UPDATE groups SET {GROUP_ROWS.updates('f', 'groups')}, updated_at = :now FROM gf f, groups x "
                    f"WHERE x.id = groups.id AND x.code = f.code AND {GROUP_DIFFERS}", params)  # fmt: skip
            count = "0"
            if self._counted:  # a new group's members: all its staged ones (none is in the registry yet)
                count = ("(SELECT n.members FROM gn n WHERE n.seq = f.seq)" if self._by_number
                         else "(SELECT count(*) FROM sm s WHERE s.code = f.code)")  # fmt: skip
            columns, values = _new(GROUP_ROWS, "f")
            linked = self._by_number
            if linked:  # each new group's id: the registry's last id and the group's number in the file
                (params["base"],) = self.conn.execute("SELECT coalesce(max(id), 0) FROM groups").fetchone()
            run(f"INSERT INTO groups ({'id, ' if linked else ''}uuid, code, {columns}, created_at, updated_at, "
                f"member_count) SELECT {':base + f.seq, ' if linked else ''}{sql_uuid('f.line')}, f.code, {values}, "
                f":now, :now, {count} FROM gf f "
                f"{self._new_only('groups', 'NOT EXISTS (SELECT 1 FROM groups x WHERE x.code = f.code)')} "
                "ORDER BY f.line", params | uuids())  # fmt: skip
        if self.kind in ("members", "roster"):
            if self.replace:
                run("UPDATE members SET role = 'anggota', updated_at = :now WHERE id IN "
                    f"({self._other_ketua_sql('m.id')})", params)  # fmt: skip
                run(
                    "UPDATE members SET role = 'anggota' FROM sm s WHERE members.nik = s.nik "
                    f"AND {current_ketua('members')} AND s.role != 'ketua'"
                )
                self._update_members(params)
            columns, values = _new(MEMBER_ROWS, "s")
            group, joined = (
                (":base + s.group_seq", "") if self._by_number else ("g.id", "JOIN groups g ON g.code = s.code")
            )
            run(f"INSERT INTO members (uuid, group_id, {columns}, created_at, updated_at) "
                f"SELECT {sql_uuid('s.line')}, {group}, {values}, :now, :now FROM sm s {joined} "
                f"{self._new_only('members', f'NOT EXISTS (SELECT 1 FROM members m WHERE m.nik = s.nik AND {current_member()})')} "
                "ORDER BY s.line", params | uuids())  # fmt: skip
        if self.kind == "revenue":
            if self.replace:
                run("DELETE FROM revenue WHERE id IN (SELECT x.id FROM sr r JOIN groups g ON g.code = r.code "
                    f"JOIN revenue x ON x.group_id = g.id WHERE {REVENUE_CLASH})")  # fmt: skip
            columns, values = _new(REVENUE_ROWS, "r")
            run(f"INSERT INTO revenue (uuid, group_id, {columns}, created_at, updated_at) "
                f"SELECT {sql_uuid('r.line')}, g.id, {values}, :now, :now FROM sr r "
                "JOIN groups g ON g.code = r.code WHERE true ORDER BY r.line "
                "ON CONFLICT (group_id, period) DO UPDATE SET amount = excluded.amount, "
                "note = CASE WHEN excluded.note != '' THEN excluded.note ELSE revenue.note END, "
                "updated_at = excluded.updated_at WHERE revenue.amount != excluded.amount "
                "OR (excluded.note != '' AND excluded.note != revenue.note)", params | uuids())  # fmt: skip
        if self.kind == "aid":
            columns, values = _new(AID_ROWS, "san")
            run(f"INSERT INTO aid (uuid, group_id, {columns}, created_at, updated_at) "
                f"SELECT {sql_uuid('line')}, gid, {values}, :now, :now FROM san WHERE {self._aid_new} ORDER BY line",
                params | uuids())  # fmt: skip
        if self.kind == "visits":
            columns, values = _new(VISIT_ROWS, "svn")
            run(f"INSERT INTO visits (uuid, group_id, {columns}, created_at, updated_at) "
                f"SELECT {sql_uuid('line')}, gid, {values}, :now, :now FROM svn WHERE {self._visit_new} ORDER BY line",
                params | uuids())  # fmt: skip

    def _linked(self) -> bool:
        """A roster's members can be written with their group's id without looking the group up by code
        (~0.15 s of 200k members): every group is new and was staged once, in line order (so the groups'
        numbers in the file, ``gs.seq``, run 1..n as their lines do, and the ids they get are the registry's
        last one plus their number). Each member row of a roster carries its group's number, ``sm.group_seq``:
        a group is staged before its first member."""
        return (self.kind == "roster" and not self.replace and "groups" in self._all_new and self._staged_once
                and self.groups_in_line_order)  # fmt: skip

    def _new_only(self, kind: str, new: str) -> str:
        """``WHERE new``: the staged rows not yet recorded; nothing when ``counts`` found every one new (in
        this transaction, or in the read before it with the registry unchanged since): a look-up a row less."""
        return "" if kind in self._all_new else f"WHERE {new}"

    def _update_members(self, params: dict[str, Any]) -> None:
        """With --replace: move members to the file's group and take the file's details."""
        self.conn.execute(
            f"UPDATE members SET group_id = u.gid, {MEMBER_ROWS.updates('u', 'members')}, updated_at = :now "
            f"FROM (SELECT m.id AS mid, t.id AS gid, {_each('s', MEMBER_ROWS.columns)} FROM sm s "
            f"JOIN members m ON m.nik = s.nik AND {current_member()} JOIN groups g ON g.id = m.group_id "
            f"JOIN groups t ON t.code = s.code WHERE {MEMBER_DIFFERS}) AS u WHERE members.id = u.mid",
            params,
        )


def _each(alias: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{c}" for c in columns)


def _new(staged: Staged, alias: str) -> tuple[str, str]:
    """The column list and the values of the records a staged table adds (its derived columns as staged)."""
    pairs = [*staged.new_values(alias), *((c, f"{alias}.{c}") for c, _t in staged.derived)]
    return ", ".join(c for c, _v in pairs), ", ".join(v for _c, v in pairs)
