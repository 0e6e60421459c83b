"""The sample registry shipped with kube: fictional groups in Kota Palu's real kelurahan."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from kube_cli import money, registry
from kube_cli.db import Registry


def sample_dir() -> Path:
    """``kube_cli/sample_data`` in an installed package, ``sample_data/`` in a checkout."""
    inside = Path(__file__).parent / "sample_data"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "sample_data"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with open(sample_dir() / name, encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def load(reg: Registry) -> None:
    """Load the sample roster, aid and revenue, in one transaction."""
    with reg.atomic():
        seen: set[str] = set()
        for row in _rows("palu-2021-roster.csv"):
            if row["group_code"] not in seen:
                registry.group_add(reg, row["group_name"], row["kelurahan"], row["usaha"], row["year"],
                                   row["group_code"])  # fmt: skip
                seen.add(row["group_code"])
            registry.member_add(reg, row["group_code"], row["nik"], row["member_name"], row["role"],
                                row["gender"], row["pkh_graduate"])  # fmt: skip
        for row in _rows("palu-2021-aid.csv"):
            money.aid_record(
                reg, row["group_code"], row["amount"], row["kind"], row["date"], row["source"], row["note"]
            )
        for row in _rows("palu-2021-revenue.csv"):
            money.revenue_record(reg, row["group_code"], row["amount"], row["period"], row["note"])
