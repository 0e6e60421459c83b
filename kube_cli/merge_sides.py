"""Each registry as ``kube merge`` reads it, whatever kube version made it: its records by UUID (the
columns its tables have), the versions of each it has held or been shown (``record_history``,
``merge_seen``: contents by field name, and from kube up to schema 7 arrays in ``LEGACY_ORDER`` and
bare hashes), and the checks that open the other registry read-only."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kube_cli.db import Registry, is_sqlite_file
from kube_cli.errors import KubeError
from kube_cli.fileio import open_readonly
from kube_cli.i18n import _
from kube_cli.records import MERGED, Record

RECORD_TABLES = tuple(record.table for record in MERGED)
# How kube up to schema 7 wrote a record's versions (history arrays, merge hashes): its columns in this
# order. Frozen: registries made then still hold such rows, and merge must read them as they are.
LEGACY_ORDER = {
    "groups": ("code", "name", "kelurahan_kode", "usaha", "year", "status", "note", "created_at", "updated_at"),
    "members": ("group", "nik", "name", "role", "gender", "pkh_graduate", "removed_at", "created_at", "updated_at"),
    "aid": ("group", "date", "kind", "amount", "source", "note", "voided_at", "void_reason", "created_at",
            "updated_at"),
    "revenue": ("group", "period", "year", "amount", "note", "created_at", "updated_at"),
}  # fmt: skip


def _select(record: Record, present: set[str]) -> tuple[str, tuple[str, ...]]:
    """The query of a record's merged columns that this registry's table has, references as UUIDs."""
    parts, joins, names = ["x.uuid AS uuid"], [], []
    for n, c in enumerate(c for c in record.columns if c.stored in present):
        if c.ref:
            joins.append(f"JOIN {c.ref} r{n} ON r{n}.id = x.{c.stored}")
            parts.append(f'r{n}.uuid AS "{c.name}"')
        else:
            parts.append(f'x.{c.stored} AS "{c.name}"')
        names.append(c.name)
    return f"SELECT {', '.join(parts)} FROM {record.table} x {' '.join(joins)}", tuple(names)


ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def record_hash(record: dict[str, Any] | list[Any]) -> str:
    """A record's content as a short hash: a dict by field name (in name order), so that two
    registries hash the fields they share alike whatever their schemas; a list as it is (the old
    hashes, of values in ``LEGACY_ORDER``)."""
    values = sorted(record.items()) if isinstance(record, dict) else record
    return hashlib.blake2b(ENCODER.encode(values).encode(), digest_size=16).hexdigest()


def _legacy_hash(table: str, record: dict[str, Any]) -> str | None:
    order = LEGACY_ORDER.get(table, ())
    return record_hash([record[c] for c in order]) if order and all(c in record for c in order) else None


@dataclass
class Versions:
    """The versions of one record a registry has held or been shown: contents by field name, and
    from older kubes history arrays (in ``LEGACY_ORDER``) and bare hashes."""

    contents: list[dict[str, Any]] = field(default_factory=list)
    arrays: list[list[Any]] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.contents or self.arrays or self.hashes)

    def __ior__(self, other: Versions) -> Versions:
        self.contents += other.contents
        self.arrays += other.arrays
        self.hashes |= other.hashes
        return self

    def holds(self, table: str, record: dict[str, Any], fields: frozenset[str]) -> bool:
        """Whether ``record`` is one of these versions, compared on the fields both sides have."""
        for content in self.contents:
            shared = fields & content.keys() & record.keys()
            if all(content[k] == record[k] for k in shared):
                return True
        order = LEGACY_ORDER.get(table, ())
        if order and any(len(a) == len(order) and all(record.get(k) == v for k, v in zip(order, a, strict=True))
               for a in self.arrays):  # fmt: skip
            return True
        legacy = _legacy_hash(table, record) if self.hashes else None
        return legacy in self.hashes


def _rows(conn: sqlite3.Connection, sql: str) -> list[dict[str, Any]]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


@dataclass
class Side:
    """One registry's records, keyed by UUID, references given as UUIDs."""

    records: dict[str, dict[str, dict[str, Any]]]
    fields: dict[str, frozenset[str]]  # the merged columns this registry's tables have
    usaha: dict[str, dict[str, Any]]
    aliases: dict[str, tuple[str, str]]  # key -> (alias as typed, usaha uuid)
    seen: dict[str, Versions]
    audit_uuids: set[str]
    deleted: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Side:
        records, fields = {}, {}
        for record in MERGED:
            present = {row[1] for row in conn.execute(f"PRAGMA table_info({record.table})")}
            if not present:  # a registry from a kube before this record existed: none of them
                records[record.table], fields[record.table] = {}, frozenset()
                continue
            sql, names = _select(record, present)
            records[record.table] = {row.pop("uuid"): row for row in _rows(conn, sql)}
            fields[record.table] = frozenset(names)
        usaha = {row.pop("uuid"): row for row in _rows(conn, "SELECT uuid, name, builtin, created_at FROM usaha")}
        aliases = {
            key: (alias, uuid)
            for key, alias, uuid in conn.execute(
                "SELECT a.key, a.alias, u.uuid FROM usaha_alias a JOIN usaha u ON u.id = a.usaha_id"
            )
        }
        seen: dict[str, Versions] = defaultdict(Versions)
        deleted: set[str] = set()
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'merge_seen'").fetchone():
            with_content = "content" in {row[1] for row in conn.execute("PRAGMA table_info(merge_seen)")}
            for uuid, digest, content in conn.execute(
                f"SELECT uuid, hash, {'content' if with_content else 'NULL'} FROM merge_seen"
            ):
                if content is None:
                    seen[uuid].hashes.add(digest)
                else:
                    seen[uuid].contents.append(json.loads(content))
            for uuid, old in conn.execute("SELECT uuid, content FROM record_history"):
                if old == "deleted":
                    deleted.add(uuid)
                    continue
                version = json.loads(old)
                (seen[uuid].contents if isinstance(version, dict) else seen[uuid].arrays).append(version)
        audit_uuids = {row[0] for row in conn.execute("SELECT uuid FROM audit_log")}
        return cls(records, fields, usaha, aliases, seen, audit_uuids, deleted)

    def rename(self, table: str, old: str, new: str) -> None:
        self.records[table][new] = self.records[table].pop(old)
        self.seen[new] |= self.seen.pop(old, Versions())

    def knows(self, table: str, uuid: str, record: dict[str, Any], fields: frozenset[str]) -> bool:
        """Whether this registry has held or been shown ``record`` (on ``fields``, those both have)."""
        versions = self.seen.get(uuid)
        return bool(versions) and versions.holds(table, record, fields)  # type: ignore[union-attr]


_REQUIRED_TABLES = {"meta", "wilayah", "usaha", "usaha_alias", "groups", "members", "aid", "revenue", "audit_log"}


def open_other(path: Path, registry: Registry) -> sqlite3.Connection:
    """The other registry, read-only; refused when missing, not kube, or newer than this kube."""
    from kube_cli.migrations import SCHEMA_VERSION

    shown = str(path)
    if not path.is_file():
        raise KubeError("other", shown, _("does not exist"))
    if path.resolve() == registry.path.resolve():
        raise KubeError("other", shown, _("is this registry itself"), _("give another officer's registry file"))
    if not is_sqlite_file(path):
        raise KubeError("other", shown, _("is not a kube registry"))
    try:
        conn = open_readonly(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as error:
        raise KubeError("other", shown, _("cannot be read: {error}").format(error=error)) from None
    if version > SCHEMA_VERSION:
        conn.close()
        raise KubeError("other", shown, _("was made by a newer version of kube (schema {version}, this kube knows "
                                          "{known})").format(version=version, known=SCHEMA_VERSION),
                        _("upgrade kube to merge it"))  # fmt: skip
    if version < 1 or not tables >= _REQUIRED_TABLES:
        conn.close()
        raise KubeError("other", shown, _("is not a kube registry"))
    return conn


def load_other(other_conn: sqlite3.Connection) -> Side:
    """The other registry's records; a damaged file is refused naming it (not as this registry's damage)."""
    from kube_cli.errors import Damaged, damage

    try:
        return Side.load(other_conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        if (what := damage(error)) is None:
            raise
        path = other_conn.execute("PRAGMA database_list").fetchone()[2]
        raise Damaged("other", path, _("is damaged: {problem}").format(problem=what)) from None
