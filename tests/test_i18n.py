"""Bahasa Indonesia interface: help, errors and tables follow the language; what scripts read does not."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INDONESIAN_MONTH = (
    r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}"
)


def run_kube(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``kube`` in a fresh process: help is built when the command tree is, so test it from the outside."""
    base = {k: v for k, v in os.environ.items() if k not in ("KUBE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    base.update(PYTHONPATH=str(ROOT), COLUMNS="100", **env)
    return subprocess.run([sys.executable, "-m", "kube_cli", *args], capture_output=True, text=True, env=base,
                          timeout=60)  # fmt: skip


# --- help --------------------------------------------------------------------------------------


def test_root_help_reads_in_indonesian_with_kube_lang() -> None:
    result = run_kube("--help", env={"KUBE_LANG": "id"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Cara pakai: kube" in out
    assert "Perintah" in out and "Opsi" in out
    assert "Daftarkan dan ubah KUBE (kelompok)." in out
    assert "Tampilkan bantuan ini lalu keluar." in out
    assert "Show this message" not in out and "Usage:" not in out


def test_group_add_help_reads_in_indonesian() -> None:
    result = run_kube("group", "add", "--help", env={"KUBE_LANG": "id"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Daftarkan KUBE baru dan tampilkan kodenya." in out
    assert "Contoh:" in out and '"KUBE Sintuvu" --kelurahan lasoani' in out  # examples kept as typed
    assert "Nama atau kode kelurahan/desa." in out
    assert "[wajib]" in out and "[bawaan: table]" in out
    assert "Argumen" in out
    # option names are what scripts type: never translated
    assert "--kelurahan" in out and "--usaha" in out and "--format" in out


def test_lang_option_wins_over_kube_lang(kube, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBE_LANG", "id")
    assert "Register a new KUBE and print its code." in kube("--lang", "en", "group", "add", "--help").stdout
    assert "Daftarkan KUBE baru" in kube("--lang=id", "group", "add", "--help").stdout
    monkeypatch.setenv("KUBE_LANG", "en")
    assert "Daftarkan KUBE baru" in kube("--lang", "id", "group", "add", "--help").stdout


def test_indonesian_locale_picks_indonesian_without_kube_lang(kube, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "Cara pakai:" in run_kube("--help", env={"LANG": "id_ID.UTF-8"}).stdout
    monkeypatch.delenv("KUBE_LANG")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert "Usage:" in kube("--help").stdout  # no locale at all: English
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Usage:" in kube("--help").stdout
    monkeypatch.setenv("LC_ALL", "id_ID.UTF-8")
    assert "Cara pakai:" in kube("--help").stdout


def test_a_bad_lang_is_a_usage_error(kube) -> None:
    result = kube("--lang", "xx", "group", "list", code=2)
    assert "'xx'" in result.stderr and "'id', 'en'" in result.stderr


def test_the_language_of_one_run_does_not_leak_into_the_next(kube) -> None:
    assert "Daftarkan KUBE baru" in kube("--lang", "id", "group", "add", "--help").stdout
    assert "Register a new KUBE" in kube("group", "add", "--help").stdout  # KUBE_LANG=en (conftest)
    assert "Missing argument" in kube("group", "add", code=2).stderr


# --- errors ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_group_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once (``kube init`` loads the region's places, which takes a second), copied per test."""
    from typer.testing import CliRunner

    from kube_cli.cli import app

    path = tmp_path_factory.mktemp("template") / "kube.db"
    runner = CliRunner()
    for args in (["init"], ["group", "add", "KUBE Sintuvu", "--kelurahan", "Lasoani", "--usaha", "e-warong",
                            "--code", "SNT-1"]):  # fmt: skip
        result = runner.invoke(app, ["--db", str(path), "--lang", "en", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    return path


@pytest.fixture
def one_group(one_group_registry: Path, registry_path: Path) -> str:
    shutil.copy2(one_group_registry, registry_path)
    return "SNT-1"


def refused_in_indonesian(kube, unchanged, *args: str, code: int = 1) -> str:
    with unchanged():
        result = kube("--lang", "id", *args, code=code)
    return result.stderr


def test_unknown_kelurahan_in_indonesian(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(
        kube, unchanged, "group", "add", "KUBE Baru", "--kelurahan", "Laswani", "--usaha", "e-warong"
    )
    assert err.strip() == "Kesalahan: kelurahan 'Laswani': bukan kelurahan/desa di Kota Palu; maksud Anda 'Lasoani'?"


def test_bad_nik_in_indonesian(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(
        kube, unchanged, "member", "add", one_group, "--nik", "7271011399850001", "--name", "Siti"
    )
    assert err.startswith("Kesalahan: NIK '727101******0001': bulan: angka ke-9 dan ke-10 bukan bulan")
    err = refused_in_indonesian(kube, unchanged, "member", "add", one_group, "--nik", "72710145", "--name", "Siti")
    assert "panjang: 8 angka, NIK harus 16" in err


def test_bad_amount_in_indonesian(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(kube, unchanged, "aid", "record", one_group, "--amount", "banyak", "--kind", "modal")
    assert err.strip() == (
        "Kesalahan: nilai 'banyak': bukan jumlah uang; tulis seperti 25000000, 25.000.000 atau 25 juta"
    )


def test_duplicates_in_indonesian(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(kube, unchanged, "group", "add", "KUBE Lain", "--kelurahan", "Lasoani", "--usaha",
                                "e-warong", "--code", one_group)  # fmt: skip
    assert "sudah dipakai kelompok lain" in err
    kube("group", "add", "KUBE Dua", "--kelurahan", "Lasoani", "--usaha", "e-warong", "--code", "SNT-2")
    kube("member", "add", one_group, "--nik", "7271014506850001", "--name", "Siti Rahma")
    err = refused_in_indonesian(
        kube, unchanged, "member", "add", "SNT-2", "--nik", "7271014506850001", "--name", "Siti"
    )
    assert "sudah terdaftar di kelompok SNT-1; satu NIK hanya boleh di satu kelompok: pakai `kube member move`" in err


def test_unknown_group_in_indonesian(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(kube, unchanged, "group", "show", "TIDAK-ADA")
    assert err.strip() == (
        "Kesalahan: kode 'TIDAK-ADA': kelompok tidak ditemukan; lihat `kube group list`, "
        "atau cari menurut nama dengan `kube find`"
    )


def test_missing_registry_in_indonesian(kube, unchanged, registry_path: Path) -> None:
    err = refused_in_indonesian(kube, unchanged, "group", "list")
    assert err.strip() == (
        f"Kesalahan: registri '{registry_path}': tidak ada; jalankan `kube init` dulu, atau pakai --db"
    )


def test_usage_errors_in_indonesian_exit_2(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(kube, unchanged, "group", "add", "X", "--bogus", code=2)
    assert "Tidak ada opsi --bogus" in err and "Cara pakai: kube group add" in err and "Kesalahan" in err
    err = refused_in_indonesian(kube, unchanged, "group", "add", "X", "--usaha", "kuliner", code=2)
    assert "Opsi '--kelurahan' belum diisi." in err
    # every one missing, named as in the usage line
    err = refused_in_indonesian(kube, unchanged, "group", "add", code=2)
    assert "Argumen dan opsi 'NAME', '--kelurahan', '--usaha' belum diisi." in " ".join(err.replace("│", "").split())
    err = refused_in_indonesian(kube, unchanged, "grup", "list", code=2)
    assert "Tidak ada perintah 'grup'. Maksud Anda 'group'?" in err
    err = refused_in_indonesian(kube, unchanged, "report", "--by", "desa", code=2)
    assert "Nilai '--by' tidak sah: 'desa' bukan salah satu dari" in err
    err = refused_in_indonesian(kube, unchanged, "group", "list", "lebih", code=2)
    assert "Ada argumen berlebih (lebih)" in err
    err = refused_in_indonesian(kube, unchanged, "log", "--limit", "banyak", code=2)
    assert "Nilai '--limit' / '-n' tidak sah: harus bilangan bulat" in err
    assert "No such" not in err and "Invalid value" not in err


def test_a_missing_choice_lists_the_choices_in_indonesian(kube, unchanged, one_group) -> None:
    err = refused_in_indonesian(kube, unchanged, "report", "chart", code=2)
    assert "Opsi '--by' belum diisi. Pilih salah satu:" in err and "kecamatan" in err
    assert "Choose from" not in err


# --- what scripts read never changes -----------------------------------------------------------

SCRIPT_OUTPUTS = [
    ("group", "list"),
    ("member", "list"),
    ("aid", "list"),
    ("revenue", "list"),
    ("report",),
    ("report", "--by", "kecamatan", "--by", "usaha"),
    ("report", "--omset-min", "25 juta"),
    ("usaha", "list"),
]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_json_and_csv_are_byte_identical_in_both_languages(kube, demo_registry, fmt: str) -> None:
    for args in SCRIPT_OUTPUTS:
        english = kube("--lang", "en", *args, "--format", fmt)
        indonesian = kube("--lang", "id", *args, "--format", fmt)
        assert english.stdout_bytes == indonesian.stdout_bytes, args
        assert english.stdout.strip(), args


def test_created_record_json_is_the_same_in_both_languages(kube, one_group) -> None:
    add = ("group", "add", "KUBE Sintuvu", "--kelurahan", "Lasoani", "--usaha", "e-warong", "--year", "2021",
           "--allow-duplicate-name")  # fmt: skip
    english = kube.json("--lang", "en", *add, "--code", "A-1")
    indonesian = kube.json("--lang", "id", *add, "--code", "A-2")
    assert english.keys() == indonesian.keys()
    assert {k: v for k, v in english.items() if k not in ("code", "id", "uuid")} == {
        k: v for k, v in indonesian.items() if k not in ("code", "id", "uuid")
    }


# --- tables follow the language ----------------------------------------------------------------


def test_tables_show_dates_money_and_flags_in_the_language(kube, one_group) -> None:
    kube("aid", "record", "SNT-1", "--amount", "25 juta", "--kind", "modal", "--date", "2021-03-15")
    indonesian = kube("--lang", "id", "aid", "list").stdout
    assert "15 Maret 2021" in indonesian and "Rp25.000.000" in indonesian
    assert "Tanggal" in indonesian and "Nilai" in indonesian and "tidak" in indonesian
    english = kube("--lang", "en", "aid", "list").stdout
    assert "15 March 2021" in english and "Rp25.000.000" in english and "no" in english
    assert '"date": "2021-03-15"' in kube("--lang", "id", "aid", "list", "--format", "json").stdout
    assert "2021-03-15" in kube("--lang", "id", "aid", "list", "--format", "csv").stdout


def test_check_severities_read_in_the_language_but_stay_words_for_scripts(kube, one_group) -> None:
    table = kube("--lang", "id", "check").stdout  # SNT-1 has no ketua: a warning
    assert "peringatan" in table and "belum ada ketua" in table and "warning" not in table
    assert "warning" in kube("--lang", "en", "check").stdout
    assert kube("--lang", "id", "check", "--format", "csv").stdout.splitlines()[1].startswith("warning,")
    assert {p["severity"] for p in kube.json("--lang", "id", "check")} == {"warning"}


def test_the_demo_report_reads_in_indonesian(kube) -> None:
    out = kube("--lang", "id", "demo").stdout
    assert "Laporan KUBE" in out and "Per kelurahan" in out and "Per jenis usaha" in out
    assert "Rp27.450.000" in out
    assert not re.search(r"\b(Members|Revenue|By usaha)\b", out)


# --- the catalog -------------------------------------------------------------------------------


def test_every_string_has_a_current_indonesian_translation() -> None:
    """Fails when a new message, option or command has no translation: run `tools/i18n_catalog.py update`."""
    pytest.importorskip("babel")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n_catalog.py"), "check"],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_indonesian_months_format_only_real_dates() -> None:
    from kube_cli import i18n

    with i18n.language("id"):
        assert re.fullmatch(INDONESIAN_MONTH, i18n.format_date("2021-12-01"))
        assert i18n.format_date("2021-13-01") == "2021-13-01"
        assert i18n.format_date("") == ""
    with i18n.language("en"):
        assert i18n.format_date("2021-05-09") == "9 May 2021"
