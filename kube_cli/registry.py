"""Groups and their members: the registry's domain operations.

Functions take an open ``Registry`` and plain values as typed, check everything, then write in
one transaction with its audit row. They return plain dicts, ready for ``output``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from kube_cli.db import Registry, new_uuid, now
from kube_cli.errors import Conflict, KubeError, NotFound
from kube_cli.i18n import _
from kube_cli.places import Places
from kube_cli.records import GROUPS, MEMBERS, present
from kube_cli.vocab import (
    clean_text,
    mask_nik,
    mask_phone,
    nik_gender,
    parse_bool,
    parse_desil,
    parse_gender,
    parse_kk,
    parse_nik,
    parse_phone,
    parse_role,
    parse_stage,
    parse_status,
    parse_year,
)

MIN_MEMBERS, MAX_MEMBERS = 5, 20  # Permensos 2/2019: a KUBE has 5 to 20 members
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")

GROUP_SELECT = GROUPS.select()
GROUP_KEYS = GROUPS.keys()
MEMBER_KEYS = MEMBERS.keys()


def new_group_code() -> str:
    """``K-`` and 9 base32 characters: 45 random bits, so laptops offline never collide."""
    return "K-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(9))


def size_warning(members: int) -> str:
    if members < MIN_MEMBERS:
        return _("{n} members: a KUBE needs at least {min}").format(n=members, min=MIN_MEMBERS)
    if members > MAX_MEMBERS:
        return _("{n} members: a KUBE has at most {max}").format(n=members, max=MAX_MEMBERS)
    return ""


# --- groups ---------------------------------------------------------------------------------


def parse_code(text: str, field: str = "code") -> str:
    value = clean_text(text, field, max_len=32)
    if not _CODE.match(value):
        raise KubeError(field, value, _("may hold only letters, digits and . _ / -"))
    return value


def get_group(registry: Registry, code: str, field: str = "code") -> dict[str, Any]:
    rows = registry.query(GROUP_SELECT + " WHERE g.code = ?", (code.strip(),))
    if not rows:
        raise NotFound(field, code.strip(), _("no such group"), _("see `kube group list`"))
    return rows[0]


def public_group(row: dict[str, Any]) -> dict[str, Any]:
    return present(GROUPS, row, GROUP_KEYS)


def group_add(
    registry: Registry, name: str, kelurahan: str, usaha: str,
    year: str | None = None, code: str | None = None, note: str | None = None, stage: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Register a new KUBE; its code is generated unless given; it starts at stage penumbuhan unless told."""
    places = Places(registry)
    values = {
        "name": clean_text(name, "name"),
        "kelurahan": places.kelurahan(kelurahan),
        "usaha": places.usaha(usaha),
        "year": parse_year(year) if year is not None else int(now()[:4]),
        "note": clean_text(note, "note", required=False, max_len=2000),
        "stage": parse_stage(stage) if stage is not None else "penumbuhan",
    }
    group_code = parse_code(code) if code is not None else new_group_code()
    stamp = now()
    with registry.atomic() as conn:
        if conn.execute("SELECT 1 FROM groups WHERE code = ?", (group_code,)).fetchone():
            raise Conflict("code", group_code, _("is already the code of another group"))
        conn.execute(
            "INSERT INTO groups (uuid, code, name, kelurahan_kode, usaha_id, year, status, note, stage, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, 'aktif', ?, ?, ?, ?)",
            (new_uuid(), group_code, values["name"], values["kelurahan"].kode, values["usaha"].id,
             values["year"], values["note"], values["stage"], stamp, stamp),
        )  # fmt: skip
        registry.audit("group.add", group_code, {
            "name": values["name"], "kelurahan": values["kelurahan"].nama,
            "usaha": values["usaha"].name, "year": values["year"], "stage": values["stage"]})  # fmt: skip
    return public_group(get_group(registry, group_code))


def group_list(
    registry: Registry, kelurahan: str | None = None, kecamatan: str | None = None,
    usaha: str | None = None, year: str | None = None, status: str | None = None, stage: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    places = Places(registry)
    where, params = [], []
    if kelurahan:
        where.append("g.kelurahan_kode = ?")
        params.append(places.kelurahan(kelurahan).kode)
    if kecamatan:
        where.append("kel.parent = ?")
        params.append(places.kecamatan(kecamatan)[0])
    if usaha:
        where.append("g.usaha_id = ?")
        params.append(places.usaha(usaha).id)
    if year:
        where.append("g.year = ?")
        params.append(parse_year(year))
    if status:
        where.append("g.status = ?")
        params.append(parse_status(status))
    if stage:
        where.append("g.stage = ?")
        params.append(parse_stage(stage))
    sql = GROUP_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY g.code"
    return [public_group(row) for row in registry.query(sql, params)]


def group_show(registry: Registry, code: str, show_nik: bool = False) -> dict[str, Any]:
    """One group whole: its record, current members, aid and revenue totals, warnings."""
    row = get_group(registry, code)
    group = public_group(row)
    group["note"] = row["note"]
    group["kelurahan_kode"] = row["kelurahan_kode"]
    group["member_list"] = member_list(registry, show_nik=show_nik, command="group show", group=row)
    (aid_total,) = registry.conn.execute(
        "SELECT coalesce(sum(amount), 0) FROM aid WHERE group_id = ? AND voided_at IS NULL", (row["id"],)
    ).fetchone()
    group["aid_total"] = aid_total
    group["revenue_by_year"] = registry.query(
        "SELECT year, sum(amount) AS revenue FROM revenue WHERE group_id = ? GROUP BY year ORDER BY year",
        (row["id"],),
    )
    group["warnings"] = group_warnings(group)
    group["stage"] = group.pop("stage")  # a key added later comes last, so older scripts read what they did
    return group


def group_warnings(group: dict[str, Any]) -> list[str]:
    warnings = [size_warning(group["members"])]
    members = group.get("member_list")
    if members is not None and not any(m["role"] == "ketua" for m in members):
        warnings.append(_("no ketua"))
    return [w for w in warnings if w]


def group_edit(registry: Registry, code: str, **changes: str | None) -> dict[str, Any]:
    """Change a group's name, kelurahan, usaha, year, status or note."""
    row = get_group(registry, code)
    places = Places(registry)
    parsers = {
        "name": lambda v: ("name", clean_text(v, "name"), v),
        "kelurahan": lambda v: ("kelurahan_kode", (k := places.kelurahan(v)).kode, k.nama),
        "usaha": lambda v: ("usaha_id", (u := places.usaha(v)).id, u.name),
        "year": lambda v: ("year", parse_year(v), v),
        "status": lambda v: ("status", (s := parse_status(v)), s),
        "stage": lambda v: ("stage", (s := parse_stage(v)), s),
        "note": lambda v: ("note", clean_text(v, "note", required=False, max_len=2000), v),
    }
    updates, detail = {}, {}
    for field, value in changes.items():
        if value is None:
            continue
        column, stored, shown = parsers[field](value)
        updates[column] = stored
        detail[field] = {"from": row[field], "to": shown if field != "year" else stored}
    if not updates:
        raise KubeError(
            "", "", _("nothing to change: give at least one of --name, --kelurahan, --usaha, --status, --stage")
        )
    assignments = ", ".join(f"{column} = ?" for column in updates)
    with registry.atomic() as conn:
        conn.execute(f"UPDATE groups SET {assignments}, updated_at = ? WHERE id = ?",
                     (*updates.values(), now(), row["id"]))  # fmt: skip
        registry.audit("group.edit", row["code"], detail)
    return public_group(get_group(registry, row["code"]))


# --- members --------------------------------------------------------------------------------

MEMBER_SELECT = MEMBERS.select()


def public_member(row: dict[str, Any], show_nik: bool = False) -> dict[str, Any]:
    return present(MEMBERS, row, MEMBER_KEYS, show_nik)


def find_member(registry: Registry, text: str, field: str = "member") -> dict[str, Any]:
    """A current member by NIK or by the id ``member list`` shows."""
    value = text.strip()
    if value.isascii() and value.isdigit() and len(value) == 16:
        where, params, shown = "m.nik = ?", (value,), mask_nik(value)
    elif value.isascii() and value.isdigit() and len(value) < 10:  # ids are small; longer looks like a NIK
        where, params, shown = "m.id = ?", (int(value),), value
    else:
        raise KubeError(field, mask_nik(value[:40]), _("give the member's NIK (16 digits) or id"),
                        _("see `kube member list`"))  # fmt: skip
    rows = registry.query(MEMBER_SELECT + f" WHERE {where} AND m.removed_at IS NULL", params)
    if not rows:
        raise NotFound(field, shown, _("no current member with this NIK or id"), _("see `kube member list`"))
    return rows[0]


def _check_ketua(registry: Registry, group_id: int, group_code: str, role: str, member_id: int = 0) -> None:
    if role != "ketua":
        return
    row = registry.conn.execute(
        "SELECT name FROM members WHERE group_id = ? AND role = 'ketua' AND removed_at IS NULL AND id != ?",
        (group_id, member_id),
    ).fetchone()
    if row:
        raise Conflict("role", "ketua", _("group {code} already has a ketua ({name})").format(
            code=group_code, name=row[0]), _("change that member's role first"))  # fmt: skip


def _check_nik_free(registry: Registry, nik: str, group_id: int) -> None:
    holder = registry.conn.execute(
        "SELECT g.code, g.id FROM members m JOIN groups g ON g.id = m.group_id WHERE m.nik = ? AND m.removed_at IS NULL",
        (nik,),
    ).fetchone()
    if holder and holder[1] == group_id:
        raise Conflict("nik", mask_nik(nik), _("is already a member of group {code}").format(code=holder[0]))
    if holder:
        raise Conflict("nik", mask_nik(nik), _("already belongs to group {code}").format(code=holder[0]),
                       _("a NIK is in one group at a time: use `kube member move`"))  # fmt: skip


def _check_gender(nik: str, gender: str | None) -> str:
    implied = nik_gender(nik)
    if gender is None:
        return implied
    given = parse_gender(gender)
    if given != implied:
        raise KubeError(
            "gender", gender, _("contradicts the NIK, whose birth day says {implied}").format(implied=implied),
            _("check the NIK, or use --gender {implied}").format(implied=implied),
        )  # fmt: skip
    return given


def member_add(
    registry: Registry, code: str, nik: str, name: str, role: str = "anggota",
    gender: str | None = None, pkh_graduate: bool | str = False,
    kk: str | None = None, phone: str | None = None, desil: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    group = get_group(registry, code)
    nik = parse_nik(nik)
    values = {
        "name": clean_text(name, "name"),
        "role": parse_role(role),
        "gender": _check_gender(nik, gender),
        "pkh": parse_bool(pkh_graduate) if isinstance(pkh_graduate, str) else bool(pkh_graduate),
        **household(kk, phone, desil),
    }
    stamp = now()
    with registry.atomic() as conn:
        _check_nik_free(registry, nik, group["id"])
        _check_ketua(registry, group["id"], group["code"], values["role"])
        cursor = conn.execute(
            "INSERT INTO members (uuid, group_id, nik, name, role, gender, pkh_graduate, kk, phone, desil, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_uuid(), group["id"], nik, values["name"], values["role"], values["gender"],
             int(values["pkh"]), values.get("kk"), values.get("phone"), values.get("desil"), stamp, stamp),
        )  # fmt: skip
        registry.audit("member.add", group["code"], {"member_id": cursor.lastrowid, "nik": mask_nik(nik),
                                                     "role": values["role"]})  # fmt: skip
    return public_member(registry.query(MEMBER_SELECT + " WHERE m.id = ?", (cursor.lastrowid,))[0])


def household(kk: str | None = None, phone: str | None = None, desil: str | int | None = None) -> dict[str, Any]:
    """A member's No. KK, phone and DTSEN decile, parsed: only those given."""
    parsers = {"kk": parse_kk, "phone": parse_phone, "desil": parse_desil}
    given = {"kk": kk, "phone": phone, "desil": desil}
    return {key: parsers[key](value) for key, value in given.items() if value is not None}


def member_list(
    registry: Registry,
    code: str | None = None,
    show_nik: bool = False,
    command: str = "member list",
    group: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Current members (of one group: by ``code``, or the ``group`` row a caller already has)."""
    where, params = ["m.removed_at IS NULL"], []
    if code or group:
        group = group or get_group(registry, code or "")
        code = group["code"]
        where.append("m.group_id = ?")
        params.append(group["id"])
    order = " ORDER BY g.code, CASE m.role WHEN 'ketua' THEN 0 WHEN 'sekretaris' THEN 1 WHEN 'bendahara' THEN 2 ELSE 3 END, m.id"
    rows = registry.query(MEMBER_SELECT + " WHERE " + " AND ".join(where) + order, params)
    if show_nik:
        with registry.atomic():
            registry.audit("nik.show", code or "*", {"command": command, "members": len(rows)})
    return [public_member(row, show_nik) for row in rows]


def member_edit(
    registry: Registry, member: str, name: str | None = None, role: str | None = None,
    gender: str | None = None, pkh_graduate: bool | None = None,
    kk: str | None = None, phone: str | None = None, desil: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    row = find_member(registry, member)
    updates: dict[str, Any] = household(kk, phone, desil)
    if name is not None:
        updates["name"] = clean_text(name, "name")
    if role is not None:
        updates["role"] = parse_role(role)
    if gender is not None:
        updates["gender"] = _check_gender(row["nik"], gender)
    if pkh_graduate is not None:
        updates["pkh_graduate"] = int(pkh_graduate)
    if not updates:
        raise KubeError(
            "",
            "",
            _(
                "nothing to change: give at least one of --name, --role, --gender, --pkh-graduate, "
                "--kk, --phone, --desil"
            ),
        )
    detail = {k: {"from": _logged(k, row[k]), "to": _logged(k, v)} for k, v in updates.items()}
    assignments = ", ".join(f"{column} = ?" for column in updates)
    with registry.atomic() as conn:
        _check_ketua(registry, row["group_id"], row["group_code"], updates.get("role", ""), row["id"])
        conn.execute(f"UPDATE members SET {assignments}, updated_at = ? WHERE id = ?",
                     (*updates.values(), now(), row["id"]))  # fmt: skip
        registry.audit("member.edit", row["group_code"], {"member_id": row["id"], **detail})
    return public_member(registry.query(MEMBER_SELECT + " WHERE m.id = ?", (row["id"],))[0])


def _logged(key: str, value: Any) -> Any:
    """A value as the audit log keeps it: personal numbers masked."""
    if value is None:
        return None
    if key == "kk":
        return mask_nik(value)
    if key == "phone":
        return mask_phone(value)
    return value


def member_move(registry: Registry, member: str, to_code: str) -> dict[str, Any]:
    row = find_member(registry, member)
    target = get_group(registry, to_code, field="to")
    if target["id"] == row["group_id"]:
        raise Conflict("to", target["code"], _("the member is already in this group"))
    with registry.atomic() as conn:
        _check_ketua(registry, target["id"], target["code"], row["role"])
        conn.execute("UPDATE members SET group_id = ?, updated_at = ? WHERE id = ?", (target["id"], now(), row["id"]))
        registry.audit("member.move", target["code"], {"member_id": row["id"], "from": row["group_code"],
                                                       "to": target["code"]})  # fmt: skip
    return public_member(registry.query(MEMBER_SELECT + " WHERE m.id = ?", (row["id"],))[0])


def member_remove(registry: Registry, member: str, reason: str | None = None) -> dict[str, Any]:
    """Take a member out of their group. The record stays, marked removed, for the history."""
    row = find_member(registry, member)
    why = clean_text(reason, "reason", required=False, max_len=500)
    with registry.atomic() as conn:
        conn.execute("UPDATE members SET removed_at = ?, updated_at = ? WHERE id = ?", (now(), now(), row["id"]))
        registry.audit("member.remove", row["group_code"], {"member_id": row["id"], "nik": mask_nik(row["nik"]),
                                                            "reason": why})  # fmt: skip
    return public_member(row)
