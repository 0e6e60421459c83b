#!/usr/bin/env python3
"""Generate the fictional Kota Palu 2021 KUBE sample registry.

Deterministic (seeded ``random.Random(2021)``), standard library only.
Run from the repository root:

    python3 sample_data/generate.py

Writes next to this script:
    palu-2021-roster.csv   one row per member (77 groups x 5 = 385 rows)
    palu-2021-aid.csv      aid received per group
    palu-2021-revenue.csv  reported revenue (omset) per group
    palu-visits.csv        a year of monitoring visits, dated in days before the day
                           the sample is loaded (so `kube due` always has a worklist)

ALL names and NIKs are fictional. NIKs are valid in form only; their serials
start at 9001 and belong to no one.
"""

import csv
import datetime
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WILAYAH_CANDIDATES = [
    "/work/shared/reference/palu_wilayah.csv",
    os.path.join(REPO, "reference", "palu_wilayah.csv"),
    os.path.join(HERE, "palu_wilayah.csv"),
]

N_GROUPS = 77
MEMBERS_PER_GROUP = 5
ROLES = ["ketua", "sekretaris", "bendahara", "anggota", "anggota"]

USAHA_COUNTS = [
    ("e-Warong", 9),
    ("Warung Sembako", 8),
    ("Kuliner", 8),
    ("Menjahit", 8),
    ("Peternakan", 8),
    ("Kerajinan", 7),
    ("Perikanan", 6),
    ("Pertanian", 6),
    ("Jasa", 6),
    ("Industri Rumahan", 6),
    ("Perbengkelan", 5),
]
YEAR_COUNTS = [(2019, 20), (2020, 22), (2021, 35)]

FIRST_GROUP_CODE = "PALU-001"
FIRST_GROUP_NAME = "KUBE Sejahtera Lasoani"
FIRST_GROUP_KELURAHAN = "Lasoani"
FIRST_GROUP_REVENUE_2021 = 27_450_000
REVENUE_THRESHOLD = 25_000_000

# --- name material (all combinations are made up) -------------------------

NAME_WORDS_A = [
    "Maju",
    "Sejahtera",
    "Harapan",
    "Berkah",
    "Mandiri",
    "Rukun",
    "Karya",
    "Cahaya",
    "Mekar",
    "Tunas",
    "Bina",
    "Sinar",
    "Usaha",
    "Teratai",
    "Melati",
    "Anggrek",
    "Kenari",
    "Permata",
    "Mutiara",
    "Nusa",
]
NAME_WORDS_B = [
    "Bersama",
    "Baru",
    "Jaya",
    "Makmur",
    "Abadi",
    "Sentosa",
    "Lestari",
    "Sejati",
    "Mulia",
    "Bahagia",
    "Sakinah",
    "Amanah",
    "Indah",
    "Utama",
]
KAILI_NAMES = [
    "Sintuvu",
    "Sintuvu Maroso",
    "Nosarara",
    "Nosarara Nosabatutu",
    "Mosinggani",
    "Maliu",
    "Posumpu",
    "Nosinggani",
    "Maliu Ntinuvu",
    "Tinuvu",
    "Molibu",
    "Mombine",
    "Sampesuvu",
    "Posintuvu",
    "Nambaso",
    "Madika",
    "Vatutela",
    "Sampoe",
    "Ntovea",
    "Pojamu",
]

FEMALE_GIVEN = [
    "Nurhayati",
    "Siti",
    "Hasna",
    "Rahmawati",
    "Sitti",
    "Nurjannah",
    "Hadijah",
    "Fatmawati",
    "Suriani",
    "Marlina",
    "Jumriah",
    "Asniar",
    "Herlina",
    "Wahyuni",
    "Nurlela",
    "Salmah",
    "Rosmini",
    "Megawati",
    "Sumarni",
    "Nursiah",
    "Hartini",
    "Kasmawati",
    "Aisyah",
    "Mardiana",
    "Sri",
    "Rini",
    "Yuliana",
    "Endang",
    "Darmawati",
    "Nurmiati",
    "Husna",
    "Rosnah",
    "Halimah",
    "Sahria",
    "Nuraini",
    "Masita",
    "Ratna",
    "Irawati",
    "Suharti",
    "Jamilah",
    "Nirwana",
    "Asriani",
    "Murni",
    "Ernawati",
]
FEMALE_SECOND = [
    "Rahma",
    "Aminah",
    "Nurbaya",
    "Hajrah",
    "Fitri",
    "Ramlah",
    "Wulandari",
    "Rahayu",
    "Maryam",
    "Zainab",
    "Salma",
    "Nurhaliza",
    "Handayani",
    "Lestari",
    "Kurniasih",
]
MALE_GIVEN = [
    "Abdul",
    "Muhammad",
    "Rusli",
    "Hasan",
    "Syamsul",
    "Amiruddin",
    "Jufri",
    "Ridwan",
    "Hamzah",
    "Arifin",
    "Sudirman",
    "Yusuf",
    "Rahmat",
    "Idris",
    "Basri",
    "Darwis",
    "Firman",
    "Agus",
    "Bambang",
    "Iskandar",
    "Sahrul",
    "Andi",
    "Mansyur",
    "Haris",
]
MALE_SECOND = [
    "Rahman",
    "Karim",
    "Halim",
    "Latif",
    "Salam",
    "Rauf",
    "Wahid",
    "Malik",
    "Saputra",
    "Santoso",
    "Hidayat",
    "Kadir",
]
FAMILY_NAMES = [
    "Lamasitudju",
    "Lasantu",
    "Lapatau",
    "Lamakampali",
    "Tombolotutu",
    "Lamarauna",
    "Labiro",
    "Lahadji",
    "Latjeno",
    "Lapasere",
    "Datupalinge",
    "Intje",
    "Pettalolo",
    "Lamadjido",
    "Lembah",
    "Dg. Matona",
    "Lasipi",
    "Tanggo",
    "Bantilan",
    "Lamangkona",
    "Ladjalani",
    "Pakamundi",
    "Mangun",
    "Paliuju",
    "Rampalodji",
    "Dg. Sute",
    "Sulemana",
    "Makmur",
    "Tandjumbulu",
    "Mantasia",
]

AID_SOURCES_KEMENSOS = "Kemensos RI"
AID_SOURCES_LOCAL = ["APBD Kota Palu", "Dinas Sosial Kota Palu"]


def load_wilayah():
    for path in WILAYAH_CANDIDATES:
        if os.path.exists(path):
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            return rows
    raise SystemExit(f"palu_wilayah.csv not found in: {WILAYAH_CANDIDATES}")


def kecamatan_digits(kode):
    # 72.71.08.1005 -> "08"
    return kode.split(".")[2]


def make_group_names(rng, kelurahan_names):
    pool = set()
    for a in NAME_WORDS_A:
        for b in NAME_WORDS_B:
            pool.add(f"KUBE {a} {b}")
    for k in KAILI_NAMES:
        pool.add(f"KUBE {k}")
    pool.discard(FIRST_GROUP_NAME)
    pool = sorted(pool)
    kaili = sorted(f"KUBE {k}" for k in KAILI_NAMES)
    # favour the Kaili names: take most of them, fill the rest from combos
    chosen = rng.sample(kaili, 16)
    rest = [n for n in pool if n not in chosen]
    chosen += rng.sample(rest, N_GROUPS - 1 - len(chosen))
    rng.shuffle(chosen)
    # a few carry the name of their kelurahan, as real groups often do
    # (kelurahan_names[0] is the first group's, already named)
    taken = set(chosen) | {FIRST_GROUP_NAME}
    for i in rng.sample(range(len(chosen)), 8):
        name = f"KUBE {rng.choice(NAME_WORDS_A)} {kelurahan_names[i + 1]}"
        if name not in taken:
            taken.discard(chosen[i])
            chosen[i] = name
            taken.add(name)
    return chosen


def assign_kelurahan(rng, wilayah):
    """Return 77 wilayah rows: every kelurahan 1..3 groups; #1 is Lasoani."""
    first = next(w for w in wilayah if w["kelurahan"] == FIRST_GROUP_KELURAHAN)
    counts = {w["kelurahan"]: 1 for w in wilayah}
    extra = N_GROUPS - len(wilayah)
    names = sorted(counts)
    while extra > 0:
        k = rng.choice(names)
        if counts[k] < 3:
            counts[k] += 1
            extra -= 1
    by_name = {w["kelurahan"]: w for w in wilayah}
    slots = []
    for k in names:
        slots += [by_name[k]] * counts[k]
    slots.remove(first)
    rng.shuffle(slots)
    return [first, *slots]


def assign_usaha(rng, kel_rows):
    """e-Warong for #1; the other 8 e-Warong groups outside Lasoani."""
    rest = []
    for name, count in USAHA_COUNTS:
        rest += [name] * (count - 1 if name == "e-Warong" else count)
    while True:
        rng.shuffle(rest)
        ok = all(
            not (u == "e-Warong" and kel_rows[i + 1]["kelurahan"] == FIRST_GROUP_KELURAHAN) for i, u in enumerate(rest)
        )
        if ok:
            return ["e-Warong", *rest]


def assign_years(rng):
    years = []
    for y, c in YEAR_COUNTS:
        years += [y] * c
    rng.shuffle(years)
    # the Lasoani e-Warong is an established group (registered 2019)
    i = years.index(2019)
    years[0], years[i] = years[i], years[0]
    return years


def random_birthdate(rng):
    start = datetime.date(1965, 1, 1).toordinal()
    end = datetime.date(2000, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def make_nik(kec, gender, birth, serial):
    day = birth.day + (40 if gender == "P" else 0)
    return f"7271{kec}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def make_person_name(rng, gender, used):
    while True:
        if gender == "P":
            given = rng.choice(FEMALE_GIVEN)
            second = FEMALE_SECOND
        else:
            given = rng.choice(MALE_GIVEN)
            second = MALE_SECOND
        r = rng.random()
        if r < 0.6:
            name = f"{given} {rng.choice(FAMILY_NAMES)}"
        elif r < 0.9:
            name = f"{given} {rng.choice(second)}"
        else:
            name = f"{given} {rng.choice(second)} {rng.choice(FAMILY_NAMES)}"
        if name.split()[0] == name.split()[1]:
            continue
        if name not in used:
            used.add(name)
            return name


def random_date(rng, year, month_from=1, month_to=12):
    start = datetime.date(year, month_from, 1).toordinal()
    if month_to == 12:
        end = datetime.date(year, 12, 31).toordinal()
    else:
        end = datetime.date(year, month_to + 1, 1).toordinal() - 1
    return datetime.date.fromordinal(rng.randint(start, end))


def rupiah(rng, lo, hi, step):
    return rng.randrange(lo // step, hi // step + 1) * step


def build(rng, wilayah):
    codes = [f"PALU-{i + 1:03d}" for i in range(N_GROUPS)]
    kel_rows = assign_kelurahan(rng, wilayah)
    usaha = assign_usaha(rng, kel_rows)
    years = assign_years(rng)
    names = [FIRST_GROUP_NAME, *make_group_names(rng, [w["kelurahan"] for w in kel_rows])]

    groups = []
    for i, code in enumerate(codes):
        groups.append(
            {
                "code": code,
                "name": names[i],
                "kelurahan": kel_rows[i]["kelurahan"],
                "kecamatan": kel_rows[i]["kecamatan"],
                "kec": kecamatan_digits(kel_rows[i]["kode"]),
                "usaha": usaha[i],
                "year": years[i],
            }
        )

    # --- roster ---
    roster = []
    serial = 9001
    used_names = set()
    for g in groups:
        for role in ROLES:
            gender = "P" if rng.random() < 0.8 else "L"
            birth = random_birthdate(rng)
            roster.append(
                {
                    "group_code": g["code"],
                    "group_name": g["name"],
                    "kelurahan": g["kelurahan"],
                    "kecamatan": g["kecamatan"],
                    "usaha": g["usaha"],
                    "year": g["year"],
                    "member_name": make_person_name(rng, gender, used_names),
                    "nik": make_nik(g["kec"], gender, birth, serial),
                    "role": role,
                    "gender": gender,
                    "pkh_graduate": "ya" if rng.random() < 0.85 else "tidak",
                }
            )
            serial += 1

    # --- aid ---
    aid = []

    def add(code, day, kind, amount, source, note):
        aid.append((code, day, kind, amount, source, note))

    for g in groups:
        r = rng.random()
        if r < 0.70:
            # standard Kemensos package: equipment + working capital
            d1 = random_date(rng, 2021, 3, 8)
            d2 = d1 + datetime.timedelta(days=rng.randint(0, 45))
            add(g["code"], d1, "peralatan", rupiah(rng, 8_000_000, 12_000_000, 50_000), AID_SOURCES_KEMENSOS,
                rng.choice(["bantuan UEP KUBE", "paket peralatan usaha", ""]))  # fmt: skip
            add(g["code"], d2, "modal", rupiah(rng, 8_000_000, 12_000_000, 50_000), AID_SOURCES_KEMENSOS,
                rng.choice(["modal usaha", "ditransfer ke rekening KUBE", ""]))  # fmt: skip
        elif r < 0.85:
            # one combined Kemensos transfer of about Rp20 juta
            d1 = random_date(rng, 2021, 2, 9)
            add(g["code"], d1, "modal", rupiah(rng, 18_000_000, 20_000_000, 50_000), AID_SOURCES_KEMENSOS,
                "bantuan UEP KUBE (sekaligus)")  # fmt: skip
        else:
            # Kemensos capital + local training
            d1 = random_date(rng, 2021, 2, 8)
            d2 = random_date(rng, 2021, 9, 11)
            add(g["code"], d1, "modal", rupiah(rng, 18_000_000, 20_000_000, 50_000), AID_SOURCES_KEMENSOS,
                "bantuan UEP KUBE")  # fmt: skip
            add(g["code"], d2, "pelatihan", rupiah(rng, 1_500_000, 3_000_000, 50_000), rng.choice(AID_SOURCES_LOCAL),
                rng.choice(["pelatihan pembukuan", "pelatihan pemasaran", "pendampingan usaha"]))  # fmt: skip
    # a few 2020 records for groups registered in 2019/2020
    older = [g for g in groups if g["year"] < 2021]
    for g in rng.sample(older, 8):
        d = random_date(rng, 2020, 6, 12)
        add(g["code"], d, rng.choice(["modal", "peralatan"]), rupiah(rng, 2_000_000, 5_000_000, 50_000),
            rng.choice(AID_SOURCES_LOCAL), "pemulihan ekonomi pascabencana")  # fmt: skip
    aid.sort(key=lambda a: (a[0], a[1]))
    aid = [
        {"group_code": c, "date": d.isoformat(), "kind": k, "amount": a, "source": s, "note": n}
        for c, d, k, a, s, n in aid
    ]

    # --- revenue ---
    others = [g for g in groups if g["code"] != FIRST_GROUP_CODE]
    picked = rng.sample(others, 10)
    skipped = {g["code"] for g in picked[:5]}
    monthly = {g["code"] for g in picked[5:]}
    older_reporting = [g for g in groups if g["year"] < 2021 and g["code"] not in skipped]
    with_2020 = {g["code"] for g in rng.sample(older_reporting, 10)}

    revenue = []
    for g in groups:
        code = g["code"]
        if code in skipped:
            continue
        if code in with_2020:
            amt = rupiah(rng, 2_000_000, 15_000_000, 10_000)
            revenue.append(
                {
                    "group_code": code,
                    "period": "2020",
                    "amount": amt,
                    "note": rng.choice(["laporan tahunan", "usaha terdampak pandemi", ""]),
                }
            )
        if code == FIRST_GROUP_CODE:
            revenue.append(
                {
                    "group_code": code,
                    "period": "2021",
                    "amount": FIRST_GROUP_REVENUE_2021,
                    "note": "e-Warong penyalur BPNT; omset tertinggi",
                }
            )
        elif code in monthly:
            for m in range(1, 13):
                amt = rupiah(rng, 200_000, 1_800_000, 10_000)
                revenue.append(
                    {
                        "group_code": code,
                        "period": f"2021-{m:02d}",
                        "amount": amt,
                        "note": "laporan bulanan" if m == 1 else "",
                    }
                )
        else:
            amt = rupiah(rng, 3_000_000, 22_000_000, 10_000)
            revenue.append(
                {
                    "group_code": code,
                    "period": "2021",
                    "amount": amt,
                    "note": rng.choice(["laporan tahunan", "", "", "dicatat pendamping"]),
                }
            )
    return roster, aid, revenue


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


VISIT_OFFICERS = ["Rahmat Lasantu", "Wahyuni Labiro", "Firman Tanggo"]  # fictional officers
VISIT_NOTES_RUNNING = ["", "", "", "stok lengkap", "pembukuan rapi", "omset naik", "pertemuan rutin"]
VISIT_NOTES_STALLED = ["modal habis", "ketua sakit", "bahan baku mahal", "pembeli sepi"]
VISIT_NOTES_STOPPED = ["usaha tutup", "anggota pindah"]
NEVER_VISITED = 6
STALLED, STOPPED = 5, 2


def build_visits(codes):
    """A year of visits per group, as days before the day they are loaded (its own seed: the other
    files stay as they were). Most groups are visited every one to four months and run; a few were
    last found stalled or stopped; a few were never visited; some were not visited for months."""
    rng = random.Random(2026)
    order = list(codes[1:])  # PALU-001, the example group, is visited regularly and runs
    rng.shuffle(order)
    never = set(order[:NEVER_VISITED])
    stalled = set(order[NEVER_VISITED : NEVER_VISITED + STALLED])
    stopped = set(order[NEVER_VISITED + STALLED : NEVER_VISITED + STALLED + STOPPED])
    visits = []
    for code in codes:
        if code in never:
            continue
        officer = VISIT_OFFICERS[int(code[-3:]) % len(VISIT_OFFICERS)]
        day = rng.randint(330, 364)
        last_gap = rng.choice([5, 12, 20, 35, 50, 70, 100, 130, 160]) if code != codes[0] else 14
        days = [day]
        while day - 35 > last_gap:
            day -= rng.randint(30, 120)
            if day <= last_gap:
                break
            days.append(day)
        days.append(last_gap)
        books = rng.random() < 0.7 or code == codes[0]
        for n, ago in enumerate(days):
            last = n == len(days) - 1
            business, note = "running", rng.choice(VISIT_NOTES_RUNNING)
            if last and code in stalled:
                business, note = "stalled", rng.choice(VISIT_NOTES_STALLED)
            elif last and code in stopped:
                business, note = "stopped", rng.choice(VISIT_NOTES_STOPPED)
            visits.append(
                {
                    "group_code": code,
                    "days_ago": ago,
                    "officer": officer,
                    "business": business,
                    "bookkeeping": "ya" if books and business == "running" else "tidak",
                    "members_present": rng.randint(3, MEMBERS_PER_GROUP),
                    "note": note,
                }
            )
    return visits


def main():
    rng = random.Random(2021)
    wilayah = load_wilayah()
    roster, aid, revenue = build(rng, wilayah)
    write_csv(
        os.path.join(HERE, "palu-2021-roster.csv"),
        [
            "group_code",
            "group_name",
            "kelurahan",
            "kecamatan",
            "usaha",
            "year",
            "member_name",
            "nik",
            "role",
            "gender",
            "pkh_graduate",
        ],
        roster,
    )
    write_csv(os.path.join(HERE, "palu-2021-aid.csv"), ["group_code", "date", "kind", "amount", "source", "note"], aid)
    write_csv(os.path.join(HERE, "palu-2021-revenue.csv"), ["group_code", "period", "amount", "note"], revenue)
    codes = sorted({row["group_code"] for row in roster})
    visits = build_visits(codes)
    write_csv(
        os.path.join(HERE, "palu-visits.csv"),
        ["group_code", "days_ago", "officer", "business", "bookkeeping", "members_present", "note"],
        visits,
    )
    print(
        f"wrote {len(roster)} roster rows, {len(aid)} aid rows, {len(revenue)} revenue rows, "
        f"{len(visits)} visits to {HERE}"
    )


if __name__ == "__main__":
    main()
