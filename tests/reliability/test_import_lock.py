"""A large `kube import` holds the registry's write lock only for its final write (issue 16 item 5).

Reading, staging and checking a roster hold no lock, so other officers' `group add` and `member add`
go through meanwhile; the write re-checks what another command changed in between (CONTRACT, "Batch
files"). The roster's size: ``KUBE_TEST_IMPORT_GROUPS`` groups x 5 members (default 20,000; the
issue's case was 300,000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kube_cli import batch
from kube_cli.db import open_registry
from kube_cli.errors import KubeError
from tests.reliability.conftest import integrity, kube_env, run_kube, scalar

GROUPS = int(os.environ.get("KUBE_TEST_IMPORT_GROUPS", "20000"))
MAKER = Path(__file__).resolve().parents[2] / "bench" / "make_roster.py"


def _roster(path: Path, groups: int) -> Path:
    """A fictional roster (bench/make_roster.py, seeded): NIK serials 9000-9999, so the NIKs below never clash."""
    subprocess.run([sys.executable, str(MAKER), "--groups", str(groups), "-o", str(path)], check=True, timeout=300)
    return path


@pytest.fixture(scope="module")
def big_roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _roster(tmp_path_factory.mktemp("lock") / "roster.csv", GROUPS)


def _nik(n: int) -> str:
    return f"72710845068500{n:02d}"  # fictional: Palu, kecamatan 08, a woman born 5 June 1985, serial 00NN


def _imported(db: Path) -> bool:
    return scalar(db, "SELECT count(*) FROM audit_log WHERE action = 'import'") > 0


# `kube import`'s own function in a process of its own that, once it has read 2,000 rows, says so and
# waits for the test's word: whatever the machine's speed, the other officer writes mid-read.
PAUSED_IMPORT = r"""
import sys, time
from pathlib import Path
from kube_cli import batch
from kube_cli.db import open_registry

db, roster, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])

def progress(rows, _position, _total):
    if rows == 2000:
        print("reading", flush=True)
        deadline = time.monotonic() + 120
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

with open_registry(db, "petugas-uji") as registry:
    result = batch.import_file(registry, roster, roster.name, "roster", progress=progress)
print(batch.summary_line(result), flush=True)
"""


def test_other_officers_write_while_an_import_is_reading(palu: Path, tmp_path: Path) -> None:
    """Issue 16 item 5: before, `group add` waited for the import's lock and failed after 30 s."""
    roster = _roster(tmp_path / "roster.csv", 1000)
    assert run_kube("group", "add", "KUBE Petugas Lain", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                    "--code", "LAIN-1", db=palu).returncode == 0  # fmt: skip
    go = tmp_path / "go"
    importer = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IMPORT, str(palu), str(roster), str(go)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kube_env(),
    )  # fmt: skip
    try:
        assert importer.stdout.readline().strip() == "reading", importer.stderr.read()
        started = time.perf_counter()
        group = run_kube("group", "add", "KUBE Lain", "--kelurahan", "Lasoani", "--usaha", "e-Warong", db=palu)
        member = run_kube("member", "add", "LAIN-1", "--nik", _nik(1), "--name", "Siti Lain", db=palu)
        took = time.perf_counter() - started
        assert group.returncode == 0, group.stderr
        assert member.returncode == 0, member.stderr
        assert took < 20, f"the other officer waited {took:.0f} s"  # the busy timeout is 30 s
        assert importer.poll() is None  # the import is still reading
    finally:
        go.touch()
    out, err = importer.communicate(timeout=300)

    assert importer.returncode == 0, err
    assert "1000 groups, 5000 members added" in out
    assert scalar(palu, "SELECT count(*) FROM groups") == 1002
    assert scalar(palu, "SELECT count(*) FROM members") == 5001
    assert integrity(palu) == ["ok"]


def test_officers_commands_all_succeed_beside_a_large_import(palu: Path, big_roster: Path) -> None:
    """The real thing: one officer's script of `group add` and `member add` for as long as a large
    `kube import` runs (set KUBE_TEST_IMPORT_GROUPS=300000 for the issue's 1.5M rows)."""
    assert run_kube("group", "add", "KUBE Petugas Lain", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                    "--code", "LAIN-1", db=palu).returncode == 0  # fmt: skip
    importer = subprocess.Popen(
        [sys.executable, "-m", "kube_cli", "--db", str(palu), "import", str(big_roster), "--kind", "roster"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kube_env(),
    )  # fmt: skip
    results, n = [], 0
    while importer.poll() is None:  # another officer's script, one command after another
        n += 1
        if n % 2:
            done = run_kube("group", "add", f"KUBE Lain {n}", "--kelurahan", "Lasoani", "--usaha", "e-Warong", db=palu)
        else:
            done = run_kube("member", "add", "LAIN-1", "--nik", _nik(n), "--name", f"Anggota Lain {n}", db=palu)
        results.append((done.returncode, done.stderr))
    _out, err = importer.communicate(timeout=600)

    assert importer.returncode == 0, err
    assert [r for r in results if r[0] != 0] == [], "another officer's command failed during the import"
    assert scalar(palu, "SELECT count(*) FROM members WHERE nik LIKE '7271084506850%'") == n // 2
    assert scalar(palu, "SELECT count(*) FROM members") == GROUPS * 5 + n // 2  # all of the import, and theirs
    assert scalar(palu, "SELECT count(*) FROM groups") == GROUPS + 1 + (n + 1) // 2
    assert integrity(palu) == ["ok"]
    assert run_kube("check", "--format", "json", db=palu).returncode == 0  # the maintained counts are exact


def test_a_nik_added_while_the_import_reads_makes_it_refuse_naming_the_line(palu: Path, tmp_path: Path) -> None:
    """The import's check ran before the NIK existed; its write finds it and writes nothing."""
    roster = _roster(tmp_path / "roster.csv", 1000)
    with roster.open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    taken_line = 4000  # well after the moment the other officer writes (the first progress call, row 2000)
    taken = lines[taken_line - 1].split(",")[7]
    assert run_kube("group", "add", "KUBE Petugas Lain", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                    "--code", "LAIN-1", db=palu).returncode == 0  # fmt: skip
    added: list[subprocess.CompletedProcess[str]] = []

    def meanwhile(rows: int, _position: int, _total: int) -> None:  # called while the rows are read
        if not added:
            added.append(run_kube("member", "add", "LAIN-1", "--nik", taken, "--name", "Siti Lain", db=palu))

    with open_registry(palu, "petugas-uji") as registry, pytest.raises(KubeError) as refused:
        batch.import_file(registry, roster, "roster.csv", "roster", progress=meanwhile)

    assert added and added[0].returncode == 0, added and added[0].stderr
    message = str(refused.value)
    assert f"roster.csv:{taken_line}: nik '{taken[:6]}" in message, message
    assert "already belongs to group LAIN-1" in message
    assert taken not in message  # masked
    assert scalar(palu, "SELECT count(*) FROM groups") == 1  # nothing of the import was written
    assert scalar(palu, "SELECT count(*) FROM members") == 1  # the other officer's member stays
    assert not _imported(palu)
    again = run_kube("import", str(roster), "--kind", "roster", "--format", "json", db=palu)
    assert again.returncode == 1 and f"roster.csv:{taken_line}: nik" in again.stderr  # the same, from the command
    assert integrity(palu) == ["ok"]


def test_a_group_added_meanwhile_is_rechecked_and_the_import_lands_whole(palu: Path, tmp_path: Path) -> None:
    """The registry changed between the check and the write, with no conflict: all of the file is written."""
    roster = _roster(tmp_path / "roster.csv", 1000)
    added: list[subprocess.CompletedProcess[str]] = []

    def meanwhile(rows: int, _position: int, _total: int) -> None:
        if not added:
            added.append(
                run_kube("group", "add", "KUBE Lain", "--kelurahan", "Lasoani", "--usaha", "e-Warong", db=palu)
            )

    started = time.perf_counter()
    with open_registry(palu, "petugas-uji") as registry:
        result = batch.import_file(registry, roster, "roster.csv", "roster", progress=meanwhile)
    assert time.perf_counter() - started < 120
    assert added[0].returncode == 0, added[0].stderr
    assert (result.counts["groups"].added, result.counts["members"].added) == (1000, 5000)
    assert scalar(palu, "SELECT count(*) FROM groups") == 1001
    assert scalar(palu, "SELECT sum(member_count) FROM groups") == 5000
    again = run_kube("import", str(roster), "--kind", "roster", "--format", "json", db=palu)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["members"] == {"added": 0, "changed": 0, "unchanged": 5000}  # idempotent


def test_a_visits_import_is_counted_again_when_the_registry_changed_meanwhile(palu: Path, tmp_path: Path) -> None:
    """The re-check inside the write counts a visits file a second time: it lands whole, once."""
    from datetime import date, timedelta

    assert run_kube("group", "add", "KUBE Dikunjungi", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                    "--code", "KUNJ-1", db=palu).returncode == 0  # fmt: skip
    visits = tmp_path / "kunjungan.csv"
    first = date(2019, 1, 1)
    rows = [f"KUNJ-1,{first + timedelta(days=n)},petugas-uji,running,ya,,\n" for n in range(2500)]
    visits.write_text("group_code,date,officer,business,bookkeeping,members_present,note\n" + "".join(rows))
    added: list[subprocess.CompletedProcess[str]] = []

    def meanwhile(rows: int, _position: int, _total: int) -> None:
        if not added:
            added.append(run_kube("group", "add", "KUBE Lain", "--kelurahan", "Lasoani", "--usaha", "Kuliner",
                                  db=palu))  # fmt: skip

    with open_registry(palu, "petugas-uji") as registry:
        result = batch.import_file(registry, visits, "kunjungan.csv", "visits", progress=meanwhile)
    assert added and added[0].returncode == 0, added and added[0].stderr
    assert result.counts["visits"].added == 2500
    assert scalar(palu, "SELECT count(*) FROM visits") == 2500
