"""Attack campaigns on kube's files, to run again: kill -9 during restore, backup, upgrade and import
(a small one, and a roster read on two cores), and many writers at once. The suite runs a few trials (tests/reliability/test_campaigns.py); the
figures in the README come from a big run:

    python -m tests.reliability.campaigns --trials 40 --writers 20 --each 10 --helper-kills 20

Each kill trial starts the command as a real process, kills it with SIGKILL at a random moment
(within 30 ms of its first temporary file appearing, or for an import within the time a whole run
takes), and then looks: the registry passes ``integrity_check`` and
holds the data from before or the data from after (never a mix), the next kube command works,
and after it no temporary copy is left in the folders involved. A trial is ``survived`` when all
of that holds, ``refused`` when the next command refuses cleanly (one line, exit 1), else ``broken``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.reliability.conftest import ROOT, kube_env, run_kube

V1 = ROOT / "tests" / "data" / "registry-v1.db"
BEFORE, AFTER = {"LAMA", "LAIN", "BARU"}, {"LAMA", "LAIN"}  # the registry's groups; the backup's
NIKS = ["7271084506850001", "7271080101800002", "7271080202810003", "7271084303820004", "7271080404830005"]


def _integrity(path: Path) -> bool:
    try:
        conn = sqlite3.connect(path)
        try:
            return [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def _codes(db: Path) -> tuple[int, set[str] | str]:
    done = run_kube("group", "list", "--format", "json", db=db)
    if done.returncode != 0:
        return done.returncode, done.stderr.strip()
    return 0, {g["code"] for g in json.loads(done.stdout)}


def _leftovers(*folders: Path) -> list[str]:
    return [p.name for f in folders if f.is_dir() for p in f.iterdir()
            if p.name.startswith(".") and ("kube-tmp" in p.name or ".restore-" in p.name or ".part-" in p.name)]  # fmt: skip


def _kill_during(args: list[str], db: Path, delay: float, watch: Path | None = None,
                 before_kill: Callable[[], object] | None = None) -> None:  # fmt: skip
    """Run kube ``args`` and SIGKILL it after ``delay`` seconds; with ``watch``, ``delay`` after a
    temporary file first appears in that folder (the moment a copy is being written). ``before_kill``
    looks at the moment first."""
    child = subprocess.Popen([sys.executable, "-m", "kube_cli", "--db", str(db), *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=kube_env())  # fmt: skip
    if watch is not None:
        while child.poll() is None and not _leftovers(watch) and not list(watch.glob("*.before-*")):
            time.sleep(0.0005)
    time.sleep(delay)
    if before_kill is not None:
        before_kill()
    child.send_signal(signal.SIGKILL)
    child.wait()


def _registry(folder: Path, codes: list[str]) -> Path:
    """A registry holding groups ``codes`` (two members in the first), made in this process: fast."""
    from typer.testing import CliRunner

    from kube_cli.cli import app

    db = folder / "kube.db"
    runner = CliRunner()
    steps = [["init"], *(["group", "add", f"KUBE {c}", "--kelurahan", "Lasoani", "--usaha", "e-Warong", "--code", c]
                         for c in codes),
             *(["member", "add", codes[0], "--nik", nik, "--name", f"Anggota {i}"] for i, nik in enumerate(NIKS[:2]))]  # fmt: skip
    for step in steps:
        done = runner.invoke(app, ["--db", str(db), *step], env={"KUBE_OFFICER": "petugas-uji", "KUBE_LANG": "en"})
        assert done.exit_code == 0, (step, done.output)
    return db


def _verdict(ok: bool, code: int | None = 0, detail: str = "") -> tuple[str, str]:
    if ok:
        return "survived", ""
    return ("refused", detail) if code == 1 and detail.count("\n") == 0 else ("broken", detail)


# --- the scenarios: each sets up a trial, kills, and judges ----------------------------------------


def restore_trial(work: Path, template: dict[str, Path], delay: float) -> tuple[str, str]:
    db = work / "reg" / "kube.db"
    shutil.copytree(template["folder"], db.parent)
    _kill_during(["restore", str(template["backup"])], db, delay, watch=db.parent)
    code, codes = _codes(db)
    ok = _integrity(db) and code == 0 and codes in (BEFORE, AFTER)
    kept = list(db.parent.glob("kube.db.before-restore-*"))
    ok = ok and all(_integrity(p) for p in kept) and not _leftovers(db.parent)
    return _verdict(ok, code, str(codes) if code else "")


def backup_trial(work: Path, template: dict[str, Path], delay: float) -> tuple[str, str]:
    db = work / "reg" / "kube.db"
    shutil.copytree(template["folder"], db.parent)
    dest = work / "usb"
    dest.mkdir()
    _kill_during(["backup", str(dest / "b.db")], db, delay, watch=dest)
    whole = not (dest / "b.db").exists() or _integrity(dest / "b.db")
    again = run_kube("backup", str(dest / "b2.db"), db=db)  # the next backup into that folder cleans it
    ok = whole and again.returncode == 0 and _integrity(db) and not _leftovers(dest, db.parent)
    return _verdict(ok, again.returncode, str(_leftovers(dest, db.parent)) if again.returncode == 0 else again.stderr)


def upgrade_trial(work: Path, _template: dict[str, Path], delay: float) -> tuple[str, str]:
    db = work / "reg" / "kube.db"
    db.parent.mkdir()
    shutil.copy(V1, db)
    _kill_during(["group", "list"], db, delay, watch=db.parent)
    code, codes = _codes(db)  # rerun at once: within the same second as the killed one
    copies = list(db.parent.glob("kube.db.before-upgrade-*"))
    ok = code == 0 and codes == {"V1-SINTUVU"} and _integrity(db) and all(_integrity(p) for p in copies)
    return _verdict(ok and not _leftovers(db.parent), code, str(codes) if code else str(_leftovers(db.parent)))


def import_trial(work: Path, template: dict[str, Path], delay: float) -> tuple[str, str]:
    db = work / "reg" / "kube.db"
    shutil.copytree(template["folder"], db.parent)
    _kill_during(["import", str(template["csv"]), "--kind", "groups"], db, delay)
    code, codes = _codes(db)
    ok = (
        code == 0
        and isinstance(codes, set)
        and len(codes) in (len(BEFORE), len(BEFORE) + template["rows"])
        and _integrity(db)
    )
    return _verdict(ok, code, str(len(codes)) if code == 0 else str(codes))


def _processes_naming(path: Path) -> list[int]:
    """The processes whose command line names ``path`` (an import and its helper, batch_helper)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def roster_trial(work: Path, template: dict[str, Path], delay: float) -> tuple[str, str]:
    """A roster large enough to be read on two cores (batch_helper): killed while either part is read,
    or while it is written; no helper may outlive it."""
    db = work / "reg" / "kube.db"
    shutil.copytree(template["folder"], db.parent)
    _kill_during(["import", str(template["roster"])], db, delay,
                 before_kill=lambda: HELPER_SEEN.update([len(_processes_naming(template["roster"])) == 2]))  # fmt: skip
    deadline = time.monotonic() + 5
    while _processes_naming(template["roster"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    left = _processes_naming(template["roster"])
    code, codes = _codes(db)
    ok = (
        code == 0
        and isinstance(codes, set)
        and len(codes) in (len(BEFORE), len(BEFORE) + ROSTER_GROUPS)
        and _integrity(db)
        and not left
        and not _leftovers(db.parent)
    )
    return _verdict(ok, code, f"helper processes left: {left}" if left else str(codes if code else len(codes)))


ROSTER_GROUPS = 4500  # x 5 members: 2.5 MB, over batch_helper.MIN_BYTES
HELPER_SEEN: Counter[bool] = Counter()  # roster trials killed while the helper ran (True) or not


SCENARIOS: dict[str, Callable[..., tuple[str, str]]] = {
    "restore": restore_trial,
    "backup": backup_trial,
    "upgrade": upgrade_trial,
    "import": import_trial,
    "roster-import": roster_trial,
}


def _template(base: Path, rows: int) -> dict[str, Path]:
    """The registry every trial starts from (BEFORE), a backup of it without BARU (AFTER), a CSV."""
    folder = base / "template"
    folder.mkdir()
    db = _registry(folder, ["LAMA", "LAIN"])
    backup = base / "backup.db"
    source, copy = sqlite3.connect(db), sqlite3.connect(backup)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # as `kube backup` writes it
    finally:
        source.close()
        copy.close()
    shutil.rmtree(folder)
    folder.mkdir()
    _registry(folder, sorted(BEFORE))
    csv = base / "groups.csv"
    csv.write_text("code,name,kelurahan,usaha,year\n" + "".join(
        f"IMP{n:05d},KUBE Impor {n},Lasoani,e-Warong,2024\n" for n in range(rows)))  # fmt: skip
    return {"folder": folder, "backup": backup, "csv": csv, "rows": rows}  # type: ignore[dict-item]


def _duration(args: list[str], db: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(db), *args], capture_output=True, env=kube_env(),
                   check=False, timeout=600)  # fmt: skip
    return time.perf_counter() - started


def kill_campaign(scenario: str, trials: int, *, rows: int = 2000, seed: int = 16) -> Counter[str]:
    """``trials`` kills of ``scenario``; returns the count of each verdict (and prints broken ones)."""
    trial = SCENARIOS[scenario]
    rng = random.Random(seed)
    verdicts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix=f"kube-kill-{scenario}-") as base_name:
        base = Path(base_name)
        template = _template(base, rows)
        probe = base / "probe"
        shutil.copytree(template["folder"], probe)
        whole = {
            "restore": ["restore", str(template["backup"])],
            "backup": ["backup", str(base / "probe-backup.db")],
            "upgrade": ["group", "list"],
            "import": ["import", str(template["csv"]), "--kind", "groups"],
            "roster-import": ["import", str(base / "roster.csv")],
        }[scenario]
        if scenario == "roster-import":
            template["roster"] = base / "roster.csv"
            subprocess.run([sys.executable, str(ROOT / "bench" / "make_roster.py"), "--groups", str(ROSTER_GROUPS),
                            "-o", str(template["roster"])], check=True, timeout=300)  # fmt: skip
        if scenario == "upgrade":
            shutil.copy(V1, probe / "kube.db")
        took = _duration(whole, probe / "kube.db")
        for n in range(trials):
            work = base / f"trial-{n}"
            work.mkdir()
            # the copies are written in milliseconds: aim at them (the import's write takes longer)
            delay = rng.uniform(0.05, 1.0) * took if "import" in scenario else rng.uniform(0, 0.03)
            verdict, detail = trial(work, template, delay)
            verdicts[verdict] += 1
            if verdict == "broken":
                print(f"{scenario} trial {n}: broken: {detail}", file=sys.stderr)
            shutil.rmtree(work, ignore_errors=True)
    return verdicts


def helper_campaign(trials: int, seed: int = 17) -> Counter[str]:
    """``trials`` imports of a roster read on two cores whose helper process is killed (SIGKILL) at a
    random moment of its life: the import must still write every row (its part read by the import itself)."""
    rng = random.Random(seed)
    verdicts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="kube-kill-helper-") as base_name:
        base = Path(base_name)
        template = _template(base, 10)
        roster = base / "roster.csv"
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_roster.py"), "--groups", str(ROSTER_GROUPS),
                        "-o", str(roster)], check=True, timeout=300)  # fmt: skip
        for n in range(trials):
            db = base / f"trial-{n}" / "kube.db"
            shutil.copytree(template["folder"], db.parent)
            child = subprocess.Popen([sys.executable, "-m", "kube_cli", "--db", str(db), "import", str(roster)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=kube_env())  # fmt: skip
            helper = None
            while child.poll() is None and helper is None:
                helper = next((pid for pid in _processes_naming(roster) if pid != child.pid), None)
            if helper is None:
                verdicts["no helper seen"] += 1
            else:
                time.sleep(rng.uniform(0, 0.4))
                with contextlib.suppress(ProcessLookupError):
                    os.kill(helper, signal.SIGKILL)
            _out, err = child.communicate(timeout=600)
            _code, codes = _codes(db)
            ok = child.returncode == 0 and isinstance(codes, set) and len(codes) == len(BEFORE) + ROSTER_GROUPS
            verdicts["imported" if ok else "broken"] += 1
            if not ok:
                print(f"helper trial {n}: exit {child.returncode}: {err.decode()[-300:]}", file=sys.stderr)
            shutil.rmtree(db.parent, ignore_errors=True)
    return verdicts


# --- many writers at once ---------------------------------------------------------------------


def writers_campaign(db: Path, writers: int, each: int) -> dict[str, int]:
    """``writers`` officers' scripts at once, each ``each`` group adds as separate processes."""

    def officer(n: int) -> list[int]:
        return [run_kube("group", "add", f"KUBE Petugas {n} No {i}", "--kelurahan", "Lasoani", "--usaha",
                         "e-Warong", db=db, timeout=300).returncode for i in range(each)]  # fmt: skip

    with ThreadPoolExecutor(writers) as pool:  # threads only wait: the writers are real processes
        codes = [c for batch in pool.map(officer, range(writers)) for c in batch]
    conn = sqlite3.connect(db)
    try:
        (groups,) = conn.execute("SELECT count(*) FROM groups").fetchone()
        (logged,) = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'group.add'").fetchone()
    finally:
        conn.close()
    return {"writes": len(codes), "succeeded": codes.count(0), "groups": groups, "logged": logged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10, help="kills per scenario")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--each", type=int, default=5, help="group adds per writer")
    parser.add_argument("--helper-kills", type=int, default=0, help="imports whose helper process is killed")
    options = parser.parse_args()
    if options.helper_kills:
        print(f"helper process killed during an import: {dict(helper_campaign(options.helper_kills))}", flush=True)
    for scenario in options.scenario or list(SCENARIOS):
        verdicts = kill_campaign(scenario, options.trials)
        print(f"kill -9 during {scenario}: {options.trials} trials, {verdicts['survived']} survived, "
              f"{verdicts['refused']} refused cleanly, {verdicts['broken']} broken", flush=True)  # fmt: skip
        if scenario == "roster-import":
            print(f"  killed while its helper process ran: {HELPER_SEEN[True]} of {options.trials}", flush=True)
    if options.writers:
        with tempfile.TemporaryDirectory(prefix="kube-writers-") as folder:
            db = Path(folder) / "kube.db"
            assert run_kube("init", db=db).returncode == 0
            started = time.perf_counter()
            result = writers_campaign(db, options.writers, options.each)
            print(f"{options.writers} writers x {options.each}: {result} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
