"""Where one ``kube import`` spends its time, phase by phase, and how long it holds the write lock.

    python bench/import_phases.py EMPTY.db ROSTER.csv [--runs 3] [--variant plain|no-triggers|no-indexes]
                                  [--cpu] [--statements]

EMPTY.db is copied for each run (it stays untouched). Each phase is timed in this process around
the functions that do it (no profiler, so the times are real): read (the file's rows, csv included),
parse (cells to values: what is left of the staging loop), stage (rows into the TEMP tables), check (the SQL checks), counts,
warnings (plausibility), apply (the INSERT … SELECT), commit, and the write lock (BEGIN IMMEDIATE
to COMMIT). What the member-count triggers and the secondary indexes cost inside apply is measured
by the variants, which drop them from the copy first (never do that to a registry). ``--statements``
also times each SQL statement that the check and the apply execute (the ``execute`` call only: rows a
caller then reads from a cursor are not counted), median over the runs, those of 5 ms or more.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli import batch, batch_apply, batch_fast, db

clock = time.perf_counter  # --cpu: time.process_time, steadier on a shared machine (no waiting counted)

VARIANTS = {
    "plain": "",
    "no-triggers": "DROP TRIGGER members_count_insert;",
    "no-indexes": "DROP INDEX members_group; DROP INDEX members_one_ketua; DROP INDEX groups_kelurahan; "
    "DROP INDEX groups_usaha; DROP INDEX groups_year; DROP INDEX groups_status_kelurahan;",
}


def instrument(spent: dict[str, float]) -> None:
    def timed(cls: type, name: str, phase: str) -> None:
        original = getattr(cls, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                spent[phase] = spent.get(phase, 0.0) + clock() - start

        setattr(cls, name, wrapper)

    for cls, name, phase in ((batch.Stager, "flush", "stage"), (batch_fast.FastMembers, "flush", "stage"),
                             (batch_apply.Checker, "check", "check"), (batch_apply.Checker, "counts", "counts"),
                             (batch_apply.Checker, "warnings", "warnings"), (batch_apply.Checker, "apply", "apply")):  # fmt: skip
        if hasattr(cls, name):  # (FastMembers.flush: not in code from before it staged its own rows)
            timed(cls, name, phase)
    original_warnings = batch._collect_warnings

    def collect(result, found):
        start = clock()
        try:
            return original_warnings(result, found)
        finally:
            spent["warnings"] = spent.get("warnings", 0.0) + clock() - start

    batch._collect_warnings = collect
    original_stage_rows = batch._stage_rows

    def stage_rows(*args, **kwargs):
        start = clock()
        try:
            return original_stage_rows(*args, **kwargs)
        finally:
            spent["loop"] = spent.get("loop", 0.0) + clock() - start

    batch._stage_rows = stage_rows
    original_open = batch.open_table

    def open_table(*args, **kwargs):
        table = original_open(*args, **kwargs)
        rows = table.rows

        def each():
            while True:
                start = clock()
                try:
                    item = next(rows)
                except StopIteration:
                    spent["read"] = spent.get("read", 0.0) + clock() - start
                    return
                spent["read"] = spent.get("read", 0.0) + clock() - start
                yield item

        table.rows = each()
        return table

    batch.open_table = open_table
    original_chunk = getattr(batch_fast, "read_chunk", None)  # None: code from before the fast path read lists

    def read_chunk(*args, **kwargs):  # the fast path reads a CSV's rows a chunk at a time
        start = clock()
        try:
            return original_chunk(*args, **kwargs)
        finally:
            spent["read"] = spent.get("read", 0.0) + clock() - start

    if original_chunk is not None:
        batch_fast.read_chunk = read_chunk
    original_atomic = db.Registry.atomic

    @contextmanager
    def atomic(self):
        start = clock()
        with original_atomic(self) as conn:
            yield conn
            committing = clock()
        spent["commit"] = spent.get("commit", 0.0) + clock() - committing
        spent["lock"] = spent.get("lock", 0.0) + clock() - start

    db.Registry.atomic = atomic


class TimedConnection:
    """A connection whose ``execute`` calls are timed, statement by statement (``--statements``)."""

    def __init__(self, conn, times: dict[str, float]) -> None:
        self._conn, self._times = conn, times

    def execute(self, sql, *args):
        start = clock()
        try:
            return self._conn.execute(sql, *args)
        finally:
            key = " ".join(sql.split())[:110]
            self._times[key] = self._times.get(key, 0.0) + clock() - start

    def __getattr__(self, name):
        return getattr(self._conn, name)


def time_statements(times: dict[str, float]) -> None:
    """Route the Checker's check and apply through a TimedConnection."""
    for name in ("check", "apply"):
        original = getattr(batch_apply.Checker, name)

        @functools.wraps(original)
        def wrapper(self, *args, _original=original, **kwargs):
            conn = self.conn
            self.conn = TimedConnection(conn, times)
            try:
                return _original(self, *args, **kwargs)
            finally:
                self.conn = conn

        setattr(batch_apply.Checker, name, wrapper)


ORDER = ("read", "parse", "stage", "check", "counts", "warnings", "apply", "commit", "lock", "total")


def one_run(empty: Path, roster: Path, variant: str, work: Path, spent: dict[str, float]) -> dict[str, float]:
    import sqlite3

    target = work / "load.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(empty, target)
    if VARIANTS[variant]:
        conn = sqlite3.connect(target)
        conn.executescript(VARIANTS[variant])
        conn.close()
    spent.clear()
    start = clock()
    with db.open_registry(target, "bench") as registry:
        batch.import_file(registry, roster, str(roster))
    result = dict(spent, total=clock() - start)
    loop = result.pop("loop", 0.0)
    result["parse"] = loop - result.get("read", 0.0) - result.get("stage", 0.0)  # the rest of the staging loop
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("empty", type=Path)
    parser.add_argument("roster", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--variant", choices=VARIANTS, default="plain")
    parser.add_argument("--cache-mib", type=int, help="the page cache while writing (batch_apply.APPLY_CACHE_MIB)")
    parser.add_argument("--cpu", action="store_true", help="count this process's CPU time, not wall time")
    parser.add_argument("--statements", action="store_true", help="also time each SQL statement of check and apply")
    args = parser.parse_args()
    if args.cpu:
        global clock
        clock = time.process_time
    if args.cache_mib is not None:
        batch_apply.APPLY_CACHE_MIB = args.cache_mib
    spent: dict[str, float] = {}
    instrument(spent)
    statements: dict[str, float] = {}
    per_run: list[dict[str, float]] = []
    if args.statements:
        time_statements(statements)
    with tempfile.TemporaryDirectory(prefix="kube-phases-") as work:
        runs = []
        for _ in range(args.runs):
            statements.clear()
            runs.append(one_run(args.empty, args.roster, args.variant, Path(work), spent))
            per_run.append(dict(statements))
    print(f"| variant | {' | '.join(ORDER)} |")
    print(f"|---|{'---:|' * len(ORDER)}")
    median = {k: statistics.median(r.get(k, 0.0) for r in runs) for k in ORDER}
    print(f"| {args.variant} (median of {len(runs)}) | " + " | ".join(f"{median[k]:.2f}" for k in ORDER) + " |")
    if args.statements:
        print()
        for sql in per_run[0]:
            spent_on = statistics.median(r.get(sql, 0.0) for r in per_run)
            if spent_on >= 0.005:
                print(f"{spent_on:6.3f}  {sql}")


if __name__ == "__main__":
    main()
