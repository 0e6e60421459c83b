"""``kube publish``: a copy for the public with the counts the report gives and no personal data."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kube_cli.sample import sample_dir
from tests.conftest import copy_registry


def roster() -> list[dict[str, str]]:
    with open(sample_dir() / "palu-2021-roster.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample_registry(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample registry (77 groups, 385 members), copied once for this module's read-only tests."""
    return copy_registry(demo_file, tmp_path_factory.mktemp("sample") / "kube.db")


@pytest.fixture(scope="module")
def site(sample_registry: Path) -> Path:
    from typer.testing import CliRunner

    from kube_cli.cli import app

    folder = sample_registry.parent / "site"
    result = CliRunner().invoke(app, ["--db", str(sample_registry), "publish", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def report(kube, sample_registry: Path) -> dict:
    return kube.json("--db", str(sample_registry), "report")


def test_published_file_holds_no_nik_name_or_note(site: Path) -> None:
    files = sorted(p.name for p in site.iterdir())
    assert files == ["kube-public.db", "metadata.json"]  # no -wal, -journal or temporary file left
    data = (site / "kube-public.db").read_bytes()
    people = roster()
    assert len(people) == 385
    for person in people:
        assert person["nik"].encode() not in data, "a NIK is in the published file"
        assert person["member_name"].encode() not in data, "a member's name is in the published file"
    with open(sample_dir() / "palu-2021-aid.csv", encoding="utf-8", newline="") as handle:
        notes = {row["note"] for row in csv.DictReader(handle) if row["note"]}
    assert notes and not [note for note in notes if note.encode() in data]
    conn = sqlite3.connect(site / "kube-public.db")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"groups", "places", "usaha", "aid", "revenue"}


def test_views_count_what_the_report_counts(kube, site: Path, sample_registry: Path, report: dict) -> None:
    conn = sqlite3.connect(site / "kube-public.db")
    conn.row_factory = sqlite3.Row
    totals = dict(conn.execute("SELECT * FROM totals").fetchone())
    assert totals == report["totals"]
    by_kel = {(r["kecamatan"], r["kelurahan"]): (r["groups"], r["members"])
              for r in conn.execute("SELECT * FROM counts_by_kelurahan")}  # fmt: skip
    assert by_kel == {(r["kecamatan"], r["kelurahan"]): (r["groups"], r["members"]) for r in report["by_kelurahan"]}
    by_kec = [dict(r) for r in conn.execute("SELECT kecamatan, groups, members, aid_total, revenue_total "
                                            "FROM counts_by_kecamatan")]  # fmt: skip
    assert by_kec == [{k: r[k] for k in ("kecamatan", "groups", "members", "aid_total", "revenue_total")}
                      for r in kube.json("--db", str(sample_registry), "report", "--by", "kecamatan")]  # fmt: skip


def test_metadata_describes_the_site(site: Path) -> None:
    meta = json.loads((site / "metadata.json").read_text(encoding="utf-8"))
    assert meta["title"] == "KUBE — Kota Palu" and meta["license"] and meta["source"]
    tables = meta["databases"]["kube-public"]["tables"]
    assert "Rupiah" in tables["aid"]["columns"]["amount"]
    assert {"counts_by_kelurahan", "counts_by_kecamatan", "counts_by_usaha"} <= set(tables)


def test_publishing_again_replaces_the_file(kube, sample_registry: Path, registry_path: Path, tmp_path: Path) -> None:
    shutil.copy(sample_registry, registry_path)
    kube("publish", str(tmp_path / "site"))
    kube("group", "edit", "PALU-001", "--status", "nonaktif")
    kube("publish", str(tmp_path / "site"))
    conn = sqlite3.connect(tmp_path / "site" / "kube-public.db")
    assert conn.execute("SELECT groups FROM totals").fetchone()[0] == 76


def test_publish_into_a_file_is_refused(kube, sample_registry: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    assert "is a file" in kube("--db", str(sample_registry), "publish", str(target), code=1).stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_datasette_serves_the_counts(site: Path, report: dict) -> None:
    pytest.importorskip("datasette", reason="the publish extra: pip install 'kube-cli[publish]'")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "datasette", "serve", str(site / "kube-public.db"),
               "-m", str(site / "metadata.json"), "-p", str(port), "-h", "127.0.0.1"]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _get(f"{base}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start: {server.stderr.read().decode()[-500:]}")
                time.sleep(0.2)
        by_usaha = _get(f"{base}/kube-public/counts_by_usaha.json?_shape=array")
        assert {r["usaha"]: (r["groups"], r["members"]) for r in by_usaha} == {
            r["usaha"]: (r["groups"], r["members"]) for r in report["by_usaha"]
        }
        by_kel = _get(f"{base}/kube-public/counts_by_kelurahan.json?_shape=array")
        assert sum(r["members"] for r in by_kel) == report["totals"]["members"] == 385
        [totals] = _get(f"{base}/kube-public/totals.json?_shape=array")
        assert totals == report["totals"]
        assert _get(f"{base}/-/metadata.json")["title"] == "KUBE — Kota Palu"
        with urllib.request.urlopen(f"{base}/kube-public/groups", timeout=5) as page:  # the browsable site
            assert page.status == 200 and "Current members" in page.read().decode()
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
