"""Reports on a national-scale registry: kube's report functions beside hand-written SQL, same process.

    python bench/make_registry.py /tmp/nat.db          # once: 200k groups, 1M members, 2M money rows
    python bench/bench_reports.py /tmp/nat.db

Each figure is the best of N runs, measured alternately (kube, floor, kube, floor …) so that a
noisy shared machine slows both alike; the ratio is what counts.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli import registry as groups_domain
from kube_cli import reports
from kube_cli.db import open_registry

# The best hand-written SQL found for the same numbers, on the same schema (member_count and the
# money's covering indexes included): each money sum reads its covering index in group order and
# looks the group up by id (CROSS JOIN keeps that order; the planner's own choice, one index seek
# per group, took 6x as long).
FLOOR_SUMMARY = [
    "SELECT kelurahan_kode, count(*), sum(member_count) FROM groups WHERE status = 'aktif' GROUP BY kelurahan_kode",
    "SELECT usaha_id, count(*), sum(member_count) FROM groups WHERE status = 'aktif' GROUP BY usaha_id",
    "SELECT sum(a.amount) FROM aid a CROSS JOIN groups g ON g.id = a.group_id "
    "WHERE a.voided_at IS NULL AND g.status = 'aktif'",
    "SELECT sum(r.amount) FROM revenue r CROSS JOIN groups g ON g.id = r.group_id WHERE g.status = 'aktif'",
]
FLOOR_KEC_USAHA = [
    "SELECT substr(kelurahan_kode, 1, 8), usaha_id, count(*), sum(member_count) FROM groups "
    "WHERE status = 'aktif' GROUP BY 1, 2",
    "SELECT substr(g.kelurahan_kode, 1, 8), g.usaha_id, sum(a.amount) FROM aid a CROSS JOIN groups g "
    "ON g.id = a.group_id WHERE a.voided_at IS NULL AND g.status = 'aktif' GROUP BY 1, 2",
    "SELECT substr(g.kelurahan_kode, 1, 8), g.usaha_id, sum(r.amount) FROM revenue r CROSS JOIN groups g "
    "ON g.id = r.group_id WHERE g.status = 'aktif' GROUP BY 1, 2",
]


def floor(conn: sqlite3.Connection, queries: list[str]) -> Callable[[], None]:
    return lambda: [conn.execute(q).fetchall() for q in queries]


def best_of(runs: int, *fns: Callable[[], object]) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(runs):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def in_process(db: Path, runs: int) -> str:
    """kube's report functions beside the floor SQL, same process, alternating; a Markdown table."""
    with open_registry(db, "bench") as registry:
        conn = registry.conn
        kecamatan = conn.execute("SELECT substr(kelurahan_kode, 1, 8) FROM groups WHERE id = 4242 % "
                                 "(SELECT max(id) FROM groups) + 1").fetchone()[0]  # fmt: skip
        code = conn.execute("SELECT code FROM groups WHERE id = 4242 % (SELECT max(id) FROM groups) + 1").fetchone()[0]
        f = reports.Filters()
        cases = [
            ("report --format json (totals, by kelurahan, by usaha)", lambda: reports.summary(registry, f),
             floor(conn, FLOOR_SUMMARY)),
            ("report --by kecamatan --by usaha", lambda: reports.breakdown(registry, ["kecamatan", "usaha"], f),
             floor(conn, FLOOR_KEC_USAHA)),
            (f"group list --kecamatan {kecamatan}", lambda: groups_domain.group_list(registry, kecamatan=kecamatan),
             floor(conn, [f"SELECT * FROM groups WHERE kelurahan_kode >= '{kecamatan}.' "
                          f"AND kelurahan_kode < '{kecamatan}/' ORDER BY code"])),
            (f"member list {code}", lambda: groups_domain.member_list(registry, code),
             floor(conn, [f"SELECT * FROM members WHERE group_id = (SELECT id FROM groups WHERE code = '{code}') "
                          "AND removed_at IS NULL"])),
        ]  # fmt: skip
        lines = ["| what | kube | hand-written SQL (floor) | ratio |", "| --- | ---: | ---: | ---: |"]
        for name, ours, theirs in cases:
            a, b = best_of(runs, ours, theirs)
            lines.append(f"| {name} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {a / b:.2f}x |")
    return "\n".join(lines)


def whole_commands(db: Path, out: Path) -> str:
    """The same questions as whole ``kube`` commands (start-up included), each beside the same
    command on an empty registry: what the national registry adds is the difference."""
    import json
    import os
    import subprocess

    conn = sqlite3.connect(db)
    kecamatan = conn.execute("SELECT substr(kelurahan_kode, 1, 8) FROM groups WHERE id = 4242 % "
                             "(SELECT max(id) FROM groups) + 1").fetchone()[0]  # fmt: skip
    code = conn.execute("SELECT code FROM groups WHERE id = 4242 % (SELECT max(id) FROM groups) + 1").fetchone()[0]
    conn.close()
    out.mkdir(parents=True, exist_ok=True)
    empty = out / "empty.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{empty}{suffix}").unlink(missing_ok=True)
    kube = f"{sys.executable} -m kube_cli --db {db}"
    subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(empty), "init", "--wilayah", "ID"], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})  # fmt: skip
    questions = {
        f"kube group list --kecamatan {kecamatan}": f"group list --kecamatan {kecamatan}",
        f"kube member list {code}": f"member list {code}",  # on the empty registry: refused, same path
        "kube report --format json": "report --format json",
        "kube report --by kecamatan --by usaha --format csv": "report --by kecamatan --by usaha --format csv",
    }
    commands = {"kube --version": f"{kube} --version"}
    for name, args in questions.items():
        commands[name] = f"{kube} {args}"
        commands[f"{name} (empty registry)"] = f"{sys.executable} -m kube_cli --db {empty} {args}"
    args = ["hyperfine", "-N", "-i", "--warmup", "2", "--runs", "10", "--export-json", str(out / "commands.json")]
    for name, cmd in commands.items():
        args += ["-n", name, cmd]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "KUBE_OFFICER": "bench"}
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL)
    results = {r["command"]: r for r in json.loads((out / "commands.json").read_text())["results"]}
    lines = ["| command | national registry | ± | same command, empty registry | the registry's share |",
             "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for name in ("kube --version", *questions):
        r = results[name]
        empty_r = results.get(f"{name} (empty registry)")
        extra = (f"{empty_r['mean'] * 1000:.0f} ms | {(r['mean'] - empty_r['mean']) * 1000:+.0f} ms" if empty_r
                 else " | ")  # fmt: skip
        lines.append(f"| `{name}` | {r['mean'] * 1000:.0f} ms | {r['stddev'] * 1000:.0f} ms | {extra} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(in_process(args.db, args.runs))
    print()
    print(whole_commands(args.db, Path(__file__).resolve().parent / "out"))


if __name__ == "__main__":
    main()
