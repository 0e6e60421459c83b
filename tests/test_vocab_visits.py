"""The parsers of issue 15's values: No. KK, phone, desil, stage and a visit's business state."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kube_cli.errors import KubeError
from kube_cli.vocab import (
    PROVINCES,
    mask_nik,
    mask_phone,
    parse_business,
    parse_desil,
    parse_kk,
    parse_phone,
    parse_stage,
)


@pytest.mark.parametrize(
    "text", ["7271050101010001", "'7271050101010001", "7271 0501 0101 0001", "7271.0501.0101.0001"]
)
def test_a_no_kk_as_officers_write_it(text: str) -> None:
    assert parse_kk(text) == "7271050101010001"


@pytest.mark.parametrize(
    ("text", "part"),
    [("727105010101000", "length"), ("9971050101010001", "province"), ("72710501010A0001", "16 digits"),
     ("727105******0001", "masked")],
)  # fmt: skip
def test_a_wrong_no_kk_is_refused_masked_naming_what_is_wrong(text: str, part: str) -> None:
    with pytest.raises(KubeError) as error:
        parse_kk(text)
    assert part in str(error.value)
    assert not re.search(r"\d{13,}", str(error.value)), "a whole No. KK in a message"


@settings(max_examples=200)
@given(st.one_of(st.text(), st.text(alphabet="0123456789 .'", min_size=14, max_size=22)))
def test_parse_kk_returns_16_digits_of_a_province_or_refuses(text: str) -> None:
    try:
        kk = parse_kk(text)
    except KubeError as error:
        assert error.problem.field == "kk"
        assert not re.search(r"\d{13,}", str(error))
        return
    assert re.fullmatch(r"\d{16}", kk) and kk[:2] in PROVINCES
    assert mask_nik(kk) == kk[:6] + "******" + kk[-4:]


@pytest.mark.parametrize(
    "text",
    ["081234567890", "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "+6281234567890", "6281234567890",
     "(0812) 3456-7890", "'081234567890"],
)  # fmt: skip
def test_an_indonesian_phone_is_stored_with_plus_62(text: str) -> None:
    assert parse_phone(text) == "+6281234567890"
    assert mask_phone(parse_phone(text)) == "+62******7890"


@pytest.mark.parametrize("text", ["+1 555 123 4567", "+44 20 7946 0958", "12345", "0812", "telepon", "+620812345678"])
def test_a_phone_that_is_not_indonesian_is_refused(text: str) -> None:
    with pytest.raises(KubeError) as error:
        parse_phone(text)
    assert error.value.problem.field == "phone"


@settings(max_examples=300)
@given(st.one_of(st.text(), st.from_regex(r"\A(\+62|62|0)?[ \-]?8[0-9 \-]{6,14}\Z")))
def test_parse_phone_returns_plus_62_and_digits_or_refuses(text: str) -> None:
    try:
        phone = parse_phone(text)
    except KubeError as error:
        assert error.problem.field == "phone"
        return
    assert re.fullmatch(r"\+62[1-9]\d{7,11}", phone)
    assert parse_phone(phone) == phone  # what is stored reads back as itself
    assert parse_phone("0" + phone[3:]) == phone


@settings(max_examples=100)
@given(st.from_regex(r"\A8[0-9]{7,11}\Z"))
def test_every_written_form_of_one_number_is_the_same_number(national: str) -> None:
    forms = ["0" + national, "+62" + national, "62" + national, "+62 " + national[:3] + "-" + national[3:]]
    assert {parse_phone(f) for f in forms} == {"+62" + national}


@pytest.mark.parametrize(("text", "desil"), [("1", 1), ("10", 10), (" 4 ", 4), ("3.0", 3), (7, 7)])
def test_desil_is_a_decile(text, desil: int) -> None:
    assert parse_desil(text) == desil


@pytest.mark.parametrize("text", ["0", "11", "-1", "tiga", "2.5", ""])
def test_desil_outside_1_to_10_is_refused(text: str) -> None:
    with pytest.raises(KubeError, match="desil"):
        parse_desil(text)


def test_stage_and_business_accept_their_words_and_suggest_the_nearest() -> None:
    assert parse_stage(" Pengembangan ") == "pengembangan"
    assert [parse_business(w) for w in ("running", "berjalan", "Macet", "tutup")] == [
        "running", "running", "stalled", "stopped"]  # fmt: skip
    with pytest.raises(KubeError) as error:
        parse_stage("pengembngan")
    assert "did you mean 'pengembangan'?" in str(error.value)
    with pytest.raises(KubeError) as error:
        parse_business("stoped")
    assert "did you mean 'stopped'?" in str(error.value)
