"""The business types (jenis usaha) a new registry starts with, and their aliases.

Built-in types get a UUID derived from their name, so registries made apart agree on them.
"""

from __future__ import annotations

import sqlite3
import uuid

from kube_cli.vocab import name_key

_NAMESPACE = uuid.UUID("6b1f0c2e-4a57-4d0e-9a53-6b75626555aa")

BUILTIN: dict[str, tuple[str, ...]] = {
    "e-Warong": ("e-waroeng", "e-warung", "warong", "e-warong kube", "warung bpnt"),
    "Warung Sembako": ("kios sembako", "toko sembako", "sembako", "kios", "warung", "kelontong",
                       "toko kelontong", "warung kelontong"),
    "Kuliner": ("makanan", "warung makan", "rumah makan", "catering", "katering", "kue", "jajanan"),
    "Menjahit": ("jahit", "penjahit", "konveksi", "menjahit/konveksi", "tailor", "bordir"),
    "Kerajinan": ("kerajinan tangan", "handicraft", "anyaman", "tenun"),
    "Peternakan": ("ternak", "ternak ayam", "ternak kambing", "ternak sapi", "ayam", "kambing", "sapi",
                   "bebek", "itik"),
    "Perikanan": ("ikan", "budidaya ikan", "nelayan", "tambak"),
    "Pertanian": ("tani", "bertani", "hortikultura", "sayur", "sayuran", "kebun", "perkebunan"),
    "Perbengkelan": ("bengkel", "bengkel motor", "tambal ban", "las"),
    "Jasa": ("jasa lainnya", "salon", "pangkas rambut", "laundry", "cuci"),
    "Industri Rumahan": ("industri rumah tangga", "home industry", "olahan pangan", "keripik"),
    "Perdagangan": ("dagang", "jualan", "pedagang", "perdagangan umum"),
}  # fmt: skip


def builtin_uuid(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name_key(name)))


def seed(conn: sqlite3.Connection) -> None:
    from kube_cli.db import now

    for name, aliases in BUILTIN.items():
        cursor = conn.execute(
            "INSERT INTO usaha (uuid, name, builtin, created_at) VALUES (?, ?, 1, ?)",
            (builtin_uuid(name), name, now()),
        )
        conn.executemany(
            "INSERT INTO usaha_alias (key, alias, usaha_id) VALUES (?, ?, ?)",
            [(name_key(a), a, cursor.lastrowid) for a in aliases],
        )
