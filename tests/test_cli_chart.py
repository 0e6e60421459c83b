"""``kube report chart``: bars in the terminal, and PNG/SVG files for a slide."""

from __future__ import annotations

import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.test_briefing import assert_no_personal_data

pytest.importorskip("matplotlib")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()).strip() for el in root.iter("{http://www.w3.org/2000/svg}text")]


def test_png_chart_is_a_real_picture_of_the_counts(kube, demo_registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "usaha.png"
    result = kube("report", "chart", "--by", "usaha", "-o", str(out))
    assert str(out) in result.stderr and result.stdout == ""
    assert out.stat().st_size > 20_000
    width, height = png_size(out)
    assert width >= 1600 and height >= 900  # large enough for a projected slide
    assert 1.5 < width / height < 2.0  # about 16:9
    assert not list(tmp_path.glob(".kube-chart-*")), "temporary file left behind"


def test_svg_chart_has_title_axes_and_the_reports_counts(kube, demo_registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "kecamatan.svg"
    kube("report", "chart", "--by", "kecamatan", "--year", "2020", "-o", str(out))
    assert out.stat().st_size > 10_000
    texts = svg_texts(out)
    rows = kube.json("report", "--by", "kecamatan", "--year", "2020")
    assert "KUBE per kecamatan — Kota Palu, registered by 2020" in texts
    assert "Kecamatan" in texts and "Number of KUBE (active groups)" in texts
    for row in rows:
        assert row["kecamatan"] in texts
    counts = [t for t in texts if t.isdigit()]  # tick labels and the count written on each bar
    for row in rows:
        assert str(row["groups"]) in counts


def test_kelurahan_chart_grows_tall_enough_for_every_bar(kube, demo_registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "kelurahan.png"
    kube("report", "chart", "--by", "kelurahan", "-o", str(out))
    width, height = png_size(out)
    assert height > width  # 46 bars: one readable row each


@pytest.mark.parametrize("by", ["kecamatan", "kelurahan", "usaha"])
def test_no_nik_or_member_name_in_any_chart(kube, demo_registry: Path, tmp_path: Path, by: str) -> None:
    out = tmp_path / f"{by}.svg"
    kube("report", "chart", "--by", by, "-o", str(out))
    assert_no_personal_data("\n".join(svg_texts(out)))
    assert_no_personal_data(out.read_text(encoding="utf-8"))
    assert_no_personal_data(kube("report", "chart", "--by", by).stdout)


def test_terminal_chart_draws_one_bar_per_kecamatan_with_its_count(kube, demo_registry: Path) -> None:
    out = kube("report", "chart", "--by", "kecamatan").stdout
    rows = kube.json("report", "--by", "kecamatan")
    lines = out.splitlines()
    assert lines[0].startswith("KUBE per kecamatan — Kota Palu")
    for row in rows:
        line = next(li for li in lines if li.startswith(row["kecamatan"] + " "))
        assert "█" in line and line.rstrip().endswith(f" {row['groups']}")
    longest = max(rows, key=lambda r: r["groups"])
    bar = lambda name: next(li for li in lines if li.startswith(name + " ")).count("█")  # noqa: E731
    assert all(bar(r["kecamatan"]) <= bar(longest["kecamatan"]) for r in rows)


def test_terminal_chart_needs_no_matplotlib(kube, demo_registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    out = kube("report", "chart", "--by", "usaha", "--kecamatan", "Mantikulore").stdout
    assert "e-Warong" in out and "█" in out


def test_without_matplotlib_a_file_chart_says_how_to_install_it(
    kube, demo_registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "usaha.png"
    result = kube("report", "chart", "--by", "usaha", "-o", str(out), code=1)
    assert "pip install 'kube-cli[chart]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.glob("*.png")) == []


@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.pdf"])
def test_unknown_file_types_are_refused(kube, demo_registry: Path, tmp_path: Path, unchanged, name: str) -> None:
    with unchanged():
        result = kube("report", "chart", "--by", "usaha", "-o", str(tmp_path / name), code=1)
    assert ".png or .svg" in result.stderr and name in result.stderr
    assert not (tmp_path / name).exists()


def test_a_missing_folder_is_refused(kube, demo_registry: Path, tmp_path: Path) -> None:
    result = kube("report", "chart", "--by", "usaha", "-o", str(tmp_path / "nope" / "c.png"), code=1)
    assert "folder" in result.stderr


def test_chart_dimension_is_a_usage_choice(kube, demo_registry: Path) -> None:
    kube("report", "chart", "--by", "year", code=2)
    kube("report", "chart", code=2)
