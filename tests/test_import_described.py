"""What ``kube import`` stages, compares and writes comes from the record descriptions (issue 12).

The last test does issue 12's exercise for real: a copy of kube with a nullable ``program`` column
added to groups in the one place the records module names (one Field, one Column, one report
dimension, one migration, one translation), and nothing else edited, imports, shows, exports,
re-imports, replaces and reports by it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.test_cli_import import ROSTER_HEADER, errors, nik, roster_rows, write

ROOT = Path(__file__).parent.parent


def test_a_changed_group_is_refused_naming_the_details_that_differ(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    path = write(tmp_path / "g.csv", ["code,name,kelurahan,usaha,year,stage", "K-1,KUBE Maju,Lasoani,e-Warong,2022,"])
    with unchanged():
        result = kube("import", str(path), code=1)
    assert errors(result) == [f"Error: {path}:2: code 'K-1': is already registered with other details (year); "
                              "use --replace to update the group"]  # fmt: skip


def test_a_changed_member_is_refused_naming_the_details_that_differ(kube, tmp_path: Path, unchanged) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    path = write(tmp_path / "m.csv", ["group_code,nik,name,role,phone", f"K-1,{nik(1)},Ibu 1,bendahara,081234567890"])
    with unchanged():
        result = kube("import", str(path), code=1)
    assert errors(result) == [f"Error: {path}:2: nik '727108******9001': is already in group K-1 with other "
                              "details (role, phone); use --replace to update the member"]  # fmt: skip
    kube("import", str(path), "--replace")
    member = next(m for m in kube.json("member", "list", "K-1", "--show-nik") if m["nik"] == nik(1))
    assert (member["role"], member["phone"], member["name"]) == ("bendahara", "+6281234567890", "Ibu 1")


def test_the_refusal_reads_in_indonesian_with_the_fields_in_indonesian(kube, tmp_path: Path, monkeypatch) -> None:
    kube("import", str(write(tmp_path / "a.csv", [ROSTER_HEADER, *roster_rows()])))
    path = write(tmp_path / "g.csv", ["kode,nama,kelurahan,jenis usaha,tahun,tahap",
                                      "K-1,KUBE Maju,Lasoani,e-Warong,2021,mandiri"])  # fmt: skip
    monkeypatch.setenv("KUBE_LANG", "id")
    stderr = kube("import", str(path), code=1).stderr
    assert "sudah terdaftar dengan data lain (tahap)" in stderr, stderr


def test_a_group_detail_given_on_one_of_its_roster_rows_only_is_taken(kube, tmp_path: Path) -> None:
    header = ROSTER_HEADER + ",status,stage"
    rows = [row + (",," if i else ",aktif,penumbuhan") for i, row in enumerate(roster_rows())]
    rows[2] = rows[2][: -len(",,")] + ",,mandiri"  # the stage on the third row only, the first leaves it empty
    rows[0] = rows[0].replace(",aktif,penumbuhan", ",aktif,")
    rows[3] = rows[3].replace(",2021,", ",,")  # the year left empty on a later row: it says nothing either
    kube("import", str(write(tmp_path / "r.csv", [header, *rows])))
    group = kube.json("group", "show", "K-1")
    assert (group["status"], group["stage"], group["year"]) == ("aktif", "mandiri", 2021)


def test_a_roster_whose_rows_of_one_group_disagree_on_its_stage_is_refused(kube, tmp_path: Path, unchanged) -> None:
    header = ROSTER_HEADER + ",stage"
    rows = [row + ("," + ("mandiri" if i == 3 else "penumbuhan")) for i, row in enumerate(roster_rows())]
    path = write(tmp_path / "r.csv", [header, *rows])
    with unchanged():
        result = kube("import", str(path), code=1)
    assert errors(result) == [f"Error: {path}:5: stage 'mandiri': differs from line 2 for group K-1 ('penumbuhan'); "
                              "a group's rows must agree"]  # fmt: skip


def _kube_with_a_program_column(tmp_path: Path) -> Path:
    """A copy of kube_cli with issue 12's exercise applied by tests/exercise_program.py."""
    copy = tmp_path / "exercise"
    shutil.copytree(ROOT / "kube_cli", copy / "kube_cli", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tools", copy / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, str(ROOT / "tests" / "exercise_program.py"), str(copy)], check=True)
    subprocess.run([sys.executable, "tools/i18n_catalog.py", "compile"], cwd=copy, check=True, capture_output=True)
    return copy


def _runner(root: Path, db: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``kube`` as run from ``root``'s kube_cli, on the registry ``db``."""
    env = {**os.environ, "PYTHONPATH": str(root), "KUBE_DB": str(db), "KUBE_LANG": "en"}

    def kube(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "kube_cli", *args], env=env, cwd=root, capture_output=True,
                              text=True)  # fmt: skip
        assert done.returncode == code, (args, done.stdout, done.stderr)
        return done

    return kube


def test_a_column_added_in_the_descriptions_is_imported_shown_exported_and_reported(tmp_path: Path) -> None:
    copy = _kube_with_a_program_column(tmp_path)
    kube = _runner(copy, tmp_path / "p.db")

    kube("init")
    groups = write(tmp_path / "g.csv", ["code,name,kelurahan,usaha,program",
                                        "K-1,KUBE Maju,Lasoani,e-Warong,PKH", "K-2,KUBE Dua,Talise,Warung,"])  # fmt: skip
    assert "2 groups added" in kube("import", str(groups)).stderr
    shown = json.loads(kube("group", "show", "K-1", "--format", "json").stdout)
    assert shown["program"] == "PKH"
    assert json.loads(kube("group", "show", "K-2", "--format", "json").stdout)["program"] is None
    exported = kube("export", "groups").stdout.splitlines()
    assert exported[0].endswith(",program") and exported[1].endswith(",PKH"), exported[:2]
    assert "0 added; 0 changed; 2 groups unchanged" in kube("import", str(groups)).stderr  # re-import: nothing
    moved = write(tmp_path / "g2.csv", ["code,name,kelurahan,usaha,program", "K-2,KUBE Dua,Talise,Warung,BPNT"])
    assert "other details (program)" in kube("import", str(moved), code=1).stderr
    assert "1 groups changed" in kube("import", str(moved), "--replace").stderr
    roster = write(tmp_path / "r.csv", [ROSTER_HEADER + ",program",
                                        *(r + ",Rehabilitasi" for r in roster_rows("K-3", 20, "KUBE Tiga"))])  # fmt: skip
    kube("import", str(roster))
    report = json.loads(kube("report", "--by", "program", "--format", "json").stdout)
    by = {row["program"]: row["groups"] for row in report}
    assert by == {"PKH": 1, "BPNT": 1, "Rehabilitasi": 1}, report

    # a laptop still on the kube before the column merges as it is; what it adds has no program
    older = _runner(ROOT, tmp_path / "older.db")
    older("init")
    older("import", str(write(tmp_path / "o.csv", ["code,name,kelurahan,usaha", "K-9,KUBE Sembilan,Lasoani,Warung"])))
    kube("merge", str(tmp_path / "older.db"), "--yes")
    assert json.loads(kube("group", "show", "K-9", "--format", "json").stdout)["program"] is None
    assert json.loads(kube("group", "show", "K-1", "--format", "json").stdout)["program"] == "PKH"
    kube("publish", str(tmp_path / "public"))
    with sqlite3.connect(tmp_path / "public" / "kube-public.db") as public:
        published = dict(public.execute("SELECT code, program FROM groups").fetchall())
    assert published == {"K-1": "PKH", "K-2": "BPNT", "K-3": "Rehabilitasi", "K-9": None}
