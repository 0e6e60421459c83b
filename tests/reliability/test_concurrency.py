"""Several officers' scripts writing to one registry at once: every write lands, none is refused."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.reliability.conftest import integrity, run_kube, scalar

PROCESSES, EACH = 3, 25


def _officer(db: Path, n: int, each: int) -> list[tuple[int, str]]:
    """One officer's script: ``each`` group adds in a row, as separate ``kube`` processes."""
    results = []
    for i in range(each):
        done = run_kube("group", "add", f"KUBE Petugas {n} No {i}", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                        "--year", "2024", db=db)  # fmt: skip
        results.append((done.returncode, done.stderr))
    return results


def _all_at_once(db: Path, each: int) -> list[tuple[int, str]]:
    with ThreadPoolExecutor(PROCESSES) as pool:  # threads only wait: the writers are real processes
        batches = list(pool.map(lambda n: _officer(db, n, each), range(PROCESSES)))
    return [result for batch in batches for result in batch]


def test_three_processes_adding_25_groups_each_all_succeed(palu: Path) -> None:
    results = _all_at_once(palu, EACH)

    failures = [(code, err) for code, err in results if code != 0]
    assert not failures, failures[:3]
    assert not any("locked" in err or "busy" in err for _code, err in results)
    groups = json.loads(run_kube("group", "list", "--format", "json", db=palu).stdout)
    assert len(groups) == PROCESSES * EACH
    assert len({g["code"] for g in groups}) == PROCESSES * EACH
    assert scalar(palu, "SELECT count(*) FROM audit_log WHERE action = 'group.add'") == PROCESSES * EACH
    assert integrity(palu) == ["ok"]


def test_three_processes_racing_to_create_the_registry_share_one(tmp_path: Path) -> None:
    db = tmp_path / "new" / "kube.db"

    results = _all_at_once(db, 1)

    assert [code for code, _err in results] == [0] * PROCESSES, results
    assert scalar(db, "SELECT count(*) FROM groups") == PROCESSES
    assert scalar(db, "SELECT count(*) FROM wilayah WHERE level = 'kecamatan'") == 8  # Kota Palu, loaded once
    assert sorted(p.name for p in db.parent.iterdir()) == ["kube.db"]  # no temporary files left behind
