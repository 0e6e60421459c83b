"""A big CSV's rows are vouched for a chunk at a time (``Body.chunks``); what that keeps and what it skips
(blank rows, totals, signatures) must be what reading the same rows one by one gives."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from kube_cli.tables import Body, Found

HEADER = ["no", "kode kelompok", "nama", "nik", "peran"]

# cells an office's sheet puts in the first columns: numbers, codes, names, total labels in their spellings,
# labels that only look like them, blanks
CELLS = st.sampled_from(["", "", "1", "12", "KUBE-001", "Siti Aminah", "JUMLAH", "Jumlah", "jumlah total", "TOTAL",
                         "Sub Total", "subtotal", "Grand  total", "jml.", "Jml", "Juml", "totalan", "Subur Jaya",
                         "Grandis", " total", "ſub total", "7271060101650001", "ketua", "ttd.", "Palu, 12 Juli 2021"])  # fmt: skip
# rows of three kinds: sparse ones (a signature's or a note's), common ones, short ones
SPARSE = st.lists(st.one_of(st.just(""), CELLS), min_size=5, max_size=7)
ROWS = st.lists(
    st.one_of(SPARSE, st.lists(CELLS.filter(bool), min_size=5, max_size=6), st.lists(CELLS, min_size=3, max_size=4)),
    max_size=40,
)


class _Rows:
    """Rows as a CSV's reader gives them (``batch_read._CsvRows``): one by one, or many at once."""

    def __init__(self, rows: list[list[str]]) -> None:
        self.rows = iter(list(enumerate(rows, start=3)))

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> tuple[int, list[str], bool]:
        line, cells = next(self.rows)
        return line, list(cells), False

    def take(self, size: int) -> tuple[list[int], list[list[str]]]:
        taken = list(itertools.islice(self.rows, size))
        return [line for line, _cells in taken], [list(cells) for _line, cells in taken]


def _body(rows: list[list[str]]) -> Body:
    return Body(Found(2, HEADER, []), _Rows(rows))


@settings(max_examples=300, deadline=None)
@given(ROWS, st.integers(min_value=1, max_value=8))
def test_rows_read_a_chunk_at_a_time_are_those_read_one_by_one(rows: list[list[str]], size: int) -> None:
    alone = _body(rows)
    expected = [(line, cells) for line, cells in alone]
    chunked = _body(rows)
    got = [
        (line, list(cells)) for lines, chunk in chunked.chunks(size) for line, cells in zip(lines, chunk, strict=True)
    ]
    assert got == expected
    assert vars(chunked.skipped) == vars(alone.skipped)


def test_a_total_row_inside_a_chunk_is_skipped_as_one_by_one() -> None:
    rows = [["1", "KUBE-001", "Siti", "7271060101650001", "ketua"]] * 3
    rows = [*rows, ["", "JUMLAH", "", "", "3"], *rows]
    body = _body(rows)
    kept = [line for lines, _chunk in body.chunks(4) for line in lines]
    assert kept == [3, 4, 5, 7, 8, 9] and body.skipped.total == 1
