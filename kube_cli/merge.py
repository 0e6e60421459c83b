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

This module decides each record and runs the merge; ``merge_sides`` reads each registry (of any
schema version), ``merge_plan`` holds the decisions and names records in lines, ``merge_conflicts``
checks the rules on the merged result, ``merge_write`` writes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kube_cli.db import Registry
from kube_cli.errors import KubeError, Problem
from kube_cli.i18n import _
from kube_cli.merge_conflicts import check_codes, check_members, check_places, check_revenue_years, refused_records
from kube_cli.merge_plan import Names, Plan, planned_changes
from kube_cli.merge_sides import ENCODER, RECORD_TABLES, Side, load_other, open_other, record_hash
from kube_cli.merge_write import plan_summary, write_plan
from kube_cli.records import MERGED
from kube_cli.vocab import name_key

# --- deciding ----------------------------------------------------------------------------------


def _content(record: dict[str, Any], fields: set[str] | frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k in fields}


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


def _merge_records(ours: Side, other: Side, plan: Plan, prefer: str | None, names: Names) -> None:
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


def _stays_deleted(theirs: dict[str, Any], uuid: str, ours: Side, plan: Plan, prefer: str | None, names: Names) -> bool:
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


def plan_merge(registry: Registry, other_conn: sqlite3.Connection, prefer: str | None) -> Plan:
    ours, other = Side.load(registry.conn), load_other(other_conn)
    plan = Plan(result={}, common={t: ours.fields[t] & other.fields[t] for t in RECORD_TABLES})
    _unify(ours, other, plan)
    plan.result = {t: dict(ours.records[t]) for t in RECORD_TABLES}
    names = Names(plan, ours, other)
    plan.names, plan.before = names, ours.records
    _merge_records(ours, other, plan, prefer, names)
    _merge_aliases(ours, other, plan, prefer)
    if refused := refused_records(ours, other, plan, names):  # bad records first: the rules below trust their values
        plan.conflicts += refused
        return plan
    check_codes(plan, prefer)
    check_members(plan, prefer, names)
    check_revenue_years(plan, prefer, names)
    check_places(registry, plan)
    for table in RECORD_TABLES:
        for uuid, theirs in other.records[table].items():  # shown their version, we hold another
            if uuid in ours.records[table] and ours.knows(table, uuid, theirs, plan.common[table]):
                continue
            if not _same(plan.result[table].get(uuid) or {}, theirs, plan.common[table]):
                plan.seen[(uuid, record_hash(theirs))] = ENCODER.encode(theirs)
    plan.audit_rows = [
        row for row in other_conn.execute(
            "SELECT uuid, time, officer, action, target, detail FROM audit_log ORDER BY time, id")
        if row[0] not in ours.audit_uuids
    ]  # fmt: skip
    plan.usaha_rows = [(u, *(other.usaha[u][k] for k in ("name", "builtin", "created_at"))) for u in plan.usaha_new]
    return plan


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
            summary = _merge_in(registry, other_conn, other_path, dry_run, prefer)
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


def _merge_in(
    registry: Registry, other_conn: sqlite3.Connection, other_path: Path, dry_run: bool, prefer: str | None
) -> dict[str, Any]:
    """Inside the merge's transaction: plan it, refuse its conflicts, and write it unless a dry run."""
    plan = plan_merge(registry, other_conn, prefer)
    changes = planned_changes(plan) if dry_run else []
    if plan.conflicts:
        refused = MergeRefused.many(plan.conflicts)
        refused.changes = changes
        raise refused
    summary = plan_summary(registry, plan, other_path, dry_run)
    if dry_run:
        summary["changes"] = changes
        return summary
    try:
        write_plan(registry, plan, other_path.name, summary, prefer)
    except sqlite3.IntegrityError as error:
        raise KubeError(
            "other",
            str(other_path),
            _("cannot be merged: {error}").format(error=error),
            _("run `kube check` on both registries"),
        ) from None
    return summary
