"""At a real terminal, kube asks before it destroys and asks for what is missing; in a pipe it never asks.

Each test runs ``kube`` as a child process on a pseudo-terminal (the standard library's ``pty``, with
the window size set) or with pipes, in English and in Indonesian.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import snapshot

ROOT = Path(__file__).resolve().parent.parent
NIK = "7271084506850001"  # fictional, valid in form


def child_env(db: Path, lang: str = "en", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KUBE_YES", "NO_COLOR")}
    env.update(PYTHONPATH=str(ROOT), KUBE_DB=str(db), KUBE_LANG=lang, KUBE_OFFICER="petugas-uji", TERM="xterm",
               COLUMNS="80", **extra)  # fmt: skip
    return env


class Terminal:
    """``kube ARGS`` with stdin, stdout and stderr on one pseudo-terminal of ``columns`` x 24."""

    def __init__(self, *args: str, db: Path, lang: str = "en", columns: int = 80, **env: str) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        self.process = subprocess.Popen([sys.executable, "-m", "kube_cli", *args], stdin=slave, stdout=slave,
                                        stderr=slave, env=child_env(db, lang, **env), close_fds=True)  # fmt: skip
        os.close(slave)
        self.seen = ""

    def read_until(self, text: str, timeout: float = 30) -> str:
        end = time.monotonic() + timeout
        while text not in self.seen:
            left = end - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"{text!r} not shown; the terminal shows:\n{self.seen}")
        return self.seen

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 4096)
        except OSError:  # the child closed the terminal
            return False
        self.seen += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        return bool(chunk)

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\r").encode())

    def finish(self, timeout: float = 30) -> int:
        end = time.monotonic() + timeout
        while self._read(max(0.0, end - time.monotonic())):
            pass
        code = self.process.wait(timeout=max(1.0, end - time.monotonic()))
        os.close(self.master)
        return code


def piped(*args: str, db: Path, lang: str = "en", stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kube_cli", *args], input=stdin, capture_output=True, text=True,
                          env=child_env(db, lang, **env), timeout=60, check=False)  # fmt: skip


@pytest.fixture
def palu(kube, registry_path: Path) -> Path:
    """Two groups; Siti Rahma (a fictional member) in the first."""
    kube("group", "add", "KUBE Sintuvu", "--kelurahan", "lasoani", "--usaha", "e-warong", "--code", "PALU-901")
    kube("group", "add", "KUBE Maju", "--kelurahan", "tondo", "--usaha", "e-warong", "--code", "PALU-902")
    kube("member", "add", "PALU-901", "--nik", NIK, "--name", "Siti Rahma")
    kube("aid", "record", "PALU-901", "--amount", "20 juta", "--kind", "peralatan", "--date", "2021-06-15")
    return registry_path


# --- confirmations -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "question", "refusal"),
    [
        ("en", "Remove Siti Rahma (727108******0001) from PALU-901? [y/N]", "Error: not confirmed; nothing was written"),
        ("id", "Keluarkan Siti Rahma (727108******0001) dari PALU-901? [y/T]",
         "Kesalahan: tidak dikonfirmasi; tidak ada yang ditulis"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("answer", ["", "n", "tidak"])
def test_member_remove_at_a_terminal_asks_naming_the_person_and_no_writes_nothing(
    palu: Path, lang: str, question: str, refusal: str, answer: str
) -> None:
    before = snapshot(palu)
    term = Terminal("member", "remove", NIK, db=palu, lang=lang)
    term.read_until(question)
    term.type(answer)
    assert term.finish() == 1
    assert refusal in term.seen
    assert snapshot(palu) == before


@pytest.mark.parametrize(("lang", "answer"), [("en", "y"), ("en", "yes"), ("id", "ya"), ("id", "Y")])
def test_member_remove_at_a_terminal_goes_ahead_on_yes(palu: Path, lang: str, answer: str) -> None:
    term = Terminal("member", "remove", NIK, "--reason", "pindah", db=palu, lang=lang, columns=60)
    term.read_until("PALU-901?")
    term.type(answer)
    assert term.finish() == 0
    assert "727108******0001" in term.seen
    assert piped("member", "list", "--format", "json", db=palu).stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "question"),
    [
        (("member", "move", NIK, "--to", "PALU-902"), "Move Siti Rahma (727108******0001) from PALU-901 to PALU-902?"),
        (("aid", "void", "1", "--reason", "dicatat dua kali"),
         "Void aid record 1: Rp20.000.000 (peralatan) to PALU-901 on"),
    ],
)  # fmt: skip
def test_move_and_void_ask_too_and_ctrl_d_refuses(palu: Path, args: tuple[str, ...], question: str) -> None:
    before = snapshot(palu)
    term = Terminal(*args, db=palu)
    term.read_until(question)
    os.write(term.master, b"\x04")  # Ctrl-D: the end of input is a no
    assert term.finish() == 1
    assert "not confirmed; nothing was written" in term.seen
    assert snapshot(palu) == before


@pytest.mark.parametrize("skip", [("--yes",), ("-y",), ("KUBE_YES",)])
def test_yes_or_kube_yes_skips_the_question_at_a_terminal(palu: Path, skip: tuple[str, ...]) -> None:
    flags, env = ((), {"KUBE_YES": "1"}) if skip == ("KUBE_YES",) else (skip, {})
    term = Terminal("member", "remove", NIK, *flags, db=palu, **env)
    assert term.finish() == 0
    assert "[y/N]" not in term.seen and "Removed member 1 (727108******0001) from PALU-901." in term.seen


def test_a_refusal_comes_before_the_question(palu: Path) -> None:
    """An unknown member is refused at once: nobody is asked about a removal that cannot happen."""
    term = Terminal("member", "remove", "99", db=palu)
    assert term.finish() == 1
    assert "[y/N]" not in term.seen and "no current member" in term.seen


def test_scripts_are_never_asked(palu: Path, tmp_path: Path) -> None:
    """Pipes, or a terminal on stdin with stderr redirected: no question, the same output as before."""
    done = piped("member", "remove", NIK, "--format", "json", db=palu, stdin="n\n")
    assert done.returncode == 0 and done.stderr == "" and '"nik": "727108******0001"' in done.stdout
    # stdin a terminal, stderr a file: not asked either
    master, slave = pty.openpty()
    with open(tmp_path / "err.txt", "w") as err:
        code = subprocess.run([sys.executable, "-m", "kube_cli", "aid", "void", "1", "--reason", "salah"], stdin=slave,
                              stdout=subprocess.PIPE, stderr=err, env=child_env(palu), timeout=60).returncode  # fmt: skip
    os.close(slave), os.close(master)
    assert code == 0 and "[y/N]" not in (tmp_path / "err.txt").read_text()


def test_restore_asks_with_both_registries_counts_and_says_how_to_go_back(palu: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    assert piped("backup", str(backup), db=palu).returncode == 0
    piped("group", "add", "KUBE Baru", "--kelurahan", "tondo", "--usaha", "e-warong", "--code", "BARU", db=palu)
    before = snapshot(palu)
    term = Terminal("restore", str(backup), db=palu)
    term.read_until("(3 groups, 1 members) with")
    term.read_until("(2 groups, 1 members)? The current one is kept beside it. [y/N]")
    term.type("n")
    assert term.finish() == 1 and snapshot(palu) == before
    assert not list(tmp_path.glob("kube.db.before-*"))

    term = Terminal("restore", str(backup), db=palu, lang="id")
    term.read_until("[y/T]")
    term.type("ya")
    assert term.finish() == 0
    (kept,) = tmp_path.glob("kube.db.before-restore-*")
    assert f"kube restore {kept}" in term.seen.replace("\n", "")


def test_merge_asks_with_what_it_would_do_and_keeps_a_copy_to_go_back_to(palu: Path, tmp_path: Path) -> None:
    other = tmp_path / "andi.db"
    piped("group", "add", "KUBE Andi", "--kelurahan", "tondo", "--usaha", "e-warong", "--code", "ANDI", db=other)
    before = snapshot(palu)
    term = Terminal("merge", str(other), db=palu)
    term.read_until("records added")
    term.read_until("[y/N]")
    term.type("")
    assert term.finish() == 1 and snapshot(palu) == before
    assert not list(tmp_path.glob("kube.db.before-*"))

    done = piped("merge", str(other), "--format", "json", db=palu)  # a script: not asked, same JSON keys
    assert done.returncode == 0 and '"kept"' not in done.stdout
    (kept,) = tmp_path.glob("kube.db.before-merge-*")
    assert f"kube restore {kept}" in done.stderr
    assert "ANDI" not in {row[2] for row in snapshot(kept)["groups"]}
    # going back, as the message says
    assert piped("restore", str(kept), db=palu).returncode == 0
    assert snapshot(palu)["groups"] == before["groups"]


def test_dry_run_merge_is_not_asked(palu: Path, tmp_path: Path) -> None:
    other = tmp_path / "andi.db"
    piped("group", "add", "KUBE Andi", "--kelurahan", "tondo", "--usaha", "e-warong", "--code", "ANDI", db=other)
    term = Terminal("merge", str(other), "--dry-run", db=palu)
    assert term.finish() == 0 and "[y/N]" not in term.seen and "dry run" in term.seen


# --- missing options -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "Missing options '--kelurahan', '--usaha'."), ("id", "Opsi '--kelurahan', '--usaha' belum diisi.")],
)
def test_without_a_terminal_every_missing_option_is_named(palu: Path, lang: str, text: str) -> None:
    before = snapshot(palu)
    done = piped("group", "add", "KUBE Baru", db=palu, lang=lang)
    assert done.returncode == 2 and text in done.stderr
    assert snapshot(palu) == before


def test_one_missing_option_reads_as_before(palu: Path) -> None:
    done = piped("group", "add", "KUBE Baru", "--usaha", "e-warong", db=palu)
    assert done.returncode == 2 and "Missing option '--kelurahan'." in done.stderr


def test_at_a_terminal_kube_asks_for_each_missing_option_completing_the_kelurahan(palu: Path) -> None:
    term = Terminal("group", "add", "KUBE Baru", "--format", "json", db=palu)
    term.read_until("--kelurahan (Kelurahan/desa name or code): ")
    os.write(term.master, b"Lasoa\t")  # Tab completes the name from the registry's kelurahan
    term.read_until("Lasoani")
    term.type("")
    term.read_until("--usaha (Business type, like e-Warong): ")
    term.type("")  # an empty answer asks again
    term.read_until("--usaha (Business type, like e-Warong): \n--usaha (Business type, like e-Warong): ")
    term.type("e-warong")
    assert term.finish() == 0
    assert '"kelurahan": "Lasoani"' in term.seen and '"usaha": "e-Warong"' in term.seen


def test_at_a_terminal_in_indonesian_ctrl_d_is_the_usage_error(palu: Path) -> None:
    before = snapshot(palu)
    term = Terminal("member", "move", NIK, db=palu, lang="id")
    term.read_until("--to (")
    os.write(term.master, b"\x04")
    assert term.finish() == 2
    assert "Opsi '--to' belum diisi." in re.sub(r"\x1b\[[0-9;]*m", "", term.seen) and snapshot(palu) == before
