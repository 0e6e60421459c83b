"""Member counts are maintained by the registry, and always equal a recount."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

NIKS = ["7271084506859101", "7271080101809102", "7271084202819103", "7271080303829104", "7271084404839105"]


def recount_mismatches(db: Path) -> list[tuple[str, int, int]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT code, member_count, (SELECT count(*) FROM members m WHERE m.group_id = g.id "
            "AND m.removed_at IS NULL) AS counted FROM groups g WHERE member_count != counted"
        ).fetchall()
    finally:
        conn.close()


def test_counts_follow_add_move_remove_and_rejoin(kube, registry_path: Path) -> None:
    for code in ("A-1", "A-2"):
        kube("group", "add", f"KUBE {code}", "--kelurahan", "Tondo", "--usaha", "Kuliner", "--code", code)
    for nik in NIKS:
        kube("member", "add", "A-1", "--nik", nik, "--name", f"Anggota {nik[-4:]}")
    kube("member", "move", NIKS[0], "--to", "A-2")
    kube("member", "remove", NIKS[1], "--reason", "pindah")
    kube("member", "add", "A-2", "--nik", NIKS[1], "--name", "Kembali")
    kube("member", "add", "A-1", "--nik", NIKS[0], "--name", "Dua kali", code=1)  # refused: held by A-2

    counts = {g["code"]: g["members"] for g in kube.json("group", "list")}
    assert counts == {"A-1": 3, "A-2": 2}
    assert kube.json("report")["totals"]["members"] == 5
    assert recount_mismatches(registry_path) == []


def test_check_catches_a_count_that_drifted(kube, registry_path: Path) -> None:
    kube("group", "add", "KUBE Drift", "--kelurahan", "Tondo", "--usaha", "Kuliner", "--code", "D-1")
    conn = sqlite3.connect(registry_path)
    conn.execute("UPDATE groups SET member_count = 7")
    conn.commit()
    conn.close()
    result = kube("check", "--format", "json", code=1)
    assert any("recount gives 0" in p["problem"] and p["target"] == "D-1" for p in json.loads(result.stdout))


def test_the_sample_counts_equal_a_recount(demo_registry: Path) -> None:
    assert recount_mismatches(demo_registry) == []
