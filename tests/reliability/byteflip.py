"""The byte-flip campaign (issue 16, item 8): damage copies of a registry and run kube's read commands.

For each seed a copy of the sample registry gets a few random bytes overwritten (anywhere in the
file). Then ``kube check`` and each read command runs against it, as a separate process. Every run
must end as a user can act on: exit 0 (the damage was not in what the command read), or exit 1 with
one line (``the registry file is damaged: …; restore a backup with `kube restore```); never exit 3,
never a traceback. ``check`` must report damage whenever SQLite's own ``integrity_check`` (run here,
from a fresh connection) or decoding the text finds it.

    python -m tests.reliability.byteflip --seeds 200        # the big run; prints the figures as JSON

The test suite runs a few seeds (tests/reliability/test_damaged_registry.py).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.reliability.conftest import run_kube

READ_COMMANDS = (
    ("group", "list"),
    ("member", "list"),
    ("aid", "list"),
    ("revenue", "list"),
    ("report",),
    ("log", "--limit", "50"),
)
FLIPS_PER_SEED = 8


def flip(source: Path, target: Path, seed: int, flips: int = FLIPS_PER_SEED) -> list[int]:
    """Copy ``source`` to ``target`` with ``flips`` random bytes replaced by other random bytes."""
    data = bytearray(source.read_bytes())
    rng = random.Random(seed)
    offsets = sorted(rng.randrange(len(data)) for _ in range(flips))
    for offset in offsets:
        data[offset] = (data[offset] + rng.randrange(1, 256)) % 256
    target.write_bytes(bytes(data))
    target.chmod(0o600)
    return offsets


def damaged(path: Path) -> str:
    """What SQLite and UTF-8 decoding find wrong in the file ("" when nothing), without kube."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return str(error)
    try:
        found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if found != ["ok"]:
            return found[0]
        conn.text_factory = bytes
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in conn.execute(f'SELECT * FROM "{table.decode()}"'):
                for value in row:
                    if isinstance(value, bytes):
                        value.decode("utf-8")
        return ""
    except (sqlite3.Error, UnicodeDecodeError) as error:
        return str(error)
    finally:
        conn.close()


@dataclass
class Figures:
    seeds: int = 0
    damaged: int = 0  # seeds where SQLite or decoding finds the damage
    check_detected: int = 0  # of those, `kube check` exited 1 reporting it
    runs: int = 0  # command runs, check included
    ok: int = 0  # exit 0
    refused_cleanly: int = 0  # exit 1, one line
    exit_3: int = 0
    other: int = 0  # anything else: a traceback, two lines, exit 2, a timeout
    failures: list[str] = field(default_factory=list)


def run_seed(source: Path, folder: Path, seed: int, figures: Figures) -> None:
    db = folder / f"flip-{seed}.db"
    flip(source, db, seed)
    truth = damaged(db)
    figures.seeds += 1
    figures.damaged += bool(truth)
    for args in (("check",), *READ_COMMANDS):
        scratch = folder / f"run-{seed}.db"
        shutil.copyfile(db, scratch)
        try:
            done = run_kube(*args, db=scratch, timeout=120)
        except Exception as error:  # noqa: BLE001 - a hang is a finding, not the end of the campaign
            figures.other += 1
            figures.failures.append(f"seed {seed} {' '.join(args)}: {error}")
            continue
        finally:
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{scratch}{suffix}").unlink(missing_ok=True)
        figures.runs += 1
        lines = done.stderr.strip().splitlines()
        error_lines = [line for line in lines if not line.startswith("Warning:")]
        if done.returncode == 0:
            figures.ok += 1
        elif done.returncode == 1 and len(error_lines) <= 1 and "Traceback" not in done.stderr:
            figures.refused_cleanly += 1
        elif done.returncode == 3:
            figures.exit_3 += 1
        else:
            figures.other += 1
        if args == ("check",):
            if truth and done.returncode == 1:
                figures.check_detected += 1
            elif truth:
                figures.failures.append(f"seed {seed} check missed: {truth} (exit {done.returncode})")
        if done.returncode not in (0, 1) or "Traceback" in done.stderr or len(error_lines) > 1:
            figures.failures.append(f"seed {seed} {' '.join(args)}: exit {done.returncode}: {done.stderr[-300:]}")
    for path in (db, folder / f"run-{seed}.db"):
        for suffix in ("", "-wal", "-shm", "-journal"):  # a read-only open of a WAL file leaves -shm too
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def sample_registry(folder: Path) -> Path:
    from kube_cli import sample
    from kube_cli.db import open_registry

    path = folder / "sample.db"
    with open_registry(path, "petugas-uji", create=True) as registry:
        sample.load(registry)
    conn = sqlite3.connect(path)  # one self-contained file: the WAL folded in
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def campaign(source: Path, seeds: range, folder: Path) -> Figures:
    figures = Figures()
    for seed in seeds:
        run_seed(source, folder, seed, figures)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first", type=int, default=0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = sample_registry(folder)
        figures = campaign(source, range(options.first, options.first + options.seeds), folder)
    json.dump(asdict(figures), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
