"""A large CSV's later part read by a helper process (batch_helper) gives the same registry, the same counts,
warnings and refusals as one process reading it all: wherever the file is split, whatever the helper's part
holds (odd rows, quoted cells, CRLF, a total row and signatures, bad rows), and if the helper dies."""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_cli import batch, batch_fast, batch_helper
from kube_cli.db import open_registry
from kube_cli.errors import KubeError
from tests.conftest import copy_registry
from tests.test_import_fast_path import MAKER, _contents, _odd, _wrong_counts, made_roster


@pytest.fixture(scope="module")
def roster_rows(tmp_path_factory: pytest.TempPathFactory) -> list[list[str]]:
    """1,200 groups x 5 members: three chunks each side of the split."""
    return made_roster(tmp_path_factory.mktemp("helper"), 1200)


def _write(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", newline: str = "\n",
           quoting: int = csv.QUOTE_MINIMAL, delimiter: str = ",") -> Path:  # fmt: skip
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator=newline, quoting=quoting, delimiter=delimiter).writerows(rows)
    return path


class Split:
    """Small files split too (they are not, outside tests), at ``share`` of the file; counts the helper's rows."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, share: float = 0.47) -> None:
        self.taken: list[int] = []
        monkeypatch.setattr(batch_helper, "MIN_BYTES", 0)
        monkeypatch.setattr(batch_helper, "AHEAD", 0)
        monkeypatch.setattr(batch_helper, "SHARE", share)
        merge = batch_helper.merge

        def counted(*args: object) -> int:
            rows = merge(*args)  # type: ignore[arg-type]
            self.taken.append(rows)
            return rows

        monkeypatch.setattr(batch_helper, "merge", counted)


def _import(db: Path, path: Path, monkeypatch: pytest.MonkeyPatch, *, helper: bool, **options: object):
    """The import's result, or its refusal's text; ``helper=False``: one process, as before."""
    with monkeypatch.context() as patch:
        if not helper:
            patch.setenv("KUBE_ONE_PROCESS", "1")
        warnings: list[str] = []
        with open_registry(db, "petugas-uji") as registry:
            try:
                result = batch.import_file(registry, path, path.name, warn=warnings.append, **options)
            except KubeError as error:
                return "\n".join(error.lines())
        return result.as_dict(), warnings


def _both(rows_path: Path, empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    helped_db = copy_registry(empty_file, tmp_path / "helped.db")
    alone_db = copy_registry(empty_file, tmp_path / "alone.db")
    helped = _import(helped_db, rows_path, monkeypatch, helper=True)
    alone = _import(alone_db, rows_path, monkeypatch, helper=False)
    return helped, alone, helped_db, alone_db


def test_a_clean_roster_split_in_two_is_written_as_one_process_writes_it(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split = Split(monkeypatch)
    path = _write(tmp_path / "roster.csv", roster_rows)
    helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert split.taken and 2000 < split.taken[0] < 3500  # the helper took about half of the 6,000 rows
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)
    assert len(_contents(helped_db)) == 7200
    assert _wrong_counts(helped_db) == 0
    again = _import(helped_db, path, monkeypatch, helper=True)  # re-import: nothing changes
    assert again[0]["members"]["unchanged"] == 6000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(min_value=0.02, max_value=0.6))  # this process has read 64 KiB of the 220 KB ahead
def test_wherever_the_file_is_split_the_registry_is_the_same(
    share: float, roster_rows: list[list[str]], empty_file: Path, tmp_path_factory: pytest.TempPathFactory,
) -> None:  # fmt: skip
    """A split inside a group's rows, or right at its first: the group is one group, its member count right."""
    tmp_path = tmp_path_factory.mktemp("split")
    rows = roster_rows[:2001]  # 400 groups
    path = _write(tmp_path / "roster.csv", rows)
    with pytest.MonkeyPatch.context() as monkeypatch:
        split = Split(monkeypatch, share)
        helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)
    assert _wrong_counts(helped_db) == 0
    assert split.taken  # the helper ran, whatever it took


def test_odd_rows_in_the_helpers_part_are_read_here_as_before(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper stops at the first chunk the fast path doubts; this process reads on from there."""
    split = Split(monkeypatch)
    rows = [*roster_rows[:5501], *_odd([roster_rows[0], *roster_rows[5501:]])[1:]]
    path = _write(tmp_path / "roster.csv", rows)
    helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)
    assert split.taken and 1000 < split.taken[0] < 2500  # its whole chunks before line 5502, where odd rows begin


def test_bad_rows_anywhere_are_refused_with_the_same_message(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Split(monkeypatch)
    rows = [list(r) for r in roster_rows]
    col = {name: rows[0].index(name) for name in rows[0]}
    rows[100][col["nik"]] = rows[100][col["nik"]][:8] + "13" + rows[100][col["nik"]][10:]  # month 13
    rows[5200][col["nik"]] = rows[200][col["nik"]]  # a NIK twice, one in each part
    rows[5900][col["role"]] = "ketua"  # a second ketua (rows 5896-5900 are one group), in the helper's part
    path = _write(tmp_path / "roster.csv", rows)
    helped, alone, helped_db, _alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert isinstance(helped, str) and helped == alone
    for line in (101, 5201, 5901):
        assert f"roster.csv:{line}:" in helped, (line, helped)
    assert _contents(helped_db) == []


@pytest.mark.parametrize(
    ("encoding", "newline", "quoting", "delimiter"),
    [("utf-8-sig", "\r\n", csv.QUOTE_MINIMAL, ","), ("cp1252", "\n", csv.QUOTE_ALL, ","),
     ("utf-8", "\r\n", csv.QUOTE_ALL, ","), ("cp1252", "\r\n", csv.QUOTE_MINIMAL, ";")],
)  # fmt: skip
def test_office_shapes_of_the_helpers_part_give_the_same_registry(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    encoding: str, newline: str, quoting: int, delimiter: str,
) -> None:  # fmt: skip
    """A BOM, CRLF, Windows-1252 with accented names, semicolons, quoted cells (the helper takes none: they
    are read here), a blank row, a total row and a signature block at the end: the same rows, skipped rows
    and warnings."""
    split = Split(monkeypatch, 0.6)
    header, body = roster_rows[0], roster_rows[1:]
    total = ["JUMLAH", "", "", "", "", "", "", "", "", "", ""]
    signature = [["Palu, 12 Juli 2021", *[""] * 10], ["Kepala Dinas Sosial", *[""] * 10], ["ttd.", *[""] * 10]]
    name = header.index("member_name")
    body = [[*row[:name], f"{row[name]} Muñoz-Hélène", *row[name + 1 :]] if n % 3 == 0 else row
            for n, row in enumerate(body)]  # fmt: skip
    rows = [header, *body[:1000], [], *body[1000:], total, [], *signature]
    path = _write(tmp_path / "roster.csv", rows, encoding=encoding, newline=newline, quoting=quoting,
                  delimiter=delimiter)  # fmt: skip
    helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert helped == alone
    assert any("JUMLAH" in w or "total" in w.lower() for w in helped[1]) or helped[0]["skipped"], helped
    assert _contents(helped_db) == _contents(alone_db)
    assert len(_contents(helped_db)) == 7200
    assert "Muñoz-Hélène" in str(_contents(helped_db))
    if quoting == csv.QUOTE_MINIMAL:
        assert split.taken and split.taken[0] > 1000  # unquoted: the helper took its part up to the total row
    else:
        assert split.taken == []  # every cell quoted: more quoted cells than a split is checked for, no helper


def test_a_helper_that_dies_leaves_its_part_to_this_process(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split = Split(monkeypatch)

    def killed(self: batch_helper.Helper) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(batch_helper.Helper, "_read_part", killed)
    path = _write(tmp_path / "roster.csv", roster_rows)
    helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert split.taken == []  # nothing handed over
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helper is forked on Linux only")
def test_killing_the_import_kills_its_helper_and_leaves_no_file_and_no_change(empty_file: Path, tmp_path: Path) -> None:
    """kill -9 of ``kube import`` at 8 moments, the helper running: the registry as it was, no stray file,
    and no helper left behind."""
    roster = tmp_path / "big.csv"
    subprocess.run([sys.executable, str(MAKER), "--groups", "4500", "-o", str(roster)], check=True, timeout=120)
    assert roster.stat().st_size > batch_helper.MIN_BYTES
    db = copy_registry(empty_file, tmp_path / "kube.db")
    before = sorted(p.name for p in tmp_path.iterdir())
    env = {**os.environ, "KUBE_DB": str(db), "KUBE_NO_PROGRESS": "1", "KUBE_OFFICER": "uji"}
    helped = 0  # trials killed while the helper ran: two processes name the roster
    for delay in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
        child = subprocess.Popen([sys.executable, "-m", "kube_cli", "import", str(roster)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        helped += len(_processes_naming(str(roster))) == 2
        child.kill()
        child.wait()
        deadline = time.monotonic() + 5
        while _processes_naming(str(roster)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_naming(str(roster)) == []
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT count(*) FROM members").fetchone() in ((0,), (22500,))
        finally:
            conn.close()
        conn = sqlite3.connect(db)
        conn.execute("DELETE FROM members")
        conn.execute("DELETE FROM groups")
        conn.commit()
        conn.close()
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name not in before)
        assert [name for name in leftovers if not name.startswith("kube.db-")] == []
    assert helped >= 1


def test_a_members_file_split_in_two_gives_what_one_process_gives(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other kind the fast path reads: members naming their group by code, the groups recorded before."""
    header, body = roster_rows[0], roster_rows[1:]
    group_columns = header[: header.index("member_name")]
    groups = _write(tmp_path / "groups.csv", [group_columns, *[row[: len(group_columns)] for row in body[::5]]])
    member_columns = ["group_code", "member_name", "nik", "role", "gender", "pkh_graduate"]
    at = [header.index(c) for c in member_columns]
    members = _write(tmp_path / "members.csv", [member_columns, *[[row[i] for i in at] for row in body]])
    databases = []
    for name in ("helped", "alone"):
        db = copy_registry(empty_file, tmp_path / f"{name}.db")
        assert _import(db, groups, monkeypatch, helper=False)[0]["groups"]["added"] == 1200
        databases.append(db)
    split = Split(monkeypatch)
    helped = _import(databases[0], members, monkeypatch, helper=True)
    alone = _import(databases[1], members, monkeypatch, helper=False)
    assert split.taken and split.taken[0] > 2000
    assert helped == alone
    assert helped[0]["members"]["added"] == 6000
    assert _contents(databases[0]) == _contents(databases[1])
    assert _wrong_counts(databases[0]) == 0


_CELL = st.text(alphabet=st.sampled_from('ab ,;"\n\r\t1'), max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=30),
    raw=st.lists(st.text(alphabet=st.sampled_from('ab,"\n'), max_size=12), max_size=3),
    at=st.floats(min_value=0, max_value=1),
    delimiter=st.sampled_from([",", ";"]),
)
def test_a_split_is_only_where_the_csv_module_starts_a_row(
    rows: list[list[str]], raw: list[str], at: float, delimiter: str
) -> None:
    """Wherever ``_line_start`` splits a CSV (quoted cells with line breaks, doubled quotes, and lines of
    raw text with quotes as hand-made files have them), reading the two parts gives the rows the whole
    gives: the split is never inside a quoted cell."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    text = buffer.getvalue() + "".join(line + "\n" for line in raw)
    data = text.encode()
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(data)
        handle.flush()
        parts = SimpleNamespace(handle=handle, size=len(data), delimiter=delimiter)
        split = batch_helper._line_start(parts, int(at * len(data)))  # type: ignore[arg-type]

    def read(chunk: bytes) -> list[list[str]]:
        return list(csv.reader(io.StringIO(chunk.decode(), newline=""), delimiter=delimiter))

    if split is not None:
        assert data[split - 1 : split] == b"\n"
        assert read(data[:split]) + read(data[split:]) == read(data)


@pytest.mark.parametrize("line", [2500, 3200, 4001, 5000, 5555])
def test_a_byte_that_does_not_decode_is_placed_at_its_line_either_way(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: int
) -> None:
    """The text is decoded a block at a time, and the helper's part starts a block of its own: the refusal
    names the line before the bad byte's, the same whichever process meets it."""
    Split(monkeypatch)
    lines = _write(tmp_path / "roster.csv", roster_rows).read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b"KUBE", b"KUBE\xff", 1)
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    helped, alone, _helped_db, _alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert isinstance(helped, str) and helped == alone
    assert f"is not valid UTF-8 text after line {line - 1}" in helped, helped


def test_a_cell_over_the_csv_limit_where_the_helper_stopped_names_the_same_line(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper's part from line 3001, its chunks 2,000 lines each: a cell over the csv module's limit at
    the first line of its second chunk stops it there, and this process, reading on from that line, names
    the line before it, as one process does."""
    lines = _write(tmp_path / "roster.csv", roster_rows).read_bytes().split(b"\n")
    lines[5000] = lines[5000].replace(b",", b",x" + b"x" * 140_000 + b",", 1)  # line 5001
    path = tmp_path / "long.csv"
    path.write_bytes(b"\n".join(lines))
    split_at = sum(len(line) + 1 for line in lines[:3000])  # where line 3001 starts
    split = Split(monkeypatch, 1 - split_at / path.stat().st_size)
    helped, alone, _helped_db, _alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert split.taken == [2000]  # lines 3001-5000
    assert isinstance(helped, str) and helped == alone, (helped, alone)
    assert "after line 5000:" in helped, helped


def test_an_import_with_sigchld_ignored_reads_both_parts(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some launchers start programs with SIGCHLD ignored: the system reaps the helper, nothing to wait for."""
    split = Split(monkeypatch)
    path = _write(tmp_path / "roster.csv", roster_rows)
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert split.taken and split.taken[0] > 2000
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)


def test_a_registry_changed_as_the_import_begins_is_read_as_one_process_reads_it(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another officer adds a business type just after this import's view of the registry began: one
    process does not see it and refuses the rows naming it; the helper, whose view would see it, takes
    nothing, so the import refuses them too."""
    split = Split(monkeypatch)
    rows = [list(r) for r in roster_rows]
    usaha = rows[0].index("usaha")
    for row in rows[-500:]:
        row[usaha] = "Batik Tulis"
    path = _write(tmp_path / "roster.csv", rows)
    stage = batch_fast.FastMembers.stage_table

    def meanwhile(self: batch_fast.FastMembers, *args: object) -> None:
        other = sqlite3.connect(self.stager.reader.places.registry.path)
        other.execute("INSERT INTO usaha (uuid, name, builtin, created_at) VALUES ('u-batik', 'Batik Tulis', 0, "
                      "'2026-12-02T00:00:00')")  # fmt: skip
        other.commit()
        other.close()
        stage(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch_fast.FastMembers, "stage_table", meanwhile)
    helped, alone, _helped_db, _alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert split.taken == [0]
    assert isinstance(helped, str) and helped == alone
    assert "Batik Tulis" in helped


def test_a_helper_that_hangs_is_stopped_and_its_part_read_here(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split = Split(monkeypatch)
    monkeypatch.setattr(batch_helper, "STALLED", 0.5)
    monkeypatch.setattr(batch_helper.Helper, "_read_part", lambda self: time.sleep(3600))
    path = _write(tmp_path / "roster.csv", roster_rows)
    started = time.monotonic()
    helped, alone, helped_db, alone_db = _both(path, empty_file, tmp_path, monkeypatch)
    assert time.monotonic() - started < 30
    assert split.taken == []
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)


def test_the_helper_reads_the_file_opened_even_when_its_name_is_taken_by_another(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office's shared folder gets a new file of the same name while the import reads: both processes
    read the file the import opened."""
    split = Split(monkeypatch)
    path = _write(tmp_path / "roster.csv", roster_rows)
    (tmp_path / "kept").mkdir()
    original = tmp_path / "kept" / "roster.csv"
    original.write_bytes(path.read_bytes())
    part = batch_helper.Helper._read_part

    def replaced(self: batch_helper.Helper) -> batch_helper.Handed:
        other = tmp_path / "other.csv"
        _write(other, [roster_rows[0], *roster_rows[1:2000]])
        os.replace(other, path)
        return part(self)

    monkeypatch.setattr(batch_helper.Helper, "_read_part", replaced)
    helped_db = copy_registry(empty_file, tmp_path / "helped.db")
    alone_db = copy_registry(empty_file, tmp_path / "alone.db")
    helped = _import(helped_db, path, monkeypatch, helper=True)
    alone = _import(alone_db, original, monkeypatch, helper=False)
    assert split.taken and split.taken[0] > 2000
    assert helped == alone
    assert _contents(helped_db) == _contents(alone_db)


def test_a_bad_byte_is_placed_the_same_where_the_system_has_no_pread(
    roster_rows: list[list[str]], empty_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no ``os.pread``: the file is looked through by seeking, and one process names the same line."""
    lines = _write(tmp_path / "roster.csv", roster_rows).read_bytes().split(b"\n")
    lines[4000] = lines[4000].replace(b"KUBE", b"KUBE\xff", 1)
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\n".join(lines))
    monkeypatch.delattr(os, "pread")
    alone = _import(copy_registry(empty_file, tmp_path / "alone.db"), path, monkeypatch, helper=False)
    assert isinstance(alone, str) and "is not valid UTF-8 text after line 4000" in alone, alone
