"""``kube report briefing``: the press paragraph, its numbers, and Rupiah written press-style."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_cli.briefing import format_rupiah_press
from kube_cli.sample import sample_dir
from kube_cli.vocab import parse_amount

FILTERS = [
    [],
    ["--year", "2020"],
    ["--year", "2021"],
    ["--kecamatan", "Mantikulore"],
    ["--kecamatan", "ulujadi", "--year", "2020"],
    ["--omset-min", "10 juta"],
]
NUMBER_WORDS = {"Satu": 1, "Dua": 2, "Tiga": 3, "Empat": 4, "Lima": 5, "Enam": 6, "Tujuh": 7, "Delapan": 8}


# --- Rupiah as a press release writes them ---------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_540_000_000, "Rp1,54 miliar"),
        (1_575_500_000, "Rp1,58 miliar"),
        (25_000_000, "Rp25 juta"),
        (27_450_000, "Rp27,45 juta"),
        (24_100_000, "Rp24,1 juta"),
        (750_000, "Rp750 ribu"),
        (1_000_000_000, "Rp1 miliar"),
        (999_999_999, "Rp1 miliar"),
        (2_500_000_000_000, "Rp2,5 triliun"),
        (500, "Rp500"),
        (10**15, "Rp1.000 triliun"),
    ],
)
def test_press_rupiah(amount: int, text: str) -> None:
    assert format_rupiah_press(amount) == text


PRESS = re.compile(r"^Rp(?:[1-9]\d{0,2}(?:,\d?[1-9])? (?:ribu|juta|miliar|triliun)|1\.000 triliun|[1-9]\d{0,2})$")


@given(st.integers(min_value=1, max_value=10**15))
def test_press_rupiah_is_short_and_reads_back_close(amount: int) -> None:
    text = format_rupiah_press(amount)
    assert PRESS.match(text), text
    # kube's own amount parser reads it back within the rounding of two decimals
    assert abs(parse_amount(text) - amount) <= amount * 0.005


# --- the paragraph's numbers equal the JSON report's ----------------------------------------


def _tokens(paragraph: str) -> list[str]:
    """Every number the paragraph states: press Rupiah, percentages, counts, number words."""
    rupiah = re.findall(r"Rp[\d,]+(?: (?:ribu|juta|miliar|triliun))?", paragraph)
    rest = re.sub(r"Rp[\d,]+(?: (?:ribu|juta|miliar|triliun))?", " ", paragraph)
    return rupiah + re.findall(r"\d+%?", rest) + [w for w in NUMBER_WORDS if re.search(rf"\b{w} kelompok", rest)]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "all")
def test_every_number_in_the_paragraph_is_the_reports(kube, demo_registry: Path, filters: list[str]) -> None:
    briefing = kube.json("report", "briefing", *filters)
    numbers, paragraph = briefing["numbers"], briefing["paragraph"]
    omset = filters[filters.index("--omset-min") + 1] if "--omset-min" in filters else "25 juta"
    report_filters = [a for a in filters if a not in ("--omset-min", omset)]
    report = kube.json("report", *report_filters)

    for key in ("groups", "members", "kelurahan", "aid_total", "revenue_total"):
        assert numbers[key] == report["totals"][key], key
    assert numbers["kecamatan"] == len({r["kecamatan"] for r in report["by_kelurahan"]})
    assert numbers["kecamatan"] == len(kube.json("report", "--by", "kecamatan", *report_filters))
    assert numbers["usaha_types"] == len(report["by_usaha"])
    for row in numbers["top_usaha"]:
        assert row in report["by_usaha"]
    most = max(r["groups"] for r in report["by_usaha"])
    leaders = {r["usaha"] for r in report["by_usaha"] if r["groups"] == most}
    assert {r["usaha"] for r in numbers["top_usaha"] if r["groups"] == most} == leaders

    above = kube.json("report", *report_filters, "--omset-min", omset)
    assert numbers["omset_groups"] == len(above)
    assert numbers["omset_top"] == [{k: v for k, v in r.items() if k != "name"} for r in above[:3]]
    assert numbers["omset_min"] == parse_amount(omset)

    # the paragraph states these numbers, and no other
    stated = {
        str(numbers["groups"]),
        str(numbers["members"]),
        str(numbers["kelurahan"]),
        str(numbers["kecamatan"]),
        str(numbers["usaha_types"]),
        format_rupiah_press(numbers["aid_total"]),
        format_rupiah_press(numbers["revenue_total"]),
        format_rupiah_press(numbers["omset_min"]),
        str(numbers["omset_year"]),
        str(numbers["omset_groups"]),
        f"{numbers['pkh_graduate_percent']}%",
        str(numbers["pkh_graduates"]),
        *(str(r["groups"]) for r in numbers["top_usaha"]),
        *(format_rupiah_press(r["revenue"]) for r in numbers["omset_top"]),
        str(numbers["visits_year"]),
        str(numbers["visited_groups"]),
        str(numbers["visited_running"]),
    }
    if numbers["filters"]["year"]:
        stated.add(str(numbers["filters"]["year"]))
    for token in _tokens(paragraph):
        value = str(NUMBER_WORDS[token]) if token in NUMBER_WORDS else token
        assert value in stated, f"{token!r} in the paragraph is not one of the report's numbers: {paragraph}"
    assert f"{numbers['groups']} Kelompok Usaha Bersama" in paragraph
    assert f"{numbers['members']} anggota" in paragraph
    assert f"{numbers['kelurahan']} kelurahan" in paragraph


def test_the_sample_briefing_reads_as_the_office_would_say_it(kube, demo_registry: Path) -> None:
    text = kube("report", "briefing").stdout.strip()
    assert text.startswith(
        "Dinas Sosial Kota Palu memfasilitasi 77 Kelompok Usaha Bersama (KUBE) aktif dengan 385 anggota "
        "di 46 kelurahan pada 8 kecamatan."
    )
    assert "Jenis usaha terbanyak adalah e-Warong (9 kelompok)" in text
    assert "Total bantuan yang disalurkan mencapai Rp1,58 miliar" in text
    assert (
        "Satu kelompok mencatat omzet sedikitnya Rp25 juta pada 2021, yaitu kelompok e-Warong di "
        "Kelurahan Lasoani, Kecamatan Mantikulore (Rp27,45 juta)."
    ) in text
    assert "Sebanyak 82% anggota (316 orang)" in text
    assert "\n" not in text  # one paragraph, ready to paste


def test_year_speaks_of_groups_by_then_and_money_in_that_year(kube, demo_registry: Path) -> None:
    text = kube("report", "briefing", "--year", "2020").stdout
    assert text.startswith("Hingga 2020, Dinas Sosial Kota Palu memfasilitasi 42 ")
    assert "Sepanjang 2020, bantuan yang disalurkan mencapai Rp24,1 juta" in text
    assert "Belum ada kelompok yang mencatat omzet sedikitnya Rp25 juta pada 2020." in text


def test_pkh_share_counts_current_members(kube, demo_registry: Path) -> None:
    numbers = kube.json("report", "briefing")["numbers"]
    members = kube.json("member", "list")
    graduates = sum(1 for m in members if m["pkh_graduate"])
    assert numbers["pkh_graduates"] == graduates
    assert numbers["pkh_graduate_percent"] == round(100 * graduates / len(members))

    mantikulore = kube.json("report", "briefing", "--kecamatan", "Mantikulore", "--year", "2020")["numbers"]
    conn = sqlite3.connect(demo_registry)
    (expected,) = conn.execute(
        "SELECT sum(m.pkh_graduate) FROM members m JOIN groups g ON g.id = m.group_id "
        "WHERE m.removed_at IS NULL AND g.status = 'aktif' AND g.year <= 2020 "
        "AND g.kelurahan_kode LIKE '72.71.08.%'"
    ).fetchone()
    conn.close()
    assert mantikulore["pkh_graduates"] == expected


def test_markdown_has_a_heading_and_the_paragraph(kube, demo_registry: Path) -> None:
    out = kube("report", "briefing", "--year", "2021", "--format", "markdown").stdout
    assert out.startswith("### Kilasan KUBE Kota Palu, hingga 2021\n\nHingga 2021, Dinas Sosial Kota Palu")


def test_the_paragraph_is_indonesian_whatever_the_interface_language(kube, demo_registry: Path) -> None:
    english = kube("--lang", "en", "report", "briefing").stdout
    assert "anggota" in english and "members" not in english


def test_an_empty_registry_says_there_is_nothing_yet(kube) -> None:
    kube("init")
    assert kube("report", "briefing").stdout.strip() == "Belum ada Kelompok Usaha Bersama (KUBE) aktif yang tercatat."


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--omset-min", "banyak"], "omset-min"),
        (["--year", "20x1"], "year"),
        (["--kecamatan", "Atlantis"], "kecamatan"),
    ],
)
def test_bad_filters_are_refused_in_one_line(kube, demo_registry: Path, unchanged, args, field) -> None:
    with unchanged():
        result = kube("report", "briefing", *args, code=1)
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert field in result.stderr and args[1] in result.stderr


# --- no personal data -----------------------------------------------------------------------


def sample_people() -> tuple[set[str], set[str]]:
    """The sample's member names and NIKs (full and masked)."""
    with open(sample_dir() / "palu-2021-roster.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {r["member_name"] for r in rows}
    niks = {r["nik"] for r in rows} | {r["nik"][:6] + "******" + r["nik"][-4:] for r in rows}
    return names, niks


def assert_no_personal_data(text: str) -> None:
    names, niks = sample_people()
    assert not re.search(r"\d{16}|\d{6}\*{6}\d{4}", text)
    for nik in niks:
        assert nik not in text
    for name in names:
        assert name not in text, f"member name {name!r} in the output"


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "all")
def test_no_nik_or_member_name_in_any_briefing(kube, demo_registry: Path, filters: list[str]) -> None:
    for fmt in ("text", "markdown", "json"):
        result = kube("report", "briefing", *filters, "--format", fmt)
        assert_no_personal_data(result.stdout + result.stderr)
        if fmt == "json":
            assert "nik" not in json.dumps(json.loads(result.stdout)).lower()
