"""The batch reader and header mapper on their own: any input gives rows or our error."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_cli import batch_headers
from kube_cli.batch_read import open_table
from kube_cli.errors import KubeError


def read_all(path: Path) -> list:
    table = open_table(path, path.name, batch_headers.score)
    try:
        return list(table.rows)
    finally:
        table.close()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_a_kube_error(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.csv"
    path.write_bytes(b"kode,nik,nama\n" + data)
    try:
        rows = read_all(path)
    except KubeError as error:
        assert error.lines()
    else:
        assert all(isinstance(line, int) and line >= 2 for line, _row in rows)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(alphabet=st.sampled_from(list(",;\"\n\r\t '=éa1NIKkodeNama_")), max_size=300),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))  # fmt: skip
def test_any_text_in_any_encoding_gives_rows_or_a_kube_error(tmp_path_factory, text: str, encoding: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.csv"
    path.write_bytes(text.encode(encoding))
    with contextlib.suppress(KubeError):
        read_all(path)


@given(st.lists(st.text(max_size=15), max_size=12), st.sampled_from([*batch_headers.KINDS, None]))
def test_any_header_maps_to_columns_or_a_kube_error(headers: list[str], kind: str | None) -> None:
    chosen = kind or batch_headers.detect_kind(headers)
    if chosen is None:
        return
    try:
        mapping = batch_headers.map_headers(headers, chosen, "x.csv")
    except KubeError as error:
        assert error.lines()
    else:
        assert set(batch_headers.REQUIRED[chosen]) <= set(mapping.by_header.values())


@pytest.mark.parametrize(
    ("headers", "kind"),
    [(["Kode KUBE", "Nama KUBE", "Kelurahan", "Jenis Usaha", "Nama Anggota", "NIK"], "roster"),
     (["kode_kube", "NIK", "Nama", "Jabatan"], "members"), (["Kode", "Tanggal", "Jenis Bantuan", "Nilai"], "aid"),
     (["Kode KUBE", "Periode", "Omset"], "revenue"), (["kode", "nama", "kelurahan", "jenis usaha"], "groups"),
     (["No", "Petugas"], None)],
)  # fmt: skip
def test_the_kind_is_told_by_the_headers(headers: list[str], kind: str | None) -> None:
    assert batch_headers.detect_kind(headers) == kind


def test_nama_means_the_member_in_a_roster_and_the_group_in_groups() -> None:
    assert batch_headers.column_for("name", "roster") == "member_name"
    assert batch_headers.column_for("group_name", "roster") == "group_name"
    assert batch_headers.column_for("name", "groups") == "name"
    assert (
        batch_headers.column_for("code", "groups") == "code" and batch_headers.column_for("code", "aid") == "group_code"
    )


def test_cells_as_spreadsheets_hold_them() -> None:
    from datetime import datetime

    assert batch_headers.cell_text(2021.0, "year", "Tahun") == "2021"
    assert batch_headers.cell_text(datetime(2021, 3, 1), "period", "Periode") == "2021-03"
    assert batch_headers.cell_text(datetime(2021, 3, 9), "date", "Tanggal") == "2021-03-09"
    assert batch_headers.cell_text("'=1+1", "name", "Nama") == "=1+1"
    for value in (7271086501799001, 7.271086501799e15):  # CONTRACT: a NIK as a number is refused (JSON too)
        with pytest.raises(KubeError, match="format the NIK column as Text"):
            batch_headers.cell_text(value, "nik", "NIK")
