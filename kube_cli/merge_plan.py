"""What a merge would do (``Plan``: the final records and how each came about), how its lines name
a record and a change (``Names``), and the dry run's list of changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from kube_cli.errors import Problem
from kube_cli.i18n import N_, _
from kube_cli.merge_sides import RECORD_TABLES, Side
from kube_cli.vocab import mask_nik, mask_phone

# How a line names a column (the database's names are not for people).
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
    names: Names | None = None  # how lines name records (for a dry run's list)
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


class Names:
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
