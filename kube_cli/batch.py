"""Batch import: map a file's headers to a kind, check every row, then write all in one go.

Phase one streams the rows: each is parsed with the same parsers as the single-record commands
and staged, already canonical, in temporary tables; what is wrong is collected as
``FILE:LINE: field 'value': reason``. Checks that need the whole file or the registry (a NIK twice,
a second ketua, a group's rows that disagree, conflicts with what is recorded) then run as SQL
over the staged rows (``batch_apply``). Only a clean file is written, in one transaction with one
audit entry. Memory stays flat: nothing keeps the rows in Python.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kube_cli.batch_read import FORMULA_START, header_key, open_table
from kube_cli.db import Registry
from kube_cli.errors import KubeError, Problem
from kube_cli.i18n import _
from kube_cli.places import Kelurahan, Places, Usaha
from kube_cli.records import RECORDS
from kube_cli.registry import parse_code
from kube_cli.vocab import (
    clean_text,
    mask_nik,
    nik_gender,
    parse_aid_kind,
    parse_amount,
    parse_bool,
    parse_business,
    parse_date,
    parse_desil,
    parse_gender,
    parse_kk,
    parse_nik,
    parse_period,
    parse_phone,
    parse_role,
    parse_stage,
    parse_status,
    parse_year,
)

KINDS = ("groups", "members", "aid", "revenue", "roster", "visits")
COLUMNS: dict[str, tuple[str, ...]] = {
    **{kind: record.exported for kind, record in RECORDS.items()},
    "roster": ("group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year", "member_name", "nik",
               "role", "gender", "pkh_graduate"),
}  # fmt: skip
REQUIRED: dict[str, tuple[str, ...]] = {
    "groups": ("code", "name", "kelurahan", "usaha"),
    "members": ("group_code", "nik", "name"),
    "aid": ("group_code", "date", "kind", "amount"),
    "revenue": ("group_code", "period", "amount"),
    "roster": ("group_code", "group_name", "kelurahan", "usaha", "member_name", "nik"),
    "visits": ("group_code", "date", "business"),
}
# A header (as header_key reads it) → what it means; which column that is depends on the kind.
CONCEPTS = {
    **dict.fromkeys(("code", "groupcode", "kode", "kodekube", "kodekelompok"), "code"),
    **dict.fromkeys(("groupname", "namakube", "namakelompok"), "group_name"),
    **dict.fromkeys(("membername", "namaanggota"), "member_name"),
    **dict.fromkeys(("name", "nama"), "name"),
    **dict.fromkeys(("kelurahan", "desa", "kelurahan/desa", "kelurahandesa"), "kelurahan"),
    "kecamatan": "kecamatan",
    **dict.fromkeys(("usaha", "jenisusaha"), "usaha"),
    **dict.fromkeys(("year", "tahun"), "year"),
    "status": "status",
    "nik": "nik",
    **dict.fromkeys(("role", "jabatan"), "role"),
    **dict.fromkeys(("gender", "jeniskelamin", "jk", "l/p"), "gender"),
    **dict.fromkeys(("pkhgraduate", "graduasipkh", "pkh"), "pkh_graduate"),
    **dict.fromkeys(("date", "tanggal"), "date"),
    **dict.fromkeys(("kind", "jenisbantuan"), "kind"),
    **dict.fromkeys(("amount", "nilai", "jumlah", "omset"), "amount"),
    **dict.fromkeys(("source", "sumber"), "source"),
    **dict.fromkeys(("note", "keterangan", "catatan"), "note"),
    **dict.fromkeys(("period", "periode"), "period"),
    # CONTRACT headers of the member and group fields that the record descriptions add (kk, phone, desil,
    # stage): they fill those columns once a kind has them, and till then are ignored with the warning
    **dict.fromkeys(("kk", "nokk", "nomorkk", "nomorkartukeluarga"), "kk"),
    **dict.fromkeys(("phone", "nohp", "hp", "telepon", "telp", "notelp", "notelepon", "nomorhp", "nowa"), "phone"),
    "desil": "desil",
    **dict.fromkeys(("stage", "tahap", "tahapan"), "stage"),
    # a visit's columns (kube export visits, and monitoring sheets)
    **dict.fromkeys(("officer", "petugas", "pendamping", "namapendamping", "namapetugas"), "officer"),
    **dict.fromkeys(("business", "kondisiusaha", "statususaha", "keadaanusaha", "usahaberjalan"), "business"),
    **dict.fromkeys(("bookkeeping", "pembukuan", "adapembukuan"), "bookkeeping"),
    **dict.fromkeys(("memberspresent", "anggotahadir", "jumlahhadir", "hadir"), "members_present"),
}
IGNORED = frozenset({"no", "nomor", "nourut"})  # the numbering column of office sheets
MAX_PROBLEMS = 50
CHUNK = 5_000
_EXCEL_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
_NEUTRALISED = re.compile("^'[" + re.escape("".join(FORMULA_START)) + "]")  # what export neutralised


def column_for(concept: str, kind: str) -> str | None:
    """The column of ``kind`` that a header meaning ``concept`` fills, if any."""
    if concept == "code":
        return "code" if kind == "groups" else "group_code"
    if concept in ("name", "group_name", "member_name"):
        if kind == "groups":
            return "name" if concept in ("name", "group_name") else None
        if kind == "members":
            return "name" if concept in ("name", "member_name") else None
        if kind == "roster":
            return "group_name" if concept == "group_name" else "member_name"
        return None
    return concept if concept in COLUMNS[kind] else None


def score(cells: list[Any]) -> int:
    """How many cells of a row are known headers: two or more make it the header row."""
    return sum(1 for c in cells if c is not None and header_key(c) in CONCEPTS)


def detect_kind(headers: list[str]) -> str | None:
    concepts = {CONCEPTS.get(header_key(h)) for h in headers}
    if "business" in concepts:
        return "visits"
    if "nik" in concepts:
        return "roster" if concepts & {"group_name", "kelurahan", "usaha"} else "members"
    if "period" in concepts:
        return "revenue"
    if concepts & {"kind", "date"}:
        return "aid"
    if concepts & {"kelurahan", "usaha"}:
        return "groups"
    return None


@dataclass
class Mapping:
    """Which header fills which column, and how each column is labelled in messages."""

    kind: str
    by_header: dict[str, str]
    labels: dict[str, str]
    unknown: list[str]


def map_headers(headers: list[str], kind: str, name: str) -> Mapping:
    by_header: dict[str, str] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    for raw in headers:
        key = header_key(raw)
        if not key or key in IGNORED:
            continue
        column = column_for(CONCEPTS[key], kind) if key in CONCEPTS else None
        if column is None:
            unknown.append(str(raw).strip())
            continue
        if column in labels:
            raise KubeError("header", str(raw).strip(), _("means the same column as '{other}' ({column})").format(
                other=labels[column], column=column), _("keep one of them"))  # fmt: skip
        by_header[raw] = column
        labels[column] = str(raw).strip()
    missing = [c for c in REQUIRED[kind] if c not in labels]
    if missing:
        raise KubeError(
            "file", name, _("lacks the required column(s) {columns} for {kind}").format(
                columns=", ".join(missing), kind=kind),
            _("the columns of {kind}: {all}").format(kind=kind, all=", ".join(COLUMNS[kind])),
        )  # fmt: skip
    for column in COLUMNS[kind]:
        labels.setdefault(column, column)
    return Mapping(kind, by_header, labels, unknown)


# --- cells ------------------------------------------------------------------------------------


def cell_text(value: Any, column: str, label: str) -> str:
    """A cell as text, as the parsers read it; a NIK that a spreadsheet made a number is refused."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if column in ID_COLUMNS and _EXCEL_NUMBER.match(text):
            raise _number_trap(label, text, column)
        return text[1:] if _NEUTRALISED.match(text) else text
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        if column in ID_COLUMNS:  # CONTRACT: a NIK or No. KK that arrives as a number is refused, whatever the format
            raise _number_trap(label, f"{value:.6g}" if isinstance(value, float) else mask_nik(str(value)), column)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}" if column == "period" else value.strftime("%Y-%m-%d")
    return str(value).strip()


ID_COLUMNS = ("nik", "kk")  # 16-digit numbers a spreadsheet must keep as text


def _number_trap(label: str, shown: str, column: str = "nik") -> KubeError:
    fix = (_("format the NIK column as Text, type the NIKs again, and import again") if column == "nik" else
           _("format the No. KK column as Text, type the numbers again, and import again"))  # fmt: skip
    return KubeError(label, shown, _("is stored as a number, so the spreadsheet has lost its last digits"), fix)


# --- the import ---------------------------------------------------------------------------------


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

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "dry_run": self.dry_run,
                **{k: vars(c) for k, c in self.counts.items()}, "warnings": self.plausibility_count}  # fmt: skip


class Problems:
    """Collects ``FILE:LINE: field 'value': reason``; keeps the first ones, counts them all."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.kept: list[tuple[int, Problem]] = []
        self.count = 0

    def add(self, line: int, problem: Problem) -> None:
        self.count += 1
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


class Reader:
    """Parses rows of one kind into staged tuples, with the look-ups memoised for the file."""

    def __init__(self, registry: Registry, mapping: Mapping, problems: Problems) -> None:
        self.places = Places(registry)
        self.mapping = mapping
        self.labels = mapping.labels
        self.problems = problems
        self._kelurahan: dict[tuple[str, str], Kelurahan | KubeError] = {}
        self._usaha: dict[str, Usaha | KubeError] = {}
        self._unknown_keys: set[str] = set()
        self._blank = dict.fromkeys(COLUMNS[mapping.kind], "")

    def cells(self, line: int, row: dict[str, Any]) -> dict[str, str] | None:
        """The row's cells by column, as text; ``None`` when a cell is refused."""
        texts = dict(self._blank)  # a column the file lacks reads as an empty cell
        ok = True
        for raw, column in self.mapping.by_header.items():
            value = row.get(raw)
            if type(value) is str:  # the common case, kept fast; a NIK of plain digits cannot be a number trap
                text = value.strip()
                if column not in ID_COLUMNS or text.isdigit():
                    texts[column] = text[1:] if text[:1] == "'" and _NEUTRALISED.match(text) else text
                    continue
            try:
                texts[column] = cell_text(value, column, self.labels[column])
            except KubeError as error:
                self.problems.add(line, error.problem)
                ok = False
        return texts if ok else None

    def parse(self, line: int, texts: dict[str, str], parsers: dict[str, Callable[[str, str], Any]]) -> dict | None:
        """Each column through its parser; every refused value is one problem of this line."""
        values: dict[str, Any] = {}
        ok = True
        for column, parser in parsers.items():
            text = texts.get(column, "")
            try:
                values[column] = parser(text, self.labels[column])
            except KubeError as error:
                for problem in error.problems:
                    self.problems.add(line, problem)
                ok = False
        return values if ok else None

    # column parsers: (text, label) -> value; an empty optional cell is None

    def kelurahan(self, kelurahan: str, kecamatan: str) -> Kelurahan:
        key = (kelurahan, kecamatan)
        if key not in self._kelurahan:
            self._kelurahan[key] = self._find_kelurahan(kelurahan, kecamatan)
        found = self._kelurahan[key]
        if isinstance(found, KubeError):
            raise found
        return found

    def _find_kelurahan(self, kelurahan: str, kecamatan: str) -> Kelurahan | KubeError:
        label = self.labels["kelurahan"]
        try:
            place = self.places.kelurahan(kelurahan, label)
        except KubeError as error:
            if not kecamatan or "," in kelurahan:
                return error
            try:  # ambiguous alone: the kecamatan column may tell which one
                return self.places.kelurahan(f"{kelurahan}, {kecamatan}", label)
            except KubeError:
                return error
        if kecamatan and not _same_place(kecamatan, place):
            return KubeError(self.labels["kecamatan"], kecamatan, _("is not the kecamatan of {kelurahan} ({kecamatan})")
                             .format(kelurahan=place.nama, kecamatan=place.kecamatan))  # fmt: skip
        return place

    def usaha(self, text: str, label: str) -> int:
        if text not in self._usaha:
            try:
                self._usaha[text] = self.places.usaha(text, label)
            except KubeError as error:
                self._usaha[text] = error
        found = self._usaha[text]
        if isinstance(found, KubeError):
            raise found
        return found.id


_roster_group_key = operator.itemgetter("group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year")


def _same_place(kecamatan: str, place: Kelurahan) -> bool:
    from kube_cli.vocab import name_key

    return name_key(kecamatan) in (name_key(place.kecamatan), name_key(place.kecamatan_kode))


def _optional(parser: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    return lambda text, label: parser(text, label) if text else None


MEMO_SIZE = 50_000


def _memo(parser: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    """``parser`` remembering its answers (refusals too): a column of few distinct values is
    parsed once per value, not once per row."""
    cache: dict[tuple[str, str], tuple[Any, KubeError | None]] = {}

    def parse(text: str, label: str) -> Any:
        key = (text, label)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = (parser(text, label), None)
            except KubeError as error:
                hit = (None, error)
            if len(cache) < MEMO_SIZE:
                cache[key] = hit
        if hit[1] is not None:
            raise KubeError.many(hit[1].problems)
        return hit[0]

    return parse


def _text(required: bool = True, max_len: int = 200) -> Callable[[str, str], str]:
    return lambda text, label: clean_text(text, label, required=required, max_len=max_len)


def _visit_date(text: str, label: str) -> str:
    from kube_cli.visits import parse_visit_date

    if not text:
        raise KubeError(label, "", _("must not be empty"))
    return parse_visit_date(text, field=label)


def _count(text: str, label: str) -> int:
    value = text[:-2] if text.endswith(".0") else text
    if not (value.isascii() and value.isdigit()):
        raise KubeError(label, text, _("is not a number of members"))
    return int(value)


def _nik(text: str, label: str) -> str:
    if not text:
        raise KubeError(label, "", _("must not be empty"))
    return parse_nik(text, label)


class Stager:
    """Turns rows into staged tuples for one kind, writing them in chunks."""

    def __init__(self, reader: Reader, conn: Any, kind: str) -> None:
        self.reader = reader
        self.conn = conn
        self.kind = kind
        self.buffers: dict[str, list[tuple[Any, ...]]] = {"gs": [], "sm": [], "sa": [], "sr": [], "sv": []}
        self.officer = reader.places.registry.officer  # a visit row without an officer: who imports it
        self._last_group: tuple[Any, ...] | None = None
        self.staged = 0  # rows in the buffers
        r = reader
        code = _memo(lambda t, lb: parse_code(t, lb))
        group = {"code": code, "name": _text(), "usaha": r.usaha, "year": _memo(_optional(parse_year)),
                 "status": _memo(_optional(parse_status)), "stage": _memo(_optional(parse_stage))}  # fmt: skip
        member = {"nik": _nik, "name": _text(), "role": _memo(_optional(parse_role)),
                  "gender": _memo(_optional(parse_gender)), "pkh_graduate": _memo(_optional(parse_bool)),
                  "kk": _optional(parse_kk), "phone": _optional(parse_phone),
                  "desil": _memo(_optional(parse_desil))}  # fmt: skip
        money = {"group_code": code, "amount": _memo(parse_amount), "note": _text(False, 2000)}
        self.parsers: dict[str, Callable[[str, str], Any]] = {
            "groups": group,
            "members": {"group_code": code, **member},
            "roster": {"nik": _nik, "member_name": _text(), **{k: v for k, v in member.items() if k not in
                                                               ("nik", "name") and k in COLUMNS["roster"]}},
            "aid": {**money, "date": _memo(parse_date), "kind": _memo(parse_aid_kind), "source": _text(False)},
            "revenue": {**money, "period": _memo(parse_period)},
            "visits": {"group_code": code, "date": _memo(_visit_date), "officer": _text(False, 100),
                       "business": _memo(parse_business), "bookkeeping": _memo(_optional(parse_bool)),
                       "members_present": _memo(_optional(_count)), "note": _text(False, 2000)},
        }[kind]  # fmt: skip
        # a roster repeats its group's columns on every member's row: parse them once per run
        self.group_parsers = {"group_code": code, "group_name": _text(), "usaha": r.usaha,
                              "year": _memo(_optional(parse_year))}  # fmt: skip
        self._group_key: tuple[str, ...] | None = None
        self._group_values: tuple[dict[str, Any] | None, Kelurahan | None, list[Problem]] = (None, None, [])

    def add(self, line: int, row: dict[str, Any] | str) -> None:
        reader = self.reader
        if isinstance(row, str):
            reader.problems.add(line, Problem("", "", row))
            return
        texts = reader.cells(line, row)
        if texts is None:
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
        if "nik" in values and not self._gender_agrees(line, values):
            return
        self._stage(line, values, place)
        self.staged += 1
        if self.staged >= CHUNK:
            self.flush()

    def _roster_group(self, line: int, texts: dict[str, str]) -> tuple[dict[str, Any] | None, Kelurahan | None]:
        """The group columns of a roster row, parsed once for each run of rows that repeat them."""
        key = _roster_group_key(texts)
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
        pkh = None if v.get("pkh_graduate") is None else int(v["pkh_graduate"])
        if self.kind == "groups":
            self.buffers["gs"].append((line, v["code"], v["name"], place.kode, v["usaha"], v["year"], v["status"],
                                       v["stage"]))  # fmt: skip
        elif self.kind == "roster":
            group = (v["group_code"], v["group_name"], place.kode, v["usaha"], v["year"])
            if group != self._last_group:  # a group's rows usually follow each other: stage it once
                self.buffers["gs"].append((line, *group, None, None))
                self._last_group = group
            self.buffers["sm"].append((line, v["group_code"], v["nik"], v["member_name"], v["role"], v["gender"], pkh,
                                       v.get("kk"), v.get("phone"), v.get("desil")))  # fmt: skip
        elif self.kind == "members":
            self.buffers["sm"].append((line, v["group_code"], v["nik"], v["name"], v["role"], v["gender"], pkh,
                                       v["kk"], v["phone"], v["desil"]))  # fmt: skip
        elif self.kind == "visits":
            books = int(bool(v["bookkeeping"]))
            self.buffers["sv"].append((line, v["group_code"], v["date"], v["officer"] or self.officer, v["business"],
                                       books, v["members_present"], v["note"]))  # fmt: skip
        elif self.kind == "aid":
            self.buffers["sa"].append((line, v["group_code"], v["date"], v["kind"], v["amount"], v["source"],
                                       v["note"]))  # fmt: skip
        else:
            self.buffers["sr"].append((line, v["group_code"], v["period"], int(v["period"][:4]), v["amount"],
                                       v["note"]))  # fmt: skip

    def flush(self) -> None:
        for table, rows in self.buffers.items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                self.conn.executemany(f"INSERT INTO temp.{table} VALUES ({marks})", rows)
                rows.clear()
        self.staged = 0


def import_file(
    registry: Registry, path: Path, name: str, kind: str | None = None, *, dry_run: bool = False,
    replace: bool = False, sheet: str | None = None, warn: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:  # fmt: skip
    """Check every row of ``path``, then (unless ``dry_run``) write them all in one transaction."""
    from kube_cli import batch_apply

    if kind is not None and kind.strip().lower() not in KINDS:
        raise KubeError("kind", kind, _("must be one of: {options}").format(options=", ".join(KINDS)))
    table = open_table(path, name, score, sheet)
    try:
        headers = table.header
        chosen = kind.strip().lower() if kind else detect_kind(headers)
        if chosen is None:
            raise KubeError("file", name, _("does not say what it holds: its columns fit no kind"),
                            _("give --kind groups, members, aid, revenue, roster or visits"))  # fmt: skip
        mapping = map_headers(headers, chosen, name)
        result = ImportResult(name, chosen, dry_run)
        if mapping.unknown:
            result.warnings.append(_("{name}: ignoring unknown column(s) {columns}").format(
                name=name, columns=", ".join(f"'{c}'" for c in mapping.unknown)))  # fmt: skip
            if warn:
                for text in result.warnings:
                    warn(text)
        problems = Problems(name)
        with batch_apply.transaction(registry, dry_run) as conn:
            batch_apply.create_staging(conn)
            stager = Stager(Reader(registry, mapping, problems), conn, chosen)
            records = table.format in ("json", "ndjson")
            for count, (line, row) in enumerate(table.rows, start=1):
                stager.add(line, _known_keys(row, mapping, stager.reader, warn) if records else row)
                if progress and count % 2000 == 0:
                    progress(table.position(), table.total)
            stager.flush()
            checker = batch_apply.Checker(conn, chosen, mapping.labels, problems, replace)
            checker.check()
            if problems.count:
                raise problems.error()
            result.counts = checker.counts()
            _collect_warnings(result, checker.warnings())
            if not dry_run and any(c.added or c.changed for c in result.counts.values()):
                checker.apply()
                registry.audit("import", Path(name).name, {
                    "file": name, "kind": chosen, "replace": replace,
                    **{k: vars(c) for k, c in result.counts.items()}})  # fmt: skip
            batch_apply.drop_staging(conn)
        if warn:
            for text in result.plausibility:
                warn(text)
            if result.plausibility_count > len(result.plausibility):
                warn(_("…and {n} more warnings").format(n=result.plausibility_count - len(result.plausibility)))
        return result
    finally:
        table.close()


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
    if result.plausibility_count:
        text += "; " + _("warnings: {n}, listed above").format(n=result.plausibility_count)
    if result.dry_run:
        return _("Dry run, nothing written. Would be: {summary}").format(summary=text)
    return text
