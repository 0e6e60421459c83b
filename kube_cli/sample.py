"""The sample registry shipped with kube: fictional groups in Kota Palu's real kelurahan."""

from __future__ import annotations

from pathlib import Path

from kube_cli.db import Registry

SAMPLE_FILES = ("palu-2021-roster.csv", "palu-2021-aid.csv", "palu-2021-revenue.csv")
VISITS_FILE = "palu-visits.csv"  # dated in days before the day it is loaded


def sample_dir() -> Path:
    """``kube_cli/sample_data`` in an installed package, ``sample_data/`` in a checkout."""
    inside = Path(__file__).parent / "sample_data"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "sample_data"


def load(reg: Registry) -> None:
    """Load the sample roster, aid and revenue the way an officer would: with ``kube import``."""
    from kube_cli import batch

    for name in SAMPLE_FILES:
        batch.import_file(reg, sample_dir() / name, name)
    load_visits(reg)


def load_visits(reg: Registry) -> int:
    """The sample's year of visits, dated back from today, so the worklist is real on any day."""
    import csv
    from datetime import timedelta

    from kube_cli import visits
    from kube_cli.db import local_today

    today = local_today()
    with open(sample_dir() / VISITS_FILE, newline="", encoding="utf-8") as handle:
        rows = [{**row, "date": (today - timedelta(days=int(row.pop("days_ago")))).isoformat()}
                for row in csv.DictReader(handle)]  # fmt: skip
    return visits.record_many(reg, rows, VISITS_FILE)
