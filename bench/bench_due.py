"""``kube due`` on a national-scale registry: kube's worklist beside hand-written SQL, same process.

    python bench/make_registry.py /tmp/nat.db          # once: 200k groups, 1M members, 2M money, 1M visits
    python bench/bench_due.py /tmp/nat.db

kube's figure is ``worklist.due`` whole: its query, the place names, the reasons built in Python for
every due group, and the sort. The floor is the fastest of the hand-written queries below for the
same facts per active group (last visit, what it found, revenue last year, members, ketua, the 24
months' visits), returning only the due groups, with no names looked up and nothing sorted. Each figure is the best
of N runs, measured alternately, so a noisy shared machine slows both alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli import worklist
from kube_cli.db import open_registry

AS_OF = "2025-12-31"  # make_registry.VISITS_UNTIL

# Per group, by index seeks: the last visit (visits_last, newest first) and the 24 months' counts.
FLOOR_SEEKS = """
SELECT g.code, g.member_count, x.last_visit, x.business, x.no_revenue, x.no_ketua, x.recent, x.recent_bad FROM (
    SELECT g.id,
        (SELECT max(date) FROM visits v WHERE v.group_id = g.id AND v.removed_at IS NULL AND v.date <= :as_of)
            AS last_visit,
        (SELECT business FROM visits v WHERE v.group_id = g.id AND v.removed_at IS NULL AND v.date <= :as_of
         ORDER BY date DESC LIMIT 1) AS business,
        g.year < :this_year AND NOT EXISTS (SELECT 1 FROM revenue r WHERE r.group_id = g.id AND r.year = :last_year)
            AS no_revenue,
        NOT EXISTS (SELECT 1 FROM members m WHERE m.group_id = g.id AND m.role = 'ketua' AND m.removed_at IS NULL)
            AS no_ketua,
        (SELECT count(*) FROM visits v WHERE v.group_id = g.id AND v.removed_at IS NULL AND v.date >= :window
         AND v.date <= :as_of) AS recent,
        (SELECT count(*) FROM visits v WHERE v.group_id = g.id AND v.removed_at IS NULL AND v.date >= :window
         AND v.date <= :as_of AND (v.business != 'running' OR v.bookkeeping = 0)) AS recent_bad
    FROM groups g WHERE g.status = 'aktif' AND g.year <= :this_year
) x JOIN groups g ON g.id = x.id
WHERE x.last_visit IS NULL OR x.last_visit <= :due_before OR x.business != 'running' OR x.no_revenue
    OR g.member_count < 5 OR x.no_ketua
    OR (g.stage = 'penumbuhan' AND g.year <= :review_year AND x.recent >= 2 AND x.recent_bad = 0)
"""
# One pass over visits_last in group order (the aggregate's bare columns come from the max(date) row),
# joined to the active groups; no place names.
FLOOR_PASS = """
WITH l AS (
    SELECT group_id, max(date) AS last_visit, business,
           count(*) FILTER (WHERE date >= :window) AS recent,
           count(*) FILTER (WHERE date >= :window AND (business != 'running' OR bookkeeping = 0)) AS recent_bad
    FROM visits WHERE removed_at IS NULL AND date <= :as_of GROUP BY group_id
)
SELECT g.code, g.member_count, l.last_visit, l.business FROM groups g LEFT JOIN l ON l.group_id = g.id
WHERE g.status = 'aktif' AND g.year <= :this_year AND (
    l.last_visit IS NULL OR l.last_visit <= :due_before OR l.business != 'running' OR g.member_count < 5
    OR (g.year < :this_year AND NOT EXISTS (SELECT 1 FROM revenue r WHERE r.group_id = g.id AND r.year = :last_year))
    OR NOT EXISTS (SELECT 1 FROM members m WHERE m.group_id = g.id AND m.role = 'ketua' AND m.removed_at IS NULL)
    OR (g.stage = 'penumbuhan' AND g.year <= :review_year AND l.recent >= 2 AND l.recent_bad = 0))
"""

# The same facts from the maintained per-group summary (visit_summary, as kube reads it), the ketua and
# last year's revenue from lists, the groups in table order; the same columns kube's query returns (the
# group, its last visit and the three flags the reasons need); no names, no reasons, no sort.
FLOOR_SUMMARY = """
SELECT g.code, g.name, g.kelurahan_kode, g.member_count, s.last_date, s.business,
    g.year < :this_year AND g.id NOT IN (SELECT group_id FROM revenue WHERE year = :last_year),
    g.id NOT IN (SELECT group_id FROM members WHERE role = 'ketua' AND removed_at IS NULL),
    g.stage = 'penumbuhan' AND g.year <= :review_year AND s.second_date >= :window AND coalesce(s.bad_date < :window, 1)
FROM groups g NOT INDEXED LEFT JOIN visit_summary s ON s.group_id = g.id
WHERE +g.status = 'aktif' AND +g.year <= :this_year AND (
    s.last_date IS NULL OR s.last_date <= :due_before OR s.business != 'running' OR g.member_count < 5
    OR (g.year < :this_year AND g.id NOT IN (SELECT group_id FROM revenue WHERE year = :last_year))
    OR g.id NOT IN (SELECT group_id FROM members WHERE role = 'ketua' AND removed_at IS NULL)
    OR (g.stage = 'penumbuhan' AND g.year <= :review_year AND s.second_date >= :window
        AND coalesce(s.bad_date < :window, 1)))
"""


def best_of(runs: int, *fns: Callable[[], object]) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def in_process(db: Path, runs: int) -> str:
    with open_registry(db, "bench") as registry:
        conn = registry.conn
        counts = conn.execute("SELECT (SELECT count(*) FROM groups), (SELECT count(*) FROM visits)").fetchone()
        scope = worklist.Scope(date.fromisoformat(AS_OF))
        params = scope.params
        kecamatan = conn.execute("SELECT substr(kelurahan_kode, 1, 8) FROM groups WHERE id = 4242 % "
                                 "(SELECT max(id) FROM groups) + 1").fetchone()[0]  # fmt: skip
        local = worklist.Scope(date.fromisoformat(AS_OF), kecamatan_kode=kecamatan)
        floors = {"summary": lambda: conn.execute(FLOOR_SUMMARY, params).fetchall()}
        cases = [
            (f"due's query (all {counts[0]:,} groups, {counts[1]:,} visits)",
             lambda: conn.execute(worklist.due_sql(scope, worklist.summary_holds(registry, scope)), params).fetchall(),
             floors),
            ("due whole: query, place names, reasons, order", lambda: worklist.due(registry, scope), floors),
            ("due's query for a day before the last visit (one pass)",
             lambda: conn.execute(worklist.due_sql(scope, False), params).fetchall(),
             {"summary": lambda: conn.execute(FLOOR_SUMMARY, params).fetchall(),
              "one pass": lambda: conn.execute(FLOOR_PASS, params).fetchall(),
              "seeks": lambda: conn.execute(FLOOR_SEEKS, params).fetchall()}),
            (f"due --kecamatan {kecamatan}", lambda: worklist.due(registry, local),
             {"seeks, one kecamatan": lambda: conn.execute(
                 FLOOR_SEEKS.replace("g.year <= :this_year\n)", "g.year <= :this_year AND g.kelurahan_kode >= "
                                     ":kec_from AND g.kelurahan_kode < :kec_to\n)"), local.params).fetchall()}),
        ]  # fmt: skip
        due_rows = len(worklist.due(registry, scope))
        lines = [f"{due_rows:,} groups due on {AS_OF}", "",
                 "| what | kube | hand-written SQL (floor) | ratio |", "| --- | ---: | ---: | ---: |"]  # fmt: skip
        for name, ours, floors in cases:
            times = best_of(runs, ours, *floors.values())
            best = min(range(len(floors)), key=lambda i: times[i + 1])
            label = list(floors)[best]
            lines.append(f"| {name} | {times[0] * 1000:.0f} ms | {times[best + 1] * 1000:.0f} ms ({label}) | "
                         f"{times[0] / times[best + 1]:.2f}x |")  # fmt: skip
            others = [f"{n} {t * 1000:.0f} ms" for n, t in zip(floors, times[1:], strict=True) if n != label]
            if others:
                lines.append(f"| (other floors: {', '.join(others)}) | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(in_process(args.db, args.runs))


if __name__ == "__main__":
    main()
