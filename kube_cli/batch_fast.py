"""The fast path of a member or roster import: a chunk of rows checked column by column.

A row this cannot vouch for goes through ``batch.Stager.add``, which reports it as always; the fast
path never reports a problem itself (tests/test_import_fast_path.py: both paths give the same
registry and the same messages)."""

from __future__ import annotations

import gc
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate, chain, compress, pairwise, repeat
from typing import TYPE_CHECKING, Any

from kube_cli.batch_staging import GROUP_ROWS, MEMBER_ROWS
from kube_cli.errors import KubeError
from kube_cli.vocab import _CODE, PROVINCES

if TYPE_CHECKING:
    from kube_cli.batch import Stager
    from kube_cli.batch_helper import Helper
    from kube_cli.batch_read import Table

_DAY = "(?:0[1-9]|[12][0-9]|3[01]|4[1-9]|[56][0-9]|7[01])"
_NIK_FAST = "(?:" + "|".join(sorted(PROVINCES)) + ")[0-9]{4}" + _DAY + "(?:0[1-9]|1[0-2])[0-9]{6}"
_NIKS = re.compile(f"(?:{_NIK_FAST}\n)*")  # a chunk's NIKs joined by newlines: parse_nik would take each one
_NIK = re.compile(_NIK_FAST)
# what a cell must not hold for its text to be taken as it is: spaces to trim, a leading ' (a neutralised
# formula, or a NIK kept from Excel), emptiness, and what clean_text refuses (control and invisible marks)
_TEXT_DOUBT = re.compile(r"(?m)^[\s']|[^\S\n]$|^$|[\t\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                         r"\u2028\u2029\u2066-\u2069\ufeff]")  # fmt: skip
_CONTROL = re.compile(_TEXT_DOUBT.pattern.rpartition("|")[2])  # its last part: the characters clean_text refuses
_GROUP_COLUMNS = ("group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year")
FAST_KINDS = ("roster", "members")
# The columns the fast path checks; a file with any other (No. KK, phone, desil, status, stage) takes the
# exact path for every row.
FAST_COLUMNS = frozenset({*_GROUP_COLUMNS, "nik", "name", "member_name", "role", "gender", "pkh_graduate"})
# The staged columns the fast path fills, from the values it checks; the others stay NULL. Its rows are staged
# with these columns named: binding a None costs Python's sqlite3 ~0.7 µs, a third of a member's staging.
GROUP_STAGED = ("line", "code", "name", "kelurahan_kode", "usaha_id", "year", "seq")
MEMBER_STAGED = ("line", "code", "nik", "name", "role", "gender", "pkh_graduate", "group_seq")
assert set(GROUP_STAGED) <= set(GROUP_ROWS.layout) and set(MEMBER_STAGED) <= set(MEMBER_ROWS.layout)


def _texts_doubtful(values: Sequence[Any], max_len: int = 200) -> set[int] | None:
    """Which cells of a text column the fast path cannot vouch for (``None``: all are fine)."""
    if set(map(type, values)) == {str}:  # C-speed tests over the whole column, each one of _TEXT_DOUBT's
        joined = "\n".join(values)
        if (
            all(values)
            and tuple(map(str.strip, values)) == tuple(values)
            and "\n'" not in joined
            and joined[:1] != "'"
            and joined.count("\n") == len(values) - 1
            and not _CONTROL.search(joined)
            and max(map(len, values)) <= max_len
        ):
            return None
    return {i for i, v in enumerate(values) if type(v) is not str or "\n" in v or len(v) > max_len
            or _TEXT_DOUBT.search(v)}  # fmt: skip


CHUNK = 2000  # rows checked together
FLUSH = 10_000  # staged rows written together


Chunk = tuple[Sequence[int], Sequence[list[Any]]]


def read_chunk(chunks: Iterator[Chunk]) -> Chunk | None:
    """The next chunk of a CSV's rows as ``(lines, rows)`` (bench/import_phases.py times this as reading)."""
    return next(chunks, None)


class FastMembers:
    """Member and roster rows of the common shape, checked a chunk at a time, column by column: one regex
    over the chunk's NIKs, the small vocabularies (role, gender, PKH, code) parsed once per distinct value
    by their exact parsers, names checked joined, the rows staged with one ``zip`` over the columns. A row
    any of this cannot vouch for goes through ``Stager.add``, which reports it as always; the fast path
    never reports a problem itself."""

    def __init__(self, stager: Stager, table: Table) -> None:
        self.stager = stager
        self.table = table
        mapping = stager.reader.mapping
        self.kind = stager.kind
        # each column's cell by its index in a row (the last of a repeated header, as a row's dict keeps it)
        self.index = {column: table.column_index(raw) for raw, column in mapping.by_header.items()}
        self.name = "member_name" if self.kind == "roster" else "name"
        self.group_columns = [c for c in _GROUP_COLUMNS if c in self.index]  # a group's key: these cells
        self._group_key: tuple[Any, ...] | None = None
        self._group: tuple[Any, ...] | None = None  # the staged group of the run, or None: its rows go slow
        self.group_parsers = [(c, parse) for c, parse in stager.group_parsers.items() if c in _GROUP_COLUMNS]
        self._tables: dict[str, dict[Any, Any]] = {}  # a vocabulary's cells as parsed, for the whole file
        self.groups: list[tuple[Any, ...]] = []  # staged rows (GROUP_STAGED, MEMBER_STAGED) not yet written
        self.members: list[tuple[Any, ...]] = []

    @staticmethod
    def eligible(stager: Stager, table: Table) -> bool:
        mapping = stager.reader.mapping
        columns = set(mapping.by_header.values())
        name = "member_name" if stager.kind == "roster" else "name"
        return (table.format == "csv" and table.body is not None and stager.kind in FAST_KINDS
                and not mapping.ketua and not mapping.months and {"group_code", "nik", name} <= columns
                and columns <= FAST_COLUMNS)  # fmt: skip

    def stage_table(self, progress: Callable[[int, int, int], None] | None = None,
                    helper_for: Callable[[FastMembers], Helper | None] | None = None) -> None:  # fmt: skip
        """Every row of the table: chunks through the fast checks, the rows they doubt through ``Stager.add``
        (after the chunk's other rows, in line order). ``helper_for`` may start a process that reads a
        large CSV's later part meanwhile (batch_helper); this one goes on where the helper stopped."""
        table = self.table
        collecting = gc.isenabled()
        gc.disable()  # the rows make no reference cycles; the collector's passes over them took ~10% of the time
        helper = None
        try:
            helper = helper_for(self) if helper_for else None
            done = self._stage_chunks(table.body.chunks(CHUNK), 0, progress, helper)
            if helper is not None:
                self.flush()

                def meanwhile(rows: int, read: int) -> None:  # while the helper finishes its part
                    if progress:
                        progress(done + rows, read, table.total)

                done += helper.hand_over(self, meanwhile)
                meanwhile(0, table.position())  # the rows read in all, where the helper left the file
                self._stage_chunks(table.body.chunks(CHUNK, resumed=True), done, progress, None)
            self.flush()
        finally:
            if helper is not None:
                helper.close()
            if collecting:
                gc.enable()

    def _stage_chunks(self, chunks: Iterator[Chunk], count: int, progress: Callable[[int, int, int], None] | None,
                      helper: Helper | None) -> int:  # fmt: skip
        """The chunks' rows staged; returns ``count`` plus their number."""
        table, add = self.table, self.stager.add
        while chunk := read_chunk(chunks):
            lines, rows = chunk
            for i in self.add(lines, rows):
                add(lines[i], table.as_row(rows[i]))
            count += len(rows)
            if progress:
                rows_elsewhere, read_elsewhere = helper.progress() if helper is not None else (0, 0)
                progress(count + rows_elsewhere, table.position() + read_elsewhere,
                         table.totals() if table.totals else table.total)  # fmt: skip
        return count

    def state(self) -> tuple[Any, ...]:
        """Where the fast path is in the file, for a helper process to hand back (``restore``)."""
        stager = self.stager
        return self._group_key, self._group, stager._last_group, stager._group_line, stager.niks, stager.niks_not_0

    def restore(self, state: tuple[Any, ...]) -> None:
        """Go on from where a helper process's fast path was (its NIKs counted with this one's)."""
        stager = self.stager
        self._group_key, self._group, stager._last_group, stager._group_line, niks, niks_not_0 = state
        stager.niks += niks
        stager.niks_not_0 += niks_not_0

    def vocabulary(self, cells: Sequence[Any] | None, column: str, slow: set[int],
                   cast: Callable[[Any], Any] | None = None, parser: Callable[[str, str], Any] | None = None,
                   ) -> Sequence[Any]:  # fmt: skip
        """A column's values through its parser, once per distinct cell in the file; refused or odd cells
        go slow (their rows' indexes into ``slow``)."""
        if cells is None:
            return repeat(None)  # type: ignore[return-value]
        table = self._tables.setdefault(column, {})
        distinct = set(cells)
        parser, label = parser or self.stager.parsers[column], self.stager.reader.labels[column]
        for cell in distinct.difference(table):
            value: Any = _DOUBT
            if _plain(cell) if type(cell) is not tuple else all(map(_plain, cell)):
                try:
                    value = parser(cell, label)
                except KubeError:
                    pass
                else:
                    value = value if cast is None or value is None else cast(value)
            table[cell] = value
        values = list(map(table.__getitem__, cells))
        if any(table[cell] is _DOUBT for cell in distinct):
            slow.update(i for i, v in enumerate(values) if v is _DOUBT)
        return values

    def add(self, lines: Sequence[int], rows: Sequence[list[Any]]) -> list[int]:
        """Stage what the fast checks vouch for; returns the indexes of the rows for the exact path."""
        stager, index = self.stager, self.index
        cols = list(zip(*rows, strict=True))

        def column(name: str) -> Sequence[Any] | None:
            return cols[index[name]] if name in index else None

        slow: set[int] = set()
        niks = cols[index["nik"]]
        try:
            joined = "\n".join(niks) + "\n"
        except TypeError:  # a short row's missing cell
            joined = ""
        all_niks = bool(_NIKS.fullmatch(joined))  # then ``joined`` holds 17 characters a row
        if not all_niks:
            slow.update(i for i, v in enumerate(niks) if type(v) is not str or not _NIK.fullmatch(v))
        names = cols[index[self.name]]
        slow.update(_texts_doubtful(names) or ())
        roles = self.vocabulary(column("role"), "role", slow)
        genders = self.vocabulary(column("gender"), "gender", slow)
        pkhs = self.vocabulary(column("pkh_graduate"), "pkh_graduate", slow, int)
        if "gender" in index:  # the exact path names a gender that contradicts the NIK
            slow.update(self._contradicted(genders, niks, joined if all_niks else None))
        if self.kind == "members":
            codes, seqs = self.vocabulary(column("group_code"), "group_code", slow), repeat(None)
        else:
            codes, seqs = self._roster_groups(lines, cols, slow)
        if slow:
            keep = [i not in slow for i in range(len(rows))]
            lines, codes, niks, names, roles, genders, pkhs, seqs = (
                list(compress(values, keep)) if not isinstance(values, repeat) else values
                for values in (lines, codes, niks, names, roles, genders, pkhs, seqs))  # fmt: skip
        linked = (seqs,) if self.kind == "roster" else ()  # a members file's rows name their group by code only
        if linked:
            stager.count_members(seqs)
        self.members.extend(
            zip(lines, codes, niks, names, roles, genders, pkhs, *linked, strict=False)
        )  # repeat() where a column is absent
        added = len(niks)
        stager.niks += added
        stager.niks_not_0 += added - (joined[15::17].count("0") if all_niks and not slow
                                      else [nik[-1] for nik in niks].count("0"))  # fmt: skip
        if len(self.members) >= FLUSH:
            self.flush()
        return sorted(slow)

    def flush(self) -> None:
        """The staged rows into their temporary tables (bench/import_phases.py times this as staging)."""
        for staged, names, rows in (
            (GROUP_ROWS, GROUP_STAGED, self.groups),
            (MEMBER_ROWS, MEMBER_STAGED if self.kind == "roster" else MEMBER_STAGED[:-1], self.members),
        ):
            if rows:
                insert_rows(self.stager.conn, staged.table, names, rows)
                rows.clear()

    @staticmethod
    def _contradicted(genders: Sequence[Any], niks: Sequence[Any], joined: str | None) -> list[int]:
        """The rows whose gender is not the one the NIK's birth day says (day + 40: a woman). ``joined``: the
        NIKs as the NIK check joined them, when all passed, so the days' tens are every 17th character."""
        if joined is not None:
            try:
                given = "".join(genders)  # all 'L' or 'P' (a missing or odd one raises)
            except TypeError:
                given = None
            if given is not None and len(given) == len(genders):
                implied = joined[6::17].translate(_GENDER_OF_TENS)
                if given == implied:
                    return []
        return [i for i, (gender, nik) in enumerate(zip(genders, niks, strict=True))
                if type(gender) is str and type(nik) is str and gender != ("P" if nik[6:8] > "40" else "L")]  # fmt: skip

    def _roster_groups(self, lines: Sequence[int], cols: list[tuple[Any, ...]], slow: set[int],
                       ) -> tuple[list[Any], list[int | None]]:  # fmt: skip
        """Each row's group code and the number its group was staged with. A run of rows repeating a
        group's cells is one group, parsed column-wise with the chunk's other runs and staged at the first
        row of the run the fast path keeps; rows of a group that does not parse go slow."""
        stager = self.stager
        gs = self.groups
        keys = list(zip(*[cols[self.index[c]] for c in self.group_columns], strict=True))
        # where a run starts: each row whose group cells differ from the row before (compared in C)
        starts = [0, *compress(range(1, len(keys)), map(operator.ne, keys, keys[1:])), len(keys)]
        runs = [(keys[start], end - start) for start, end in pairwise(starts)]
        fresh = runs[1:] if runs and runs[0][0] == self._group_key else runs
        groups = self._parse_groups([key for key, _size in fresh])
        if len(fresh) < len(runs):
            groups.insert(0, self._group)
        if runs:
            self._group_key, self._group = runs[-1][0], groups[-1]
        if not slow and None not in groups:
            return self._runs_at_once(lines, starts, [size for _key, size in runs], groups)
        codes: list[Any] = []
        seqs: list[int | None] = []
        start = 0
        last = stager._last_group
        for (_key, size), group in zip(runs, groups, strict=True):
            end = start + size
            if group is None:
                slow.update(range(start, end))
                codes.extend(repeat(None, size))
            else:
                first = start if not slow else next((i for i in range(start, end) if i not in slow), None)
                if first is not None and group != last:
                    gs.append((lines[first], *group, stager.number_group(lines[first])))
                    last = group
                codes.extend(repeat(group[0], size))
            seqs.extend(repeat(stager.group_seq, size))  # only the rows of a staged group are kept
            start = end
        stager._last_group = last
        return codes, seqs

    def _runs_at_once(self, lines: Sequence[int], starts: list[int], sizes: list[int], groups: list[Any],
                      ) -> tuple[list[Any], list[int | None]]:  # fmt: skip
        """``_roster_groups`` of a chunk whose rows are all kept and groups all parsed (the common one): a
        run is staged when its group is not the one before it, the rows' codes and numbers by C-level passes."""
        stager = self.stager
        new = list(map(operator.ne, groups, [stager._last_group, *groups[:-1]]))
        at = list(compress(starts, new))
        before = stager.group_seq
        numbers = stager.number_groups([lines[i] for i in at])
        self.groups.extend(
            (lines[i], *group, n) for i, group, n in zip(at, compress(groups, new), numbers, strict=True)
        )
        if groups:
            stager._last_group = groups[-1]
        codes = list(chain.from_iterable(map(repeat, [group[0] for group in groups], sizes)))
        seqs = list(chain.from_iterable(map(repeat, list(accumulate(new, initial=before))[1:], sizes)))
        return codes, seqs

    def _parse_groups(self, keys: list[tuple[Any, ...]]) -> list[tuple[Any, ...] | None]:
        """Groups' cells (``keys``: one tuple of ``group_columns`` cells each) as staged, column by column:
        codes by one regex, names checked joined, usaha, year and kelurahan once per distinct value. A group
        any of this doubts is parsed alone (``_parse_group``)."""
        if not keys:
            return []
        present = dict(zip(self.group_columns, zip(*keys, strict=True), strict=True))
        blank = ("",) * len(keys)
        doubt: set[int] = set()
        codes = present.get("group_code", blank)
        try:
            every = bool(_CODES.fullmatch("\n".join(codes) + "\n"))
        except TypeError:
            every = False
        if not every:
            doubt.update(i for i, c in enumerate(codes) if type(c) is not str or not _CODE_ONE.fullmatch(c))
        names = present.get("group_name", blank)
        doubt.update(_texts_doubtful(names) or ())
        parsers = self.stager.group_parsers
        usaha = self.vocabulary(present.get("usaha", blank), "usaha", doubt, parser=parsers["usaha"])
        years = self.vocabulary(present.get("year", blank), "year", doubt, parser=parsers["year"])
        places = self.vocabulary(list(zip(present.get("kelurahan", blank), present.get("kecamatan", blank), strict=True)),
                                 "kelurahan", doubt, parser=self._place)  # fmt: skip
        return [self._parse_group(keys[i]) if i in doubt else group
                for i, group in enumerate(zip(codes, names, places, usaha, years, strict=True))]  # fmt: skip

    def _place(self, cells: tuple[str, str], _label: str) -> str:
        """A (kelurahan, kecamatan) pair's code, as the exact path finds it."""
        return self.stager.reader.kelurahan(*cells).kode

    def _parse_group(self, key: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """A roster row's group as staged, when its cells parse without a problem; else ``None``."""
        texts = dict.fromkeys(_GROUP_COLUMNS, "")
        for column, cell in zip(self.group_columns, key, strict=True):
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
        return (values["group_code"], values["group_name"], place.kode, values["usaha"], values["year"])


def insert_rows(conn: Any, table: str, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows into a staging table (``names``: their columns, in order), as many to a statement as
    ``ROWS_PER_INSERT`` values allow: one ``INSERT … VALUES (…), (…), …`` binds a hundred rows in one call
    (``executemany`` of one row a statement spent a third of staging on the calls; bench/README.md). Both
    paths of an import stage through it."""
    width = len(names)
    per = max(1, ROWS_PER_INSERT // width)  # within SQLite's oldest limit of 999 values a statement
    flat = list(chain.from_iterable(rows))
    step = per * width
    whole = len(rows) // per * step
    head = f"INSERT INTO temp.{table} ({', '.join(names)}) VALUES "
    one = "(" + ", ".join("?" * width) + ")"
    if whole:
        conn.executemany(head + ", ".join([one] * per), (flat[i : i + step] for i in range(0, whole, step)))
    if whole < len(flat):
        conn.execute(head + ", ".join([one] * ((len(flat) - whole) // width)), flat[whole:])


ROWS_PER_INSERT = 999  # values a statement binds (SQLITE_MAX_VARIABLE_NUMBER before SQLite 3.32)


_DOUBT = object()  # a vocabulary cell the fast path leaves to the exact one


def _plain(cell: Any) -> bool:
    """A cell the exact path would take as it is: text, nothing to trim, no leading ' to take off."""
    return type(cell) is str and cell == cell.strip() and cell[:1] != "'"


_GENDER_OF_TENS = str.maketrans("01234567", "LLLLPPPP")  # a NIK's birth day 01-31: a man, 41-71: a woman
_CODE_ONE = re.compile(_CODE.pattern.removeprefix("^").removesuffix("$"))  # parse_code's own rule, one code
_CODES = re.compile(f"(?:{_CODE_ONE.pattern}\n)*")  # the same over a chunk's codes joined by newlines
