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

from kube_cli.batch_read import header_key, open_table
from kube_cli.batch_result import MAX_PROBLEMS, ImportResult, Problems, _Collected
from kube_cli.db import Registry
from kube_cli.errors import KubeError, Problem
from kube_cli.i18n import _
from kube_cli.places import Kelurahan, Places, Usaha
from kube_cli.records import RECORDS, current_group, header_names
from kube_cli.registry import parse_code
from kube_cli.safetext import FORMULA_START  # what export neutralises with a leading ', taken off again here
from kube_cli.vocab import (
    PROVINCES,
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
               "role", "gender", "pkh_graduate", "status", "stage", "kk", "phone", "desil"),
}  # fmt: skip
REQUIRED: dict[str, tuple[str, ...]] = {
    "groups": ("code", "name", "kelurahan", "usaha"),
    "members": ("group_code", "nik", "name"),
    "aid": ("group_code", "date", "kind", "amount"),
    "revenue": ("group_code", "period", "amount"),
    "roster": ("group_code", "group_name", "kelurahan", "usaha", "member_name", "nik"),
    "visits": ("group_code", "date", "business"),
}
# A header (as header_key reads it) → what it means; which column that is depends on the kind. The names
# are the record descriptions' (kube_cli/records.py).
CONCEPTS = {
    **{header_key(name): concept for concept, names in header_names().items() for name in names},
    # CONTRACT headers of the member and group fields that the record descriptions add (kk, phone, desil,
    # stage): they fill those columns once a kind has them, and till then are ignored with the warning
    **dict.fromkeys(("kk", "nokk", "nomorkk", "nomorkartukeluarga"), "kk"),
    **dict.fromkeys(("phone", "nohp", "hp", "telepon", "telp", "notelp", "notelepon", "nomorhp", "nowa"), "phone"),
    "desil": "desil",
    **dict.fromkeys(("stage", "tahap", "tahapan"), "stage"),
}
IGNORED = frozenset({"no", "nomor", "nourut", "urut"})  # the numbering column of office sheets
MEMBER_CELLS = ("member_name", "nik", "role", "gender", "pkh_graduate")
WIDE_SCALE = 16  # staged wide-sheet rows are keyed line * 16 + month
WIDE_MONTHS = 3  # this many month columns make a revenue sheet wide
NO_RECORD = frozenset({"", "0", "-", "–", "—", "0,00", "0.00"})  # a wide sheet's month without revenue
ZEROED_NIKS = 5  # this many NIKs all ending in 0: the mark of a number-formatted column (1 in 100,000 by chance)
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
            if concept == "group_name":  # a member row may name its group instead of giving its code
                return "group_name"
            return "name" if concept in ("name", "member_name") else None
        if kind == "roster":
            return "group_name" if concept == "group_name" else "member_name"
        return "group_name" if concept == "group_name" else None  # aid, revenue: a row may name its group
    return concept if concept in COLUMNS[kind] else None


FIELDS = frozenset(c for columns in COLUMNS.values() for c in columns)
_FIELD_CONCEPT = {"group_code": "code"}


def parse_maps(maps: list[str]) -> dict[str, str]:
    """``--map "HEADER=FIELD"`` options as {header key: concept}; a bad one raises ValueError."""
    overrides: dict[str, str] = {}
    for item in maps:
        header, sep, target = item.rpartition("=")
        target = target.strip().lower()
        if not sep or not header.strip():
            raise ValueError(_("{item!r} is not HEADER=FIELD").format(item=item))
        if target not in FIELDS:
            raise ValueError(_("{field!r} is not a field; the fields: {fields}").format(
                field=target, fields=", ".join(sorted(FIELDS))))  # fmt: skip
        overrides[header_key(header)] = _FIELD_CONCEPT.get(target, target)
    return overrides


def _concept(key: str, overrides: dict[str, str] | None) -> str | None:
    if overrides and key in overrides:
        return overrides[key]
    return CONCEPTS.get(key)


def month_of(header: Any) -> int | None:
    """The month a wide revenue sheet's column stands for: ``Jan``, ``Februari``, ``Mar.`` …"""
    from kube_cli.vocab import month_number

    return month_number(header_key(header)) if header is not None else None


def score(cells: list[Any], overrides: dict[str, str] | None = None) -> int:
    """How many cells of a row are known headers: two or more make it the header row."""
    if overrides:
        return sum(1 for c in cells if c is not None and (_concept(header_key(c), overrides) or month_of(c)))
    return sum(1 for c in cells if c is not None and (header_key(c) in CONCEPTS or month_of(c)))


def known_header(text: str, overrides: dict[str, str] | None = None) -> bool:
    return _concept(header_key(text), overrides) is not None or month_of(text) is not None


def fits(headers: list[str], overrides: dict[str, str] | None = None) -> bool:
    """Whether a header row names the required columns of the kind it looks like."""
    kind = detect_kind(headers, overrides)
    if kind is None:
        return False
    try:
        map_headers(headers, kind, "", overrides)
    except KubeError:
        return False
    return True


def detect_kind(headers: list[str], overrides: dict[str, str] | None = None) -> str | None:
    concepts = {_concept(header_key(h), overrides) for h in headers}
    if "business" in concepts:
        return "visits"
    if "nik" not in concepts and len({month_of(h) for h in headers} - {None}) >= WIDE_MONTHS:
        return "revenue"  # the wide recap: a row per group, a column per month
    if "nik" in concepts:
        # a member list naming its group (Asal KUBE) is not a roster: a roster gives the group's place and usaha
        return "roster" if concepts & {"kelurahan", "usaha"} else "members"
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
    ketua: bool = False  # a group row carrying its ketua (Nama Ketua, NIK Ketua): its member is the ketua
    months: dict[str, int] = field(default_factory=dict)  # a wide revenue sheet: header -> month
    year: int | None = None  # ... and its year, from the title


def map_headers(headers: list[str], kind: str, name: str, overrides: dict[str, str] | None = None) -> Mapping:
    by_header: dict[str, str] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    months = {raw: month_of(raw) for raw in headers if month_of(raw)} if kind == "revenue" else {}
    wide = len(set(months.values())) >= WIDE_MONTHS
    for raw in headers:
        key = header_key(raw)
        if wide and raw in months:
            continue
        if wide and key in CONCEPTS and CONCEPTS[key] in ("amount", "year"):
            if CONCEPTS[key] == "year":  # the year of the months, when the title does not say it
                by_header[raw] = "year"
                labels["year"] = str(raw).strip()
            continue  # Jumlah / Total beside the months: their sum, not a record
        if overrides and key in overrides:
            column = column_for(overrides[key], kind)
            if column is None:
                raise KubeError(
                    "--map",
                    str(raw).strip(),
                    _("names a field that {kind} files do not have").format(kind=kind),
                    _("the columns of {kind}: {all}").format(kind=kind, all=", ".join(COLUMNS[kind])),
                )
        elif not key or key in IGNORED:
            continue
        else:
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
    if wide:
        missing = [c for c in missing if c not in ("period", "amount")]
    if kind in ("members", "revenue", "aid") and missing == ["group_code"] and "group_name" in labels:
        missing = []
    code, named = ("code", "name") if kind == "groups" else ("group_code", "group_name")
    if kind in ("groups", "roster") and code in missing and named in labels and "kelurahan" in labels:
        missing.remove(code)  # rows without codes match a group by name and kelurahan, or get a new code
    if missing:
        raise KubeError(
            "file", name, _("lacks the required column(s) {columns} for {kind}").format(
                columns=", ".join(missing), kind=kind),
            _("the columns of {kind}: {all}; or name a column with --map \"HEADER=FIELD\"").format(
                kind=kind, all=", ".join(COLUMNS[kind])),
        )  # fmt: skip
    for column in COLUMNS[kind]:
        labels.setdefault(column, column)
    mapping = Mapping(kind, by_header, labels, unknown)
    if wide:
        mapping.months = {raw: month for raw, month in months.items() if month}
    nik_header = next((h for h, c in by_header.items() if c == "nik"), "")
    mapping.ketua = header_key(nik_header) == "nikketua" and "role" not in by_header.values()
    return mapping


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
        if column in SERIAL_COLUMNS and SERIAL_MIN <= value < SERIAL_MAX:
            from kube_cli.sheets import excel_date  # an Excel serial (44428) in a date column: the day it counts

            return cell_text(excel_date(value), column, label)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, datetime | date):
        if column == "year":
            return str(value.year)
        return f"{value.year:04d}-{value.month:02d}" if column == "period" else value.strftime("%Y-%m-%d")
    return str(value).strip()


SERIAL_COLUMNS = ("date", "period")
SERIAL_MIN, SERIAL_MAX = 32_874, 73_051  # 1990-01-01 to 2099-12-31 as Excel counts days
ID_COLUMNS = ("nik", "kk")  # 16-digit numbers a spreadsheet must keep as text


def _number_trap(label: str, shown: str, column: str = "nik") -> KubeError:
    fix = (_("format the NIK column as Text, type the NIKs again, and import again") if column == "nik" else
           _("format the No. KK column as Text, type the numbers again, and import again"))  # fmt: skip
    return KubeError(label, shown, _("is stored as a number, so the spreadsheet has lost its last digits"), fix)


# --- the import ---------------------------------------------------------------------------------


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


_roster_group_key = operator.itemgetter("group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year",
                                        "status", "stage")  # fmt: skip


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


# --- the fast path: a chunk of member rows checked column by column ----------------------------

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


class _FastMembers:
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
                    gs.append((line, *group, None, None))  # status and stage: not in the file (see eligible)
                    stager._last_group = group
                code = group[0]
            else:
                code = codes[i]
            pkh = pkhs[i]
            sm.append(
                (line, code, nik, names[i], roles[i], gender, None if pkh is None else int(pkh), None, None, None)
            )
            stager.niks += 1
            if nik[-1] != "0":
                stager.niks_not_0 += 1
            stager.staged += 1
        if stager.staged >= CHUNK:
            stager.flush()
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
        return (values["group_code"], values["group_name"], place.kode, values["usaha"], values["year"])


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
        self.niks = self.niks_not_0 = 0  # a CSV whose NIKs all end in 0 was a number-formatted column
        self._names: dict[str, list[str]] | None = None  # groups by name, for members that name theirs
        self._codes: dict[tuple[str, str], str | KubeError] = {}  # rows without codes: (name, kelurahan) -> code
        self._by_place: dict[tuple[str, str], list[str]] | None = None
        self.mapping_ketua = reader.mapping.ketua
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
                              "year": _memo(_optional(parse_year)), "status": group["status"],
                              "stage": group["stage"]}  # fmt: skip
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
        if self.kind == "roster" and not any(texts.get(c) for c in MEMBER_CELLS):
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
        key = (group["group_code"], group["group_name"], place.kode, group["usaha"], group["year"], group["status"],
               group["stage"])  # fmt: skip
        if key != self._last_group:
            self.buffers["gs"].append((line, *key))
            self._last_group = key
            self.staged += 1

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
            self.buffers["sr"].append((key, values["group_code"], f"{year:04d}-{month:02d}", year, amount, ""))
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
            group = (v["group_code"], v["group_name"], place.kode, v["usaha"], v["year"], v["status"], v["stage"])
            if group != self._last_group:  # a group's rows usually follow each other: stage it once
                self.buffers["gs"].append((line, *group))
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
    progress: Callable[[int, int, int], None] | None = None, include_hidden: bool = False,
    overrides: dict[str, str] | None = None,
) -> ImportResult:  # fmt: skip
    """Check every row of ``path``, then (unless ``dry_run``) write them all in one transaction."""
    from kube_cli import batch_apply

    if kind is not None and kind.strip().lower() not in KINDS:
        raise KubeError("kind", kind, _("must be one of: {options}").format(options=", ".join(KINDS)))
    table = open_table(
        path, name, lambda cells: score(cells, overrides), sheet, known=lambda text: known_header(text, overrides),
        fits=lambda headers: fits(headers, overrides), include_hidden=include_hidden,
    )  # fmt: skip
    try:
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
        problems = Problems(name)
        conn = registry.conn
        # Reading, staging and checking hold no write lock (other officers' commands carry on); the
        # registry's write lock is taken for the apply only, which re-checks if the registry changed.
        with batch_apply.staging(conn):
            with batch_apply.snapshot(conn) as seen:
                stager = Stager(Reader(registry, mapping, problems), conn, chosen)
                _stage_rows(table, stager, warn, progress)
                if table.format == "csv" and stager.niks >= ZEROED_NIKS and not stager.niks_not_0:
                    raise KubeError(
                        mapping.labels["nik"], _("all {n} end in 0").format(n=stager.niks),
                        _("the column was formatted as a number, which turned each NIK's last digit into 0"),
                        _("format the NIK column as Text, type the NIKs again, and import again"),
                    )  # fmt: skip
                _report_skipped(table, result, warn)
                if mapping.months:
                    problems.decode = lambda key: key // WIDE_SCALE
                checker = batch_apply.Checker(conn, chosen, mapping.labels, problems, replace)
                checker.check()
                if problems.count:
                    raise problems.error()
                result.counts = checker.counts()
                _collect_warnings(result, checker.warnings())
            if not dry_run and any(c.added or c.changed for c in result.counts.values()):
                with batch_apply.keys_checked_in_bulk(conn), registry.atomic():
                    if batch_apply.data_version(conn) != seen:  # another command wrote since the check
                        checker.recheck()
                        if problems.count:
                            raise problems.error()
                        result.counts = checker.counts()
                    checker.apply()
                    registry.audit("import", Path(name).name, {
                        "file": name, "kind": chosen, "replace": replace,
                        **{k: vars(c) for k, c in result.counts.items()}})  # fmt: skip
        if warn:
            for text in result.plausibility:
                warn(text)
            if result.plausibility_count > len(result.plausibility):
                warn(_("…and {n} more warnings").format(n=result.plausibility_count - len(result.plausibility)))
        return result
    finally:
        table.close()


FAST_CHUNK = 2000


def _stage_rows(table: Any, stager: Stager, warn: Callable[[str], None] | None,
                progress: Callable[[int, int, int], None] | None) -> None:  # fmt: skip
    """Every row of the file into the staging tables: chunks of the common shape through the fast path,
    the rest (and every row of other kinds and formats) one by one."""
    fast = _FastMembers(stager) if _FastMembers.eligible(stager, table.format) else None
    records = table.format in ("json", "ndjson")
    mapping = stager.reader.mapping
    chunk: list[tuple[int, Any]] = []

    def run(items: list[tuple[int, Any]]) -> None:
        for line, row in fast.add(items) if fast is not None else items:
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
