"""A large write killed with SIGKILL half-way leaves the registry whole, holding all of it or none."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import integrity, kube_env, run_kube, scalar

MEMBERS = 100_000

# A raw write through kube's own transaction, killed for certain inside it (the import test below
# kills `kube import` itself, at a moment that depends on the machine's speed).
LARGE_WRITE = r"""
import sys
from pathlib import Path
from kube_cli.db import new_uuid, now, open_registry

db, members = Path(sys.argv[1]), int(sys.argv[2])
with open_registry(db, "petugas-uji") as reg, reg.atomic() as conn:
    kel = conn.execute("SELECT kode FROM wilayah WHERE level = 'kelurahan_desa' LIMIT 1").fetchone()[0]
    usaha = conn.execute("SELECT id FROM usaha LIMIT 1").fetchone()[0]
    stamp = now()
    for n in range(members):
        if n % 20 == 0:
            group = conn.execute(
                "INSERT INTO groups (uuid, code, name, kelurahan_kode, usaha_id, year, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, 2024, ?, ?)",
                (new_uuid(), f"BIG-{n // 20:05d}", f"KUBE Besar {n // 20}", kel, usaha, stamp, stamp),
            ).lastrowid
        # fictional NIKs: Palu (7271), kecamatan 01-08, day 01-28, month 01-12, serial 9000-9999
        nik = f"7271{n % 8 + 1:02d}{n // 8 % 28 + 1:02d}{n // 224 % 12 + 1:02d}80{9000 + n // 2688:04d}"
        conn.execute(
            "INSERT INTO members (uuid, group_id, nik, name, gender, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            (new_uuid(), group, nik, f"Anggota {n}", "L", stamp, stamp),
        )
        if n == 2_000:
            print("writing", flush=True)
    reg.audit("test.large_write", "BIG", {"members": members})
print("committed", flush=True)
"""


def start_large_write(db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", LARGE_WRITE, str(db), str(MEMBERS)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=kube_env(),
    )  # fmt: skip


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_large_write_killed_half_way_leaves_none_of_it(palu: Path) -> None:
    assert run_kube("group", "add", "KUBE Sebelum", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                    "--code", "SEBELUM", db=palu).returncode == 0  # fmt: skip
    writer = start_large_write(palu)
    assert writer.stdout.readline().strip() == "writing"  # well inside the transaction
    time.sleep(0.3)
    assert writer.poll() is None, "the write finished before it could be killed"

    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)

    assert writer.returncode == -signal.SIGKILL
    assert integrity(palu) == ["ok"]
    assert scalar(palu, "SELECT count(*) FROM members") == 0  # none of it ...
    assert scalar(palu, "SELECT count(*) FROM groups") == 1  # ... and everything from before
    after = run_kube("group", "add", "KUBE Sesudah", "--kelurahan", "Lasoani", "--usaha", "e-Warong",
                     "--code", "SESUDAH", db=palu)  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert run_kube("check", "--format", "json", db=palu).returncode == 0  # warnings only: no error


def test_the_same_write_left_alone_lands_whole(palu: Path) -> None:
    """The control: unkilled, the write commits all of its rows (so the kill above proves something)."""
    writer = subprocess.run(
        [sys.executable, "-c", LARGE_WRITE, str(palu), "3000"],
        capture_output=True, text=True, env=kube_env(), timeout=120, check=False,
    )  # fmt: skip
    assert writer.returncode == 0, writer.stderr
    assert scalar(palu, "SELECT count(*) FROM members") == 3000
    assert integrity(palu) == ["ok"]


@pytest.fixture(scope="module")
def roster_100k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fictional roster of 20,000 groups and 100,000 members (bench/make_roster.py, seeded)."""
    path = tmp_path_factory.mktemp("roster") / "roster-100k.csv"
    maker = Path(__file__).resolve().parents[2] / "bench" / "make_roster.py"
    subprocess.run([sys.executable, str(maker), "--groups", "20000", "-o", str(path)], check=True, timeout=120)
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kube_import_killed_part_way_leaves_all_of_it_or_none(palu: Path, roster_100k: Path, tmp_path: Path) -> None:
    """Issue 5: a 100,000-member `kube import` killed after a moment; the registry stays whole."""
    control = tmp_path / "control.db"
    control.write_bytes(palu.read_bytes())
    started = time.perf_counter()
    assert run_kube("import", str(roster_100k), "--kind", "roster", db=control, timeout=600).returncode == 0
    took = time.perf_counter() - started
    assert scalar(control, "SELECT count(*) FROM members") == MEMBERS

    for fraction in (0.5, 0.9):  # while reading and checking rows, and near or inside the write
        target = tmp_path / f"killed-{fraction}.db"
        target.write_bytes(palu.read_bytes())
        importer = subprocess.Popen(
            [sys.executable, "-m", "kube_cli", "--db", str(target), "import", str(roster_100k), "--kind", "roster"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=kube_env(),
        )  # fmt: skip
        time.sleep(took * fraction)
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=10)

        assert integrity(target) == ["ok"]
        members = scalar(target, "SELECT count(*) FROM members")
        groups = scalar(target, "SELECT count(*) FROM groups")
        assert (members, groups) in {(0, 0), (MEMBERS, MEMBERS // 5)}, f"half an import at {fraction}"
        after = run_kube("group", "add", "KUBE Sesudah", "--kelurahan", "Lasoani", "--usaha", "e-Warong", db=target)
        assert after.returncode == 0, after.stderr
