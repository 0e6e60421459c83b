"""Every batch test starts with an empty registry (a copy of the session's), unless it asks for
none (``@pytest.mark.no_registry``) or for the sample one (``demo_registry``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_registry


@pytest.fixture(autouse=True)
def empty_registry(request: pytest.FixtureRequest, empty_file: Path, registry_path: Path) -> None:
    if "no_registry" not in request.keywords and "demo_registry" not in request.fixturenames:
        copy_registry(empty_file, registry_path)
