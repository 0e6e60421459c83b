"""Writing a decided merge into this registry, in the transaction ``merge`` holds, and its counts."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from kube_cli.db import Registry
from kube_cli.merge_plan import Plan
from kube_cli.merge_sides import RECORD_TABLES
from kube_cli.records import MERGED, Record

_PARK = {
    "groups": "UPDATE groups SET code = '~' || uuid WHERE uuid = ?",
    "members": "UPDATE members SET removed_at = '~', role = 'anggota' WHERE uuid = ?",
    "aid": None,
    "revenue": "UPDATE revenue SET period = '~' || uuid WHERE uuid = ?",
}


def write_plan(registry: Registry, plan: Plan, other_name: str, summary: dict[str, Any], prefer: str | None) -> None:
    conn = registry.conn
    ids = _write_usaha(conn, plan)
    for old, new in plan.revenue_renamed.items():
        conn.execute("UPDATE revenue SET uuid = ? WHERE uuid = ?", (new, old))
    conn.executemany("DELETE FROM revenue WHERE uuid = ?", [(u,) for u in sorted(plan.deleted["revenue"])])
    for record_kind in MERGED:
        _write_records(conn, plan, record_kind, ids)
        if record_kind.table == "groups":
            ids["groups"] = dict(conn.execute("SELECT uuid, id FROM groups").fetchall())
    _write_history(conn, plan)
    if summary["added"] or summary["updated"] or summary["audit_added"]:
        for action, target, detail in plan.choices:
            registry.audit(action, target, detail)
        registry.audit(
            "merge",
            other_name,
            {k: summary[k] for k in ("added", "updated", "unchanged", "conflicts", "audit_added")}
            | {"prefer": prefer or ""},
        )


def _write_usaha(conn: sqlite3.Connection, plan: Plan) -> dict[str, dict[str, int]]:
    """The business types and their aliases; returns the usaha ids by UUID, as ``{"usaha": ...}``."""
    for old, (new, usaha) in plan.usaha_changed.items():
        conn.execute(
            "UPDATE usaha SET uuid = ?, name = ?, builtin = ?, created_at = ? WHERE uuid = ?",
            (new, usaha["name"], usaha["builtin"], usaha["created_at"], old),
        )
    conn.executemany("INSERT INTO usaha (uuid, name, builtin, created_at) VALUES (?, ?, ?, ?)", plan.usaha_rows)
    ids = {"usaha": dict(conn.execute("SELECT uuid, id FROM usaha").fetchall())}
    conn.executemany(
        "INSERT INTO usaha_alias (key, alias, usaha_id) VALUES (?, ?, ?)",
        [(k, a, ids["usaha"][u]) for k, (a, u) in plan.aliases_new.items()],
    )
    conn.executemany(
        "UPDATE usaha_alias SET usaha_id = ? WHERE key = ?",
        [(ids["usaha"][u], k) for k, u in plan.aliases_repointed.items()],
    )
    return ids


def _write_records(conn: sqlite3.Connection, plan: Plan, record_kind: Record, ids: dict[str, dict[str, int]]) -> None:
    """One table's updated and added records, a reference (``ref``) written as the id it names."""
    table, columns = record_kind.table, record_kind.columns
    stored = [c.stored for c in columns]

    def values(uuid: str) -> list[Any]:
        record = plan.result[table][uuid]
        return [ids[c.ref][record[c.name]] if c.ref else record[c.name] for c in columns]

    updated, added = sorted(plan.updated[table]), sorted(plan.added[table])
    if _PARK.get(table):
        conn.executemany(_PARK[table], [(u,) for u in updated])
    conn.executemany(
        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in stored)} WHERE uuid = ?",
        [(*values(u), u) for u in updated],
    )
    conn.executemany(
        f"INSERT INTO {table} (uuid, {', '.join(stored)}) VALUES (?{', ?' * len(stored)})",
        [(u, *values(u)) for u in added],
    )


def _write_history(conn: sqlite3.Connection, plan: Plan) -> None:
    """Their audit entries we lack, the versions this merge was shown, and the records deleted for good."""
    conn.executemany(
        "INSERT INTO audit_log (uuid, time, officer, action, target, detail) VALUES (?,?,?,?,?,?)", plan.audit_rows
    )
    conn.executemany(
        "INSERT OR IGNORE INTO merge_seen (uuid, hash, content) VALUES (?, ?, ?)",
        sorted((u, h, content) for (u, h), content in plan.seen.items()),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO record_history (uuid, content) VALUES (?, 'deleted')",
        [(u,) for u in sorted(plan.tombstones)],
    )


def plan_summary(registry: Registry, plan: Plan, other_path: Path, dry_run: bool) -> dict[str, Any]:
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
