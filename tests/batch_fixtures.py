"""Registries for the batch tests, copied from templates made once per session.

Creating a registry loads its region, which costs about a second; the batch tests need dozens
of fresh ones, so they start from copies. The templates are made by the real code paths.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kube_cli import sample
    from kube_cli.db import open_registry

    folder = tmp_path_factory.mktemp("templates")
    with open_registry(folder / "empty.db", "petugas-uji", create=True):
        pass
    with open_registry(folder / "demo.db", "petugas-uji", create=True) as registry:
        sample.load(registry)
    return folder


def copy_registry(templates: Path, name: str, dest: Path) -> Path:
    shutil.copyfile(templates / f"{name}.db", dest)
    os.chmod(dest, 0o600)
    return dest


@pytest.fixture(autouse=True)
def empty_registry(request: pytest.FixtureRequest, templates: Path, registry_path: Path) -> None:
    """Every batch test starts with an empty registry, unless it asks for none or the demo one."""
    if "no_registry" not in request.keywords and "demo_registry" not in request.fixturenames:
        copy_registry(templates, "empty", registry_path)


@pytest.fixture
def demo_registry(templates: Path, registry_path: Path) -> Path:
    """The sample registry (77 groups, 385 members, aid and revenue), as loaded by ``kube import``."""
    return copy_registry(templates, "demo", registry_path)
