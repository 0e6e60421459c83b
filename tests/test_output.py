"""Tables as people read them: rich on a terminal, aligned plain text in a pipe; cells as typed."""

from __future__ import annotations

import io

from rich.console import Console

from kube_cli import output_tables

ROWS = [
    {"code": "PALU-001", "name": "KUBE [bold]Maju[/bold]", "members": 5, "aid_total": 20_000_000},
    {"code": "PALU-010", "name": "KUBE Sintuvu", "members": 12, "aid_total": 750_000},
]
COLUMNS = ("code", "name", "members", "aid_total")


def test_the_terminal_table_shows_markup_as_typed_and_money_in_rupiah() -> None:
    console = Console(file=io.StringIO(), width=120, force_terminal=True, no_color=True)
    console.print(output_tables.rich_table(ROWS, COLUMNS, "Groups", {"code": "Total", "aid_total": 20_750_000}))
    text = console.file.getvalue()
    assert "KUBE [bold]Maju[/bold]" in text and "Rp20.000.000" in text and "Rp20.750.000" in text


def test_the_plain_table_aligns_columns_and_right_aligns_numbers() -> None:
    lines = output_tables.plain_table(ROWS, COLUMNS, totals={"code": "Total", "members": 17}).splitlines()
    assert lines[0].split() == ["Code", "Name", "Members", "Aid"]
    assert set(lines[1]) == {"-", " "}
    first, second = lines[2], lines[3]
    assert first.index("KUBE") == second.index("KUBE")  # names start in one column
    assert first.rstrip().endswith("Rp20.000.000") and second.rstrip().endswith("Rp750.000")
    assert len(first.rstrip()) == len(second.rstrip())  # money right-aligned to one edge
    assert lines[-1].split() == ["Total", "17"]
    assert "│" not in "".join(lines) and "\x1b" not in "".join(lines)
