"""The import's transactions: the staging tables' lifetime, the read snapshot it checks in, and the
write's bulk ways (the member count taken once, the foreign keys checked for all rows at once, the
indexes no statement reads built after the inserts). ``batch_apply`` runs the checks and the SQL in them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from kube_cli.batch_staging import STAGED
from kube_cli.records import CURRENT_MEMBER

HELPER = "helper"  # the schema a helper process's staging is attached as (batch_helper)


@contextmanager
def staging(conn: sqlite3.Connection) -> Iterator[None]:
    """The temporary tables of one import, there while it runs and dropped after, whatever happens. Their
    page cache is TEMP_CACHE_MIB while they are there: the staged rows and the sorts that index them spill
    to a temporary file less (~0.2 s of a 200k-member import), and memory stays flat at any size."""
    (cache,) = conn.execute("PRAGMA temp.cache_size").fetchone()
    conn.execute(f"PRAGMA temp.cache_size = {-1024 * TEMP_CACHE_MIB}")
    try:
        create_staging(conn)
        conn.execute(f"ATTACH ':memory:' AS {HELPER}")  # a helper process's staging comes here (batch_helper)
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        try:
            drop_staging(conn)
        finally:
            if any(row[1] == HELPER for row in conn.execute("PRAGMA database_list")):
                conn.execute(f"DETACH {HELPER}")
            conn.execute(f"PRAGMA temp.cache_size = {cache}")


# bench/README.md: 16 MiB saved ~10% of a dry run at 200k members; 40 MiB holds a 200k-member file's staging
# whole (29 MB: nothing spilled, nothing read back to drop it), 0.1 s less in 4 of 4 paired imports, peak RSS
# 51 -> 65 MiB there and at most 24 MiB more at any size (the cache is a ceiling)
TEMP_CACHE_MIB = 40


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[int]:
    """A read transaction for reading, staging and checking: one consistent view of the registry and
    no write lock (staging writes only the connection's temporary tables), so other officers' commands
    carry on meanwhile. Yields the registry's ``data_version``, to tell later whether it changed."""
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM meta").fetchone()  # the view starts here, not at the first lookup
        yield data_version(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")  # the staged rows stay, in the temporary tables


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the registry (SQLite's ``PRAGMA data_version``)."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


@contextmanager
def counted_once(conn: sqlite3.Connection, *, counted_new_groups: bool = False) -> Iterator[None]:
    """Members inserted without the trigger that counts them one by one (it fired once a row: ~1.2 s of
    a 200k-member import), then each group they joined counted up once by as many as it got, as the
    trigger would have, in the same transaction: the counts are exact at the commit, and a failure rolls
    the trigger back in with the rest. ``counted_new_groups``: the groups this write creates were
    inserted with their counts (a roster without --replace: all their staged members are new)."""
    found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'members_count_insert'")
    trigger = found.fetchone()
    if trigger is None:
        yield
        return
    (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM members").fetchone()  # new rows get higher ids
    (groups,) = conn.execute("SELECT coalesce(max(id), 0) FROM groups").fetchone() if counted_new_groups else (-1,)
    conn.execute("DROP TRIGGER members_count_insert")
    yield
    if groups != 0:  # 0: every group was new, and carries its count already
        conn.execute(
            "UPDATE groups SET member_count = member_count + n FROM (SELECT group_id, count(*) AS n FROM members "
            f"WHERE id > :last AND {CURRENT_MEMBER} AND (:groups < 0 OR group_id <= :groups) GROUP BY group_id) "
            "AS new WHERE groups.id = new.group_id",
            {"last": last, "groups": groups},
        )
    conn.execute(trigger[0])


@contextmanager
def keys_checked_in_bulk(conn: sqlite3.Connection) -> Iterator[None]:
    """The write without SQLite's per-row foreign-key look-ups (~5 µs a member): every reference the
    apply writes comes from a join with the table it names, except a group's kelurahan and usaha, which
    ``Checker.apply`` checks for all the staged groups at once. Set outside the transaction (SQLite
    ignores the pragma inside one), and back on after, whatever happens."""
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


# The secondary indexes of the tables an import fills that no statement of the apply reads
REBUILT = {"groups": ("groups_kelurahan", "groups_usaha", "groups_year", "groups_status_kelurahan"),
           "members": ("members_group", "members_one_ketua")}  # fmt: skip
# The members' indexes by NIK and No. KK, which the apply reads only to find recorded members: rebuilt too
# when every staged member is new and none is replaced (the file's order is not the NIKs': lower in 7 of 10
# paired rounds at 200k members, 0.05-0.1 s, and no random page per member at a million)
BY_NIK = ("members_current_nik", "members_kk")
IN_GROUP_ORDER = ("members_group", "members_one_ketua")  # appended in order when members are written by group


@contextmanager
def rebuilt_indexes(conn: sqlite3.Connection, added: dict[str, int], kept: tuple[str, ...] = (),
                    unread: dict[str, tuple[str, ...]] | None = None) -> Iterator[None]:  # fmt: skip
    """For an import that adds at least as many rows as a table has, its secondary indexes are dropped
    and built again after the inserts, in the same transaction: one sort instead of a random insert per
    row. A unique one (one ketua per group, one current member per NIK) then checks every row at once; the
    checks made sure it holds. ``kept``: indexes the rows are written in the order of (each entry appended);
    ``unread``: more indexes of a table that this write reads none of (``BY_NIK``)."""
    names = []
    for table, indexes in REBUILT.items():
        (rows,) = conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()  # about how many it has
        if added.get(table, 0) >= max(rows, 1):
            names.extend(name for name in (*indexes, *(unread or {}).get(table, ())) if name not in kept)
    found = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({', '.join('?' * len(names))})", names
    ).fetchall()
    for name, _sql in found:
        conn.execute(f"DROP INDEX {name}")
    yield
    for _name, sql in found:
        conn.execute(sql)


def create_staging(conn: sqlite3.Connection) -> None:
    for staged in STAGED.values():
        conn.execute(staged.create())
    conn.execute("CREATE TEMP TABLE gn (seq INTEGER PRIMARY KEY, members INTEGER)")  # a roster's groups' sizes


def drop_staging(conn: sqlite3.Connection) -> None:
    """The staging tables dropped with the temporary database's journal off: there is nothing to roll
    back to, and journalling the freed pages took two thirds of the drop (0.05 -> 0.015 s at 200k)."""
    (mode,) = conn.execute("PRAGMA temp.journal_mode").fetchone()
    conn.execute("PRAGMA temp.journal_mode = OFF")
    try:
        for table in ("gs", "sm", "sa", "sr", "sv", "gf", "sk", "san", "svn", "gn"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    finally:
        conn.execute(f"PRAGMA temp.journal_mode = {mode}")
