"""Text from outside made safe: invisible characters refused, NIK-long numbers masked in messages,
escapes never sent to the terminal, formulas neutralised in every CSV (issue 16, items 3, 10, 13)."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path

import pytest

from kube_cli.safetext import UNSAFE, mask_digit_runs, message_line, neutralise
from tests.conftest import one_line

INVISIBLE = {
    "arabic letter mark": "\u061c", "word joiner": "\u2060", "soft hyphen": "\u00ad", "tag A": "\U000e0041",
    "cancel tag": "\U000e007f", "zero width space": "\u200b", "right-to-left override": "\u202e",
    "first strong isolate": "\u2068", "byte order mark": "\ufeff", "hangul filler": "\u3164",
}  # fmt: skip


def test_unsafe_covers_every_control_format_and_separator_character_python_knows() -> None:
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Zl", "Zp") and not UNSAFE.match(chr(code))
    ]
    assert missed == []
    for fine in ("Siti Aminah", "Lâsoani", "KUBE [Maju] 100%", "a\u00a0b", "\u0628\u0627\u0646\u062f\u0648", "🐟"):
        assert not UNSAFE.search(fine), fine


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_are_refused_in_names_like_control_characters(kube, palu: Path, unchanged, char) -> None:
    with unchanged():
        refused = kube("group", "add", f"KUBE{char}Maju", "--kelurahan", "Lasoani", "--usaha", "e-Warong", code=1)
    line = one_line(refused, "name 'KUBE\\", "control characters")
    assert char not in line


def test_a_nik_in_scientific_notation_is_masked_in_the_import_error(kube, palu: Path, tmp_path: Path) -> None:
    kube("group", "add", "KUBE A", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "A")
    path = tmp_path / "anggota.csv"
    path.write_text('group_code,nik,name\nA,"7,27108450685001E+15",Siti Aminah\n', encoding="utf-8")
    line = one_line(kube("import", str(path), "--kind", "members", code=1), "anggota.csv:2: nik", "as a number")
    assert "27108450685001" not in line.replace(",", "") and "450685" not in line
    assert "727108*****5001" in line


@pytest.mark.parametrize(("nik", "part"), [("7271083506850001", "day: digits 7-8"),
                                           ("7271084513850001", "month: digits 9-10")])  # fmt: skip
def test_a_wrong_day_or_month_is_named_without_showing_its_digits(kube, palu: Path, nik: str, part: str) -> None:
    kube("group", "add", "KUBE A", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "A")
    line = one_line(kube("member", "add", "A", "--nik", nik, "--name", "Siti", code=1), "727108******0001", part)
    assert nik[6:10] not in line


def test_any_nik_long_digit_run_in_a_message_is_masked() -> None:
    assert mask_digit_runs("nama 'Siti 7271084506850001'") == "nama 'Siti 727108******0001'"
    assert mask_digit_runs("72.71.08.450685.0001 and 0812 3456 7890") == "727108******0001 and 081234**7890"
    kept = "Rp1.500.000.000 for 72.71.06.1001 on 2021-03-15, 4300 digits, kube-20261201-153012.db"
    assert mask_digit_runs(kept) == kept
    assert message_line("name 'x\x1b]0;PWNED\x07\x1b[2J'") == "name 'x\\x1b]0;PWNED\\x07\\x1b[2J'"


def test_a_nik_inside_an_overlong_name_is_masked_in_the_refusal(kube, palu: Path) -> None:
    name = "Siti 7271084506850001 " + "A" * 300
    line = one_line(kube("group", "add", name, "--kelurahan", "Lasoani", "--usaha", "e-Warong", code=1), "too long")
    assert "450685" not in line


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","klik")', "+62 SUM(A1)", "-1+1", "@SUM(A1)"])
def test_group_list_csv_neutralises_formulas_as_export_does(kube, palu: Path, name: str) -> None:
    kube("group", "add", "KUBE F", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "F")
    kube("group", "edit", "F", f"--name={name}")
    (row,) = list(csv.DictReader(io.StringIO(kube("group", "list", "--format", "csv").stdout)))
    assert row["name"] == "'" + name == neutralise(name)
    exported = kube("export", "groups", "--format", "csv").stdout
    (exported_row,) = list(csv.DictReader(io.StringIO(exported)))
    assert exported_row["name"] == row["name"]


def test_a_nik_typed_where_kube_expected_something_else_is_masked_in_the_usage_error(kube, palu: Path) -> None:
    kube("group", "add", "KUBE A", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", "A")
    misplaced = kube("member", "add", "A", "7271084506850001", "--nik", "7271084506850001", "--name", "X", code=2)
    assert "727108******0001" in misplaced.stderr and "7271084506850001" not in misplaced.stderr
    wrong_format = kube("group", "list", "--format", "7271084506850001", code=2)
    assert "7271084506850001" not in wrong_format.stderr
