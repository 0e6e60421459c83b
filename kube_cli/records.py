"""One description per record kind: what each field is called, where it is stored, how it is shown.

Everything that spells out a record's fields reads them here: the registry's SELECTs and their JSON
keys, the columns of lists and exports (which ``kube import`` reads back), the headings people read,
what ``kube publish`` may copy, and the columns ``kube merge`` carries and the history triggers
remember. Adding a nullable column to groups or members is one ``Field`` (and one ``Column`` when
merge should carry it), one migration, and the translation of its label.

Two facets of each record live side by side:

- ``fields``: the record as people and files see it, one ``Field`` per key of a listed row, in the
  order lists and exports show them. ``sql`` is the value's expression in the record's query
  (``select()``), over the aliases the record's ``source`` joins.
- ``columns``: the record as it is stored, as ``kube merge`` moves it between registries and the
  history triggers keep its earlier versions: the table's own columns, a reference to another
  record carried as that record's UUID (``ref``), and what a registry lacking the column gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from kube_cli.i18n import N_
from kube_cli.vocab import (
    clean_text,
    mask_nik,
    mask_phone,
    nik_gender_sql,
    parse_aid_kind,
    parse_amount,
    parse_bool,
    parse_business,
    parse_code,
    parse_count,
    parse_date,
    parse_desil,
    parse_gender,
    parse_kk,
    parse_nik,
    parse_past_date,
    parse_period,
    parse_phone,
    parse_role,
    parse_stage,
    parse_status,
    parse_year,
)

# How a person reads a value: each kind is drawn one way by ``output`` (Rupiah, ya/tidak, a date,
# a masked NIK) and kept as it is in JSON and CSV.
TEXT, NUMBER, MONEY, FLAG, DATE, NIK, CODE, TIME = "text", "number", "money", "flag", "date", "nik", "code", "time"
PHONE = "phone"  # a phone number: masked but its last 4 digits, as a NIK is


# What an empty cell of an imported file gives: nothing (a new record takes its default, --replace keeps
# what is recorded), the parser's own answer ('' for optional text, or its refusal), or "must not be empty".
OPTIONAL, PARSED, REQUIRED = "optional", "parsed", "required"


@dataclass(frozen=True)
class Cell:
    """How ``kube import`` reads a field from a file's cell."""

    parse: Callable[[str, str], Any]  # (text, the column's label) -> the value; refuses with KubeError
    empty: str = OPTIONAL
    few: bool = True  # few distinct values in a file: each is parsed once and remembered


def text(max_len: int = 200) -> Callable[[str, str], str]:
    """A free-text cell: trimmed, control characters refused, at most ``max_len`` characters."""
    return partial(_text, max_len=max_len)


def _text(value: str, label: str, max_len: int) -> str:
    return clean_text(value, label, required=False, max_len=max_len)


def _not_after_today(value: str, label: str) -> str:
    from kube_cli.db import local_today  # where the officer is (db's clock, which the golden run fixes)

    return parse_past_date(value, label, local_today())


NAME, NOTE = Cell(text(), REQUIRED, few=False), Cell(text(2000), PARSED, few=False)
CODE_CELL = Cell(parse_code, PARSED)
# The fields `kube import` looks up instead of parsing: a kelurahan (with the kecamatan beside it) and a
# kind of business, by any of their names; the registry's key is staged.
KELURAHAN, USAHA = "kelurahan", "usaha"


@dataclass(frozen=True)
class Field:
    """One key of a record as lists, exports and reports show it."""

    name: str  # the JSON key, the CSV/export header, the column `kube import` reads
    label: str  # the heading a person reads (a msgid: translated where it is shown)
    sql: str = ""  # its value in the record's query; default: the record's alias and the name
    show: str = TEXT
    listed: bool = True  # in `list` rows (JSON, CSV, tables)
    exported: bool = True  # in `kube export` (and so read back by `kube import`)
    public: bool = True  # may be copied by `kube publish`; personal data never is
    type: str = "TEXT"  # its SQL type where it is copied (`kube publish`)
    doc: str = ""  # what it means, for the published data's metadata (English, as Datasette shows it)
    headers: tuple[str, ...] = ()  # other names an office file gives it (matched as `kube import` matches)
    cell: Cell | None = None  # how `kube import` reads it (an exported field without one is looked up or derived)
    stored: str = ""  # the column `kube import` fills, where it is not the name (a looked-up key)
    lookup: str = ""  # KELURAHAN or USAHA: the value names a place or a business, and its key is stored
    otherwise: str = ""  # SQL for a new record's empty cell, where the column's default is not it

    @property
    def column(self) -> str:
        return self.stored or self.name


@dataclass(frozen=True)
class Column:
    """One stored column as merge carries it and the history triggers remember it."""

    name: str  # the key in merge records and history
    column: str = ""  # the table's column (default: the name)
    ref: str = ""  # the table it references: carried as that record's uuid
    default: Any = None  # the value for a record from a registry whose schema lacks the column

    @property
    def stored(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Record:
    name: str
    table: str
    alias: str
    source: str  # FROM … JOIN … for the record's query
    fields: tuple[Field, ...]
    columns: tuple[Column, ...] = ()
    export_first: str = ""  # the field an export leads with (a member's group code), else field order

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def sql(self, field: Field) -> str:
        return field.sql or f"{self.alias}.{field.name}"

    def select(self, extra: Iterable[str] = ()) -> str:
        """``SELECT <every field AS its name>, <extra> FROM <source>``."""
        parts = [f"{self.sql(f)} AS {f.name}" for f in self.fields] + list(extra)
        return f"SELECT {', '.join(parts)} FROM {self.source}"

    def keys(self, *, listed: bool = True) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.listed or not listed)

    def public_sql(self, where: str = "") -> tuple[str, str]:
        """What ``kube publish`` copies of this record: the columns of its table, and their query."""
        public = self.public
        columns = ", ".join(f"{f.name} {f.type}" for f in public)
        return columns, f"{self.values_sql(f.name for f in public)} {where}".strip()

    @property
    def exported(self) -> tuple[str, ...]:
        """The columns of ``kube export`` (and so of ``kube import``): new fields come last."""
        names = tuple(f.name for f in self.fields if f.exported)
        if self.export_first:
            names = (self.export_first, *(n for n in names if n != self.export_first))
        return names

    def values_sql(self, names: Iterable[str]) -> str:
        """``SELECT <the named fields' values> FROM <source>``, for a query read by position."""
        return f"SELECT {', '.join(self.sql(self.field(n)) for n in names)} FROM {self.source}"

    @property
    def public(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.public)


def present(record: Record, row: dict[str, Any], names: Iterable[str], show_nik: bool = False) -> dict[str, Any]:
    """The named keys of a stored row as lists and exports give them: flags as booleans, and
    personal numbers (NIK, No. KK, phone) masked unless ``show_nik``."""
    shown = {}
    kinds = {f.name: f.show for f in record.fields}
    for name in names:
        value, kind = row[name], kinds.get(name)
        if kind == FLAG and value is not None:
            value = bool(value)
        elif kind == NIK and value is not None and not show_nik:
            value = mask_nik(value)
        elif kind == PHONE and value is not None and not show_nik:
            value = mask_phone(value)
        shown[name] = value
    return shown


# --- the rules' SQL, named once ---------------------------------------------------------------

CURRENT_MEMBER = "removed_at IS NULL"  # a member who has not been removed (soft delete)
CURRENT_GROUP = "removed_at IS NULL"  # a group not removed as registered by mistake (`kube group remove`)
PLACE_JOINS = "JOIN wilayah kel ON kel.kode = {alias}.kelurahan_kode JOIN wilayah kec ON kec.kode = kel.parent"


def current_member(alias: str = "m") -> str:
    return f"{alias}.{CURRENT_MEMBER}"


def current_group(alias: str = "g") -> str:
    return f"{alias}.{CURRENT_GROUP}"


def place_joins(alias: str = "g") -> str:
    """The kelurahan of a group (``kel``) and its kecamatan (``kec``)."""
    return PLACE_JOINS.format(alias=alias)


def current_visit(alias: str = "v") -> str:
    return f"{alias}.{CURRENT_VISIT}"


def kecamatan_join(join: str = "JOIN") -> str:
    """The kecamatan (``kec``) of the kelurahan ``kel`` the query already has; ``join`` may be ``LEFT JOIN``."""
    return f"{join} wilayah kec ON kec.kode = kel.parent"


def place_joins_on(column: str) -> str:
    """``place_joins`` for the kelurahan code in ``column`` (a subquery's, not a group's ``kelurahan_kode``)."""
    return f"JOIN wilayah kel ON kel.kode = {column} {kecamatan_join()}"


# One ketua per group: what the unique index ``members_one_ketua`` covers (its WHERE, word for word,
# so that a query with it can use the index).
CURRENT_KETUA = f"role = 'ketua' AND {CURRENT_MEMBER}"


def current_ketua(alias: str = "m") -> str:
    return f"{alias}.role = 'ketua' AND {current_member(alias)}"


# A year's revenue is its yearly record (period ``2021``) or the sum of its months (``2021-03``), never both.
def yearly(alias: str = "r") -> str:
    return f"length({alias}.period) = 4"


def monthly(alias: str = "r") -> str:
    return f"length({alias}.period) = 7"


_CREATED = (Column("created_at"), Column("updated_at"))

GROUPS = Record(
    "groups", "groups", "g", f"groups g {place_joins('g')} JOIN usaha u ON u.id = g.usaha_id",
    fields=(
        Field("code", N_("Code"), show=CODE, doc="Group code", headers=("group code", "kode", "kode kube", "kode kelompok"),
              cell=CODE_CELL),
        Field("name", N_("Name"), doc="Group name", headers=("nama",), cell=NAME),
        Field("kelurahan", N_("Kelurahan"), "kel.nama", doc="Kelurahan/desa",
              headers=("desa", "kelurahan/desa", "kelurahan desa", "desa/kelurahan", "desa kelurahan", "kel/desa", "kel"),
              lookup=KELURAHAN, stored="kelurahan_kode"),
        Field("kecamatan", N_("Kecamatan"), "kec.nama", doc="Kecamatan"),
        Field("usaha", N_("Usaha"), "u.name", doc="Business type (jenis usaha)", headers=("jenis usaha",), lookup=USAHA,
              stored="usaha_id"),
        Field("year", N_("Year"), type="INTEGER", doc="Year registered", headers=("tahun",), cell=Cell(parse_year),
              otherwise=":year"),
        Field("status", N_("Status"), doc="aktif or nonaktif", cell=Cell(parse_status)),
        Field("members", N_("Members"), "g.member_count", show=NUMBER, exported=False, type="INTEGER",
              doc="Current members"),
        Field("stage", N_("Stage"), doc="penumbuhan, pengembangan or mandiri (Permensos 2/2019)",
              headers=("tahap", "tahapan"), cell=Cell(parse_stage)),
        Field("note", N_("Note"), listed=False, exported=False, public=False),
        Field("kelurahan_kode", N_("Kelurahan code"), listed=False, exported=False,
              doc="Kemendagri code of the kelurahan"),
        Field("aid_total", N_("Aid"), show=MONEY, listed=False, exported=False, type="INTEGER",
              doc="Aid given (bantuan), in Rupiah (IDR), whole"),
        Field("revenue_total", N_("Revenue"), show=MONEY, listed=False, exported=False, type="INTEGER",
              doc="Revenue reported (omset), in Rupiah (IDR), whole"),
        Field("id", N_("ID"), show=NUMBER, listed=False, exported=False, public=False),
    ),
    columns=(
        Column("code"), Column("name"), Column("kelurahan_kode"), Column("usaha", "usaha_id", ref="usaha"),
        Column("year"), Column("status", default="aktif"), Column("note", default=""), *_CREATED,
        Column("stage", default="penumbuhan"),
        Column("removed_at"),
    ),
)  # fmt: skip

MEMBERS = Record(
    "members", "members", "m", "members m JOIN groups g ON g.id = m.group_id",
    fields=(
        Field("id", N_("ID"), show=NUMBER, exported=False, public=False),
        Field("nik", N_("NIK"), show=NIK, public=False, headers=("nik ketua", "nik anggota"),
              cell=Cell(parse_nik, REQUIRED, few=False)),
        Field("name", N_("Name"), public=False, cell=NAME),
        Field("group_code", N_("Group"), "g.code", show=CODE, cell=CODE_CELL),
        Field("role", N_("Role"), headers=("jabatan",), cell=Cell(parse_role)),
        Field("gender", N_("Gender"), headers=("jenis kelamin", "jk", "l/p"), cell=Cell(parse_gender),
              otherwise=nik_gender_sql("{row}.nik")),
        Field("pkh_graduate", N_("PKH graduate"), show=FLAG, headers=("graduasi pkh", "pkh"), cell=Cell(parse_bool)),
        Field("kk", N_("No. KK"), show=NIK, public=False, headers=("no kk", "nomor kk", "nomor kartu keluarga"),
              cell=Cell(parse_kk, few=False)),
        Field("phone", N_("Phone"), show=PHONE, public=False,
              headers=("no hp", "hp", "telepon", "telp", "no telp", "no telepon", "nomor hp", "no wa"),
              cell=Cell(parse_phone, few=False)),
        Field("desil", N_("Desil"), show=NUMBER, public=False, type="INTEGER", cell=Cell(parse_desil)),
        Field("group_id", N_("Group"), listed=False, exported=False, public=False),
    ),
    columns=(
        Column("group", "group_id", ref="groups"), Column("nik"), Column("name"), Column("role", default="anggota"),
        Column("gender"), Column("pkh_graduate", default=0), Column("removed_at"), *_CREATED,
        Column("kk"), Column("phone"), Column("desil"),
    ),
    export_first="group_code",
)  # fmt: skip

AID = Record(
    "aid", "aid", "a", "aid a JOIN groups g ON g.id = a.group_id",
    fields=(
        Field("id", N_("ID"), show=NUMBER, exported=False, public=False),
        Field("group_code", N_("Group"), "g.code", show=CODE, doc="Group code", cell=CODE_CELL),
        Field("date", N_("Date"), show=DATE, doc="Date given", headers=("tanggal",), cell=Cell(parse_date, PARSED)),
        Field("year", N_("Year"), "CAST(substr(a.date, 1, 4) AS INTEGER)", listed=False, exported=False,
              type="INTEGER", doc="Year"),
        Field("kind", N_("Kind"), doc="peralatan, modal, pelatihan or lainnya", headers=("jenis bantuan",),
              cell=Cell(parse_aid_kind, PARSED)),
        Field("amount", N_("Amount"), show=MONEY, type="INTEGER", doc="Amount in Rupiah (IDR), whole",
              headers=("nilai", "jumlah", "omset", "omzet", "nilai bantuan", "jumlah bantuan", "besar bantuan"),
              cell=Cell(parse_amount, PARSED)),
        Field("source", N_("Source"), doc="Who gave it", headers=("sumber",), cell=Cell(text(), PARSED, few=False)),
        Field("note", N_("Note"), public=False, headers=("keterangan", "catatan"), cell=NOTE),
        Field("void", N_("Void"), "a.voided_at IS NOT NULL", show=FLAG, exported=False, public=False),
    ),
    columns=(
        Column("group", "group_id", ref="groups"), Column("date"), Column("kind"), Column("amount"),
        Column("source", default=""), Column("note", default=""), Column("voided_at"), Column("void_reason"),
        *_CREATED,
    ),
)  # fmt: skip

REVENUE = Record(
    "revenue", "revenue", "r", "revenue r JOIN groups g ON g.id = r.group_id",
    fields=(
        Field("group_code", N_("Group"), "g.code", show=CODE, doc="Group code", cell=CODE_CELL),
        Field("period", N_("Period"), doc="Year (YYYY) or month (YYYY-MM)", headers=("periode",),
              cell=Cell(parse_period, PARSED)),
        Field("year", N_("Year"), listed=False, exported=False, type="INTEGER", doc="Year"),
        Field("amount", N_("Amount"), show=MONEY, type="INTEGER", doc="Revenue in Rupiah (IDR), whole",
              cell=Cell(parse_amount, PARSED)),
        Field("note", N_("Note"), public=False, cell=NOTE),
    ),
    columns=(
        Column("group", "group_id", ref="groups"), Column("period"), Column("year"), Column("amount"),
        Column("note", default=""), *_CREATED,
    ),
)  # fmt: skip

VISITS = Record(
    "visits", "visits", "v", "visits v JOIN groups g ON g.id = v.group_id",
    fields=(
        Field("id", N_("ID"), show=NUMBER, exported=False, public=False),
        Field("group_code", N_("Group"), "g.code", show=CODE, cell=CODE_CELL),
        Field("date", N_("Date"), show=DATE, cell=Cell(_not_after_today, REQUIRED)),
        Field("officer", N_("Officer"), public=False, headers=("petugas", "pendamping", "nama pendamping"),
              cell=Cell(text(100), PARSED, few=False)),
        Field("business", N_("Business"), headers=("kondisi usaha", "status usaha", "keadaan usaha"),
              cell=Cell(parse_business, PARSED)),
        Field("bookkeeping", N_("Books"), show=FLAG, headers=("pembukuan", "ada pembukuan"), cell=Cell(parse_bool)),
        Field("members_present", N_("Present"), show=NUMBER, type="INTEGER",
              headers=("anggota hadir", "jumlah hadir", "hadir"), cell=Cell(parse_count)),
        Field("note", N_("Note"), public=False, cell=NOTE),
    ),
    columns=(
        Column("group", "group_id", ref="groups"), Column("date"), Column("officer"), Column("business"),
        Column("bookkeeping", default=0), Column("members_present"), Column("note", default=""),
        Column("removed_at"), Column("removal_reason"), *_CREATED,
    ),
)  # fmt: skip
CURRENT_VISIT = "removed_at IS NULL"  # a visit not removed (soft delete)

# What `kube report --by` counts by, in the order report columns stand: a group field's name and the SQL
# key its rows are grouped by (names are looked up afterwards). A new dimension is one entry here.
DIMENSIONS = {
    "kecamatan": "substr(g.kelurahan_kode, 1, 8)",
    "kelurahan": "g.kelurahan_kode",
    "usaha": "g.usaha_id",
    "year": "g.year",
    "stage": "g.stage",
}
CHARTED = tuple(d for d in DIMENSIONS if d != "year")  # `report chart --by`: bars of places and kinds

# The columns a roster adds to a group's and a member's (one row per member, the group's columns repeated).
ROSTER_NAMES = (
    Field("group_name", N_("Group name"), headers=("nama kube", "nama kelompok", "asal kube", "kube", "kelompok")),
    Field("member_name", N_("Member name"), headers=("nama anggota", "nama ketua", "ketua", "nama ketua kube")),
)

RECORDS = {record.name: record for record in (GROUPS, MEMBERS, AID, REVENUE, VISITS)}
# The records kube merge moves between registries, in the order their references need.
MERGED = (GROUPS, MEMBERS, AID, REVENUE, VISITS)


def show_kinds() -> dict[str, str]:
    """Each listed key and how it is shown, over every record (a key means one thing everywhere)."""
    kinds: dict[str, str] = {}
    for record in RECORDS.values():
        for f in record.fields:
            kinds.setdefault(f.name, f.show)
    return kinds


def header_names() -> dict[str, tuple[str, ...]]:
    """Each field an import reads, by the name it goes by across kinds (a group's ``code`` is every
    other record's ``group_code``), with the names office files give it besides its own."""
    names: dict[str, tuple[str, ...]] = {}
    for f in (*(f for r in RECORDS.values() for f in r.fields if f.exported), *ROSTER_NAMES):
        concept = "code" if f.name == "group_code" else f.name
        names[concept] = tuple(dict.fromkeys((*names.get(concept, (f.name,)), *f.headers)))
    return names


def labels() -> dict[str, str]:
    """Each key's heading (msgid), over every record."""
    found: dict[str, str] = {}
    for record in RECORDS.values():
        for f in record.fields:
            found.setdefault(f.name, f.label)
    return found


# --- what merge and the history triggers carry --------------------------------------------------


def history_triggers(record: Record, present: set[str]) -> list[str]:
    """The triggers that keep a record's earlier versions in ``record_history``, as JSON objects keyed
    by column name (references as UUIDs), over the columns this registry's table has (``present``)."""
    pairs, stored = [], []
    for c in record.columns:
        if c.stored not in present:
            continue
        stored.append(c.stored)
        value = f"(SELECT uuid FROM {c.ref} WHERE id = old.{c.stored})" if c.ref else f"old.{c.stored}"
        pairs.append(f"'{c.name}', {value}")
    content = f"json_object({', '.join(pairs)})"
    parked = _PARKED.get(record.table)
    when = f" WHEN {parked}" if parked else ""
    # only a change of what merge carries: the totals the registry maintains are not a new version
    update = f"AFTER UPDATE OF {', '.join(stored)} ON {record.table}"
    statements = [f"CREATE TRIGGER {record.table}_history {update}{when} BEGIN "
                  f"INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, {content}); END"]  # fmt: skip
    if record.table == "revenue":  # revenue is the one record deleted for good: the deletion is remembered
        statements.append("CREATE TRIGGER revenue_deleted AFTER DELETE ON revenue BEGIN "
                          f"INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, {content}), "
                          "(old.uuid, 'deleted'); END")  # fmt: skip
    return statements


# A row a merge has parked for a moment (a code, period or removed_at starting `~`) keeps no history.
_PARKED = {
    "groups": "old.code NOT LIKE '~%'",
    "members": "old.removed_at IS NOT '~'",
    "revenue": "old.period NOT LIKE '~%'",
}


def recreate_history_triggers(conn: Any) -> None:
    """Drop and recreate every history trigger for the columns the registry has now: a migration
    that adds a merged column calls this, so the history keeps the new column too."""
    for record in MERGED:
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({record.table})")}
        if not present:  # a table a later migration creates (and then recreates the triggers)
            continue
        conn.execute(f"DROP TRIGGER IF EXISTS {record.table}_history")
        if record.table == "revenue":
            conn.execute("DROP TRIGGER IF EXISTS revenue_deleted")
        for statement in history_triggers(record, present):
            conn.execute(statement)
