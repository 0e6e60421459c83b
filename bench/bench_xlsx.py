#!/usr/bin/env python3
"""XLSX roster throughput: kube's streaming reader against the openpyxl read-only path it replaced.

Both run in one run, in alternating fresh processes on the same file: ``read`` is the rows alone
(``kube_cli.sheets_xlsx.XlsxBook.rows`` vs openpyxl ``iter_rows(values_only=True)``); ``import`` is a whole
``kube import`` into a fresh registry, once with the new reader and once with openpyxl's plugged into
the same place (the rest of the import is the same code). Peak memory is each process's max RSS.

    python bench/bench_xlsx.py --groups 10000 --rounds 3     # 50,000 members
    python bench/bench_xlsx.py --bombs                       # the hostile files of issue 16 item 13
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

OPENPYXL_BOOK = '''
from openpyxl import load_workbook
from kube_cli import sheets, sheets_rows

class OpenpyxlBook(sheets_rows.Book):
    """Today's path before this change: read-only openpyxl, values only (no hidden rows)."""
    format = "xlsx"
    def __init__(self, path, name):
        super().__init__(path, name)
        self.book = load_workbook(path, read_only=True, data_only=True)
        self.sheets = [sheets_rows.Sheet(ws.title, True) for ws in self.book.worksheets]
    def rows(self, index):
        for line, cells in enumerate(self.book.worksheets[index].iter_rows(values_only=True), start=1):
            yield line, list(cells), False
    def close(self):
        self.book.close()

_open = sheets.open_book
sheets.open_book = lambda path, name, fmt: OpenpyxlBook(path, name) if fmt == "xlsx" else _open(path, name, fmt)
'''

READ = """
import sys, time
from pathlib import Path
{patch}
from kube_cli import sheets
start = time.perf_counter()
book = sheets.open_book(Path(sys.argv[1]), "f", "xlsx")
rows = sum(1 for _row in book.rows(0))
print(rows, time.perf_counter() - start)
print("ELAPSED", time.perf_counter() - start, file=sys.stderr)
"""

IMPORT = """
import sys, time
{patch}
from kube_cli.cli import main
sys.argv = ["kube", "--db", sys.argv[2], "import", sys.argv[1], "--format", "json"]
start = time.perf_counter()
try:
    main()
except SystemExit as stop:
    assert not stop.code, stop.code
print("ELAPSED", time.perf_counter() - start, file=sys.stderr)
"""


def make_xlsx(groups: int, path: Path) -> None:
    from openpyxl import Workbook

    csv_path = path.with_suffix(".csv")
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_roster.py"), "--groups", str(groups), "-o",
                    str(csv_path)], check=True)  # fmt: skip
    import csv

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Roster")
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle)):
            sheet.append(row if number == 0 else [*row[:5], int(row[5]), *row[6:]])
    book.save(path)
    csv_path.unlink()


def run(code: str, *args: str) -> tuple[float, float]:
    """(seconds, peak MiB) of one fresh process."""
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "KUBE_LANG": "en", "KUBE_OFFICER": "bench"})  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read().decode(), process.stderr.read().decode()  # type: ignore[union-attr]
    if status:
        raise SystemExit(f"failed: {err[-2000:]}")
    seconds = float(err.rsplit("ELAPSED", 1)[1].split()[0])
    del out
    return seconds, usage.ru_maxrss / 1024


def compare(path: Path, rounds: int, work: Path) -> list[str]:
    rows = int(subprocess.run([sys.executable, "-c", READ.format(patch=""), str(path)], capture_output=True,
                              text=True, check=True).stdout.split()[0])  # fmt: skip
    template = work / "template.db"
    subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(template), "init"], check=True, capture_output=True)
    results: dict[str, list[tuple[float, float]]] = {
        k: [] for k in ("read new", "read old", "import new", "import old")
    }
    for _round in range(rounds):
        for label, patch in (("new", ""), ("old", OPENPYXL_BOOK)):
            results[f"read {label}"].append(run(READ.format(patch=patch), str(path)))
            db = work / f"{label}.db"
            shutil.copy(template, db)
            results[f"import {label}"].append(run(IMPORT.format(patch=patch), str(path), str(db)))
            db.unlink()
    lines = [f"XLSX roster, {rows - 1:,} member rows ({path.stat().st_size / 2**20:.1f} MiB), {rounds} paired rounds",
             "", "| step | openpyxl read-only (before) | kube reader (now) | ratio now/before | peak RSS before → now |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for step in ("read", "import"):
        old, new = results[f"{step} old"], results[f"{step} new"]
        ratio = statistics.median(n[0] / o[0] for n, o in zip(new, old, strict=True))
        t_old, t_new = statistics.median(o[0] for o in old), statistics.median(n[0] for n in new)
        lines.append(
            f"| {step} | {t_old:.2f} s ({rows / t_old:,.0f} rows/s) | {t_new:.2f} s ({rows / t_new:,.0f} rows/s) | "
            f"{ratio:.2f} | {max(o[1] for o in old):.0f} → {max(n[1] for n in new):.0f} MiB |"
        )
    return lines


def bombs(work: Path) -> list[str]:
    """Issue 16 item 13: 20M shared strings in 0.8 MB; one 1 GB string in 1 MB."""
    from openpyxl import Workbook

    def build(path: Path, write) -> None:
        book = Workbook()
        book.active.append(["Kode KUBE", "Nama KUBE"])
        book.save(path)
        with zipfile.ZipFile(path) as old:
            parts = {i.filename: old.read(i) for i in old.infolist() if i.filename != "xl/sharedStrings.xml"}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
            for name, data in parts.items():
                new.writestr(name, data)
            with new.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
                write(part)
                part.write(b"</sst>")

    def many(part) -> None:
        block = b"<si><t></t></si>" * 1_000_000
        for _i in range(20):
            part.write(block)

    def huge(part) -> None:
        part.write(b"<si><t>")
        block = b"a" * 2**24
        for _i in range(64):
            part.write(block)
        part.write(b"</t></si>")

    lines = ["| hostile file | size | exit | seconds | peak RSS |", "| --- | --- | --- | --- | --- |"]
    template = work / "bomb.db"
    subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(template), "init"], check=True, capture_output=True)
    for label, write in (("20M shared strings", many), ("one 1 GiB string", huge)):
        path = work / "bomb.xlsx"
        build(path, write)
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "kube_cli", "--db", str(template), "import", str(path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        message = process.stderr.read().decode().strip()  # type: ignore[union-attr]
        lines.append(f"| {label} | {path.stat().st_size / 1e6:.2f} MB | {os.waitstatus_to_exitcode(status)} | "
                     f"{seconds:.2f} | {usage.ru_maxrss / 1024:.0f} MiB |")  # fmt: skip
        lines.append(f"|  | {message[:150]} | | | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000, help="groups of 5 members (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bombs", action="store_true", help="time the hostile files instead")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.bombs:
            lines = bombs(work)
        else:
            path = work / "roster.xlsx"
            make_xlsx(args.groups, path)
            lines = compare(path, args.rounds, work)
    print(json.dumps(lines) if args.json else "\n".join(lines))


if __name__ == "__main__":
    main()
