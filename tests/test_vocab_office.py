"""The values officers write (CONTRACT "Values as officers write them"), with Hypothesis: one set of
parsers reads options and files alike."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kube_cli.errors import KubeError
from kube_cli.vocab import parse_amount, parse_bool, parse_date, parse_nik, parse_period, parse_status, parse_year

ID_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]  # fmt: skip
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]  # fmt: skip
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 12, 31))


def dotted(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@given(st.integers(min_value=1, max_value=10**12))
def test_rupiah_written_on_receipts(amount: int) -> None:
    for text in (
        f"Rp. {dotted(amount)},-",
        f"Rp {dotted(amount)},-",
        f"Rp. {dotted(amount)},00",
        f"{dotted(amount)},-",
    ):
        assert parse_amount(text) == amount, text


@given(DAYS)
def test_dates_every_way(day: date) -> None:
    iso = day.isoformat()
    for text in (f"{day.day:02d}-{day.month:02d}-{day.year}", f"{day.day}/{day.month}/{day.year % 100:02d}",
                 f"{day.day} {ID_MONTHS[day.month - 1]} {day.year}", f"{day.day} {ID_MONTHS[day.month - 1][:3]} {day.year}",
                 f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}", f"{day.day:02d}/{day.month:02d}/{day.year}"):  # fmt: skip
        assert parse_date(text) == iso, text
    assert parse_year(iso) == day.year  # a year also as a date


@given(DAYS)
def test_periods_every_way(day: date) -> None:
    month = f"{day.year}-{day.month:02d}"
    for text in (f"{day.month:02d}/{day.year}", f"{ID_MONTHS[day.month - 1]} {day.year}",
                 f"{EN_MONTHS[day.month - 1][:3]} {day.year}", month):  # fmt: skip
        assert parse_period(text) == month, text


@given(st.from_regex(r"7271[0-9]{2}(0[1-9]|[12][0-9]|4[1-9]|5[0-9]|6[0-9])(0[1-9]|1[0-2])[0-9]{6}", fullmatch=True))
def test_nik_with_spaces_dots_or_an_apostrophe(nik: str) -> None:
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))
    dots = f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}.{nik[6:]}"
    for text in (nik, f"'{nik}", spaced, dots, f"'{spaced}"):
        assert parse_nik(text) == nik, text


@pytest.mark.parametrize(("text", "value"), [("Sudah", True), ("belum", False), ("y", True), ("t", False),
                                             ("v", True), ("x", False), ("YA", True), ("tidak", False)])  # fmt: skip
def test_yes_and_no(text: str, value: bool) -> None:
    assert parse_bool(text) is value


@pytest.mark.parametrize("text", ["non-aktif", "Tidak Aktif", "nonaktif", "NON AKTIF"])
def test_status_written_apart(text: str) -> None:
    assert parse_status(text) == "nonaktif"


@pytest.mark.parametrize("text", ["32 Juli 2021", "15 Juno 2021", "31-02-2021", "Rp. -,-", "13/2021"])
def test_what_is_still_not_a_value_is_refused(text: str) -> None:
    parsers = (parse_date, parse_amount) if "Rp" in text else (parse_date, parse_period)
    for parser in parsers:
        with pytest.raises(KubeError):
            parser(text)
