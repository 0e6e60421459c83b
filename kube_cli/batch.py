"""Batch import: map a file's headers to a kind, check every row, then write all in one go.

Phase one streams the rows: each is parsed with the same parsers as the single-record commands
and staged, already canonical, in temporary tables; what is wrong is collected as
``FILE:LINE: field 'value': reason``. Checks that need the whole file or the registry (a NIK twice,
a second ketua, a group's rows that disagree, conflicts with what is recorded) then run as SQL
over the staged rows (``batch_apply``). Only a clean file is written, in one transaction with one
audit entry. Memory stays flat: nothing keeps the rows in Python.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kube_cli.batch_fast import FLUSH, FastMembers, insert_rows
from kube_cli.batch_headers import (
    CONCEPTS,
    IGNORED,
    KINDS,
    Mapping,
    cell_text,
    column_for,
    detect_kind,
    fits,
    known_header,
    map_headers,
    score,
)
from kube_cli.batch_parse import Reader, kind_parsers, roster_group_key
from kube_cli.batch_read import header_key, open_table
from kube_cli.batch_result import MAX_PROBLEMS, ImportResult, Problems, _Collected
from kube_cli.batch_staging import GROUP_ROWS, MEMBER_ROWS, REVENUE_ROWS, ROSTER_MEMBER, STAGED, Staged, columns_of
from kube_cli.batch_staging import KINDS as STAGED_KINDS
from kube_cli.db import Registry
from kube_cli.errors import KubeError, Problem
from kube_cli.i18n import _
from kube_cli.places import Kelurahan
from kube_cli.records import KELURAHAN, Field, current_group
from kube_cli.vocab import mask_nik, nik_gender, parse_amount, parse_year

if TYPE_CHECKING:
    from kube_cli.batch_apply import Checker

WIDE_SCALE = 16  # staged wide-sheet rows are keyed line * 16 + month
NO_RECORD = frozenset({"", "0", "-", "–", "—", "0,00", "0.00"})  # a wide sheet's month without revenue
ZEROED_NIKS = 5  # this many NIKs all ending in 0: the mark of a number-formatted column (1 in 100,000 by chance)
CHUNK = 5_000


class Stager:
    """Turns rows into staged tuples for one kind, writing them in chunks."""

    def __init__(self, reader: Reader, conn: Any, kind: str) -> None:
        self.reader = reader
        self.conn = conn
        self.kind = kind
        self.buffers: dict[str, list[tuple[Any, ...]]] = {"gs": [], "sm": [], "sa": [], "sr": [], "sv": []}
        self.officer = reader.places.registry.officer  # a visit row without an officer: who imports it
        self._last_group: tuple[Any, ...] | None = None
        self.group_seq = 0  # a roster's group rows staged so far (each one's ``seq``; batch_staging.GROUP_ROWS)
        self.groups_in_line_order = True  # each was staged at a later line than the one before
        self.group_sizes: list[int] = []  # member rows staged of each (by number - 1): their member counts
        self._group_line = 0
        self.staged = 0  # rows in the buffers
        self.niks = self.niks_not_0 = 0  # a CSV whose NIKs all end in 0 was a number-formatted column
        self._names: dict[str, list[str]] | None = None  # groups by name, for members that name theirs
        self._codes: dict[tuple[str, str], str | KubeError] = {}  # rows without codes: (name, kelurahan) -> code
        self._by_place: dict[tuple[str, str], list[str]] | None = None
        self.mapping_ketua = reader.mapping.ketua
        self._staged_columns: dict[str, list[tuple[Field, str]]] = {}
        self.parsers, self.group_parsers = kind_parsers(kind, reader)
        self._group_key: tuple[str, ...] | None = None
        self._wide_row = REVENUE_ROWS.builder(("line", "code", "period", "amount", "note", "year"))
        self._group_values: tuple[dict[str, Any] | None, Kelurahan | None, list[Problem]] = (None, None, [])

    def add(self, line: int, row: dict[str, Any] | str) -> None:
        reader = self.reader
        if isinstance(row, str):
            reader.problems.add(line, Problem("", "", row))
            return
        texts = reader.cells(line, row)
        if texts is None:
            return
        if self.kind in ("groups", "roster") and not self._fill_code(line, texts):
            return
        if self.mapping_ketua and not texts.get("role"):
            texts["role"] = "ketua"
        if self.kind in ("members", "revenue", "aid") and not texts["group_code"] and texts.get("group_name"):
            code = self._group_by_name(line, texts["group_name"])
            if code is None:
                return
            texts["group_code"] = code
        if reader.mapping.months:
            self._wide(line, row, texts)
            return
        if self.kind == "roster" and not any(texts.get(c) for c in ROSTER_MEMBER):
            self._group_only(line, texts)  # a group without members: one row, its member cells empty
            return
        values = reader.parse(line, texts, self.parsers)
        place = None
        if self.kind == "roster":
            group, place = self._roster_group(line, texts)
            values = None if values is None or group is None else {**values, **group}
        elif self.kind == "groups":
            try:
                place = reader.kelurahan(texts.get("kelurahan", ""), texts.get("kecamatan", ""))
            except KubeError as error:
                reader.problems.add(line, error.problem)
                values = None
        if values is None:
            return
        if "nik" in values:
            self.niks += 1
            if values["nik"][-1] != "0":
                self.niks_not_0 += 1
            if not self._gender_agrees(line, values):
                return
        self._stage(line, values, place)
        self.staged += 1
        if self.staged >= CHUNK:
            self.flush()

    def _group_only(self, line: int, texts: dict[str, str]) -> None:
        group, place = self._roster_group(line, texts)
        if group is None or place is None:
            return
        key = self._group_row(group, place)
        if key != self._last_group:
            self._stage_group(line, key)
            self.staged += 1

    def _stage_group(self, line: int, group: tuple[Any, ...]) -> None:
        """A roster's group row, numbered; its member rows that follow carry its number."""
        self.buffers["gs"].append((line, *group, self.number_group(line)))
        self._last_group = group

    def number_group(self, line: int) -> int:
        """The number of the roster's group row staged next, at ``line`` (the fast path's and the exact one's)."""
        return self.number_groups([line])[0]

    def number_groups(self, lines: list[int]) -> range:
        """The numbers of the roster's group rows staged next, at ``lines`` (increasing)."""
        if lines:
            if lines[0] < self._group_line:  # the exact path stages a chunk's doubted rows after the others
                self.groups_in_line_order = False
            self._group_line = lines[-1]
        self.group_seq += len(lines)
        self.group_sizes.extend(repeat(0, len(lines)))
        return range(self.group_seq - len(lines) + 1, self.group_seq + 1)

    def count_members(self, numbers: Iterable[int]) -> None:
        """Member rows staged, by their group's number (one each)."""
        sizes = self.group_sizes
        for number, count in Counter(numbers).items():
            sizes[number - 1] += count

    def stage_group_sizes(self) -> None:
        """The member rows staged of each numbered group, into ``temp.gn`` (batch_apply writes new groups
        with their member count from it)."""
        sizes = self.group_sizes
        for start in range(0, len(sizes), FLUSH):  # a slice at a time: memory stays flat at any size
            insert_rows(self.conn, "gn", ("seq", "members"), list(enumerate(sizes[start : start + FLUSH], start + 1)))

    def _wide(self, line: int, row: dict[str, Any], texts: dict[str, str]) -> None:
        """A row of the wide revenue recap: one monthly record per month column with an amount."""
        reader = self.reader
        mapping = reader.mapping
        values = reader.parse(line, texts, {"group_code": self.parsers["group_code"]})
        year: int | None = mapping.year
        if texts.get("year"):
            try:
                year = parse_year(texts["year"], reader.labels["year"])
            except KubeError as error:
                reader.problems.add(line, error.problem)
                return
        if year is None:
            reader.problems.add(line, Problem(
                "", "", _("the year of these months is neither in the title nor in a Tahun column"),
                _("add a Tahun column, or put the year in the title (OMSET KUBE TAHUN 2022)")))  # fmt: skip
            return
        if values is None:
            return
        for raw, month in mapping.months.items():
            try:
                text = cell_text(row.get(raw), "amount", str(raw))
                if text in NO_RECORD:
                    continue
                amount = parse_amount(text, str(raw).strip())
            except KubeError as error:
                reader.problems.add(line, error.problem)
                continue
            key = line * WIDE_SCALE + month  # a staged row per month: the line and the month in one key
            self.buffers["sr"].append(self._wide_row((key, values["group_code"], f"{year:04d}-{month:02d}", amount, "",
                                                      year)))  # fmt: skip
            self.staged += 1

    def _fill_code(self, line: int, texts: dict[str, str]) -> bool:
        """A group row without a code: the group of that name in that kelurahan, else a new code."""
        code, named = ("code", "name") if self.kind == "groups" else ("group_code", "group_name")
        if texts.get(code) or not texts.get(named) or not texts.get("kelurahan"):
            return True
        from kube_cli.registry import new_group_code
        from kube_cli.vocab import name_key

        try:
            place = self.reader.kelurahan(texts["kelurahan"], texts.get("kecamatan", ""))
        except KubeError:
            texts[code] = "K-0"  # the kelurahan's own problem is reported for this row, which is refused
            return True
        key = (name_key(texts[named]), place.kode)
        if key not in self._codes:
            found = self._registry_codes(key)
            if len(found) > 1:
                self._codes[key] = KubeError(
                    self.reader.labels[named], texts[named],
                    _("matches {n} groups in {kelurahan}: {codes}").format(n=len(found), kelurahan=place.nama,
                                                                           codes=", ".join(found[:8])),
                    _("give the group's code (Kode KUBE) in a column"),
                )  # fmt: skip
            else:
                self._codes[key] = found[0] if found else new_group_code()
        hit = self._codes[key]
        if isinstance(hit, KubeError):
            self.reader.problems.add(line, hit.problem)
            return False
        texts[code] = hit
        return True

    def _registry_codes(self, key: tuple[str, str]) -> list[str]:
        from kube_cli.vocab import name_key

        if self._by_place is None:
            self._by_place = {}
            for code, group, kode in self.conn.execute(
                f"SELECT code, name, kelurahan_kode FROM groups g WHERE {current_group('g')} ORDER BY code"
            ):
                self._by_place.setdefault((name_key(group), kode), []).append(code)
        return self._by_place.get(key, [])

    def _group_by_name(self, line: int, name: str) -> str | None:
        """The code of the one group of that name (ignoring case and spaces); else a problem naming them."""
        from kube_cli.vocab import name_key

        if self._names is None:
            self._names = {}
            for code, group in self.conn.execute(f"SELECT code, name FROM groups g WHERE {current_group('g')}"):
                self._names.setdefault(name_key(group), []).append(code)
        codes = self._names.get(name_key(name), [])
        if len(codes) == 1:
            return codes[0]
        label = self.reader.labels.get("group_name", "group_name")
        if codes:
            self.reader.problems.add(
                line,
                Problem(
                    label,
                    name,
                    _("names {n} groups: {codes}").format(n=len(codes), codes=", ".join(sorted(codes)[:8])),
                    _("give the group's code (Kode KUBE) instead"),
                ),
            )
        else:
            self.reader.problems.add(
                line,
                Problem(
                    label,
                    name,
                    _("is not the name of a group in the registry"),
                    _("give the group's code (Kode KUBE), or import the groups first"),
                ),
            )
        return None

    def _roster_group(self, line: int, texts: dict[str, str]) -> tuple[dict[str, Any] | None, Kelurahan | None]:
        """The group columns of a roster row, parsed once for each run of rows that repeat them."""
        key = roster_group_key(texts)
        if key != self._group_key:
            reader = self.reader
            collected = _Collected(reader.problems.name)
            own, reader.problems = reader.problems, collected
            try:
                values = reader.parse(line, texts, self.group_parsers)
                place = None
                try:
                    place = reader.kelurahan(texts.get("kelurahan", ""), texts.get("kecamatan", ""))
                except KubeError as error:
                    collected.add(line, error.problem)
                    values = None
            finally:
                reader.problems = own
            self._group_key = key
            self._group_values = (values, place, collected.problems)
        values, place, problems = self._group_values
        for problem in problems:
            self.reader.problems.add(line, problem)
        return values, place

    def _gender_agrees(self, line: int, values: dict[str, Any]) -> bool:
        implied = nik_gender(values["nik"])
        if values["gender"] is None or values["gender"] == implied:
            return True
        label = self.reader.labels["gender"]
        self.reader.problems.add(line, Problem(
            label, values["gender"], _("contradicts the NIK {nik}, whose birth day says {implied}").format(
                nik=mask_nik(values["nik"]), implied=implied)))  # fmt: skip
        return False

    def _stage(self, line: int, v: dict[str, Any], place: Kelurahan | None) -> None:
        kind = self.kind
        if kind == "visits" and not v["officer"]:
            v["officer"] = self.officer
        if kind == "roster":
            group = self._group_row(v, place)
            if group != self._last_group:  # a group's rows usually follow each other: stage it once
                self._stage_group(line, group)
        for staged in STAGED_KINDS[kind] if kind != "roster" else (MEMBER_ROWS,):
            code = v["code"] if kind == "groups" else v["group_code"]
            values = [place.kode if f.lookup == KELURAHAN else v[c] for f, c in self._columns(staged)]
            if staged is REVENUE_ROWS:
                values.append(int(v["period"][:4]))  # the year of its period (yearly or monthly)
            values.extend(self.group_seq if kind == "roster" else None for _link in staged.links)
            if kind == "roster":
                self.group_sizes[self.group_seq - 1] += 1
            self.buffers[staged.table].append((line, code, *values))

    def _group_row(self, v: dict[str, Any], place: Kelurahan) -> tuple[Any, ...]:
        """A roster row's group as staged, without its line."""
        return (v["group_code"], *(place.kode if f.lookup == KELURAHAN else v[c] for f, c in self._columns(GROUP_ROWS)))

    def _columns(self, staged: Staged) -> list[tuple[Field, str]]:
        """Each field of a staged table with the column of this kind of file that holds it."""
        found = self._staged_columns.get(staged.table)
        if found is None:
            found = self._staged_columns[staged.table] = list(
                zip(staged.fields, columns_of(self.kind, staged), strict=True)
            )
        return found

    def flush_when_full(self) -> None:
        if self.staged >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.buffers.items():
            if rows:
                insert_rows(self.conn, table, STAGED[table].layout, rows)
                rows.clear()
        self.staged = 0


def import_file(
    registry: Registry, path: Path, name: str, kind: str | None = None, *, dry_run: bool = False,
    replace: bool = False, sheet: str | None = None, warn: Callable[[str], None] | None = None,
    progress: Callable[[int, int, int], None] | None = None, include_hidden: bool = False,
    overrides: dict[str, str] | None = None,
) -> ImportResult:  # fmt: skip
    """Check every row of ``path``, then (unless ``dry_run``) write them all in one transaction."""
    from kube_cli import batch_apply, batch_transaction

    if kind is not None and kind.strip().lower() not in KINDS:
        raise KubeError("kind", kind, _("must be one of: {options}").format(options=", ".join(KINDS)))
    table = open_table(
        path, name, lambda cells: score(cells, overrides), sheet, known=lambda text: known_header(text, overrides),
        fits=lambda headers: fits(headers, overrides), include_hidden=include_hidden,
    )  # fmt: skip
    try:
        mapping, result = _mapping(table, kind, name, dry_run, overrides, warn)
        chosen, problems, conn = mapping.kind, Problems(name), registry.conn
        # Reading, staging and checking hold no write lock (other officers' commands carry on); the
        # registry's write lock is taken for the apply only, which re-checks if the registry changed.
        with batch_transaction.staging(conn):
            with batch_transaction.snapshot(conn) as seen:
                stager = Stager(Reader(registry, mapping, problems), conn, chosen)
                _stage_rows(table, stager, warn, progress)
                _check_niks_not_zeroed(table, stager)
                _report_skipped(table, result, warn)
                if mapping.months:
                    problems.decode = lambda key: key // WIDE_SCALE
                checker = batch_apply.Checker(conn, chosen, mapping.labels, problems, replace)
                checker.groups_in_line_order = stager.groups_in_line_order
                checker.check()
                if problems.count:
                    raise problems.error()
                result.counts = checker.counts()
                _collect_warnings(result, checker.warnings())
            if not dry_run and any(c.added or c.changed for c in result.counts.values()):
                _write(registry, checker, result, seen, replace)
        if warn:
            for text in result.plausibility:
                warn(text)
            if result.plausibility_count > len(result.plausibility):
                warn(_("…and {n} more warnings").format(n=result.plausibility_count - len(result.plausibility)))
        return result
    finally:
        table.close()


def _mapping(table: Any, kind: str | None, name: str, dry_run: bool, overrides: dict[str, str] | None,
             warn: Callable[[str], None] | None) -> tuple[Mapping, ImportResult]:  # fmt: skip
    """What the file holds and which header fills which column; the warnings about its columns."""
    headers = table.header
    chosen = kind.strip().lower() if kind else detect_kind(headers, overrides)
    if chosen is None:
        raise KubeError("file", name, _("does not say what it holds: its columns fit no kind"),
                        _("give --kind groups, members, aid, revenue, roster or visits"))  # fmt: skip
    mapping = map_headers(headers, chosen, name, overrides)
    if mapping.months:
        mapping.year = _title_year(table.title)
    result = ImportResult(name, chosen, dry_run)
    result.warnings.extend(table.notes)
    if mapping.unknown:
        result.warnings.append(_("{name}: ignoring unknown column(s) {columns}").format(
            name=name, columns=", ".join(f"'{c}'" for c in mapping.unknown)))  # fmt: skip
    if warn:
        for text in result.warnings:
            warn(text)
    return mapping, result


def _check_niks_not_zeroed(table: Any, stager: Stager) -> None:
    """A CSV whose NIKs all end in 0 came from a column a spreadsheet formatted as a number."""
    if table.format == "csv" and stager.niks >= ZEROED_NIKS and not stager.niks_not_0:
        raise KubeError(
            stager.reader.labels["nik"], _("all {n} end in 0").format(n=stager.niks),
            _("the column was formatted as a number, which turned each NIK's last digit into 0"),
            _("format the NIK column as Text, type the NIKs again, and import again"),
        )  # fmt: skip


def _write(registry: Registry, checker: Checker, result: ImportResult, seen: int, replace: bool) -> None:
    """The one write transaction: checked again first if another command wrote since, then the audit entry."""
    from kube_cli import batch_transaction

    conn = registry.conn
    with batch_transaction.keys_checked_in_bulk(conn), registry.atomic():
        if batch_transaction.data_version(conn) != seen:  # another command wrote since the check
            checker.recheck()
            if checker.problems.count:
                raise checker.problems.error()
            result.counts = checker.counts()
        checker.apply()
        registry.audit("import", Path(result.file).name, {
            "file": result.file, "kind": result.kind, "replace": replace,
            **{k: vars(c) for k, c in result.counts.items()}})  # fmt: skip


FAST_CHUNK = 2000


def _stage_rows(table: Any, stager: Stager, warn: Callable[[str], None] | None,
                progress: Callable[[int, int, int], None] | None) -> None:  # fmt: skip
    """Every row of the file into the staging tables: chunks of the common shape through the fast path,
    the rest (and every row of other kinds and formats) one by one."""
    if FastMembers.eligible(stager, table):  # a CSV's rows as lists, a chunk at a time (batch_fast)
        from kube_cli.batch_helper import Helper

        FastMembers(stager, table).stage_table(progress, Helper.start_for)
        stager.flush()
        stager.stage_group_sizes()
        return
    records = table.format in ("json", "ndjson")
    mapping = stager.reader.mapping
    chunk: list[tuple[int, Any]] = []

    def run(items: list[tuple[int, Any]]) -> None:
        for line, row in items:
            stager.add(line, _known_keys(row, mapping, stager.reader, warn) if records else row)

    for count, item in enumerate(table.rows, start=1):
        chunk.append(item)
        if count % FAST_CHUNK == 0:
            run(chunk)
            chunk = []
            if progress:
                progress(count, table.position(), table.totals() if table.totals else table.total)
    run(chunk)
    stager.flush()
    stager.stage_group_sizes()


def _title_year(title: list[str]) -> int | None:
    """``REKAP OMSET KUBE TAHUN 2022`` → 2022: the last year the title block names."""
    years = [int(y) for text in title for y in re.findall(r"\b((?:19|20)\d{2})\b", text)]
    return years[-1] if years else None


def _report_skipped(table: Any, result: ImportResult, warn: Callable[[str], None] | None) -> None:
    """Hidden rows are named by line; what else was not data is counted in the summary."""
    body = table.body
    if body is None or not body.skipped.any():
        return
    result.skipped = body.skipped.as_dict()
    notes = []
    if body.skipped.hidden_count:
        notes.append(body.skipped.hidden_warning(table.name))
    if body.skipped.numbering or body.skipped.total or body.skipped.signature or body.skipped.hidden_count:
        notes.append(f"{table.name}: {body.skipped.describe()}")
    result.warnings.extend(notes)
    if warn:
        for text in notes:
            warn(text)


def _collect_warnings(result: ImportResult, found: Iterable[tuple[int, Any]]) -> None:
    """Count the plausibility warnings; keep the first MAX_PROBLEMS by line as ``FILE:LINE: warning``."""
    import heapq

    counted = 0

    def each() -> Iterator[tuple[int, str]]:
        nonlocal counted
        for line, finding in found:
            counted += 1
            yield line, str(finding)

    first = heapq.nsmallest(MAX_PROBLEMS, each())
    result.plausibility = [f"{result.file}:{line}: {text}" for line, text in first]
    result.plausibility_count = counted


def _known_keys(row: dict[str, Any] | str, mapping: Mapping, reader: Reader, warn: Callable[[str], None] | None):
    """JSON records may bring keys the first one lacked: map them as headers, once each."""
    if isinstance(row, str) or mapping.kind is None:
        return row
    for key in row:
        if key not in mapping.by_header and key not in reader._unknown_keys:
            reader._unknown_keys.add(key)
            hk = header_key(key)
            column = column_for(CONCEPTS[hk], mapping.kind) if hk in CONCEPTS else None
            if column and column not in mapping.by_header.values():
                mapping.by_header[key] = column
                mapping.labels[column] = str(key)
            elif hk and hk not in IGNORED and column is None and warn:
                warn(_("{name}: ignoring unknown column '{column}'").format(name=reader.problems.name, column=key))
    return row


def summary_line(result: ImportResult) -> str:
    """``77 groups, 385 members added; 0 changed; 0 unchanged``."""
    words = {"groups": _("groups"), "members": _("members"), "aid": _("aid records"), "revenue": _("revenue records"),
             "visits": _("visits")}  # fmt: skip

    def part(attr: str) -> str:
        items = [f"{getattr(c, attr)} {words[k]}" for k, c in result.counts.items() if getattr(c, attr)]
        return ", ".join(items) or "0"

    text = _("{added} added; {changed} changed; {unchanged} unchanged").format(
        added=part("added"), changed=part("changed"), unchanged=part("unchanged")
    )
    if result.skipped:
        text += "; " + _("{n} row(s) not data skipped").format(n=sum(result.skipped.values()))
    if result.plausibility_count:
        text += "; " + _("warnings: {n}, listed above").format(n=result.plausibility_count)
    if result.dry_run:
        return _("Dry run, nothing written. Would be: {summary}").format(summary=text)
    return text
