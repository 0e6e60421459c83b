"""Regenerate ``registry-v1.db``: a small registry made by the first released schema (user_version 2).

Run from the repository root, with the first release checked out:
    PYTHONPATH=. python tests/data/make_registry_v1.py
Fictional people only (NIKs valid in form, serials 9xxx).
"""

from pathlib import Path

from kube_cli import registry
from kube_cli.db import open_registry
from kube_cli.money import aid_record, revenue_record

TARGET = Path(__file__).parent / "registry-v1.db"

TARGET.unlink(missing_ok=True)
with open_registry(TARGET, "petugas-fixture", create=True) as reg:
    registry.group_add(reg, "KUBE Sintuvu", "Lasoani", "e-Warong", "2021", "V1-SINTUVU", "dibuat oleh skema v1")
    for i, (nik, name) in enumerate([("7271084506859001", "Siti Rahma"), ("7271080101809002", "Andi Lapasere"),
                                     ("7271084202819003", "Nurhayati"), ("7271080303829004", "Rahmat"),
                                     ("7271084404839005", "Wahyuni")]):  # fmt: skip
        registry.member_add(reg, "V1-SINTUVU", nik, name, "ketua" if i == 0 else "anggota")
    aid_record(reg, "V1-SINTUVU", "25 juta", "modal", "2021-06-01", "APBD Kota Palu")
    revenue_record(reg, "V1-SINTUVU", "27.450.000", "2022")
print(TARGET)
