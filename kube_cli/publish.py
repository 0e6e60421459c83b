"""``kube publish DIR``: a copy of the registry safe to share, with Datasette metadata.

The public file is built fresh, table by table, from queries that name every column they copy,
so personal data cannot slip in: no NIK, no member names, no free-text notes, no void reasons,
no audit log. It holds groups (with member counts), the places and business types they use,
valid aid and revenue, and views of the counts by kelurahan, kecamatan and usaha that equal
``kube report --format json`` (active groups, current members). It is built in a temporary file
with ``journal_mode = DELETE`` (no ``-wal`` beside it), vacuumed, then moved into place
(``fileio.NewFile``).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from kube_cli import fileio
from kube_cli.db import Registry, now
from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.records import AID, GROUPS, RECORDS, REVENUE, Record, current_group, kecamatan_join

DB_NAME = "kube-public.db"
METADATA_NAME = "metadata.json"
LICENSE = ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")

# The record tables hold the fields their descriptions mark public (kube_cli/records.py), so personal
# data cannot slip in: what is not public there does not leave the registry.
_GROUPS_COLUMNS, _GROUPS_SQL = GROUPS.public_sql(f"WHERE {current_group('g')} ORDER BY g.code")
_AID_COLUMNS, _AID_SQL = AID.public_sql("WHERE a.voided_at IS NULL ORDER BY a.date, g.code, a.id")
_REVENUE_COLUMNS, _REVENUE_SQL = REVENUE.public_sql("ORDER BY g.code, r.period")

SCHEMA = f"""
CREATE TABLE places (
    kode TEXT PRIMARY KEY, kelurahan TEXT NOT NULL, kecamatan_kode TEXT NOT NULL, kecamatan TEXT NOT NULL,
    kabupaten_kota TEXT
);
CREATE TABLE usaha (name TEXT PRIMARY KEY, aliases TEXT NOT NULL);
CREATE TABLE groups ({_GROUPS_COLUMNS}, PRIMARY KEY (code), FOREIGN KEY (kelurahan_kode) REFERENCES places(kode),
    FOREIGN KEY (usaha) REFERENCES usaha(name));
CREATE TABLE aid (id INTEGER PRIMARY KEY, {_AID_COLUMNS}, FOREIGN KEY (group_code) REFERENCES groups(code));
CREATE INDEX aid_group ON aid(group_code);
CREATE TABLE revenue (id INTEGER PRIMARY KEY, {_REVENUE_COLUMNS}, FOREIGN KEY (group_code) REFERENCES groups(code));
CREATE INDEX revenue_group ON revenue(group_code);

CREATE VIEW active_group_totals AS
SELECT g.code, g.kelurahan_kode, substr(g.kelurahan_kode, 1, 8) AS kecamatan_kode, g.kelurahan, g.kecamatan,
       g.usaha, g.members, g.aid_total, g.revenue_total
FROM groups g WHERE g.status = 'aktif';
CREATE VIEW counts_by_kelurahan AS
SELECT kecamatan, kelurahan, kelurahan_kode, count(*) AS groups, sum(members) AS members,
       sum(aid_total) AS aid_total, sum(revenue_total) AS revenue_total
FROM active_group_totals GROUP BY kelurahan_kode ORDER BY kecamatan, kelurahan;
CREATE VIEW counts_by_kecamatan AS
SELECT kecamatan, kecamatan_kode, count(DISTINCT kelurahan_kode) AS kelurahan, count(*) AS groups,
       sum(members) AS members, sum(aid_total) AS aid_total, sum(revenue_total) AS revenue_total
FROM active_group_totals GROUP BY kecamatan_kode ORDER BY kecamatan;
CREATE VIEW counts_by_usaha AS
SELECT usaha, count(*) AS groups, sum(members) AS members, sum(aid_total) AS aid_total,
       sum(revenue_total) AS revenue_total
FROM active_group_totals GROUP BY usaha ORDER BY groups DESC, usaha;
CREATE VIEW totals AS
SELECT count(*) AS groups, coalesce(sum(members), 0) AS members, count(DISTINCT kelurahan_kode) AS kelurahan,
       coalesce(sum(aid_total), 0) AS aid_total, coalesce(sum(revenue_total), 0) AS revenue_total
FROM active_group_totals;
"""

# Every column copied is named here: what is not named does not leave the registry.
COPIES = {
    "places": (
        "SELECT kel.kode, kel.nama, kec.kode, kec.nama, kab.nama FROM wilayah kel "
        f"{kecamatan_join()} LEFT JOIN wilayah kab ON kab.kode = kec.parent "
        "WHERE kel.kode IN (SELECT kelurahan_kode FROM groups) ORDER BY kel.kode"
    ),
    "usaha": (
        "SELECT u.name, coalesce((SELECT group_concat(alias, ', ') FROM "
        "(SELECT alias FROM usaha_alias a WHERE a.usaha_id = u.id ORDER BY alias)), '') FROM usaha u ORDER BY u.name"
    ),
    "groups": _GROUPS_SQL,
    "aid": _AID_SQL,
    "revenue": _REVENUE_SQL,
}


def publish(registry: Registry, folder: Path) -> tuple[Path, Path]:
    """Write ``folder/kube-public.db`` and ``folder/metadata.json``; returns their paths.

    Each is built under a temporary name and replaces the old one whole; a publish that fails
    leaves the folder as it was (and no folder, if it made one)."""
    if folder.exists() and not folder.is_dir():
        raise KubeError("dir", str(folder), _("is a file, not a folder"))
    target, metadata_path = folder / DB_NAME, folder / METADATA_NAME
    with fileio.refused_as(folder, "dir", any_os_error=True):
        made = fileio.make_folders(folder, mode=0o755)  # meant for the public
    try:
        with fileio.refused_as(target, "dir", any_os_error=True), fileio.NewFile(target, mode=0o644) as public:
            _build(registry, public.temp)
            metadata = json.dumps(metadata_for(registry), ensure_ascii=False, indent=2) + "\n"
            with fileio.NewFile(metadata_path, mode=0o644) as meta:
                meta.temp.write_text(metadata, encoding="utf-8")
    except BaseException:
        fileio.remove_folders(made)
        raise
    return target, metadata_path


def _build(registry: Registry, path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.executescript(SCHEMA)
        conn.execute("BEGIN")
        for table, sql in COPIES.items():
            rows = registry.conn.execute(sql).fetchall()
            if rows:  # a record table's own id is left to the public file (its rows are numbered anew)
                into = f"{table} ({', '.join(f.name for f in RECORDS[table].public)})" if table in RECORDS else table
                conn.executemany(f"INSERT INTO {into} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _docs(record: Record) -> dict[str, str]:
    return {f.name: f.doc or f.label for f in record.public}


def metadata_for(registry: Registry) -> dict[str, Any]:
    """Datasette's ``metadata.json``: titles, descriptions, column labels, Rupiah, licence and source."""
    region = registry.region
    rupiah = "Rupiah (IDR), whole"
    money = {
        "aid_total": f"Aid given (bantuan), in {rupiah}",
        "revenue_total": f"Revenue reported (omset), in {rupiah}",
    }
    counts = {"groups": "Active KUBE groups", "members": "Current members of active groups", **money}
    return {
        "title": f"KUBE — {region}",
        "description": (
            f"Kelompok Usaha Bersama (joint-business groups of poor families) registered by the Dinas Sosial of "
            f"{region}: groups, places, business types, aid and revenue. Contains no personal data: no NIK, no "
            f"member names, no notes. Amounts are whole Rupiah. Published {now()[:10]}."
        ),
        "license": LICENSE[0],
        "license_url": LICENSE[1],
        "source": f"Dinas Sosial {region}, KUBE registry (kube)",
        "databases": {
            "kube-public": {
                "description": "Counts are of active (aktif) groups and their current members.",
                "tables": {
                    "groups": {
                        "description": "One row per KUBE group.",
                        "label_column": "name",
                        "columns": _docs(GROUPS),
                    },
                    "places": {
                        "description": "Kelurahan/desa that have a group, with their kecamatan (Kemendagri 2025).",
                        "label_column": "kelurahan",
                        "columns": {
                            "kode": "Kemendagri code",
                            "kelurahan": "Kelurahan/desa",
                            "kecamatan_kode": "Kemendagri code of the kecamatan",
                            "kecamatan": "Kecamatan",
                            "kabupaten_kota": "Kabupaten/kota",
                        },
                    },
                    "usaha": {
                        "description": "Business types (jenis usaha) and other names for them.",
                        "columns": {"name": "Business type", "aliases": "Other names"},
                    },
                    "aid": {
                        "description": "Aid (bantuan) given to groups; voided records are left out.",
                        "columns": _docs(AID),
                    },
                    "revenue": {
                        "description": "Revenue (omset) reported by groups, per year or per month.",
                        "columns": _docs(REVENUE),
                    },
                    "counts_by_kelurahan": {
                        "description": "Active groups, members, aid and revenue by kelurahan.",
                        "columns": counts,
                    },
                    "counts_by_kecamatan": {
                        "description": "Active groups, members, aid and revenue by kecamatan.",
                        "columns": {**counts, "kelurahan": "Kelurahan with a group"},
                    },
                    "counts_by_usaha": {
                        "description": "Active groups, members, aid and revenue by business type.",
                        "columns": counts,
                    },
                    "totals": {"description": "The whole registry in one row.", "columns": counts},
                    "active_group_totals": {
                        "description": "Each active group with its aid and revenue totals.",
                        "columns": money,
                    },
                },
            }
        },
    }
