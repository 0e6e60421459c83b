"""The golden run: what scripts read (every JSON and CSV output, every exit code) on the sample
registry, with the clock fixed, stays byte for byte what it was.

It holds refactors honest: a change that means to alter an output updates ``tests/data/golden.json``
on purpose (``KUBE_UPDATE_GOLDEN=1 pytest tests/test_golden.py``) and the diff shows what changed.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kube_cli.cli import app

GOLDEN = Path(__file__).parent / "data" / "golden.json"
FIXED = datetime(2026, 11, 30, 8, 0, 0, tzinfo=UTC)

READS = [
    ["group", "list"], ["group", "list", "--kecamatan", "mantikulore"], ["group", "list", "--usaha", "e-warong"],
    ["group", "show", "PALU-001"], ["member", "list"], ["member", "list", "PALU-001"],
    ["member", "list", "PALU-002", "--show-nik"], ["aid", "list"], ["aid", "list", "PALU-001"],
    ["aid", "list", "--year", "2021"], ["revenue", "list"], ["revenue", "list", "--year", "2021"], ["report"],
    ["report", "--by", "kecamatan"], ["report", "--by", "kelurahan"], ["report", "--by", "usaha"],
    ["report", "--by", "year"], ["report", "--by", "kecamatan", "--by", "usaha"], ["report", "--year", "2021"],
    ["report", "--omset-min", "10 juta"], ["report", "--kecamatan", "palu barat"], ["usaha", "list"],
    ["wilayah", "--kecamatan", "mantikulore"], ["check"],
    ["visit", "list"], ["visit", "list", "PALU-001"], ["due"], ["due", "--days", "30", "--kecamatan", "palu barat"],
    ["group", "list", "--stage", "penumbuhan"], ["report", "--by", "stage"],
]  # fmt: skip
EXPORTS = [["export", kind] for kind in ("groups", "members", "aid", "revenue", "visits")]
WRITES = [
    ["group", "add", "KUBE Emas", "--kelurahan", "lasoani", "--usaha", "kuliner", "--year", "2022", "--code", "GOLD-1"],
    ["member", "add", "GOLD-1", "--nik", "7271084506900001", "--name", "Uji Satu", "--role", "ketua", "--pkh-graduate"],
    ["member", "add", "GOLD-1", "--nik", "7271080101900002", "--name", "Uji Dua"],
    ["aid", "record", "GOLD-1", "--amount", "5 juta", "--kind", "modal", "--date", "2022-03-01", "--source", "APBD"],
    ["revenue", "record", "GOLD-1", "--amount", "2 juta", "--period", "2022-03"],
    ["revenue", "record", "GOLD-1", "--amount", "3 juta", "--period", "2022-03", "--replace"],
    ["group", "edit", "GOLD-1", "--name", "KUBE Emas Jaya", "--usaha", "menjahit"],
    ["member", "edit", "7271080101900002", "--role", "bendahara"],
    ["member", "move", "7271080101900002", "--to", "PALU-001"],
    ["member", "remove", "7271080101900002", "--reason", "pindah domisili"],
]  # fmt: skip
REFUSALS = [
    ["group", "add", "KUBE X", "--kelurahan", "laswani", "--usaha", "e-warong"],
    ["group", "add", "KUBE X", "--kelurahan", "lasoani", "--usaha", "warung kopi"],
    ["member", "add", "GOLD-1", "--nik", "7271083501900003", "--name", "Uji Tiga"],
    ["member", "add", "GOLD-1", "--nik", "7271084506900001", "--name", "Uji Satu"],
    ["aid", "record", "GOLD-1", "--amount", "nol", "--kind", "modal"],
    ["revenue", "record", "GOLD-1", "--amount", "1 juta", "--period", "2022-03"],
    ["group", "show", "NOPE-9"],
    ["report", "--by", "planet"],
]  # fmt: skip


def _run(runner: CliRunner, args: list[str]) -> dict[str, object]:
    result = runner.invoke(app, args, catch_exceptions=False)
    return {"args": args, "exit": result.exit_code, "stdout": result.stdout}


def golden_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, object]]:
    from kube_cli import db, sample

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return FIXED if tz is not None else FIXED.replace(tzinfo=None)

    monkeypatch.setattr(db, "datetime", Frozen)
    monkeypatch.setenv("TZ", "UTC")
    path = tmp_path / "golden.db"
    monkeypatch.setenv("KUBE_DB", str(path))
    with db.open_registry(path, "petugas-uji", create=True) as registry:
        sample.load(registry)
    runner = CliRunner()
    runs = []
    for args in READS:
        runs += [_run(runner, [*args, "--format", fmt]) for fmt in ("json", "csv")]
    runs += [_run(runner, [*args, "--format", fmt]) for args in EXPORTS for fmt in ("json", "csv")]
    runs += [_run(runner, [*args, "--format", "json"]) for args in WRITES]
    runs += [_run(runner, args) for args in REFUSALS]
    runs += [_run(runner, [*args, "--format", "json"]) for args in READS[:12]]
    runs.append(_run(runner, ["log", "--format", "json"]))
    runs.append(_run(runner, ["report", "briefing", "--format", "json"]))
    return runs


def test_scripts_read_the_same_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runs = golden_run(monkeypatch, tmp_path)
    if os.environ.get("KUBE_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(runs, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(runs) == len(expected)
    for got, want in zip(runs, expected, strict=True):
        assert got == want, f"kube {' '.join(got['args'])}"  # type: ignore[arg-type]
