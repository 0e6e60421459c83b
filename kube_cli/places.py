"""Places and business types: matching what officers type to the registry's vocabularies.

A ``Places`` object remembers what it has matched, so a batch import of a million rows asks
the database once per distinct spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kube_cli.db import Registry, new_uuid, now
from kube_cli.errors import Conflict, KubeError
from kube_cli.i18n import _
from kube_cli.records import kecamatan_join
from kube_cli.vocab import clean_text, closest, did_you_mean, name_key

_CODE = re.compile(r"^\d{2}(\.\d{2}){2}\.\d{4}$")
_KEC_CODE = re.compile(r"^\d{2}(\.\d{2}){2}$")
SUGGEST_FROM_ALL_BELOW = 5000


@dataclass(frozen=True)
class Kelurahan:
    kode: str
    nama: str
    kecamatan: str
    kecamatan_kode: str


@dataclass(frozen=True)
class Usaha:
    id: int
    name: str


class Places:
    """Look-ups of kelurahan, kecamatan and usaha in one registry, memoised."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._kelurahan: dict[str, Kelurahan] = {}
        self._usaha: dict[str, Usaha] = {}
        self._scope_name = ""

    @property
    def scope_name(self) -> str:
        if not self._scope_name:
            self._scope_name = self.registry.region
        return self._scope_name

    # --- kelurahan -------------------------------------------------------------------------

    def kelurahan(self, text: str, field: str = "kelurahan") -> Kelurahan:
        """A kelurahan/desa by name (``lasoani``), ``name, kecamatan`` or Kemendagri code."""
        key = text.strip()
        if key not in self._kelurahan:
            self._kelurahan[key] = self._find_kelurahan(key, field)
        return self._kelurahan[key]

    def kelurahan_by_kode(self, kode: str) -> Kelurahan | None:
        rows = self._kelurahan_rows("kel.kode = ?", (kode,))
        return rows[0] if rows else None

    def _kelurahan_rows(self, where: str, params: tuple[Any, ...]) -> list[Kelurahan]:
        sql = (
            f"SELECT kel.kode, kel.nama, kec.nama, kec.kode FROM wilayah kel {kecamatan_join()} "
            f"WHERE kel.level = 'kelurahan_desa' AND {where} ORDER BY kel.kode"
        )
        return [Kelurahan(*row) for row in self.registry.conn.execute(sql, params)]

    def _find_kelurahan(self, text: str, field: str) -> Kelurahan:
        value = clean_text(text, field)
        if _CODE.match(value):
            found = self.kelurahan_by_kode(value)
            if found:
                return found
            raise KubeError(field, value, _("is not a kelurahan/desa code in {scope}").format(
                scope=self.scope_name))  # fmt: skip
        name, _sep, kecamatan = value.partition(",")
        key = name_key(name)
        matches = self._kelurahan_rows(
            "(kel.name_key = ? OR kel.kode IN (SELECT kode FROM wilayah_alias WHERE name_key = ?))",
            (key, key),
        )
        bare = _PLACE_PREFIX.sub("", name.strip())
        if not matches and bare and bare != name.strip():  # "Kel. Lasoani", "Kelurahan Lasoani", "Desa Kawatuna"
            name, key = bare, name_key(bare)
            matches = self._kelurahan_rows(
                "(kel.name_key = ? OR kel.kode IN (SELECT kode FROM wilayah_alias WHERE name_key = ?))",
                (key, key),
            )
        if kecamatan.strip():
            kec_key = name_key(kecamatan)
            named = matches
            matches = [m for m in named if name_key(m.kecamatan) == kec_key]
            if named and not matches:  # the name is known, just not in that kecamatan: say where it is
                candidates = "; ".join(f"{m.nama}, {m.kecamatan} ({m.kode})" for m in named[:8])
                raise KubeError(field, value, _("is not in kecamatan {kecamatan}: {candidates}").format(
                    kecamatan=kecamatan.strip(), candidates=candidates))  # fmt: skip
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            candidates = "; ".join(f"{m.nama}, {m.kecamatan} ({m.kode})" for m in matches[:8])
            raise KubeError(
                field, value,
                _("is ambiguous in {scope}: {candidates}").format(scope=self.scope_name, candidates=candidates),
                _("add the kecamatan after a comma, like '{example}', or give the code").format(
                    example=f"{matches[0].nama}, {matches[0].kecamatan}"),
            )  # fmt: skip
        raise KubeError(
            field, value, _("is not a kelurahan/desa of {scope}").format(scope=self.scope_name),
            did_you_mean(self._suggest("kelurahan_desa", name)),
        )  # fmt: skip

    def _suggest(self, level: str, text: str) -> list[str]:
        (count,) = self.registry.conn.execute("SELECT count(*) FROM wilayah WHERE level = ?", (level,)).fetchone()
        key = name_key(text)
        if count <= SUGGEST_FROM_ALL_BELOW or not key:
            sql, params = "SELECT nama FROM wilayah WHERE level = ?", (level,)
        else:  # a national registry: compare with names that start alike
            sql = "SELECT nama FROM wilayah WHERE level = ? AND substr(name_key, 1, 1) = ?"
            params = (level, key[0])
        names = [row[0] for row in self.registry.conn.execute(sql, params)]
        if level == "kelurahan_desa":
            names += [row[0] for row in self.registry.conn.execute("SELECT alias FROM wilayah_alias")]
        return closest(text, names)

    # --- kecamatan -------------------------------------------------------------------------

    def kecamatan(self, text: str, field: str = "kecamatan") -> tuple[str, str]:
        """A kecamatan by name or code → (kode, nama)."""
        value = clean_text(text, field)
        if _KEC_CODE.match(value):
            where, params = "kode = ?", (value,)
        else:
            where, params = "name_key = ?", (name_key(value),)
        rows = self.registry.conn.execute(
            f"SELECT kode, nama FROM wilayah WHERE level = 'kecamatan' AND {where} ORDER BY kode", params
        ).fetchall()
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            candidates = "; ".join(f"{nama} ({kode})" for kode, nama in rows[:8])
            raise KubeError(field, value, _("is ambiguous: {candidates}").format(candidates=candidates),
                            _("give the kecamatan's code"))  # fmt: skip
        raise KubeError(
            field, value, _("is not a kecamatan of {scope}").format(scope=self.scope_name),
            did_you_mean(self._suggest("kecamatan", value)),
        )  # fmt: skip

    # --- usaha -----------------------------------------------------------------------------

    def usaha(self, text: str, field: str = "usaha") -> Usaha:
        """A business type by its name or any alias (``e-waroeng`` → ``e-Warong``)."""
        key = name_key(text)
        if key not in self._usaha:
            self._usaha[key] = self._find_usaha(text, field)
        return self._usaha[key]

    def _find_usaha(self, text: str, field: str) -> Usaha:
        value = clean_text(text, field)
        key = name_key(value)
        for row in self.registry.conn.execute(
            "SELECT id, name FROM usaha WHERE name = ? COLLATE NOCASE "
            "UNION ALL SELECT u.id, u.name FROM usaha_alias a JOIN usaha u ON u.id = a.usaha_id WHERE a.key = ?",
            (value, key),
        ):
            return Usaha(*row)
        for usaha_id, name in self.registry.conn.execute("SELECT id, name FROM usaha"):
            if name_key(name) == key:
                return Usaha(usaha_id, name)
        known = [
            r[0] for r in self.registry.conn.execute("SELECT name FROM usaha UNION ALL SELECT alias FROM usaha_alias")
        ]
        hint = did_you_mean(closest(value, known)) or _("see `kube usaha list`, or add it with `kube usaha add`")
        raise KubeError(field, value, _("is not a known business type"), hint)


WILAYAH_SELECT = f"""
SELECT kel.kode AS kode, kel.nama AS kelurahan, kec.nama AS kecamatan, kab.nama AS kabupaten_kota,
       (SELECT count(*) FROM groups g WHERE g.kelurahan_kode = kel.kode AND g.status = 'aktif') AS groups
FROM wilayah kel {kecamatan_join()} JOIN wilayah kab ON kab.kode = kec.parent
"""


SEARCH_HITS_LISTED = 10_000  # SQLite takes up to 32,766 parameters


def wilayah_rows(
    registry: Registry, kecamatan: str | None = None, search: str | None = None
) -> Iterator[dict[str, Any]]:
    """The kelurahan/desa of the registry's region, in code order, with how many active groups each
    has: one row at a time, so a terminal shows the first of Indonesia's 83,764 at once.

    The rows come in the order of the code's own index (``+kel.level`` keeps SQLite from choosing the
    level index and then sorting all of them before the first row). ``search`` matches part of a
    name or an alias: no index serves ``%text%``, so the names are scanned once in the small
    ``(level, name_key)`` index (~20 ms for all of Indonesia), then only the matches are read.
    """
    where, params, order = ["+kel.level = 'kelurahan_desa'"], [], "kel.kode"
    if kecamatan:
        kode, _nama = Places(registry).kecamatan(kecamatan)
        where.append("kel.parent = ?")
        params.append(kode)
    if search:
        search = clean_text(search, "search", max_len=100)  # a name, not a 130,000-character pattern
        key = name_key(search)
        hits = [r[0] for r in registry.conn.execute(
            "SELECT rowid FROM wilayah INDEXED BY wilayah_level_name WHERE level = 'kelurahan_desa' "
            "AND instr(name_key, ?) > 0 UNION SELECT w.rowid FROM wilayah_alias a JOIN wilayah w ON w.kode = a.kode "
            "WHERE instr(a.name_key, ?) > 0", (key, key))]  # fmt: skip
        if not hits:
            return
        if len(hits) <= SEARCH_HITS_LISTED:  # few: read just those, and sort them
            where.append(f"kel.rowid IN ({', '.join('?' * len(hits))})")
            params += hits
            order = "+kel.kode"
        else:  # many: stream them in code order, as the whole list is
            where.append("(instr(kel.name_key, ?) > 0 OR kel.kode IN (SELECT kode FROM wilayah_alias a "
                         "WHERE instr(a.name_key, ?) > 0))")  # fmt: skip
            params += [key, key]
    cursor = registry.conn.execute(WILAYAH_SELECT + f"WHERE {' AND '.join(where)} ORDER BY {order}", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def wilayah_list(registry: Registry, kecamatan: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
    """``wilayah_rows`` as a list."""
    return list(wilayah_rows(registry, kecamatan, search))


_PLACE_PREFIX = re.compile(r"^(?:kel\.|kelurahan\s|desa\s|ds\.|kel\s|kel/desa\.?\s)\s*", re.IGNORECASE)


def _add_aliases(registry: Registry, places: Places, target: Usaha, typed: str, aliases: list[str]) -> dict[str, Any]:
    """``usaha add EXISTING --alias A``: the new aliases join that type; one of another type is refused."""
    new: list[str] = []
    for alias in aliases:
        try:
            existing = places.usaha(alias, "alias")
        except KubeError:
            if name_key(alias) not in {name_key(a) for a in new}:
                new.append(alias)
            continue
        if existing.id != target.id:
            raise Conflict(
                "alias", alias, _("already belongs to the business type '{name}'").format(name=existing.name)
            )
    if not new:
        raise Conflict("usaha", typed, _("is already known as '{name}', with all these aliases").format(
            name=target.name), _("give --alias with a new name for it"))  # fmt: skip
    with registry.atomic() as conn:
        conn.executemany(
            "INSERT INTO usaha_alias (key, alias, usaha_id) VALUES (?, ?, ?)",
            [(name_key(a), a, target.id) for a in new],
        )
        registry.audit("usaha.alias", target.name, {"aliases": new})
    row = next(r for r in usaha_list(registry) if r["usaha"] == target.name)
    return {**row, "added_aliases": ", ".join(new)}


def usaha_list(registry: Registry) -> list[dict[str, Any]]:
    rows = registry.query(
        "SELECT u.name AS usaha, "
        "(SELECT group_concat(alias, ', ') FROM (SELECT alias FROM usaha_alias a WHERE a.usaha_id = u.id ORDER BY alias)) AS aliases, "
        "(SELECT count(*) FROM groups g WHERE g.usaha_id = u.id AND g.status = 'aktif') AS groups "
        "FROM usaha u ORDER BY u.name COLLATE NOCASE"
    )
    for row in rows:
        row["aliases"] = row["aliases"] or ""
    return rows


def usaha_add(registry: Registry, name: str, aliases: list[str]) -> dict[str, Any]:
    """Add a business type with its aliases; a name or alias already known is refused."""
    value = clean_text(name, "usaha", max_len=60)
    aliases = [clean_text(a, "alias", max_len=60) for a in aliases]
    aliases = [a for a in aliases if name_key(a) != name_key(value)]  # the name itself matches already
    places = Places(registry)
    try:
        target = places.usaha(value, "usaha")
    except KubeError:
        target = None
    if target is not None:
        return _add_aliases(registry, places, target, value, aliases)
    for field, text in [("usaha", value), *(("alias", a) for a in aliases)]:
        try:
            existing = places.usaha(text, field)
        except KubeError:
            continue
        raise Conflict(field, text, _("is already known as '{name}'").format(name=existing.name))
    keys = [name_key(a) for a in aliases]
    if len(set(keys)) != len(keys):
        raise KubeError("alias", ", ".join(aliases), _("names the same alias twice"))
    with registry.atomic() as conn:
        cursor = conn.execute(
            "INSERT INTO usaha (uuid, name, builtin, created_at) VALUES (?, ?, 0, ?)", (new_uuid(), value, now())
        )
        conn.executemany(
            "INSERT INTO usaha_alias (key, alias, usaha_id) VALUES (?, ?, ?)",
            [(name_key(a), a, cursor.lastrowid) for a in aliases],
        )
        registry.audit("usaha.add", value, {"aliases": aliases})
    return {"usaha": value, "aliases": ", ".join(aliases), "groups": 0}
