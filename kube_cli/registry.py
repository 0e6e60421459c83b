"""Groups and their members: the registry's domain operations.

Functions take an open ``Registry`` and plain values as typed, check everything, then write in
one transaction with its audit row. They return plain dicts, ready for ``output``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from kube_cli import records
from kube_cli.db import Registry, new_uuid, now
from kube_cli.errors import Conflict, KubeError, NotFound, Problem
from kube_cli.i18n import _
from kube_cli.places import Places
from kube_cli.records import GROUPS, MEMBERS, present
from kube_cli.vocab import (
    clean_text,
    mask_nik,
    mask_phone,
    name_key,
    nik_gender,
    parse_bool,
    parse_code,
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

GROUP_SELECT = GROUPS.select()
GROUP_KEYS = GROUPS.keys()
MEMBER_KEYS = MEMBERS.keys()


def new_group_code() -> str:
    """``K-`` and 8 Crockford base32 characters in two groups of four (``K-7GXP-96Z6``): 40 random
    bits, so laptops offline never collide, and easy to read aloud (no I, L, O, U)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"K-{chars[:4]}-{chars[4:]}"


_GENERATED = re.compile(r"^K[\s-]*([0-9A-Z]{4})[\s-]*([0-9A-Z]{4})$")
_CROCKFORD_READ = str.maketrans("OIL", "011")  # what Crockford base32 reads these letters as


def generated_code(text: str) -> str | None:
    """A typed code of the generated shape, as it is stored: ``k 7gxp 96z6`` → ``K-7GXP-96Z6``
    (Crockford: O reads 0, I and L read 1). ``None`` for any other shape."""
    match = _GENERATED.match(text.strip().upper())
    if not match:
        return None
    body = (match[1] + match[2]).translate(_CROCKFORD_READ)
    return None if "U" in body else f"K-{body[:4]}-{body[4:]}"


def size_warning(members: int) -> str:
    if members < MIN_MEMBERS:
        return _("{n} members: a KUBE needs at least {min}").format(n=members, min=MIN_MEMBERS)
    if members > MAX_MEMBERS:
        return _("{n} members: a KUBE has at most {max}").format(n=members, max=MAX_MEMBERS)
    return ""


# --- groups ---------------------------------------------------------------------------------


def get_group(registry: Registry, code: str, field: str = "code") -> dict[str, Any]:
    """A group (not removed) by its code, ignoring case; a generated code also as read aloud."""
    typed = code.strip()
    rows = registry.query(GROUP_SELECT + f" WHERE g.code = ? AND {records.current_group('g')}", (typed,))
    if not rows and (canonical := generated_code(typed)) and canonical != typed:
        rows = registry.query(GROUP_SELECT + f" WHERE g.code = ? AND {records.current_group('g')}", (canonical,))
    if not rows:
        removed = registry.conn.execute("SELECT removed_at FROM groups WHERE code IN (?, ?) AND removed_at IS NOT NULL",
                                        (typed, generated_code(typed) or typed)).fetchone()  # fmt: skip
        if removed:
            raise NotFound(field, typed, _("this group was removed on {date}").format(date=removed[0][:10]),
                           _("its history is in `kube log`"))  # fmt: skip
        raise NotFound(field, typed, _("no such group"), _("see `kube group list`, or `kube find` by name"))
    return rows[0]


def public_group(row: dict[str, Any]) -> dict[str, Any]:
    return present(GROUPS, row, GROUP_KEYS)


def group_add(
    registry: Registry, name: str, kelurahan: str, usaha: str,
    year: str | None = None, code: str | None = None, note: str | None = None,
    allow_duplicate_name: bool = False, stage: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Register a new KUBE; its code is generated unless given; it starts at stage penumbuhan unless told.
    A second group of the same name in the same kelurahan is refused (it is usually the first one
    again) unless ``allow_duplicate_name``."""
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
        if not allow_duplicate_name:
            _check_name_free(registry, values["name"], values["kelurahan"].kode, values["kelurahan"].nama)
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


def _check_name_free(registry: Registry, name: str, kelurahan_kode: str, kelurahan: str) -> None:
    """No other group of this name (ignoring case and spaces) in this kelurahan."""
    key = name_key(name)
    for other_code, other_name in registry.conn.execute(
        f"SELECT code, name FROM groups WHERE kelurahan_kode = ? AND {records.CURRENT_GROUP} ORDER BY id",
        (kelurahan_kode,),
    ):
        if name_key(other_name) == key:
            raise Conflict("name", name, _("{kelurahan} already has a group of this name: {code}").format(
                kelurahan=kelurahan, code=other_code),
                _("use that group, or --allow-duplicate-name if this is another group"))  # fmt: skip


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
    sql = GROUP_SELECT + " WHERE " + " AND ".join([records.current_group("g"), *where]) + " ORDER BY g.code"
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


def group_edit(registry: Registry, code: str, new_code: str | None = None, **changes: str | None) -> dict[str, Any]:
    """Change a group's code, name, kelurahan, usaha, year, status or note. A new code keeps the
    group's UUID, so a merge still matches it."""
    changes["code"] = new_code
    row = get_group(registry, code)
    places = Places(registry)
    parsers = {
        "code": lambda v: ("code", (c := parse_code(v)), c),
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
        if row[field] == (shown if field != "year" else stored):
            continue  # already so: an edit that changes nothing is not logged
        updates[column] = stored
        detail[field] = {"from": row[field], "to": shown if field != "year" else stored}
    if not updates:
        if any(v is not None for v in changes.values()):
            raise KubeError("", "", _("nothing to change: group {code} already has these values").format(
                code=row["code"]))  # fmt: skip
        raise KubeError(
            "", "", _("nothing to change: give at least one of --name, --kelurahan, --usaha, --status, --stage")
        )
    assignments = ", ".join(f"{column} = ?" for column in updates)
    new_code = updates.get("code", row["code"])
    with registry.atomic() as conn:
        if conn.execute("SELECT 1 FROM groups WHERE code = ? AND id != ?", (new_code, row["id"])).fetchone():
            raise Conflict("code", new_code, _("is already the code of another group"))
        conn.execute(f"UPDATE groups SET {assignments}, updated_at = ? WHERE id = ?",
                     (*updates.values(), now(), row["id"]))  # fmt: skip
        registry.audit("group.edit", new_code, detail)
    return public_group(get_group(registry, new_code))


def group_removal(registry: Registry, code: str, reason: str) -> dict[str, Any]:
    """The group ``group remove`` would remove, checked: refused while it has current members or
    money records (naming them). Ask the officer, then call ``group_remove``."""
    row = get_group(registry, code)
    clean_text(reason, "reason", max_len=500)
    _check_removable(registry, row)
    return public_group(row)


def group_remove(registry: Registry, code: str, reason: str) -> dict[str, Any]:
    """Remove a group registered by mistake. It is kept, removed and ``nonaktif``, with its history;
    lists, lookups and counts leave it out."""
    row = get_group(registry, code)
    why = clean_text(reason, "reason", max_len=500)
    stamp = now()
    with registry.atomic() as conn:
        _check_removable(registry, row)
        conn.execute("UPDATE groups SET removed_at = ?, status = 'nonaktif', updated_at = ? WHERE id = ?",
                     (stamp, stamp, row["id"]))  # fmt: skip
        registry.audit("group.remove", row["code"], {"name": row["name"], "reason": why})
    return {**public_group(row), "status": "nonaktif", "removed_at": stamp}


def _check_removable(registry: Registry, row: dict[str, Any]) -> None:
    conn, problems = registry.conn, []
    names = [n for (n,) in conn.execute(
        f"SELECT name FROM members WHERE group_id = ? AND {records.CURRENT_MEMBER} ORDER BY id", (row["id"],))]  # fmt: skip
    if names:
        problems.append(Problem("code", row["code"], _("has {n} current members: {names}").format(
            n=len(names), names=_some(names)), _("move or remove them first (`kube member list {code}`)").format(
            code=row["code"])))  # fmt: skip
    aid = [str(i) for (i,) in conn.execute(
        "SELECT id FROM aid WHERE group_id = ? AND voided_at IS NULL ORDER BY id", (row["id"],))]  # fmt: skip
    if aid:
        problems.append(Problem("code", row["code"], _("has {n} aid records: {ids}").format(
            n=len(aid), ids=_some(aid)), _("void them first (`kube aid void ID`)")))  # fmt: skip
    periods = [
        p for (p,) in conn.execute("SELECT period FROM revenue WHERE group_id = ? ORDER BY period", (row["id"],))
    ]
    if periods:
        problems.append(Problem("code", row["code"], _("has {n} revenue records: {periods}").format(
            n=len(periods), periods=_some(periods)), _("remove them first (`kube revenue remove`)")))  # fmt: skip
    if problems:
        raise Conflict.many(problems)


def _some(items: list[str], most: int = 5) -> str:
    """``a, b, c`` or ``a, b, c, d, e and 3 more``."""
    shown = ", ".join(items[:most])
    return shown if len(items) <= most else _("{shown} and {n} more").format(shown=shown, n=len(items) - most)


# --- members --------------------------------------------------------------------------------

MEMBER_SELECT = MEMBERS.select()


def public_member(row: dict[str, Any], show_nik: bool = False) -> dict[str, Any]:
    return present(MEMBERS, row, MEMBER_KEYS, show_nik)


def find_member(registry: Registry, text: str, field: str = "member") -> dict[str, Any]:
    """A current member by NIK or by the id ``member list`` shows."""
    value = member_key(text, field)
    if len(value) == 16:
        where, params, shown = "m.nik = ?", (value,), mask_nik(value)
    else:
        where, params, shown = "m.id = ?", (int(value),), value
    rows = registry.query(MEMBER_SELECT + f" WHERE {where} AND {records.current_member('m')}", params)
    if not rows:
        raise NotFound(field, shown, _("no current member with this NIK or id"), _("see `kube member list`"))
    return rows[0]


def member_key(text: str, field: str) -> str:
    """What a typed MEMBER names: 16 digits (a NIK, spaces, dots or a leading ' allowed) or an id.

    Anything else is refused. A name is shown as typed (the officer typed it) with the way to find
    a member by name; anything that might be a mistyped NIK (six digits or more) is shown masked."""
    value = text.strip()
    compact = value.replace(" ", "").replace(".", "").lstrip("'")
    if compact.isascii() and compact.isdigit() and (len(compact) == 16 or len(compact) < 10):
        return compact  # ids are small; longer looks like a NIK
    if sum(c.isdigit() for c in value) >= 6:
        raise KubeError(field, mask_nik(value[:40]), _("give the member's NIK (16 digits) or id"),
                        _("see `kube member list`"))  # fmt: skip
    raise KubeError(field, value[:60], _("is not a NIK or a member id"),
                    _("to find a member by name: kube find \"{text}\"").format(text=value[:60]))  # fmt: skip


def _check_ketua(registry: Registry, group_id: int, group_code: str, role: str, member_id: int = 0) -> None:
    if role != "ketua":
        return
    row = registry.conn.execute(
        f"SELECT name FROM members WHERE group_id = ? AND {records.CURRENT_KETUA} AND id != ?",
        (group_id, member_id),
    ).fetchone()
    if row:
        raise Conflict("role", "ketua", _("group {code} already has a ketua ({name})").format(
            code=group_code, name=row[0]), _("change that member's role first"))  # fmt: skip


def _nik_holder(registry: Registry, nik: str) -> tuple[str, int, int] | None:
    """The current member with this NIK, as ``(group code, group id, member id)``: one group per NIK,
    the rule the unique index ``members_current_nik`` holds."""
    return registry.conn.execute(
        "SELECT g.code, g.id, m.id FROM members m JOIN groups g ON g.id = m.group_id "
        f"WHERE m.nik = ? AND {records.current_member('m')}",
        (nik,),
    ).fetchone()


def _check_nik_free(registry: Registry, nik: str, group_id: int) -> None:
    holder = _nik_holder(registry, nik)
    if holder and holder[1] == group_id:
        raise Conflict("nik", mask_nik(nik), _("is already a member of group {code}").format(code=holder[0]))
    if holder:
        raise Conflict("nik", mask_nik(nik), _("already belongs to group {code}").format(code=holder[0]),
                       _("a NIK is in one group at a time: use `kube member move`"))  # fmt: skip


def _check_nik_not_held(registry: Registry, nik: str) -> None:
    """A corrected NIK must not be another current member's."""
    holder = _nik_holder(registry, nik)
    if holder:
        raise Conflict("nik", mask_nik(nik), _("is the NIK of another current member: id {id} in group {code}").format(
            id=holder[2], code=holder[0]))  # fmt: skip


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
    gender: str | None = None, pkh_graduate: bool | str = False, warn: Callable[[str], None] | None = None,
    kk: str | None = None, phone: str | None = None, desil: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Add a member; a NIK born on no calendar day, or a shared No. KK, is told to ``warn``."""
    from kube_cli import plausibility

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
        findings = plausibility.after_member(conn, cursor.lastrowid)
    for finding in findings if warn else ():
        warn(str(finding))
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
    where, params = [records.current_member("m")], []
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
    gender: str | None = None, pkh_graduate: bool | None = None, nik: str | None = None,
    kk: str | None = None, phone: str | None = None, desil: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Change a member's name, role, gender, PKH flag, NIK (a mistyped one: checked as for
    ``member add``; both NIKs are masked in the log), No. KK, phone or desil; a NIK born on no
    calendar day, or a No. KK another member holds, is told to ``warn``."""
    from kube_cli import plausibility

    row = find_member(registry, member)
    updates: dict[str, Any] = {}
    new_nik = parse_nik(nik) if nik is not None else row["nik"]
    if new_nik != row["nik"]:
        updates["nik"] = new_nik
    updates.update(household(kk, phone, desil))
    if name is not None:
        updates["name"] = clean_text(name, "name")
    if role is not None:
        updates["role"] = parse_role(role)
    if gender is not None:
        updates["gender"] = _check_gender(new_nik, gender)
    elif "nik" in updates and nik_gender(new_nik) != row["gender"]:
        raise KubeError("nik", mask_nik(new_nik), _("its birth day says {implied}, the member is recorded as {gender}")
                        .format(implied=nik_gender(new_nik), gender=row["gender"]),
                        _("check the NIK, or give --gender {implied} too").format(implied=nik_gender(new_nik)))  # fmt: skip
    if pkh_graduate is not None:
        updates["pkh_graduate"] = int(pkh_graduate)
    if not updates:
        raise KubeError("", "", _("nothing to change: give at least one of --name, --role, --gender, --pkh-graduate, "
                                  "--nik, --kk, --phone, --desil"))  # fmt: skip
    updates = {k: v for k, v in updates.items() if row[k] != v}  # already so: not changed, not logged
    if not updates:
        raise KubeError("", "", _("nothing to change: member {id} already has these values").format(id=row["id"]))
    detail = {k: {"from": _logged(k, row[k]), "to": _logged(k, v)} for k, v in updates.items()}
    assignments = ", ".join(f"{column} = ?" for column in updates)
    with registry.atomic() as conn:
        if "nik" in updates:
            _check_nik_not_held(registry, new_nik)
        _check_ketua(registry, row["group_id"], row["group_code"], updates.get("role", ""), row["id"])
        conn.execute(f"UPDATE members SET {assignments}, updated_at = ? WHERE id = ?",
                     (*updates.values(), now(), row["id"]))  # fmt: skip
        registry.audit("member.edit", row["group_code"], {"member_id": row["id"], **detail})
        findings = plausibility.after_member(conn, row["id"]) if {"nik", "kk"} & updates.keys() else []
    for finding in findings if warn else ():
        warn(str(finding))
    return public_member(registry.query(MEMBER_SELECT + " WHERE m.id = ?", (row["id"],))[0])


def _logged(key: str, value: Any) -> Any:
    """A value as the audit log keeps it: personal numbers masked."""
    if value is None:
        return None
    if key in ("nik", "kk"):
        return mask_nik(value)
    if key == "phone":
        return mask_phone(value)
    return value


def describe_member(registry: Registry, member: str) -> dict[str, Any]:
    """The current member ``member`` (NIK or id) as a question names them: name, masked NIK, group."""
    return public_member(find_member(registry, member))


def describe_member_move(registry: Registry, member: str, to_code: str) -> dict[str, Any]:
    """What ``member_move`` would do, refused as it would refuse: the member, and ``to``, the target's code."""
    row = find_member(registry, member)
    target = get_group(registry, to_code, field="to")
    if target["id"] == row["group_id"]:
        raise Conflict("to", target["code"], _("the member is already in this group"))
    return {**public_member(row), "to": target["code"]}


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
