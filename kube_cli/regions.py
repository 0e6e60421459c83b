"""The Kemendagri region list shipped with kube, and scoping a registry to part of it.

The national list (91,599 rows) is read only when a registry is created; from then on the
registry holds its own region's rows, indexed, and every look-up is a query on it.
"""

from __future__ import annotations

import csv
import gzip
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.vocab import closest, did_you_mean, name_key

DATA_FILE = Path(__file__).parent / "data" / "wilayah_indonesia.csv.gz"
NATIONAL = "ID"
# Other spellings in use: BPS and the city's own documents write Panau for Kemendagri's Panawu.
ALIASES = {"72.71.07.1005": ("Panau",)}


@dataclass(frozen=True)
class Scope:
    code: str  # "ID", a province ("72") or a kabupaten/kota ("72.71")
    name: str


def _rows(prefix: str = "") -> Iterator[dict[str, str]]:
    """The rows whose code starts with ``prefix``: other lines are skipped before CSV parsing,
    so a province's rows cost a fraction of the whole list (one record per line, codes first)."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as handle:
        columns = next(csv.reader([handle.readline()]))
        lines = (line for line in handle if line.startswith(prefix)) if prefix else handle
        for values in csv.reader(lines):
            yield dict(zip(columns, values, strict=True))


def _province_prefix(code: str) -> str:
    return code[:2] if code[:2].isdigit() else ""


def parse_scope(text: str) -> Scope:
    """``ID``, a province code or a kabupaten/kota code → the scope it names."""
    code = text.strip().upper() if text.strip().upper() == NATIONAL else text.strip()
    if code == NATIONAL:
        return Scope(NATIONAL, "Indonesia")
    if prefix := _province_prefix(code):
        for row in _rows(prefix):
            if row["kode"] == code and row["level"] in ("provinsi", "kabupaten_kota"):
                return Scope(code, row["nama"])
    names = {row["kode"]: row["nama"] for row in _rows() if row["level"] in ("provinsi", "kabupaten_kota")}
    by_name = {name_key(n): k for k, n in names.items()}
    hint = ""
    if name_key(code) in by_name:
        hint = _("use its code: {code}").format(code=by_name[name_key(code)])
    else:
        hint = did_you_mean([f"{by_name[name_key(n)]} ({n})" for n in closest(code, names.values())])
    raise KubeError("wilayah", text, _("is not a province or kabupaten/kota code (nor ID)"), hint)


def in_scope(kode: str, scope: str) -> bool:
    return scope == NATIONAL or kode == scope or kode.startswith(scope + ".") or scope.startswith(kode + ".")


def load_scope(conn: sqlite3.Connection, scope: Scope) -> None:
    """Copy the region rows of ``scope`` (and its ancestors) into the registry."""
    rows = (
        (r["kode"], r["nama"], r["level"], r["kode"].rsplit(".", 1)[0] if "." in r["kode"] else None,
         name_key(r["nama"]))
        for r in _rows("" if scope.code == NATIONAL else _province_prefix(scope.code))
        if in_scope(r["kode"], scope.code)
    )  # fmt: skip
    conn.executemany("INSERT INTO wilayah (kode, nama, level, parent, name_key) VALUES (?,?,?,?,?)", rows)
    for kode, aliases in ALIASES.items():
        if in_scope(kode, scope.code):
            conn.executemany(
                "INSERT INTO wilayah_alias (name_key, kode, alias) VALUES (?,?,?)",
                [(name_key(a), kode, a) for a in aliases],
            )
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("wilayah", scope.code), ("wilayah_name", scope.name)],
    )
