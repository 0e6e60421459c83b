"""Rows as text for scripts and documents: JSON, CSV (``kube export``'s neutralising) and Markdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kube_cli.output_cells import NUMBERS, cell, csv_value, header


def json_text(data: Any) -> str:
    """JSON indented by two spaces, except that a list of flat records has one record per line.

    Python's json indents in pure Python (only compact output has its C encoder): indenting every
    value of the national report's 75,000 kelurahan rows took a second; one C-encoded line per
    record takes a tenth of that, and reads as well. ``kube export --format json`` looks the same.
    """
    import json  # here, not at the top: a table in a terminal needs neither json nor csv

    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode

    def text(value: Any, pad: str) -> str:
        inner = pad + "  "
        if isinstance(value, dict) and value:
            items = (f"{inner}{encode(str(k))}: {text(v, inner)}" for k, v in value.items())
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(value, list) and value:
            records = all(type(v) is dict for v in value)
            if records and not any(type(x) in (dict, list) for v in value for x in v.values()):
                lines = [inner + encode(v) for v in value]
            else:
                lines = [inner + text(v, inner) for v in value]
            return "[\n" + ",\n".join(lines) + "\n" + pad + "]"
        return encode(value)

    return text(data, "")


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_value(c, row.get(c)) for c in columns])
    return out.getvalue()


def markdown_text(rows: Sequence[dict[str, Any]], columns: Sequence[str], totals: dict[str, Any] | None = None) -> str:
    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [line(header(c) for c in columns)]
    lines.append("| " + " | ".join("---:" if c in NUMBERS else "---" for c in columns) + " |")
    lines += [line(cell(c, row.get(c)) for c in columns) for row in rows]
    if totals:
        lines.append(line(f"**{cell(c, totals.get(c))}**" if totals.get(c) not in (None, "") else "" for c in columns))
    return "\n".join(lines) + "\n"


def record_csv_text(record: dict[str, Any]) -> str:
    """One record as CSV: a header of its keys and one row; a nested count (``groups: {added: 1}``)
    becomes a column of its own (``groups.added``)."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            flat[key] = value
    return csv_text([flat], list(flat))
