"""The parsers officers' typing goes through: amounts, NIK, dates, periods, small vocabularies."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kube_cli.errors import KubeError
from kube_cli.vocab import (
    clean_text,
    closest,
    format_rupiah,
    mask_nik,
    name_key,
    nik_gender,
    parse_aid_kind,
    parse_amount,
    parse_bool,
    parse_date,
    parse_gender,
    parse_nik,
    parse_period,
    parse_role,
    parse_status,
    parse_year,
)

# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rupiah"),
    [
        ("25000000", 25_000_000),
        ("25.000.000", 25_000_000),
        ("Rp25.000.000", 25_000_000),
        ("Rp 25.000.000,00", 25_000_000),
        ("rp. 25.000.000", 25_000_000),
        ("25jt", 25_000_000),
        ("25 juta", 25_000_000),
        ("25 JT", 25_000_000),
        ("1,5 juta", 1_500_000),
        ("1.5 juta", 1_500_000),
        ("27,45 juta", 27_450_000),
        ("750rb", 750_000),
        ("750 ribu", 750_000),
        ("1 M", 1_000_000_000),
        ("1 miliar", 1_000_000_000),
        ("0.5 jt", 500_000),
        ("0.001 jt", 1_000),
        ("  7  ", 7),
    ],
)
def test_every_contract_amount_form_reads_as_whole_rupiah(text: str, rupiah: int) -> None:
    assert parse_amount(text) == rupiah


@pytest.mark.parametrize(
    "text",
    ["0", "00", "Rp0", "0 juta", "-5", "-25.000.000", "", "Rp", "abc", "25 dollar", "1e5", "0,5", "12.34", "1,2,3",
     "25.000,50", "²", "1.000.000.000.000.001"],
)  # fmt: skip
def test_zero_negative_fractional_and_garbage_amounts_are_refused(text: str) -> None:
    with pytest.raises(KubeError) as refused:
        parse_amount(text, "amount")
    assert refused.value.problem.field == "amount"
    assert refused.value.problem.value == text.strip()


def test_rupiah_are_written_with_dots() -> None:
    assert format_rupiah(25_000_000) == "Rp25.000.000"
    assert format_rupiah(750) == "Rp750"


@given(st.integers(min_value=1, max_value=10**15))
def test_formatted_rupiah_read_back_as_the_same_amount(n: int) -> None:
    assert parse_amount(format_rupiah(n)) == n
    assert parse_amount(str(n)) == n


@settings(max_examples=200)
@given(st.text())
def test_any_text_is_a_positive_amount_or_refused(text: str) -> None:
    try:
        value = parse_amount(text)
    except KubeError:
        return
    assert type(value) is int and value > 0


@settings(max_examples=100)
@given(st.from_regex(r"\A(Rp ?)?[0-9][0-9., ]{0,12}( ?(rb|ribu|jt|juta|m|miliar))?\Z"))
def test_amount_like_text_is_a_positive_amount_or_refused(text: str) -> None:
    try:
        value = parse_amount(text)
    except KubeError:
        return
    assert type(value) is int and value > 0


# --- NIK --------------------------------------------------------------------------------------

MAN = "7271080506850001"  # Palu, born 05-06-85
WOMAN = "7271084506850002"  # day 45 = 05 + 40


@pytest.mark.parametrize("nik", [MAN, WOMAN, "1171083112009999", "9671087112009999", "7271084101019001"])
def test_valid_niks_are_kept_as_16_digit_text(nik: str) -> None:
    assert parse_nik(nik) == nik


def test_nik_written_with_spaces_or_dots_is_read() -> None:
    assert parse_nik(" 7271 0805 0685 0001 ") == MAN
    assert parse_nik("7271.0805.0685.0001") == MAN


def test_women_carry_40_on_the_birth_day() -> None:
    assert nik_gender(MAN) == "L"
    assert nik_gender(WOMAN) == "P"
    assert parse_nik("7271087106850001") == "7271087106850001"  # day 71 = 31 + 40


@pytest.mark.parametrize(
    ("nik", "part"),
    [
        ("727108050685001", "length"),
        ("72710805068500011", "length"),
        ("0071080506850001", "province"),
        ("2071080506850001", "province"),
        ("7271080513850001", "month"),
        ("7271080500850001", "month"),
        ("7271080006850001", "day"),
        ("7271083206850001", "day"),
        ("7271084006850001", "day"),
        ("7271087206850001", "day"),
    ],
)
def test_a_wrong_nik_names_the_wrong_part_and_stays_masked(nik: str, part: str) -> None:
    with pytest.raises(KubeError) as refused:
        parse_nik(nik)
    message = str(refused.value)
    assert refused.value.problem.field == "nik"
    assert part in message
    assert nik not in message and not re.search(r"\d{16}", message)
    assert nik[6:12] not in message  # the birth date is never shown


@pytest.mark.parametrize("nik", ["72710805O6850001", "NIK", "", "72" + "²" * 14, "727108" + "٠١٠١٠٠٠٠٠١"])
def test_a_nik_of_anything_but_ascii_digits_is_refused(nik: str) -> None:
    with pytest.raises(KubeError):
        parse_nik(nik)


def test_a_masked_nik_shows_six_and_four_digits() -> None:
    assert mask_nik("7271084506850001") == "727108******0001"


@settings(max_examples=200)
@given(st.one_of(st.text(), st.text(alphabet="0123456789 .", min_size=14, max_size=20)))
def test_any_text_is_a_16_digit_nik_or_refused(text: str) -> None:
    try:
        nik = parse_nik(text)
    except KubeError as refused:
        assert not re.search(r"\d{16}", str(refused))
        return
    assert re.fullmatch(r"[0-9]{16}", nik)


# --- dates, periods, years --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2021-06-15", "2021-06-15"), ("2021-6-5", "2021-06-05"), ("15/06/2021", "2021-06-15"),
     ("5/6/2021", "2021-06-05"), ("29/02/2020", "2020-02-29")],
)  # fmt: skip
def test_dates_in_both_forms_become_iso(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text",
    ["2021-02-29", "31/04/2021", "2021-13-01", "00/01/2021", "06/15/2021", "2021/06/15", "kemarin", "", "1989-12-31"],
)
def test_impossible_or_unreadable_dates_are_refused(text: str) -> None:
    with pytest.raises(KubeError) as refused:
        parse_date(text)
    assert refused.value.problem.field == "date"


@pytest.mark.parametrize(("text", "period"), [("2021", "2021"), ("2021-03", "2021-03"), ("2021-3", "2021-03")])
def test_periods_are_a_year_or_a_month(text: str, period: str) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["2021-13", "2021-00", "21", "2021-03-01", "maret", "1980"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(KubeError) as refused:
        parse_period(text)
    assert refused.value.problem.field == "period"


def test_a_bad_month_is_named() -> None:
    with pytest.raises(KubeError, match="month"):
        parse_period("2021-13")


@pytest.mark.parametrize(("text", "year"), [("2021", 2021), ("2021.0", 2021), (2019, 2019)])
def test_years(text: str, year: int) -> None:
    assert parse_year(text) == year


@pytest.mark.parametrize("text", ["21", "1980", "3000", "dua ribu", ""])
def test_bad_years_are_refused(text: str) -> None:
    with pytest.raises(KubeError):
        parse_year(text)


@settings(max_examples=300)
@given(st.text())
def test_any_text_is_a_date_period_year_or_refused(text: str) -> None:
    for parse, shape in ((parse_date, r"\d{4}-\d{2}-\d{2}"), (parse_period, r"\d{4}(-\d{2})?")):
        with contextlib.suppress(KubeError):
            assert re.fullmatch(shape, parse(text))
    with contextlib.suppress(KubeError):
        assert 1990 <= parse_year(text) <= 2100


# --- small vocabularies -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["ketua", "sekretaris", "bendahara", "anggota"])
def test_roles(role: str) -> None:
    assert parse_role(role.upper()) == role


@pytest.mark.parametrize(("parse", "bad"), [(parse_role, "boss"), (parse_aid_kind, "uang"), (parse_status, "mati")])
def test_unknown_choices_are_refused_with_the_options(parse, bad: str) -> None:
    with pytest.raises(KubeError, match="must be one of"):
        parse(bad)


@pytest.mark.parametrize(("text", "gender"), [("L", "L"), ("p", "P"), ("laki-laki", "L"), ("Perempuan", "P")])
def test_gender(text: str, gender: str) -> None:
    assert parse_gender(text) == gender


@pytest.mark.parametrize("text", ["X", "", "lp"])
def test_bad_gender_is_refused(text: str) -> None:
    with pytest.raises(KubeError):
        parse_gender(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("ya", True), ("Tidak", False), ("yes", True), ("NO", False), ("1", True), ("0", False),
     ("true", True), ("False", False)],
)  # fmt: skip
def test_yes_no_flags(text: str, value: bool) -> None:
    assert parse_bool(text) is value


@pytest.mark.parametrize("text", ["mungkin", "", "2"])
def test_bad_flags_are_refused(text: str) -> None:
    with pytest.raises(KubeError):
        parse_bool(text)


@pytest.mark.parametrize("text", ["a\x00b", "a\nb", "a\tb", "a\x1bb", "a\x7fb", "a\u2028b"])
def test_control_characters_are_refused_and_shown_escaped(text: str) -> None:
    with pytest.raises(KubeError, match="control characters") as refused:
        clean_text(text, "name")
    shown = str(refused.value.problem)  # the value is kept as given; the line shows it escaped
    assert "\\" in shown and text not in shown and shown.isprintable()


def test_text_is_kept_as_typed_after_trimming() -> None:
    assert clean_text("  KUBE [Maju] Jaya  ", "name") == "KUBE [Maju] Jaya"
    assert clean_text(None, "note", required=False) == ""
    with pytest.raises(KubeError, match="empty"):
        clean_text("   ", "name")
    with pytest.raises(KubeError, match="too long"):
        clean_text("x" * 201, "name")


def test_names_match_ignoring_case_spaces_and_dashes() -> None:
    assert name_key("  Lolu  Utara ") == name_key("lolu utara") == name_key("LOLU-UTARA")
    assert name_key("e-Warong") == name_key("ewarong") == name_key("E Warong")
    assert closest("Laswani", ["Lasoani", "Talise", "Tondo"]) == ["Lasoani"]
    assert closest("zzzz", ["Lasoani", "Talise"]) == []


def test_lowercase_m_is_refused_as_ambiguous_but_capital_m_and_miliar_are_read() -> None:
    with pytest.raises(KubeError, match="ambiguous"):
        parse_amount("1m")
    with pytest.raises(KubeError, match="ambiguous"):
        parse_amount("25 m")
    assert parse_amount("1 M") == parse_amount("1 miliar") == 1_000_000_000


def test_a_masked_nik_says_how_to_get_one_that_imports() -> None:
    with pytest.raises(KubeError) as caught:
        parse_nik("727108******0001")
    assert "--show-nik" in str(caught.value)


@pytest.mark.parametrize("text", ["72710845068500X1", "727108450685000", "7271 0845 0685 00"])
def test_wrong_niks_are_masked_in_the_error(text: str) -> None:
    with pytest.raises(KubeError) as caught:
        parse_nik(text)
    digits = text.replace(" ", "")
    assert digits not in str(caught.value) and digits[:6] in str(caught.value)


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\u2066", "\ufeff"])
def test_invisible_characters_that_change_how_text_reads_are_refused(char: str) -> None:
    with pytest.raises(KubeError, match="control characters"):
        clean_text(f"KUBE{char}Maju", "name")
