"""The rules a merged result must keep, checked on the plan: one group per code, one current place
per NIK and one ketua per group, a year's revenue yearly or monthly, groups of this region, and every
record brought in valid as a command would have it. A break is a conflict, or with ``--prefer`` the
losing side's record is changed as the rule needs and the choice is noted for the audit log."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kube_cli.db import Registry, now
from kube_cli.errors import Problem
from kube_cli.i18n import N_, _
from kube_cli.merge_plan import Names, Plan
from kube_cli.merge_sides import RECORD_TABLES, Side
from kube_cli.vocab import mask_nik

# How a conflict line names a side (the database's names are not for people).
# TRANSLATORS: "ours"/"theirs" name the two registries in a merge conflict, as --prefer ours/theirs does.
SIDE_LABELS = {"ours": N_("ours"), "theirs": N_("theirs")}


def _loser(plan: Plan, table: str, uuids: list[str], prefer: str) -> list[str]:
    """All but the one record the preferred side brought (or the first, when none did)."""
    winners = [u for u in uuids if plan.origin[table].get(u, "ours") in (prefer, "both")]
    keep = winners[0] if winners else uuids[0]
    return [u for u in uuids if u != keep]


def _side_of(plan: Plan, table: str, uuid: str) -> str:
    """Which registry brought the record, as a conflict line says it."""
    origin = plan.origin[table].get(uuid, "ours")
    return _(SIDE_LABELS["ours" if origin == "both" else origin])


def check_codes(plan: Plan, prefer: str | None) -> None:
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


def check_members(plan: Plan, prefer: str | None, names: Names) -> None:
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


def check_revenue_years(plan: Plan, prefer: str | None, names: Names) -> None:
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


def check_places(registry: Registry, plan: Plan) -> None:
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


def refused_records(ours: Side, other: Side, plan: Plan, names: Names) -> list[Problem]:
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
