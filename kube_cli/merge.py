"""Bringing another officer's registry into this one: ``kube merge OTHER.db``.

Records (usaha and aliases, groups, members, aid, revenue) are matched by their stable UUIDs;
audit entries the other registry has and this one lacks are appended as they were written
(original officer and time). Everything is decided first, then written in one transaction.

How a record present on both sides, with different content, is decided
-----------------------------------------------------------------------
Each registry remembers the versions of a record it has held (``record_history``, kept by triggers
on every change) and the versions it was shown at merges (``merge_seen``, content hashes). When
the two versions differ:

- their version is one we have seen, ours is not one they have seen → they have not changed it
  since they last met us: keep ours. The reverse → take theirs.
- neither has seen the other's version → both changed it since they last met: a **conflict**.
- no history of the record on either side (made before kube kept history) → the newer
  ``updated_at`` wins; the same ``updated_at`` is a conflict.
- both have seen both versions (after a ``--prefer`` choice, say) → the newer ``updated_at``
  wins, ties broken by the hash, so that merging A←B and B←A agree.

The other conflicts come from the merged result: one NIK current in two groups (or twice), one
group code on two groups, two ketua in one group. Conflicts are refused, one line each, nothing
written, unless ``prefer`` names the side that wins: the losing side's record is changed as the
rules need (a duplicate member is removed, a second ketua becomes anggota, a group whose code is
taken gets a newly generated code) and each choice is written to the audit log.

Two registries that made the same business type (by name) or the same revenue period of a group
under different UUIDs keep the smaller UUID, so both sides converge on one record. Built-in
business types are the same everywhere (each registry keeps the time it seeded them).
Revenue is the one record deleted for good (``revenue record --replace``); the deletion is
remembered, so a merge does not bring the record back, and the other side drops it when it has
not changed it since. A year with both a yearly and monthly revenue after merging is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kube_cli.db import Registry, is_sqlite_file, now
from kube_cli.errors import KubeError, Problem
from kube_cli.fileio import open_readonly
from kube_cli.i18n import N_, _
from kube_cli.records import MERGED, Column, Record
from kube_cli.vocab import mask_nik, mask_phone, name_key

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


# How a conflict line names a side and a column (the database's names are not for people).
# TRANSLATORS: "ours"/"theirs" name the two registries in a merge conflict, as --prefer ours/theirs does.
SIDE_LABELS = {"ours": N_("ours"), "theirs": N_("theirs")}
COLUMN_LABELS = {
    "code": N_("code"), "name": N_("name"), "kelurahan_kode": N_("kelurahan"), "usaha": N_("usaha"),
    "year": N_("year"), "status": N_("status"), "note": N_("note"), "group": N_("group"), "nik": N_("NIK"),
    "role": N_("role"), "gender": N_("gender"), "pkh_graduate": N_("PKH graduate"), "removed_at": N_("removed"),
    "date": N_("date"), "kind": N_("kind"), "amount": N_("amount"), "source": N_("source"),
    "voided_at": N_("voided"), "void_reason": N_("void reason"), "period": N_("period"),
    "stage": N_("stage"), "kk": N_("No. KK"), "phone": N_("phone"), "desil": N_("desil"), "officer": N_("officer"),
    "business": N_("business"), "bookkeeping": N_("bookkeeping"), "members_present": N_("members present"),
    "removal_reason": N_("removal reason"),
}  # fmt: skip
_REQUIRED_TABLES = {"meta", "wilayah", "usaha", "usaha_alias", "groups", "members", "aid", "revenue", "audit_log"}


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def record_hash(record: dict[str, Any] | list[Any]) -> str:
    """A record's content as a short hash: a dict by field name (in name order), so that two
    registries hash the fields they share alike whatever their schemas; a list as it is (the old
    hashes, of values in ``LEGACY_ORDER``)."""
    values = sorted(record.items()) if isinstance(record, dict) else record
    return hashlib.blake2b(_ENCODER.encode(values).encode(), digest_size=16).hexdigest()


def _legacy_hash(table: str, record: dict[str, Any]) -> str | None:
    order = LEGACY_ORDER[table]
    order = LEGACY_ORDER.get(table, ())
    return record_hash([record[c] for c in order]) if order and all(c in record for c in order) else None


def _content(record: dict[str, Any], fields: set[str] | frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in fields}


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


@dataclass
class Plan:
    """What merging would do: the final records and how each came about."""

    result: dict[str, dict[str, dict[str, Any]]]
    origin: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    added: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    updated: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deleted: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tombstones: set[str] = field(default_factory=set)  # their records we decided not to take
    usaha_new: list[str] = field(default_factory=list)
    usaha_changed: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # old uuid -> new, record
    revenue_renamed: dict[str, str] = field(default_factory=dict)
    aliases_new: dict[str, tuple[str, str]] = field(default_factory=dict)
    aliases_repointed: dict[str, str] = field(default_factory=dict)
    conflicts: list[Problem] = field(default_factory=list)
    choices: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    seen: dict[tuple[str, str], str] = field(default_factory=dict)  # (uuid, hash) -> their content, as JSON
    common: dict[str, frozenset[str]] = field(default_factory=dict)  # the merged columns both sides have
    audit_rows: list[tuple[Any, ...]] = field(default_factory=list)
    usaha_rows: list[tuple[Any, ...]] = field(default_factory=list)
    names: _Names | None = None  # how lines name records (for a dry run's list)
    before: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # our records as they were

    def change(self, table: str, uuid: str, record: dict[str, Any]) -> None:
        self.result[table][uuid] = record
        if uuid not in self.added[table]:
            self.updated[table].add(uuid)

    def drop(self, table: str, uuid: str) -> None:
        del self.result[table][uuid]
        if uuid in self.added[table]:
            self.added[table].discard(uuid)
            self.tombstones.add(uuid)
        else:
            self.updated[table].discard(uuid)
            self.deleted[table].add(uuid)


# --- opening the other registry ----------------------------------------------------------------


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


# --- deciding ----------------------------------------------------------------------------------


def _decide(table: str, uuid: str, mine: dict[str, Any], theirs: dict[str, Any], ours: Side, other: Side,
            common: frozenset[str]) -> str:  # fmt: skip
    """``ours``, ``theirs`` or ``conflict`` for one record both sides hold, with different content."""
    theirs_known = ours.knows(table, uuid, theirs, common)
    ours_known = other.knows(table, uuid, mine, common)
    if theirs_known != ours_known:
        return "ours" if theirs_known else "theirs"
    if theirs_known or not (ours.seen.get(uuid) or other.seen.get(uuid)):
        if mine["updated_at"] != theirs["updated_at"]:
            return "ours" if mine["updated_at"] > theirs["updated_at"] else "theirs"
        if theirs_known:
            ho, ht = record_hash(_content(mine, common)), record_hash(_content(theirs, common))
            return "ours" if ho > ht else "theirs"
    return "conflict"


def _same(mine: dict[str, Any], theirs: dict[str, Any], common: frozenset[str]) -> bool:
    """The same content on the fields both registries have."""
    return all(mine.get(k) == theirs.get(k) for k in common)


class _Names:
    """How a record is named in a conflict line: group code, masked NIK, period."""

    def __init__(self, plan: Plan, ours: Side, other: Side) -> None:
        self.groups = {**other.records["groups"], **ours.records["groups"], **plan.result["groups"]}
        self.usaha = {**other.usaha, **ours.usaha}

    def code(self, group_uuid: str) -> str:
        group = self.groups.get(group_uuid)
        return group["code"] if group else group_uuid

    def where(self, table: str, record: dict[str, Any]) -> tuple[str, str]:
        if table == "groups":
            return "group", record["code"]
        if table == "members":
            return "member", _("{nik} in {code}").format(nik=mask_nik(record["nik"]), code=self.code(record["group"]))
        if table == "aid":
            return "aid", f"{self.code(record['group'])} {record['date']} {record['kind']}"
        if table == "visits":
            return "visit", f"{self.code(record['group'])} {record['date']} {record['officer']}"
        return "revenue", f"{self.code(record['group'])} {record['period']}"

    def value(self, column: str, value: Any) -> str:
        if column == "usaha":
            return self.usaha.get(value, {}).get("name", value)
        if column == "group":
            return self.code(value)
        if column in ("nik", "kk") and value:
            return mask_nik(value)
        if column == "phone" and value:
            return mask_phone(value)
        if column == "pkh_graduate":
            return _("yes") if value else _("no")
        return "" if value is None else str(value)

    def differences(self, mine: dict[str, Any], theirs: dict[str, Any]) -> str:
        parts = [
            _("{column} ours '{ours}', theirs '{theirs}'").format(column=_(COLUMN_LABELS.get(column, column)),
                ours=self.value(column, mine[column]), theirs=self.value(column, theirs[column]))
            for column in mine
            if column in theirs and mine[column] != theirs[column] and column not in ("updated_at", "created_at")
        ]  # fmt: skip
        return "; ".join(parts) or _("updated_at ours {ours}, theirs {theirs}").format(
            ours=mine["updated_at"], theirs=theirs["updated_at"]
        )


def _unify(ours: Side, other: Side, plan: Plan) -> None:
    """Same business type or revenue period under two UUIDs: both sides keep the smaller one."""
    by_name = {name_key(u["name"]): uuid for uuid, u in ours.usaha.items()}
    theirs_map: dict[str, str] = {}
    ours_map: dict[str, str] = {}
    for uuid, usaha in other.usaha.items():
        mine = uuid if uuid in ours.usaha else by_name.get(name_key(usaha["name"]))
        if mine is None:
            plan.usaha_new.append(uuid)
            continue
        canon, mine_usaha = min(mine, uuid), ours.usaha[mine]
        first = min(mine_usaha, usaha, key=lambda u: (u["created_at"], u["name"]))
        merged = {"name": first["name"], "builtin": max(mine_usaha["builtin"], usaha["builtin"]),
                  "created_at": first["created_at"]}  # fmt: skip
        if mine_usaha["builtin"] and usaha["builtin"]:  # the same everywhere, whenever it was seeded
            merged = mine_usaha
        if canon != mine or merged != mine_usaha:
            plan.usaha_changed[mine] = (canon, merged)
        theirs_map[uuid], ours_map[mine] = canon, canon
    for side, mapping in ((other, theirs_map), (ours, ours_map)):
        for group in side.records["groups"].values():
            group["usaha"] = mapping.get(group["usaha"], group["usaha"])
        side.aliases = {k: (a, mapping.get(u, u)) for k, (a, u) in side.aliases.items()}
    for old, (new, merged) in plan.usaha_changed.items():
        del ours.usaha[old]
        ours.usaha[new] = merged
    for uuid in plan.usaha_new:
        ours.usaha[uuid] = dict(other.usaha[uuid])

    mine_by_period = {(r["group"], r["period"]): uuid for uuid, r in ours.records["revenue"].items()}
    for uuid, record in list(other.records["revenue"].items()):
        mine = mine_by_period.get((record["group"], record["period"]))
        if mine is None or mine == uuid:
            continue
        canon = min(mine, uuid)
        if canon != mine:
            ours.rename("revenue", mine, canon)
            plan.revenue_renamed[mine] = canon
        else:
            other.rename("revenue", uuid, canon)


def _merge_records(ours: Side, other: Side, plan: Plan, prefer: str | None, names: _Names) -> None:
    for record in MERGED:
        table, common = record.table, plan.common[record.table]
        mine_all, result = ours.records[table], plan.result[table]
        for uuid, theirs in other.records[table].items():
            mine = mine_all.get(uuid)
            if mine is None and uuid in ours.deleted and _stays_deleted(theirs, uuid, ours, plan, prefer, names):
                continue
            if mine is None:  # a field their registry lacks takes what a registry of theirs would have had
                result[uuid] = {c.name: c.default for c in record.columns} | theirs
                plan.origin[table][uuid] = "theirs"
                plan.added[table].add(uuid)
                continue
            if _same(mine, theirs, common):
                plan.origin[table][uuid] = "both"
                continue
            decision = _decide(table, uuid, mine, theirs, ours, other, common)
            if decision == "conflict":
                what, where = names.where(table, mine)
                reason = _("changed on both sides since they last met: {changes}").format(
                    changes=names.differences(mine, theirs)
                )
                if prefer is None:
                    plan.conflicts.append(Problem(what, where, reason, _("use --prefer ours or --prefer theirs")))
                    continue
                decision = prefer
                plan.choices.append(("merge.prefer", where, {"table": table, "kept": prefer, "conflict": reason}))
            plan.origin[table][uuid] = decision
            if decision == "theirs":  # what their registry does not have stays as we have it
                plan.change(table, uuid, mine | theirs)
        for uuid in mine_all.keys() & other.deleted - other.records[table].keys():
            if other.knows(table, uuid, mine_all[uuid], common) or _deletion_conflict(
                plan, table, names.where(table, mine_all[uuid]), prefer, keep="ours", side=_("there")
            ):
                plan.drop(table, uuid)


def _stays_deleted(
    theirs: dict[str, Any], uuid: str, ours: Side, plan: Plan, prefer: str | None, names: _Names
) -> bool:
    """A revenue record we deleted and they still have: unchanged since we knew it → stays deleted."""
    if ours.knows("revenue", uuid, theirs, plan.common["revenue"]):
        return True
    where = names.where("revenue", theirs)
    return _deletion_conflict(plan, "revenue", where, prefer, keep="theirs", side=_("here"))


def _deletion_conflict(plan: Plan, table: str, where: tuple[str, str], prefer: str | None, keep: str,
                       side: str) -> bool:  # fmt: skip
    """A record deleted on one side and changed on the other: True when it is to be deleted."""
    reason = _("was deleted {side} and changed on the other side since they last met").format(side=side)
    if prefer is None:
        plan.conflicts.append(Problem(*where, reason, _("use --prefer ours or --prefer theirs")))
        return False
    plan.choices.append(("merge.prefer", where[1], {"table": table, "kept": prefer, "conflict": reason}))
    return prefer != keep


def _loser(plan: Plan, table: str, uuids: list[str], prefer: str) -> list[str]:
    """All but the one record the preferred side brought (or the first, when none did)."""
    winners = [u for u in uuids if plan.origin[table].get(u, "ours") in (prefer, "both")]
    keep = winners[0] if winners else uuids[0]
    return [u for u in uuids if u != keep]


def _side_of(plan: Plan, table: str, uuid: str) -> str:
    """Which registry brought the record, as a conflict line says it."""
    origin = plan.origin[table].get(uuid, "ours")
    return _(SIDE_LABELS["ours" if origin == "both" else origin])


def _check_codes(plan: Plan, prefer: str | None) -> None:
    from kube_cli.registry import new_group_code

    by_code: dict[str, list[str]] = defaultdict(list)
    for uuid, group in plan.result["groups"].items():
        by_code[group["code"].casefold()].append(uuid)
    for uuids in [u for u in by_code.values() if len(u) > 1]:
        groups = [plan.result["groups"][u] for u in uuids]
        both = "; ".join(f"{_side_of(plan, 'groups', u)} '{g['name']}' ({g['kelurahan_kode']})"
                         for u, g in zip(uuids, groups, strict=True))  # fmt: skip
        reason = _("is the code of two different groups: {both}").format(both=both)
        if prefer is None:
            plan.conflicts.append(Problem("code", groups[0]["code"], reason, _("use --prefer ours or --prefer theirs")))
            continue
        for uuid in _loser(plan, "groups", uuids, prefer):
            code = new_group_code()
            while code.casefold() in by_code:
                code = new_group_code()
            old = plan.result["groups"][uuid]["code"]
            plan.change("groups", uuid, {**plan.result["groups"][uuid], "code": code, "updated_at": now()})
            plan.choices.append(("merge.prefer", old, {"table": "groups", "kept": prefer, "conflict": reason,
                                                       "new_code": code}))  # fmt: skip


def _check_members(plan: Plan, prefer: str | None, names: _Names) -> None:
    members = plan.result["members"]
    for rule in ("nik", "ketua"):
        clashes: dict[Any, list[str]] = defaultdict(list)
        for uuid, m in members.items():
            if m["removed_at"] is None and (rule == "nik" or m["role"] == "ketua"):
                clashes[m["nik"] if rule == "nik" else m["group"]].append(uuid)
        for key, uuids in clashes.items():
            if len(uuids) < 2:
                continue
            listed = "; ".join(f"{_side_of(plan, 'members', u)} {names.code(members[u]['group'])} '{members[u]['name']}'"
                               for u in uuids)  # fmt: skip
            if rule == "nik":
                field_, value = "nik", mask_nik(key)
                reason = _("is current in two places: {both}").format(both=listed)
            else:
                field_, value = "ketua", names.code(key)
                reason = _("group has two ketua: {both}").format(both=listed)
            if prefer is None:
                plan.conflicts.append(Problem(field_, value, reason, _("use --prefer ours or --prefer theirs")))
                continue
            stamp = now()
            for uuid in _loser(plan, "members", uuids, prefer):
                change = {"removed_at": stamp} if rule == "nik" else {"role": "anggota"}
                plan.change("members", uuid, {**members[uuid], **change, "updated_at": stamp})
                plan.choices.append(("merge.prefer", value, {"table": "members", "kept": prefer, "conflict": reason,
                                                             "changed": change}))  # fmt: skip


def _check_revenue_years(plan: Plan, prefer: str | None, names: _Names) -> None:
    """A year's revenue is its yearly record or the sum of its months, never both."""
    by_year: dict[tuple[str, int], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for uuid, record in plan.result["revenue"].items():
        by_year[(record["group"], record["year"])][len(record["period"]) != 4].append(uuid)
    for (group, year), (yearly, monthly) in by_year.items():
        if not (yearly and monthly):
            continue
        where = f"{names.code(group)} {year}"
        reason = _("has a yearly record ({yearly}) and {n} monthly ({monthly}): a year is one or the other").format(
            yearly=_side_of(plan, "revenue", yearly[0]), n=len(monthly),
            monthly=", ".join(sorted({_side_of(plan, "revenue", u) for u in monthly})))  # fmt: skip
        if prefer is None:
            plan.conflicts.append(Problem("revenue", where, reason, _("use --prefer ours or --prefer theirs")))
            continue
        keep_yearly = plan.origin["revenue"].get(yearly[0], "ours") in (prefer, "both")
        for uuid in monthly if keep_yearly else yearly:
            plan.drop("revenue", uuid)
        plan.choices.append(("merge.prefer", where, {"table": "revenue", "kept": prefer, "conflict": reason}))


def _merge_aliases(ours: Side, other: Side, plan: Plan, prefer: str | None) -> None:
    for key, (alias, uuid) in other.aliases.items():
        mine = ours.aliases.get(key)
        if mine is None:
            plan.aliases_new[key] = (alias, uuid)
        elif mine[1] != uuid:
            reason = _("means '{ours}' here, '{theirs}' there").format(
                ours=ours.usaha[mine[1]]["name"], theirs=ours.usaha[uuid]["name"]
            )
            if prefer is None:
                plan.conflicts.append(Problem("alias", alias, reason, _("use --prefer ours or --prefer theirs")))
            elif prefer == "theirs":
                plan.aliases_repointed[key] = uuid
                plan.choices.append(("merge.prefer", alias, {"table": "usaha_alias", "kept": prefer,
                                                             "conflict": reason}))  # fmt: skip


def _check_places(registry: Registry, plan: Plan) -> None:
    known = {row[0] for row in registry.conn.execute("SELECT kode FROM wilayah WHERE level = 'kelurahan_desa'")}
    for table_uuid in plan.added["groups"] | plan.updated["groups"]:
        group = plan.result["groups"][table_uuid]
        if group["kelurahan_kode"] not in known:
            plan.conflicts.append(Problem(
                "kelurahan", group["kelurahan_kode"],
                _("of group {code} is outside this registry's region ({scope})").format(
                    code=group["code"], scope=registry.region),
                _("merge registries of the same region"),
            ))  # fmt: skip


def _refused(ours: Side, other: Side, plan: Plan, names: _Names) -> list[Problem]:
    """Every record this merge brings in, through the checks a command makes (``validate``): a registry
    file can be edited by hand. Refused whatever ``--prefer`` says, like a bad row of an import."""
    from kube_cli import validate

    problems = [p for uuid in plan.usaha_new for p in validate.usaha(other.usaha[uuid]["name"])]
    problems += [p for alias, _uuid in plan.aliases_new.values() for p in validate.usaha(alias, alias=True)]
    checks = {"groups": lambda r, w: validate.group(r, w, set(ours.usaha)), "members": validate.member,
              "aid": validate.aid, "revenue": validate.revenue, "visits": validate.visit}  # fmt: skip
    for table in RECORD_TABLES:
        for uuid in sorted(plan.added[table] | plan.updated[table]):
            if plan.origin[table].get(uuid) == "theirs":
                record = plan.result[table][uuid]
                problems += checks[table](record, names.where(table, record))
    return problems


def _load_other(other_conn: sqlite3.Connection) -> Side:
    """The other registry's records; a damaged file is refused naming it (not as this registry's damage)."""
    from kube_cli.errors import Damaged, damage

    try:
        return Side.load(other_conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        if (what := damage(error)) is None:
            raise
        path = other_conn.execute("PRAGMA database_list").fetchone()[2]
        raise Damaged("other", path, _("is damaged: {problem}").format(problem=what)) from None


def plan_merge(registry: Registry, other_conn: sqlite3.Connection, prefer: str | None) -> Plan:
    ours, other = Side.load(registry.conn), _load_other(other_conn)
    plan = Plan(result={}, common={t: ours.fields[t] & other.fields[t] for t in RECORD_TABLES})
    _unify(ours, other, plan)
    plan.result = {t: dict(ours.records[t]) for t in RECORD_TABLES}
    names = _Names(plan, ours, other)
    plan.names, plan.before = names, ours.records
    _merge_records(ours, other, plan, prefer, names)
    _merge_aliases(ours, other, plan, prefer)
    if refused := _refused(ours, other, plan, names):  # bad records first: the rules below trust their values
        plan.conflicts += refused
        return plan
    _check_codes(plan, prefer)
    _check_members(plan, prefer, names)
    _check_revenue_years(plan, prefer, names)
    _check_places(registry, plan)
    for table in RECORD_TABLES:
        for uuid, theirs in other.records[table].items():  # shown their version, we hold another
            if uuid in ours.records[table] and ours.knows(table, uuid, theirs, plan.common[table]):
                continue
            if not _same(plan.result[table].get(uuid) or {}, theirs, plan.common[table]):
                plan.seen[(uuid, record_hash(theirs))] = _ENCODER.encode(theirs)
    plan.audit_rows = [
        row for row in other_conn.execute(
            "SELECT uuid, time, officer, action, target, detail FROM audit_log ORDER BY time, id")
        if row[0] not in ours.audit_uuids
    ]  # fmt: skip
    plan.usaha_rows = [(u, *(other.usaha[u][k] for k in ("name", "builtin", "created_at"))) for u in plan.usaha_new]
    return plan


# --- writing -----------------------------------------------------------------------------------

_PARK = {
    "groups": "UPDATE groups SET code = '~' || uuid WHERE uuid = ?",
    "members": "UPDATE members SET removed_at = '~', role = 'anggota' WHERE uuid = ?",
    "aid": None,
    "revenue": "UPDATE revenue SET period = '~' || uuid WHERE uuid = ?",
}


def _write(registry: Registry, plan: Plan, other_name: str, summary: dict[str, Any], prefer: str | None) -> None:
    conn = registry.conn
    for old, (new, usaha) in plan.usaha_changed.items():
        conn.execute("UPDATE usaha SET uuid = ?, name = ?, builtin = ?, created_at = ? WHERE uuid = ?",
                     (new, usaha["name"], usaha["builtin"], usaha["created_at"], old))  # fmt: skip
    conn.executemany("INSERT INTO usaha (uuid, name, builtin, created_at) VALUES (?, ?, ?, ?)", plan.usaha_rows)
    ids = {"usaha": dict(conn.execute("SELECT uuid, id FROM usaha").fetchall())}
    conn.executemany("INSERT INTO usaha_alias (key, alias, usaha_id) VALUES (?, ?, ?)",
                     [(k, a, ids["usaha"][u]) for k, (a, u) in plan.aliases_new.items()])  # fmt: skip
    conn.executemany("UPDATE usaha_alias SET usaha_id = ? WHERE key = ?",
                     [(ids["usaha"][u], k) for k, u in plan.aliases_repointed.items()])  # fmt: skip
    for old, new in plan.revenue_renamed.items():
        conn.execute("UPDATE revenue SET uuid = ? WHERE uuid = ?", (new, old))
    conn.executemany("DELETE FROM revenue WHERE uuid = ?", [(u,) for u in sorted(plan.deleted["revenue"])])
    for record_kind in MERGED:
        table, columns = record_kind.table, record_kind.columns
        stored = [c.stored for c in columns]

        def values(uuid: str, columns: tuple[Column, ...] = columns, table: str = table) -> list[Any]:
            record = plan.result[table][uuid]
            return [ids[c.ref][record[c.name]] if c.ref else record[c.name] for c in columns]

        updated, added = sorted(plan.updated[table]), sorted(plan.added[table])
        if _PARK.get(table):
            conn.executemany(_PARK[table], [(u,) for u in updated])
        conn.executemany(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in stored)} WHERE uuid = ?",
                         [(*values(u), u) for u in updated])  # fmt: skip
        conn.executemany(f"INSERT INTO {table} (uuid, {', '.join(stored)}) VALUES (?{', ?' * len(stored)})",
                         [(u, *values(u)) for u in added])  # fmt: skip
        if table == "groups":
            ids["groups"] = dict(conn.execute("SELECT uuid, id FROM groups").fetchall())
    conn.executemany("INSERT INTO audit_log (uuid, time, officer, action, target, detail) VALUES (?,?,?,?,?,?)",
                     plan.audit_rows)  # fmt: skip
    conn.executemany("INSERT OR IGNORE INTO merge_seen (uuid, hash, content) VALUES (?, ?, ?)",
                     sorted((u, h, content) for (u, h), content in plan.seen.items()))  # fmt: skip
    conn.executemany("INSERT OR IGNORE INTO record_history (uuid, content) VALUES (?, 'deleted')",
                     [(u,) for u in sorted(plan.tombstones)])  # fmt: skip
    if summary["added"] or summary["updated"] or summary["audit_added"]:
        for action, target, detail in plan.choices:
            registry.audit(action, target, detail)
        registry.audit(
            "merge",
            other_name,
            {k: summary[k] for k in ("added", "updated", "unchanged", "conflicts", "audit_added")}
            | {"prefer": prefer or ""},
        )


class MergeRefused(KubeError):
    """Conflicts without ``--prefer``; ``changes`` is what a dry run would have done besides."""

    changes: list[dict[str, str]] = []  # noqa: RUF012 - set per instance by merge()


def merge(
    registry: Registry, other_path: Path, *, dry_run: bool = False, prefer: str | None = None,
    keep: Callable[[Registry], Path] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Merge the registry at ``other_path`` into ``registry``; returns the counts, and for a dry
    run ``changes``: one line per record it would add, update, remove or refuse.

    Conflicts without ``prefer`` raise ``MergeRefused`` listing each, and nothing is written. ``keep``
    copies the registry as it was before a merge that changes something (``kept``: the copy's path).
    """
    other_conn = open_other(other_path, registry)
    # the copy is taken before the write transaction (SQLite cannot back up a connection inside its
    # own write), and removed again when the merge is refused or changes nothing
    kept = keep(registry) if keep is not None and not dry_run else None
    try:
        with registry.atomic():
            plan = plan_merge(registry, other_conn, prefer)
            changes = planned_changes(plan) if dry_run else []
            if plan.conflicts:
                refused = MergeRefused.many(plan.conflicts)
                refused.changes = changes
                raise refused
            summary = _summary(registry, plan, other_path, dry_run)
            if dry_run:
                summary["changes"] = changes
            if not dry_run:
                try:
                    _write(registry, plan, other_path.name, summary, prefer)
                except sqlite3.IntegrityError as error:
                    raise KubeError("other", str(other_path), _("cannot be merged: {error}").format(error=error),
                                    _("run `kube check` on both registries")) from None  # fmt: skip
    except BaseException:
        if kept is not None:
            kept.unlink(missing_ok=True)
        raise
    finally:
        other_conn.close()
    if kept is not None and (summary["added"] or summary["updated"]):
        summary["kept"] = str(kept)
    elif kept is not None:
        kept.unlink(missing_ok=True)
    return summary


def _summary(registry: Registry, plan: Plan, other_path: Path, dry_run: bool) -> dict[str, Any]:
    tables: dict[str, dict[str, int]] = {}
    for table in RECORD_TABLES:
        (total,) = registry.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        added, updated, deleted = len(plan.added[table]), len(plan.updated[table]), len(plan.deleted[table])
        tables[table] = {"added": added, "updated": updated + deleted, "unchanged": total - updated - deleted}
        if deleted:
            tables[table]["deleted"] = deleted
    tables["usaha"] = {
        "added": len(plan.usaha_new) + len(plan.aliases_new),
        "updated": len(plan.usaha_changed) + len(plan.aliases_repointed),
        "unchanged": 0,
    }
    return {
        "file": str(other_path),
        "dry_run": dry_run,
        **{key: sum(t[key] for t in tables.values()) for key in ("added", "updated", "unchanged")},
        "conflicts": len(plan.choices),
        "audit_added": len(plan.audit_rows),
        "tables": tables,
    }


def planned_changes(plan: Plan) -> list[dict[str, str]]:
    """What merging would do to each record, one entry each: ``action`` (add, update, remove,
    refuse), ``table`` and ``record`` (named by code, masked NIK, date or period)."""
    names = plan.names
    assert names is not None
    changes = []

    def line(table: str, record: dict[str, Any]) -> str:
        where = names.where(table, record)[1]
        return f"{where} '{record['name']}'" if table in ("groups", "members") else where

    for table in RECORD_TABLES:
        for uuid in sorted(plan.added[table], key=lambda u: line(table, plan.result[table][u])):
            changes.append({"action": "add", "table": table, "record": line(table, plan.result[table][uuid])})
        for uuid in sorted(plan.updated[table], key=lambda u: line(table, plan.result[table][u])):
            mine, theirs = plan.before[table].get(uuid), plan.result[table][uuid]
            what = line(table, theirs) + (": " + names.differences(mine, theirs) if mine else "")
            changes.append({"action": "update", "table": table, "record": what})
        for uuid in sorted(plan.deleted[table]):
            if (mine := plan.before[table].get(uuid)) is not None:
                changes.append({"action": "remove", "table": table, "record": line(table, mine)})
    changes += [{"action": "add", "table": "usaha", "record": row[1]} for row in plan.usaha_rows]
    changes += [{"action": "add", "table": "usaha", "record": f"{alias} → {names.usaha.get(uuid, {}).get('name', uuid)}"}
                for alias, uuid in sorted(plan.aliases_new.values())]  # fmt: skip
    changes += [{"action": "refuse", "table": "", "record": str(p)} for p in plan.conflicts]
    changes += [{"action": "refuse", "table": detail["table"], "record": f"{where}: {detail['conflict']}"}
                for _action, where, detail in plan.choices]  # fmt: skip
    return changes
