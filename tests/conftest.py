"""Shared fixtures: every test gets its own registry in ``tmp_path``; none touches a real one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kube_cli.cli import app


@pytest.fixture(autouse=True)
def registry_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kube.db"
    monkeypatch.setenv("KUBE_DB", str(path))
    monkeypatch.setenv("KUBE_OFFICER", "petugas-uji")
    monkeypatch.setenv("KUBE_LANG", "en")
    monkeypatch.setenv("KUBE_CACHE_DIR", str(tmp_path / "cache"))  # kube --help's cache, for child processes
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path


def one_line(result: Any, *needles: str) -> str:
    """The refusal's single stderr line, holding each of ``needles``."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


class Kube:
    """Run ``kube`` in-process against the test registry."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int | None = 0, input: str | None = None) -> Any:
        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"kube {' '.join(args)} exited {result.exit_code}, expected {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--format", "json").stdout)


@pytest.fixture
def kube() -> Kube:
    return Kube()


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: to show that a refused command changed nothing."""
    if not path.exists():
        return {}
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


@pytest.fixture
def unchanged(registry_path: Path) -> Callable[[], Any]:
    """``with unchanged(): kube(..., code=1)`` asserts the registry is byte-for-byte the same data."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = snapshot(registry_path)
        existed = registry_path.exists()
        yield
        assert registry_path.exists() == existed, "a refused command created or removed the registry"
        assert snapshot(registry_path) == before, "a refused command changed the registry"

    return check


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data loaded once per session; tests get copies of this file."""
    from kube_cli import sample
    from kube_cli.db import open_registry

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_registry(path, "petugas-uji", create=True) as registry:
        sample.load(registry)
    return path


def copy_registry(source: Path, target: Path) -> Path:
    """A consistent copy of a registry file (its WAL folded in), readable by its owner only."""
    src, dest = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()
    target.chmod(0o600)
    return target


@pytest.fixture
def demo_registry(kube: Kube, registry_path: Path, demo_file: Path) -> Path:
    """A registry holding the sample data (77 groups, 385 members, aid and revenue)."""
    return copy_registry(demo_file, registry_path)


@pytest.fixture(scope="session")
def empty_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh Kota Palu registry, created once per session; tests get copies of this file."""
    from kube_cli.db import open_registry

    path = tmp_path_factory.mktemp("empty") / "empty.db"
    with open_registry(path, "petugas-uji", create=True):
        pass
    return path


@pytest.fixture
def palu(registry_path: Path, empty_file: Path) -> Path:
    """An empty registry of Kota Palu (the default region)."""
    return copy_registry(empty_file, registry_path)
