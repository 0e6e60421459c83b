"""The sample registry shipped with kube: fictional groups in Kota Palu's real kelurahan."""

from __future__ import annotations

from pathlib import Path

from kube_cli.db import Registry

SAMPLE_FILES = ("palu-2021-roster.csv", "palu-2021-aid.csv", "palu-2021-revenue.csv")


def sample_dir() -> Path:
    """``kube_cli/sample_data`` in an installed package, ``sample_data/`` in a checkout."""
    inside = Path(__file__).parent / "sample_data"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "sample_data"


def load(reg: Registry) -> None:
    """Load the sample roster, aid and revenue the way an officer would: with ``kube import``."""
    from kube_cli import batch

    for name in SAMPLE_FILES:
        batch.import_file(reg, sample_dir() / name, name)
