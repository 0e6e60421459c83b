"""Time the plausibility rules over a registry, and over a whole registry staged again as an import.

    python bench/plausibility_rules.py DB      # DB from bench/make_registry.py (opened read-only)

Prints each rule of ``kube check`` alone, the briefing's warnings beside the briefing, and, for aid,
revenue and members staged as ``kube import`` stages them, the import's own checks and counts beside
the plausibility warnings (the same connection, one after the other: compare within a run).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli import batch_apply, batch_transaction, briefing, plausibility
from kube_cli.batch_result import Problems
from kube_cli.db import open_registry

STAGE = {
    "aid": "INSERT INTO sa SELECT a.id, g.code, a.date, a.kind, a.amount, a.source, a.note FROM aid a "
    "JOIN groups g ON g.id = a.group_id",
    "revenue": "INSERT INTO sr SELECT r.id, g.code, r.period, r.year, r.amount, r.note FROM revenue r "
    "JOIN groups g ON g.id = r.group_id",
    "members": "INSERT INTO sm SELECT m.id, g.code, m.nik, m.name, m.role, m.gender, m.pkh_graduate FROM members m "
    "JOIN groups g ON g.id = m.group_id",
}


def timed(what, *args):
    start = time.perf_counter()
    result = what(*args)
    return time.perf_counter() - start, result


def main(path: Path) -> None:
    with open_registry(path, "bench") as registry:
        for name in ("aid_amounts", "duplicate_aids", "month_omsets", "year_omsets", "nik_birth_dates", "shared_kks"):
            seconds, found = timed(getattr(plausibility, name), registry.conn)
            print(f"check rule {name:16s} {seconds:6.2f} s  {len(found)} findings")
        for args in ((None, None), ("2021", None)):
            whole, _result = timed(briefing.build, registry, *args)
            warnings, found = timed(briefing.warnings, registry, *args)
            print(f"briefing {args}: {whole:.2f} s, of which the warnings {warnings:.2f} s ({len(found)})")
    for kind, sql in STAGE.items():
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        batch_transaction.create_staging(conn)
        conn.execute(sql)
        checker = batch_apply.Checker(conn, kind, {}, Problems("bench"), False)
        check, _none = timed(checker.check)
        counts, _counts = timed(checker.counts)
        warnings, found = timed(lambda c=checker: list(c.warnings()))
        print(f"import {kind:8s} check {check:6.2f} s, counts {counts:6.2f} s, plausibility {warnings:6.2f} s "
              f"({len(found)})")  # fmt: skip
        conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
