"""Keeping the registry safe: backups, restoring one, and checking the registry's soundness.

Copies are made with SQLite's online backup (a consistent snapshot, safe while other kubes
write) and are readable by their owner only, like the registry itself.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from kube_cli import fileio, plausibility
from kube_cli.db import Registry, connect, copy_database, copy_into, make_private, open_registry
from kube_cli.errors import KubeError, damage
from kube_cli.i18n import _
from kube_cli.records import CURRENT_MEMBER, CURRENT_VISIT, current_ketua, current_member, monthly, yearly
from kube_cli.registry import MAX_MEMBERS, MIN_MEMBERS, size_warning
from kube_cli.vocab import format_rupiah, mask_nik

# Each group's maintained money totals per year (``group_money``) beside a recount of its rows.
MONEY_RECOUNT = """
    WITH counted AS (
        SELECT group_id, year, sum(aid) AS aid, sum(revenue) AS revenue FROM (
            SELECT group_id, CAST(substr(date, 1, 4) AS INTEGER) AS year, amount AS aid, 0 AS revenue
            FROM aid WHERE voided_at IS NULL
            UNION ALL SELECT group_id, year, 0, amount FROM revenue
            UNION ALL SELECT group_id, year, 0, 0 FROM group_money
        ) GROUP BY group_id, year
    )
    SELECT g.code, c.year, coalesce(m.aid_total, 0), c.aid, coalesce(m.revenue_total, 0), c.revenue
    FROM counted c LEFT JOIN group_money m ON m.group_id = c.group_id AND m.year = c.year
    JOIN groups g ON g.id = c.group_id
    WHERE coalesce(m.aid_total, 0) != c.aid OR coalesce(m.revenue_total, 0) != c.revenue
    ORDER BY g.code, c.year
"""
# Each group's maintained totals of all years (``groups.aid_total``, ``revenue_total``) beside its years'
# (no year: the columns of MONEY_RECOUNT).
GROUP_MONEY_RECOUNT = """
    SELECT g.code, NULL, g.aid_total, coalesce(s.aid, 0), g.revenue_total, coalesce(s.revenue, 0) FROM groups g
    LEFT JOIN (SELECT group_id, sum(aid_total) AS aid, sum(revenue_total) AS revenue FROM group_money
               GROUP BY group_id) s ON s.group_id = g.id
    WHERE g.aid_total != coalesce(s.aid, 0) OR g.revenue_total != coalesce(s.revenue, 0) ORDER BY g.code
"""


SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _already_exists(target: Path) -> KubeError:
    return KubeError("dest", str(target), _("already exists"), _("kube never overwrites a file"))


# --- backup ---------------------------------------------------------------------------------


def backup_target(dest: str) -> Path:
    """``DEST`` as typed: a folder gets ``kube-YYYYmmdd-HHMMSS.db`` inside; a file must be new."""
    path = Path(dest).expanduser()
    if path.is_dir() or dest.endswith(("/", os.sep)):
        if not path.is_dir():
            raise KubeError("dest", dest, _("is not a folder that exists"))
        path = path / f"kube-{_stamp()}.db"
    if path.exists():
        raise KubeError("dest", str(path), _("already exists"), _("give a new file name or a folder"))
    if not path.parent.is_dir():
        raise KubeError("dest", dest, _("its folder does not exist"), _("create the folder first"))
    return path


def backup(registry: Registry, dest: str) -> dict[str, Any]:
    """Copy the registry to ``dest`` (a new file, or a folder) while others may be writing.

    The counts are the copy's (others may have written since), and the copy is on the disk, whole,
    before the audit row says it was made; a backup that fails leaves no file."""
    target = backup_target(dest)
    try:
        with fileio.refused_as(target, "dest", any_os_error=True), fileio.NewFile(target, how="new") as new:
            copy_into(registry.conn, new.temp)
            copy = fileio.open_readonly(new.temp, private=True)
            try:
                counts = _counts(copy)
            finally:
                copy.close()
    except FileExistsError:
        raise _already_exists(target) from None
    try:
        with registry.atomic():
            registry.audit("registry.backup", str(target.resolve()), counts)
    except BaseException:
        target.unlink(missing_ok=True)  # not recorded: not made
        raise
    return {"path": str(target.resolve()), "bytes": target.stat().st_size, **counts}


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    (groups,) = conn.execute("SELECT count(*) FROM groups").fetchone()
    (members,) = conn.execute(f"SELECT count(*) FROM members WHERE {CURRENT_MEMBER}").fetchone()
    return {"groups": groups, "members": members}


# --- restore --------------------------------------------------------------------------------


def _check_backup(copy: Path, shown: str) -> dict[str, int]:
    """Refuse anything but a whole kube registry this kube can open; returns what it holds."""
    from kube_cli.migrations import SCHEMA_VERSION, is_registry

    conn = fileio.open_readonly(copy, private=True)
    try:
        try:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.DatabaseError as error:
            if error.sqlite_errorcode != SQLITE_NOTADB:
                raise
            raise KubeError("backup", shown, _("is not a SQLite database"),
                            _("give a file made by `kube backup`")) from None  # fmt: skip
        page_size, page_count = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
        if copy.stat().st_size < page_size * page_count:
            raise KubeError("backup", shown, _("is truncated (the file is shorter than it says)"))
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise KubeError("backup", shown, _("is damaged: {problem}").format(problem=problems[0]))
        if not is_registry(conn) or version < 1:
            raise KubeError("backup", shown, _("is not a kube registry"))
        if version > SCHEMA_VERSION:
            raise KubeError(
                "backup", shown,
                _("was made by a newer version of kube (schema {version}, this kube knows {known})").format(
                    version=version, known=SCHEMA_VERSION),
                _("upgrade kube to restore it"),
            )  # fmt: skip
        return _counts(conn)
    except sqlite3.DatabaseError as error:
        raise KubeError("backup", shown, _("is damaged: {problem}").format(problem=error)) from None
    finally:
        conn.close()


def _source(path: Path, backup_file: str) -> Path:
    source = Path(backup_file).expanduser()
    if not source.is_file():
        raise KubeError("backup", backup_file, _("is not a file that exists"))
    if path.exists() and os.path.samefile(source, path):
        raise KubeError("backup", backup_file, _("is the registry itself"))
    return source


def describe_restore(path: Path, backup_file: str) -> dict[str, Any]:
    """What ``restore`` would do, refused as it would refuse: the backup's counts, and the current
    registry's (``None`` when there is none, or it cannot be read)."""
    source = _source(path, backup_file)
    counts = _check_backup(source, backup_file)  # read-only, on the backup itself; restore checks its own copy again
    current: dict[str, int] | None = None
    if path.exists():
        try:
            conn = fileio.open_readonly(path)
            try:
                current = _counts(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            current = None
    return {"path": str(path.resolve()), "backup": str(source), "current": current, **counts}


def keep_copy(registry: Registry, why: str) -> Path:
    """A copy of the registry beside it, ``<name>.before-<why>-<stamp>``, to go back to with ``kube restore``."""
    path = registry.path
    return copy_database(registry.conn, path.with_name(f"{path.name}.before-{why}-{_stamp()}"), how="unique")


def restore(path: Path, officer: str, backup_file: str) -> dict[str, Any]:
    """Replace the registry at ``path`` with ``backup_file``, after checking the backup whole.

    The current registry is kept beside it as ``<name>.before-restore-<stamp>``. The swap copies
    the backup into the live file with SQLite's backup API, in one transaction: other kubes
    wait for it and then see the restored registry, and a crash leaves the old one whole.
    """
    source = _source(path, backup_file)
    with fileio.refused_as(path.parent, "registry"):
        made = fileio.make_folders(path.parent)
    try:
        with fileio.refused_as(path, "registry"):
            temp = fileio.temp_beside(path, "restore")
        try:
            with fileio.refused_as(path, "registry"):
                _copy_bytes(source, temp)  # check a private copy, not the original
            counts = _check_backup(temp, backup_file)
            with fileio.refused_as(path, "registry"):
                kept = _keep_current(path) if path.exists() else None
                _swap_in(temp, path)
        finally:
            fileio.discard(temp)
    except BaseException:
        fileio.remove_folders(made)
        raise
    with open_registry(path, officer) as registry:
        with registry.atomic():
            registry.audit("registry.restore", source.name, {"from": str(source.resolve()),
                                                             "kept": str(kept or ""), **counts})  # fmt: skip
        # a sound file can still break the registry's rules: say so now, not at the next check
        errors = [p for p in check(registry) if p["severity"] == "error"]
    return {"path": str(path.resolve()), "kept": str(kept) if kept else None, "errors": errors, **counts}


def _copy_bytes(source: Path, target: Path) -> None:
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(1 << 20):
            writer.write(chunk)


def _keep_current(path: Path) -> Path:
    """A copy of the registry as it is, at a name no other file has; returns that name."""
    kept = path.with_name(f"{path.name}.before-restore-{_stamp()}")
    try:
        conn = sqlite3.connect(path)
        try:
            return copy_database(conn, kept, how="unique")
        finally:
            conn.close()
    except sqlite3.DatabaseError:  # the current file is damaged: keep its bytes as they are
        with fileio.NewFile(kept, how="unique") as new:
            _copy_bytes(path, new.temp)
        return new.path


def _swap_in(temp: Path, path: Path) -> None:
    if not path.exists():
        try:
            fileio.place(temp, path, how="new")
        except FileExistsError:
            raise KubeError("registry", str(path), _("was created by another kube while this one restored"),
                            _("run the command again")) from None  # fmt: skip
        make_wal(path)
        return
    source = sqlite3.connect(temp, isolation_level=None)
    try:
        live = connect(path)
        try:
            (page_size,) = live.execute("PRAGMA page_size").fetchone()
            if source.execute("PRAGMA page_size").fetchone()[0] != page_size:
                # a WAL file cannot change its page size: the private copy takes the registry's
                source.execute(f"PRAGMA page_size = {int(page_size)}")
                source.execute("VACUUM")
            source.backup(live)  # one write transaction on the live file
        finally:
            live.close()
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorcode & 0xFF not in (SQLITE_CORRUPT, SQLITE_NOTADB):
            raise
        # the live file is not a database any more: replace it whole
        for suffix in fileio.SIDECARS:
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.replace(temp, path)
    finally:
        source.close()
    make_wal(path)
    make_private(path)


def make_wal(path: Path) -> None:
    """The registry in WAL mode again: a backup copied in brings its own header (rollback journal), and
    a connection that copied it in may not notice (when the page size changed), so ask a fresh one."""
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


# --- check ----------------------------------------------------------------------------------


# Each visited group's maintained ``visit_summary`` row beside a recount from its visits (either side
# missing or different), as the ``kube due`` of today reads it.
_VISITS_RECOUNTED = f"""
    SELECT group_id, date, business, officer, second, bad FROM (
        SELECT group_id, date, business, officer,
               lead(date) OVER (PARTITION BY group_id ORDER BY date DESC, id DESC) AS second,
               max(CASE WHEN business != 'running' OR bookkeeping = 0 THEN date END) OVER (PARTITION BY group_id)
                   AS bad,
               row_number() OVER (PARTITION BY group_id ORDER BY date DESC, id DESC) AS n
        FROM visits WHERE {CURRENT_VISIT}) WHERE n = 1"""
_SUMMARISED = "SELECT group_id, last_date, business, officer, second_date, bad_date FROM visit_summary"
VISIT_SUMMARY_RECOUNT = (
    f"SELECT g.code FROM groups g WHERE g.id IN (SELECT group_id FROM ({_VISITS_RECOUNTED} EXCEPT {_SUMMARISED}) "
    f"UNION SELECT group_id FROM ({_SUMMARISED} EXCEPT {_VISITS_RECOUNTED})) ORDER BY g.code"
)


def _problem(severity: str, code: str, problem: str, target: str) -> dict[str, str]:
    """One finding; ``code`` never changes with the language, so scripts can match on it."""
    return {"severity": severity, "code": code, "problem": problem, "target": target}


def check(registry: Registry) -> list[dict[str, str]]:
    """Errors (integrity, foreign keys, the registry's own rules) first, then warnings.

    Damage is an error like any other: what SQLite's ``integrity_check`` finds, text that is not
    UTF-8 (which ``integrity_check`` does not look at), and damage a query of the rules runs into.
    """
    conn = registry.conn
    found: list[dict[str, str]] = []
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if integrity == ["ok"]:
            integrity = _undecodable(conn)
    except sqlite3.DatabaseError as error:
        integrity = [damage(error) or str(error)]
    if integrity != ["ok"]:
        found += [
            _problem("error", "integrity", _("integrity: {message}").format(message=m), str(registry.path))
            for m in integrity
        ]
    try:
        return found + _rules(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:  # damage in what the rules read
        message = _("integrity: {message}").format(message=damage(error) or error)
        return found or [_problem("error", "integrity", message, str(registry.path))]


def quick_damage(path: Path) -> str | None:
    """What SQLite's ``quick_check`` finds wrong with the file at ``path`` (its first line), else ``None``.

    For an error that may be damage or a bug (``no such column: action`` when a flipped byte renamed a
    column in the schema): damage is what SQLite's own check finds.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError):
        return None
    try:
        found = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as error:
        return damage(error) or str(error)
    finally:
        conn.close()
    if found == ["ok"]:
        return None
    first = found[0].splitlines()
    return first[1] if len(first) > 1 and first[0].startswith("***") else first[0]


def _undecodable(conn: sqlite3.Connection, chunk: int = 20_000) -> list[str]:
    """``["ok"]``, or where text that is not UTF-8 lies (``members row 17: column 'name'``).

    Each table is read in chunks of rows, each chunk's text joined by SQLite into one string that
    Python decodes at once; a chunk that fails is looked at row by row.
    """
    found: list[str] = []
    conn.text_factory = bytes
    try:
        tables = [(name.decode(), sql or b"") for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")]  # fmt: skip
        for table, sql in tables:
            columns = [row[1].decode() for row in conn.execute(f'PRAGMA table_info("{table}")')]
            # only values stored as text: a number or a blob is not decoded
            joined = " || x'00' || ".join(f"(CASE typeof(\"{c}\") WHEN 'text' THEN \"{c}\" ELSE '' END)"
                                          for c in columns)  # fmt: skip
            if b"WITHOUT ROWID" in sql.upper():  # no rowid to go by: the table whole (group_money, small)
                (text,) = conn.execute(f"SELECT group_concat({joined}, x'00') FROM \"{table}\"").fetchone()
                if text is not None and not _is_utf8(text):
                    found.append(_("{table}: text that is not UTF-8").format(table=table))
                continue
            last = -(2**63)
            while True:
                (upto, text) = conn.execute(
                    f'SELECT max(rowid), group_concat({joined}, x\'00\') FROM (SELECT rowid, * FROM "{table}" '
                    "WHERE rowid > ? ORDER BY rowid LIMIT ?)", (last, chunk)).fetchone()  # fmt: skip
                if upto is None:
                    break
                if not _is_utf8(text):
                    found += _undecodable_rows(conn, table, columns, last, upto)
                last = upto
    finally:
        conn.text_factory = str
    return found or ["ok"]


def _undecodable_rows(conn: sqlite3.Connection, table: str, columns: list[str], after: int, upto: int) -> list[str]:
    found = []
    quoted = ", ".join(f'CASE typeof("{c}") WHEN \'text\' THEN "{c}" END' for c in columns)
    for rowid, *values in conn.execute(
        f'SELECT rowid, {quoted} FROM "{table}" WHERE rowid > ? AND rowid <= ?', (after, upto)
    ):
        for column, value in zip(columns, values, strict=True):
            if isinstance(value, bytes) and not _is_utf8(value):
                found.append(_("{table} row {rowid}: text that is not UTF-8 in column '{column}'").format(
                    table=table, rowid=rowid, column=column))  # fmt: skip
    return found


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _rules(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """The registry's own rules, errors then warnings."""
    found = _record_errors(conn) + _total_errors(conn) + _group_warnings(conn)
    # implausible amounts, the same aid twice, NIKs born on no calendar day, shared No. KK
    found += [_problem("warning", f.code, f.problem, f.target) for f in plausibility.registry_findings(conn)]
    return found


def _record_errors(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """Records that break a rule: a missing parent, a year both yearly and monthly, a NIK in two groups,
    two ketua in a group."""
    found: list[dict[str, str]] = []
    for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        problem = _("foreign key: points to a missing {parent} row").format(parent=parent)
        found.append(_problem("error", "foreign_key", problem, f"{table} {rowid}"))
    for code, year in conn.execute(
        "SELECT g.code, r.year FROM revenue r JOIN groups g ON g.id = r.group_id GROUP BY r.group_id, r.year "
        f"HAVING sum({yearly('r')}) > 0 AND sum({monthly('r')}) > 0 ORDER BY g.code, r.year"
    ):
        problem = _("revenue: {year} has both a yearly record and monthly records").format(year=year)
        found.append(_problem("error", "revenue_yearly_and_monthly", problem, code))
    for nik, codes in conn.execute(
        "SELECT m.nik, group_concat(DISTINCT g.code) FROM members m JOIN groups g ON g.id = m.group_id "
        f"WHERE {current_member('m')} GROUP BY m.nik HAVING count(DISTINCT m.group_id) > 1 ORDER BY m.nik"
    ):
        problem = _("NIK is current in more than one group: {codes}").format(codes=codes.replace(",", ", "))
        found.append(_problem("error", "nik_in_two_groups", problem, mask_nik(nik)))
    for code, ketua in conn.execute(
        "SELECT g.code, count(*) FROM members m JOIN groups g ON g.id = m.group_id "
        f"WHERE {current_ketua('m')} GROUP BY g.id HAVING count(*) > 1 ORDER BY g.code"
    ):
        found.append(
            _problem("error", "ketua_count", _("{n} members are ketua; a group has one").format(n=ketua), code)
        )
    return found


def _total_errors(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """Maintained totals (member counts, visit summaries, aid and revenue totals) that differ from a recount."""
    found: list[dict[str, str]] = []
    for code, stored, counted in conn.execute(
        "SELECT g.code, g.member_count, (SELECT count(*) FROM members m WHERE m.group_id = g.id "
        f"AND {current_member('m')}) AS counted FROM groups g WHERE g.member_count != counted ORDER BY g.code"
    ):
        problem = _("member count is {stored}, a recount gives {counted}").format(stored=stored, counted=counted)
        found.append(_problem("error", "member_count", problem, code))
    for (code,) in conn.execute(VISIT_SUMMARY_RECOUNT):
        found.append(
            _problem("error", "visit_summary", _("the summary of its visits differs from a recount of them"), code)
        )
    for code, year, *totals in [*conn.execute(MONEY_RECOUNT), *conn.execute(GROUP_MONEY_RECOUNT)]:
        for what, stored, counted in zip((_("aid"), _("revenue")), totals[::2], totals[1::2], strict=True):
            if stored == counted:
                continue
            if year is not None:
                text = _("{what} total for {year} is {stored}, a recount gives {counted}")
            else:
                text = _("{what} total of all years is {stored}, a recount gives {counted}")
            problem = text.format(what=what, year=year, stored=format_rupiah(stored), counted=format_rupiah(counted))
            found.append(_problem("error", "money_total", problem, code))
    return found


def _group_warnings(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """Active groups without a ketua, or with fewer or more members than a group may have."""
    found: list[dict[str, str]] = []
    for code, members, ketua in conn.execute(
        "SELECT g.code, count(m.id), coalesce(sum(m.role = 'ketua'), 0) FROM groups g "
        f"LEFT JOIN members m ON m.group_id = g.id AND {current_member('m')} "
        "WHERE g.status = 'aktif' GROUP BY g.id ORDER BY g.code"
    ):
        if not ketua:
            found.append(_problem("warning", "no_ketua", _("no ketua"), code))
        if members < MIN_MEMBERS or members > MAX_MEMBERS:
            found.append(_problem("warning", "group_size", size_warning(members), code))
    return found
