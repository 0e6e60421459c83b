"""At a real terminal: tables fit the window without cutting a value, long output is paged.

Each test runs ``kube`` in a pseudo-terminal (the standard library's ``pty``) whose window size is
set with ``TIOCSWINSZ``, as an officer's tmux pane at 80 or 60 columns would be, and compares it with
what the same command writes to a pipe.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.reliability.conftest import kube_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")


def at_terminal(*args: str, db: Path, cols: int = 80, rows: int = 24, **env: str) -> tuple[str, int]:
    """``kube --db DB ARGS`` in a pseudo-terminal of ``cols`` x ``rows``: what it shows, and its exit code."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
        os.execve(sys.executable, [sys.executable, "-m", "kube_cli", "--db", str(db), *args],
                  kube_env(**{"PAGER": "cat", **env}))  # fmt: skip
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = b""
    while select.select([fd], [], [], 60)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return ANSI.sub("", out.decode("utf-8", "replace")).replace("\r\n", "\n"), os.waitstatus_to_exitcode(status)


def in_pipe(*args: str, db: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kube_cli", "--db", str(db), *args], capture_output=True,
                          text=True, env=kube_env(**env), timeout=60, check=False)  # fmt: skip


@pytest.fixture
def registry(kube, demo_registry: Path) -> Path:
    """The sample registry, plus a group with a long code and a log with an edit, aid and a removal."""
    kube("group", "add", "KUBE Nosarara Sejahtera Bersama Mandiri", "--kelurahan", "Tondo", "--usaha", "e-warong",
         "--code", "PALU-2021-0077")  # fmt: skip
    kube("group", "edit", "PALU-001", "--kelurahan", "Tondo")
    kube("aid", "record", "PALU-001", "--amount", "20jt", "--kind", "modal", "--date", "2026-11-30")
    kube("member", "remove", "1", "--reason", "pindah")
    return demo_registry


WHOLE = {  # command: the JSON keys whose values a table must show whole, and how a table shows them
    ("group", "list"): {"code": str},
    ("aid", "list"): {"group_code": str, "amount": lambda n: f"Rp{n:,}".replace(",", ".")},
    ("member", "list"): {"nik": str, "group_code": str},
}


@pytest.mark.parametrize("cols", [80, 60])
@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("command", list(WHOLE), ids=" ".join)
def test_a_narrow_terminal_never_cuts_a_code_a_nik_or_an_amount(kube, registry, command, cols, lang) -> None:
    shown, code = at_terminal(*command, db=registry, cols=cols, KUBE_LANG=lang)
    assert code == 0, shown
    assert "…" not in shown
    assert all(len(line) <= cols for line in shown.splitlines()), shown
    words = set(re.findall(r"[^\s│┃]+", shown))
    for row in kube.json(*command):
        for key, display in WHOLE[command].items():
            assert display(row[key]) in words, f"{key} {row[key]!r} is not shown whole at {cols} columns"


@pytest.mark.parametrize("cols", [80, 60])
def test_the_log_at_a_narrow_terminal_shows_local_times_and_dates_whole(kube, registry, cols) -> None:
    shown, code = at_terminal("log", "-n", "5", db=registry, cols=cols, TZ="Asia/Makassar")
    assert code == 0 and "…" not in shown, shown
    utc = kube.json("log", "-n", "5")[0]["time"]  # 2026-12-01T15:36:06Z
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc)
    from datetime import datetime, timedelta

    local = (datetime.fromisoformat(utc.replace("Z", "")) + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert local in shown, shown  # Asia/Makassar is UTC+8, all year


def test_columns_left_out_are_named_and_a_pipe_keeps_them_all(registry) -> None:
    shown, _code = at_terminal("group", "list", db=registry, cols=60)
    assert "Kecamatan" not in shown.splitlines()[1]
    assert "Left out to fit the terminal: Kecamatan" in " ".join(shown.split())
    piped = in_pipe("group", "list", db=registry)
    header = piped.stdout.splitlines()[0].split()
    assert header == ["Code", "Name", "Kelurahan", "Kecamatan", "Usaha", "Year", "Status", "Members", "Stage"]


# --- the pager --------------------------------------------------------------------------------


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that keeps what it was given and the LESS it saw."""
    kept = tmp_path / "paged.txt"
    script = tmp_path / "pager.sh"
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {kept}\ncat >> {kept}\n')
    script.chmod(0o755)
    return str(script), kept


def test_output_longer_than_the_screen_goes_through_the_pager(registry, pager) -> None:
    command, kept = pager
    shown, code = at_terminal("group", "list", db=registry, PAGER=command)
    assert code == 0
    paged = kept.read_text()
    assert paged.startswith("LESS=FRX\n") and "PALU-077" in paged and "PALU-077" not in shown


QUIET = {  # output that is never paged, whatever its length
    "--no-pager": ("group", "list", "--no-pager"),
    "json": ("group", "list", "--format", "json"),
    "csv": ("group", "list", "--format", "csv"),
    "one screen": ("group", "show", "PALU-002"),
}


@pytest.mark.parametrize("args", list(QUIET.values()), ids=list(QUIET))
def test_no_pager_for_short_output_json_csv_or_no_pager(registry, pager, args) -> None:
    command, kept = pager
    shown, code = at_terminal(*args, db=registry, rows=50, PAGER=command)
    assert code == 0 and not kept.exists(), shown
    assert "PALU-002" in shown


def test_a_pipe_is_never_paged(registry, pager) -> None:
    command, kept = pager
    piped = in_pipe("group", "list", db=registry, PAGER=command)
    assert piped.returncode == 0 and "PALU-077" in piped.stdout and not kept.exists()


def test_json_at_a_terminal_is_the_whole_json(kube, registry) -> None:
    shown, code = at_terminal("member", "list", "--format", "json", db=registry, cols=60)
    assert code == 0
    assert json.loads(shown) == kube.json("member", "list")


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "id"])
def test_help_at_60_columns_shows_every_option_name_whole(palu, lang) -> None:
    from kube_cli.cli import command_tree

    for path in (("member", "add"), ("member", "edit"), ("group", "add"), ("log",), ("import",)):
        shown, code = at_terminal(*path, "--help", db=palu, cols=60, KUBE_LANG=lang)
        assert code == 0 and "…" not in shown, shown
        command = command_tree()
        for name in path:
            command = command.commands[name]
        for param in command.params:
            for opt in [*param.opts, *param.secondary_opts]:
                if opt.startswith("--"):
                    assert opt in shown, f"{' '.join(path)} --help at 60 columns hides {opt}"
        assert not re.search(r"<(bool|str|int|int range)>|\[x>=|\{[A-Z]+\}", shown), shown


# --- the import's progress bar -------------------------------------------------------------------


def test_the_import_bar_counts_rows_with_time_left(palu, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    subprocess.run([sys.executable, str(Path(__file__).parents[1] / "bench" / "make_roster.py"), "--groups", "1200",
                    "-o", str(roster)], check=True)  # fmt: skip
    shown, code = at_terminal("import", str(roster), "--dry-run", db=palu)
    assert code == 0, shown
    assert re.search(r"\d,\d{3} of about \d,\d{3} rows", shown), shown
    assert "/?" not in shown and str(roster.stat().st_size) not in shown
    piped = in_pipe("import", str(roster), "--dry-run", db=palu)
    assert "rows" not in piped.stderr and "Reading" not in piped.stderr


def test_a_roster_read_on_two_cores_counts_up_to_its_last_row(palu, tmp_path: Path) -> None:
    """A CSV large enough for the helper process (batch_helper): the bar counts both parts' rows as they
    are read and ends at the file's last row, not where the helper last said."""
    roster = tmp_path / "roster.csv"
    subprocess.run([sys.executable, str(Path(__file__).parents[1] / "bench" / "make_roster.py"), "--groups", "4500",
                    "-o", str(roster)], check=True)  # fmt: skip
    shown, code = at_terminal("import", str(roster), "--dry-run", db=palu)
    assert code == 0, shown
    counts = [(int(a.replace(",", "")), int(b.replace(",", "")))
              for a, b in re.findall(r"([\d,]+) of about ([\d,]+) rows", shown)]  # fmt: skip
    assert counts[-1] == (22500, 22500), counts
    assert [a for a, _b in counts] == sorted(a for a, _b in counts)  # never backwards


# --- all of Indonesia ----------------------------------------------------------------------------


def test_all_of_indonesia_streams_to_the_pager_whole_and_fitted(tmp_path: Path, pager) -> None:
    """83,762 kelurahan/desa: the pager gets them line by line (no whole-table layout first), each
    code whole; at 60 columns the least needed column is left out and named at the end."""
    db = tmp_path / "id.db"
    assert in_pipe("init", "--wilayah", "ID", db=db).returncode == 0
    command, kept = pager
    _shown, code = at_terminal("wilayah", db=db, cols=60, PAGER=command)
    assert code == 0
    lines = kept.read_text().splitlines()
    assert lines[1].split() == ["Code", "Kelurahan", "Kecamatan", "Groups"]
    codes = [line.split()[0] for line in lines[3:] if re.match(r"\d\d\.\d\d\.\d\d\.\d{4} ", line)]
    assert len(codes) == 83_762 and codes == sorted(codes)
    assert all(len(line) <= 60 for line in lines[1:])
    assert "Left out to fit the terminal: Kabupaten/Kota" in " ".join(lines[-3:])
