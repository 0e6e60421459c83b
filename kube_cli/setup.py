"""Registry-wide operations: creating one, and the demo registry (the audit log is read in audit.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from kube_cli.db import open_registry
from kube_cli.errors import Conflict
from kube_cli.i18n import _


def init(path: Path, officer: str, wilayah: str | None) -> Path:
    """Create the registry scoped to ``wilayah`` or, when it exists, upgrade it."""
    from kube_cli import regions

    scope = regions.parse_scope(wilayah) if wilayah else None
    existed = path.exists()
    with open_registry(path, officer, create=True, wilayah=scope) as registry:
        current = registry.meta("wilayah")
        if existed and scope and scope.code != current:
            raise Conflict("wilayah", wilayah, _("this registry is already scoped to {code} ({name})").format(
                code=current, name=registry.region))  # fmt: skip
        if not existed:
            with registry.atomic():
                registry.audit("registry.init", current, {"wilayah": registry.region})
    return path.resolve()


def demo(officer: str) -> tuple[dict[str, Any], tuple[int | None, int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """A fresh registry from the sample data, in a temporary folder: the full report of it, and its
    worklist (``kube due``) for today."""
    from kube_cli import reports, sample, worklist
    from kube_cli.db import local_today

    with tempfile.TemporaryDirectory(prefix="kube-demo-") as folder:
        with open_registry(Path(folder) / "demo.db", officer, create=True) as registry:
            sample.load(registry)
            filters = reports.Filters()
            return (
                reports.summary(registry, filters),
                reports.omset_at_least(registry, filters, reports.DEFAULT_OMSET_MIN),
                worklist.due(registry, worklist.Scope(local_today())),
            )
