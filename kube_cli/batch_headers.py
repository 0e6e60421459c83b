"""What a batch file's header row means: which kind of records it holds, and which column each
header fills (the names come from the record descriptions, ``kube_cli/records.py``), and each cell
as the text the parsers read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kube_cli.batch_read import header_key
from kube_cli.batch_staging import roster_columns
from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.records import RECORDS, header_names
from kube_cli.safetext import FORMULA_START  # what export neutralises with a leading ', taken off again here
from kube_cli.vocab import (
    mask_nik,
)

KINDS = ("groups", "members", "aid", "revenue", "roster", "visits")
COLUMNS: dict[str, tuple[str, ...]] = {
    **{kind: record.exported for kind, record in RECORDS.items()},
    # the order roster files have had; a field added to groups or members comes after
    "roster": roster_columns(("group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year", "member_name",
                              "nik", "role", "gender", "pkh_graduate", "status", "stage", "kk", "phone", "desil")),
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
CONCEPTS = {header_key(name): concept for concept, names in header_names().items() for name in names}
IGNORED = frozenset({"no", "nomor", "nourut", "urut"})  # the numbering column of office sheets
WIDE_MONTHS = 3  # this many month columns make a revenue sheet wide
_EXCEL_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
NEUTRALISED = re.compile("^'[" + re.escape("".join(FORMULA_START)) + "]")  # what export neutralised


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
        if wide and _beside_the_months(raw, key, months, by_header, labels):
            continue
        if not (overrides and key in overrides) and (not key or key in IGNORED):
            continue
        column = _column_of(raw, key, kind, overrides)
        if column is None:
            unknown.append(str(raw).strip())
            continue
        if column in labels:
            raise KubeError(
                "header",
                str(raw).strip(),
                _("means the same column as '{other}' ({column})").format(other=labels[column], column=column),
                _("keep one of them"),
            )
        by_header[raw] = column
        labels[column] = str(raw).strip()
    _require_columns(kind, name, labels, wide)
    for column in COLUMNS[kind]:
        labels.setdefault(column, column)
    mapping = Mapping(kind, by_header, labels, unknown)
    if wide:
        mapping.months = {raw: month for raw, month in months.items() if month}
    nik_header = next((h for h, c in by_header.items() if c == "nik"), "")
    mapping.ketua = header_key(nik_header) == "nikketua" and "role" not in by_header.values()
    return mapping


def _beside_the_months(
    raw: Any, key: str, months: dict[Any, Any], by_header: dict[str, str], labels: dict[str, str]
) -> bool:
    """In a wide revenue sheet: whether a header is a month or their Jumlah / Total (their sum, not a
    record) or Tahun, which it notes as the year of the months, for when the title does not say it."""
    if raw in months:
        return True
    concept = CONCEPTS.get(key)
    if concept == "year":
        by_header[raw] = "year"
        labels["year"] = str(raw).strip()
    return concept in ("amount", "year")


def _column_of(raw: Any, key: str, kind: str, overrides: dict[str, str] | None) -> str | None:
    """The column of ``kind`` a header fills, by its ``--map`` or its name; None if it fills none.
    A ``--map`` naming a field that ``kind`` lacks is refused."""
    concept = _concept(key, overrides)
    column = column_for(concept, kind) if concept else None
    if column is None and overrides and key in overrides:
        raise KubeError(
            "--map",
            str(raw).strip(),
            _("names a field that {kind} files do not have").format(kind=kind),
            _("the columns of {kind}: {all}").format(kind=kind, all=", ".join(COLUMNS[kind])),
        )
    return column


def _require_columns(kind: str, name: str, labels: dict[str, str], wide: bool) -> None:
    """Refuse a file that lacks a required column, after the ways a file may do without one."""
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
            "file",
            name,
            _("lacks the required column(s) {columns} for {kind}").format(columns=", ".join(missing), kind=kind),
            _('the columns of {kind}: {all}; or name a column with --map "HEADER=FIELD"').format(
                kind=kind, all=", ".join(COLUMNS[kind])
            ),
        )


# --- cells ------------------------------------------------------------------------------------


def cell_text(value: Any, column: str, label: str) -> str:
    """A cell as text, as the parsers read it; a NIK that a spreadsheet made a number is refused."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if column in ID_COLUMNS and _EXCEL_NUMBER.match(text):
            raise _number_trap(label, text, column)
        return text[1:] if NEUTRALISED.match(text) else text
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        if column in ID_COLUMNS:  # CONTRACT: a NIK or No. KK that arrives as a number is refused, whatever the format
            raise _number_trap(label, f"{value:.6g}" if isinstance(value, float) else mask_nik(str(value)), column)
        if column in SERIAL_COLUMNS and SERIAL_MIN <= value < SERIAL_MAX:
            from kube_cli.sheets_xlsx import excel_date  # an Excel serial (44428) in a date column: the day it counts

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
