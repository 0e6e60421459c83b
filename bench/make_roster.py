#!/usr/bin/env python3
"""Write a fictional roster CSV of N groups x 5 members for benchmarking ``kube import``.

Seedable and standard library only. Kelurahan, kecamatan and usaha come from the sample roster
(real Kota Palu places); every NIK is fictional but valid in form and unique: 7271, the
kecamatan's number, a birth date DDMMYY (day + 40 for women) and a serial 9000-9999.

    python bench/make_roster.py --groups 200000 -o /tmp/roster-1m.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "palu-2021-roster.csv"
HEADER = ["group_code", "group_name", "kelurahan", "kecamatan", "usaha", "year", "member_name", "nik", "role",
          "gender", "pkh_graduate"]  # fmt: skip
ROLES = ["ketua", "sekretaris", "bendahara", "anggota", "anggota"]
GIVEN = ["Siti", "Nurhayati", "Hasna", "Rahmawati", "Hadijah", "Fatmawati", "Suriani", "Marlina", "Ahmad",
         "Rahman", "Hamzah", "Yusuf", "Ilham", "Sudirman", "Nurdin", "Arif"]  # fmt: skip
FAMILY = ["Lamarauna", "Latjeno", "Lapatau", "Tombolotutu", "Ladjanga", "Pettalolo", "Salama", "Bantilan"]
WORDS = ["Maju", "Sejahtera", "Harapan", "Berkah", "Mandiri", "Sintuvu", "Nosarara", "Mosinggani", "Rukun"]


def places() -> list[tuple[str, str, str]]:
    """(kelurahan, kecamatan, kecamatan number) as the sample roster has them."""
    seen: dict[tuple[str, str], str] = {}
    with open(SAMPLE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            seen.setdefault((row["kelurahan"], row["kecamatan"]), row["nik"][4:6])
    return [(kel, kec, num) for (kel, kec), num in sorted(seen.items())]


def nik(index: int, kecamatan: str, female: bool) -> str:
    serial, rest = 9000 + index % 1000, index // 1000
    day, rest = 1 + rest % 28, rest // 28
    month, rest = 1 + rest % 12, rest // 12
    year = 65 + rest % 35
    return f"7271{kecamatan}{day + (40 if female else 0):02d}{month:02d}{year:02d}{serial:04d}"


def write(groups: int, out: Path | None, seed: int) -> None:
    rng = random.Random(seed)
    where = places()
    usaha = sorted({"e-Warong", "Warung Sembako", "Kuliner", "Menjahit", "Peternakan", "Kerajinan", "Perikanan",
                    "Pertanian", "Jasa", "Industri Rumahan", "Perbengkelan"})  # fmt: skip
    handle = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout  # noqa: SIM115
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(HEADER)
    member = 0
    for g in range(groups):
        kel, kec, number = rng.choice(where)
        group = [f"B-{g:06d}", f"KUBE {rng.choice(WORDS)} {g}", kel, kec, rng.choice(usaha), rng.randint(2015, 2024)]
        for role in ROLES:
            female = rng.random() < 0.8
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            writer.writerow([*group, name, nik(member, number, female), role, "P" if female else "L",
                             "ya" if rng.random() < 0.85 else "tidak"])  # fmt: skip
            member += 1
    if out:
        handle.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    write(args.groups, args.output, args.seed)


if __name__ == "__main__":
    main()
