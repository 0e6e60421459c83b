"""Finding people and groups: ``kube find`` and the history ``kube member show`` tells.

An officer mid-visit knows a name, a piece of a code, or the last 4 digits of a NIK; these
functions turn that into the records, each naming its group.
"""

from __future__ import annotations

import json
from typing import Any

from kube_cli.db import Registry
from kube_cli.errors import NotFound
from kube_cli.i18n import _
from kube_cli.registry import (
    GROUP_SELECT,
    MEMBER_SELECT,
    generated_code,
    member_key,
    public_group,
    public_member,
)
from kube_cli.vocab import clean_text, mask_nik, name_key

_DROP = str.maketrans("", "", " -_.'’`")


def _key(text: str | None) -> str:
    """``name_key``, fast for the common plain-ASCII name (a find reads every member's name)."""
    if text is None:
        return ""
    if text.isascii():
        return text.lower().translate(_DROP)
    return name_key(text)


def _name_matches(column: str) -> str:
    """SQL: ``column``'s key holds ``:key``. A plain-ASCII name must first hold the key's letters in
    order (``LIKE '%s%i%t%i%'``, in C), so Python keys only those and the names with accents."""
    return f"(({column} LIKE :pattern ESCAPE '\\' OR {column} GLOB '*[^ -~]*') AND instr(kube_key({column}), :key))"


def _subsequence(key: str) -> str:
    escaped = (c.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for c in key)
    return "%" + "%".join(escaped) + "%"


def find(registry: Registry, text: str) -> list[dict[str, Any]]:
    """Groups whose code or name holds ``text``, and current members whose name holds it (case,
    accents and spaces ignored) or whose NIK is it (whole, or its last 4 digits). Groups first."""
    typed = clean_text(text, "text", max_len=200)
    key = _key(typed)
    digits = typed.replace(" ", "").replace(".", "").lstrip("'")
    registry.conn.create_function("kube_key", 1, _key, deterministic=True)
    code_key = (generated_code(typed) or typed).casefold()
    # (a TEXT of only spaces and dashes has an empty key: then no name matches, "\x00" is in none)
    params = {"code": code_key, "key": key or "\x00", "pattern": _subsequence(key), "digits": digits}
    groups = registry.query(
        GROUP_SELECT + f" WHERE g.removed_at IS NULL AND (instr(lower(g.code), :code) OR ({_name_matches('g.name')})) "
        "ORDER BY g.code",
        params,
    )
    member_where = _name_matches("m.name")
    if digits.isascii() and digits.isdigit() and len(digits) in (4, 16):
        member_where += " OR m.nik = :digits" if len(digits) == 16 else " OR substr(m.nik, 13) = :digits"
    members = registry.query(
        MEMBER_SELECT + f" WHERE m.removed_at IS NULL AND g.removed_at IS NULL AND ({member_where}) "
        "ORDER BY g.code, m.name, m.id",
        params,
    )
    rows: list[dict[str, Any]] = [{"kind": "group", "code": g["code"], "name": g["name"]} for g in groups]
    rows += [
        {"kind": "member", "code": m["group_code"], "name": m["name"], "id": m["id"], "nik": mask_nik(m["nik"]),
         "role": m["role"]}
        for m in members
    ]  # fmt: skip
    return rows


def member_show(registry: Registry, member: str, show_nik: bool = False) -> dict[str, Any]:
    """A member (current, or removed: by id, or by a NIK no current member holds), their group and
    their history from the audit log (added, edits, moves, removal), oldest first."""
    value = member_key(member, "member")
    where, params = ("nik = ?", (value,)) if len(value) == 16 else ("id = ?", (int(value),))
    found = registry.conn.execute(
        f"SELECT id, removed_at FROM members WHERE {where} ORDER BY removed_at IS NOT NULL, removed_at DESC, id DESC",
        params,
    ).fetchone()
    if found is None:
        shown = mask_nik(value) if len(value) == 16 else value
        raise NotFound("member", shown, _("no member with this NIK or id"), _("see `kube find` or `kube member list`"))
    row = registry.query(MEMBER_SELECT + " WHERE m.id = ?", (found[0],))[0]
    record = public_member(row, show_nik)
    record["removed_at"] = found[1]
    group = registry.query(GROUP_SELECT + " WHERE g.id = ?", (row["group_id"],))[0]
    record["group"] = public_group(group)
    record["history"] = member_history(registry, row["id"])
    if show_nik:
        with registry.atomic():
            registry.audit("nik.show", row["group_code"], {"command": "member show", "members": 1})
    return record


def member_history(registry: Registry, member_id: int) -> list[dict[str, Any]]:
    """The audit entries about one member, oldest first, details as recorded (NIKs masked)."""
    rows = registry.query(
        "SELECT time, officer, action, target, detail FROM audit_log "
        "WHERE action LIKE 'member.%' AND json_extract(detail, '$.member_id') = ? ORDER BY time, id",
        (member_id,),
    )
    for row in rows:
        detail = json.loads(row["detail"] or "{}")
        detail.pop("member_id", None)
        row["detail"] = detail
    return rows
