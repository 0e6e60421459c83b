"""The registry's schema, as append-only migrations. Never edit one that has shipped: fix forward.

``PRAGMA user_version`` holds how many migrations a file has, so an up-to-date registry is
recognised without importing ``sqlite_utils``; the ``_sqlite_migrations`` table stays the
record of what was applied and when.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from kube_cli.errors import KubeError
from kube_cli.i18n import _

if TYPE_CHECKING:
    import sqlite3

    from sqlite_utils import Database

    from kube_cli.db import Registry
    from kube_cli.regions import Scope

MIGRATION_SET = "kube"


def _create_core_tables(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE wilayah (
            kode TEXT PRIMARY KEY,
            nama TEXT NOT NULL,
            level TEXT NOT NULL
                CHECK (level IN ('provinsi', 'kabupaten_kota', 'kecamatan', 'kelurahan_desa')),
            parent TEXT REFERENCES wilayah(kode),
            name_key TEXT NOT NULL
        );
        CREATE INDEX wilayah_level_name ON wilayah(level, name_key);
        CREATE INDEX wilayah_parent ON wilayah(parent);
        CREATE TABLE wilayah_alias (
            name_key TEXT NOT NULL,
            kode TEXT NOT NULL REFERENCES wilayah(kode),
            alias TEXT NOT NULL,
            PRIMARY KEY (name_key, kode)
        );

        CREATE TABLE usaha (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            builtin INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE usaha_alias (
            key TEXT PRIMARY KEY,
            alias TEXT NOT NULL,
            usaha_id INTEGER NOT NULL REFERENCES usaha(id)
        );
        CREATE INDEX usaha_alias_usaha ON usaha_alias(usaha_id);

        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            code TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            kelurahan_kode TEXT NOT NULL REFERENCES wilayah(kode),
            usaha_id INTEGER NOT NULL REFERENCES usaha(id),
            year INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'aktif' CHECK (status IN ('aktif', 'nonaktif')),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX groups_kelurahan ON groups(kelurahan_kode);
        CREATE INDEX groups_usaha ON groups(usaha_id);
        CREATE INDEX groups_year ON groups(year);

        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            group_id INTEGER NOT NULL REFERENCES groups(id),
            nik TEXT NOT NULL CHECK (length(nik) = 16),
            name TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT 'anggota'
                CHECK (role IN ('ketua', 'sekretaris', 'bendahara', 'anggota')),
            gender TEXT NOT NULL CHECK (gender IN ('L', 'P')),
            pkh_graduate INTEGER NOT NULL DEFAULT 0 CHECK (pkh_graduate IN (0, 1)),
            removed_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX members_current_nik ON members(nik) WHERE removed_at IS NULL;
        CREATE UNIQUE INDEX members_one_ketua ON members(group_id)
            WHERE role = 'ketua' AND removed_at IS NULL;
        CREATE INDEX members_group ON members(group_id, removed_at);

        CREATE TABLE aid (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            group_id INTEGER NOT NULL REFERENCES groups(id),
            date TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('peralatan', 'modal', 'pelatihan', 'lainnya')),
            amount INTEGER NOT NULL CHECK (amount > 0),
            source TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            voided_at TEXT,
            void_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX aid_group ON aid(group_id, date);
        CREATE INDEX aid_date ON aid(date);

        CREATE TABLE revenue (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            group_id INTEGER NOT NULL REFERENCES groups(id),
            period TEXT NOT NULL,
            year INTEGER NOT NULL,
            amount INTEGER NOT NULL CHECK (amount > 0),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (group_id, period)
        );
        CREATE INDEX revenue_year ON revenue(year, group_id);

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            time TEXT NOT NULL,
            officer TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}'
        );
        """
    )


def _seed_usaha(db: Database) -> None:
    from kube_cli import usaha_seed

    usaha_seed.seed(db.conn)


def _maintain_member_counts(db: Database) -> None:
    """``groups.member_count``: current members, kept exact by triggers, so reports over a million
    members sum 200k group rows instead of joining every member (``kube check`` recounts)."""
    db.executescript(
        """
        ALTER TABLE groups ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
        UPDATE groups SET member_count =
            (SELECT count(*) FROM members m WHERE m.group_id = groups.id AND m.removed_at IS NULL);
        CREATE TRIGGER members_count_insert AFTER INSERT ON members WHEN NEW.removed_at IS NULL
        BEGIN
            UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
        END;
        CREATE TRIGGER members_count_delete AFTER DELETE ON members WHEN OLD.removed_at IS NULL
        BEGIN
            UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
        END;
        CREATE TRIGGER members_count_update AFTER UPDATE OF group_id, removed_at ON members
        BEGIN
            UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id AND OLD.removed_at IS NULL;
            UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id AND NEW.removed_at IS NULL;
        END;
        CREATE INDEX groups_status_kelurahan ON groups(status, kelurahan_kode, usaha_id, year, member_count);
        """
    )


def _add_merge_history(db: Database) -> None:
    """What ``kube merge`` needs to tell "changed since they last met": content hashes of the
    versions shown at merges (``merge_seen``), and every earlier version of a record, kept by
    triggers as it is changed (``record_history``; references as UUIDs, in ``kube_cli.merge_sides``'s
    column order), and revenue records replaced away (content ``deleted``). A row parked by a merge
    (code, period or removed_at starting ``~``) is skipped."""
    db.executescript(
        """
        CREATE TABLE merge_seen (uuid TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (uuid, hash));
        CREATE TABLE record_history (
            uuid TEXT NOT NULL, content TEXT NOT NULL, PRIMARY KEY (uuid, content)
        );
        CREATE TRIGGER groups_history
            AFTER UPDATE OF code, name, kelurahan_kode, usaha_id, year, status, note, created_at, updated_at ON groups
            WHEN old.code NOT LIKE '~%' BEGIN
            INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, json_array(
                old.code, old.name, old.kelurahan_kode, (SELECT uuid FROM usaha WHERE id = old.usaha_id),
                old.year, old.status, old.note, old.created_at, old.updated_at));
        END;
        CREATE TRIGGER members_history AFTER UPDATE ON members WHEN old.removed_at IS NOT '~' BEGIN
            INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, json_array(
                (SELECT uuid FROM groups WHERE id = old.group_id), old.nik, old.name, old.role, old.gender,
                old.pkh_graduate, old.removed_at, old.created_at, old.updated_at));
        END;
        CREATE TRIGGER aid_history AFTER UPDATE ON aid BEGIN
            INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, json_array(
                (SELECT uuid FROM groups WHERE id = old.group_id), old.date, old.kind, old.amount, old.source,
                old.note, old.voided_at, old.void_reason, old.created_at, old.updated_at));
        END;
        CREATE TRIGGER revenue_history AFTER UPDATE ON revenue WHEN old.period NOT LIKE '~%' BEGIN
            INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, json_array(
                (SELECT uuid FROM groups WHERE id = old.group_id), old.period, old.year, old.amount, old.note,
                old.created_at, old.updated_at));
        END;
        CREATE TRIGGER revenue_deleted AFTER DELETE ON revenue BEGIN
            INSERT OR IGNORE INTO record_history (uuid, content) VALUES (old.uuid, json_array(
                (SELECT uuid FROM groups WHERE id = old.group_id), old.period, old.year, old.amount, old.note,
                old.created_at, old.updated_at)), (old.uuid, 'deleted');
        END;
        """
    )


def _cover_money_sums(db: Database) -> None:
    """Indexes that hold everything a money total needs (group, date or year, voided, amount), so a
    report sums a million aid or revenue rows by reading one narrow index in group order instead of
    visiting every table row. ``aid_group`` (group_id, date) is a prefix of the new one: replaced."""
    db.executescript(
        """
        DROP INDEX aid_group;
        CREATE INDEX aid_group_money ON aid(group_id, date, voided_at, amount);
        CREATE INDEX revenue_group_money ON revenue(group_id, year, amount);
        """
    )


def _maintain_money_totals(db: Database) -> None:
    """``group_money``: each group's live aid and its revenue per year, kept exact by triggers, so a
    report over two million money rows sums a few rows per group (``kube check`` recounts).

    Never write aid or revenue with ``INSERT OR REPLACE``: the rows it replaces fire no delete
    trigger (SQLite's recursive_triggers is off), and the totals would drift."""
    aid_year = "CAST(substr({row}.date, 1, 4) AS INTEGER)"
    add = (
        "INSERT INTO group_money (group_id, year, {column}) SELECT {row}.group_id, {year}, {row}.amount "
        "WHERE {live} ON CONFLICT (group_id, year) DO UPDATE SET {column} = {column} + excluded.{column};"
    )
    take = ("UPDATE group_money SET {column} = {column} - {row}.amount "
            "WHERE {live} AND group_id = {row}.group_id AND year = {year};")  # fmt: skip
    script = """
        CREATE TABLE group_money (
            group_id INTEGER NOT NULL REFERENCES groups(id),
            year INTEGER NOT NULL,
            aid_total INTEGER NOT NULL DEFAULT 0,
            revenue_total INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (group_id, year)
        ) WITHOUT ROWID;
        INSERT INTO group_money (group_id, year, aid_total, revenue_total)
            SELECT group_id, year, sum(aid), sum(revenue) FROM (
                SELECT group_id, CAST(substr(date, 1, 4) AS INTEGER) AS year, amount AS aid, 0 AS revenue
                FROM aid WHERE voided_at IS NULL
                UNION ALL SELECT group_id, year, 0, amount FROM revenue
            ) GROUP BY group_id, year;
        """
    for table, column, year, live, columns in (
        ("aid", "aid_total", aid_year, "{row}.voided_at IS NULL", "group_id, date, amount, voided_at"),
        ("revenue", "revenue_total", "{row}.year", "true", "group_id, year, amount"),
    ):
        sql = functools.partial(_money_sql, column=column, year=year, live=live)
        script += f"""
        CREATE TRIGGER {table}_money_insert AFTER INSERT ON {table} BEGIN {sql(add, "NEW")} END;
        CREATE TRIGGER {table}_money_delete AFTER DELETE ON {table} BEGIN {sql(take, "OLD")} END;
        CREATE TRIGGER {table}_money_update AFTER UPDATE OF {columns} ON {table}
        BEGIN {sql(take, "OLD")} {sql(add, "NEW")} END;
        """
    db.executescript(script)


def _money_sql(template: str, row: str, *, column: str, year: str, live: str) -> str:
    return template.format(column=column, row=row, year=year.format(row=row), live=live.format(row=row))


def _total_money_per_group(db: Database) -> None:
    """``groups.aid_total`` and ``groups.revenue_total``: each group's money over all years, kept by
    triggers on ``group_money``, and carried in the groups index the reports read, so a report
    without ``--year`` counts groups, members and money in one pass over 200k index entries."""
    db.executescript(
        """
        ALTER TABLE groups ADD COLUMN aid_total INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE groups ADD COLUMN revenue_total INTEGER NOT NULL DEFAULT 0;
        UPDATE groups SET (aid_total, revenue_total) = (SELECT coalesce(sum(aid_total), 0),
            coalesce(sum(revenue_total), 0) FROM group_money m WHERE m.group_id = groups.id);
        CREATE TRIGGER group_money_insert AFTER INSERT ON group_money BEGIN
            UPDATE groups SET aid_total = aid_total + NEW.aid_total, revenue_total = revenue_total + NEW.revenue_total
            WHERE id = NEW.group_id;
        END;
        CREATE TRIGGER group_money_update AFTER UPDATE ON group_money BEGIN
            UPDATE groups SET aid_total = aid_total - OLD.aid_total, revenue_total = revenue_total - OLD.revenue_total
            WHERE id = OLD.group_id;
            UPDATE groups SET aid_total = aid_total + NEW.aid_total, revenue_total = revenue_total + NEW.revenue_total
            WHERE id = NEW.group_id;
        END;
        CREATE TRIGGER group_money_delete AFTER DELETE ON group_money BEGIN
            UPDATE groups SET aid_total = aid_total - OLD.aid_total, revenue_total = revenue_total - OLD.revenue_total
            WHERE id = OLD.group_id;
        END;
        DROP INDEX groups_status_kelurahan;
        CREATE INDEX groups_status_kelurahan
            ON groups(status, kelurahan_kode, usaha_id, year, member_count, aid_total, revenue_total);
        """
    )


def _history_by_field_name(db: Database) -> None:
    """Earlier versions of a record are kept as JSON objects keyed by column name (the triggers are
    generated from ``kube_cli.records``), and the versions shown at merges with their content, so a
    merge compares versions field by field and ignores a field one registry does not have yet: the
    first merge after an upgrade raises no false "changed on both sides". Older rows stay as they are
    (arrays in the old column order, and bare hashes); merge reads both."""
    from kube_cli.records import recreate_history_triggers

    db.execute("ALTER TABLE merge_seen ADD COLUMN content TEXT")
    recreate_history_triggers(db.conn)


def _remember_removed_groups(db: Database) -> None:
    """``groups.removed_at``: a group registered by mistake is removed (``kube group remove``) but
    kept, with its history; lists and lookups leave it out, and it is ``nonaktif``, so no count
    includes it."""
    from kube_cli.records import recreate_history_triggers

    db.execute("ALTER TABLE groups ADD COLUMN removed_at TEXT")
    recreate_history_triggers(db.conn)  # merge carries a removal: the history keeps it


def _add_visits_stage_and_household(db: Database) -> None:
    """Monitoring visits (``visits``: soft-deleted like members, merged like every record), a group's
    stage (Permensos 2/2019), and a member's No. KK, phone and DTSEN decile. The history triggers are
    recreated so earlier versions keep the new columns.

    ``visits_last`` holds what ``kube due`` reads of every visit, in group and date order, so the
    worklist over a million visits is one pass over a narrow index, never the table."""
    db.executescript(
        """
        ALTER TABLE groups ADD COLUMN stage TEXT NOT NULL DEFAULT 'penumbuhan'
            CHECK (stage IN ('penumbuhan', 'pengembangan', 'mandiri'));
        ALTER TABLE members ADD COLUMN kk TEXT CHECK (kk IS NULL OR length(kk) = 16);
        ALTER TABLE members ADD COLUMN phone TEXT CHECK (phone IS NULL OR phone LIKE '+62%');
        ALTER TABLE members ADD COLUMN desil INTEGER CHECK (desil IS NULL OR desil BETWEEN 1 AND 10);
        CREATE INDEX members_kk ON members(kk) WHERE kk IS NOT NULL AND removed_at IS NULL;

        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,
            group_id INTEGER NOT NULL REFERENCES groups(id),
            date TEXT NOT NULL,
            officer TEXT NOT NULL,
            business TEXT NOT NULL CHECK (business IN ('running', 'stalled', 'stopped')),
            bookkeeping INTEGER NOT NULL DEFAULT 0 CHECK (bookkeeping IN (0, 1)),
            members_present INTEGER CHECK (members_present IS NULL OR members_present >= 0),
            note TEXT NOT NULL DEFAULT '',
            removed_at TEXT,
            removal_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX visits_last ON visits(group_id, date, business, bookkeeping, officer)
            WHERE removed_at IS NULL;
        CREATE INDEX visits_date ON visits(date) WHERE removed_at IS NULL;
        """
    )
    db.executescript(VISIT_SUMMARY)
    from kube_cli.records import recreate_history_triggers

    recreate_history_triggers(db.conn)


# ``visit_summary``: each visited group's latest current visit (date, finding, officer; ties by id), the
# date of the one before, and the latest that found it not running with books, kept by triggers, so
# ``kube due`` for today reads one row per group instead of every visit (``worklist.due_sql``).
_SUMMARISE = """
    DELETE FROM visit_summary WHERE group_id = {g};
    INSERT INTO visit_summary (group_id, last_date, business, officer, second_date, bad_date)
    SELECT v.group_id, v.date, v.business, v.officer,
           (SELECT date FROM visits w WHERE w.group_id = v.group_id AND w.removed_at IS NULL
            ORDER BY w.date DESC, w.id DESC LIMIT 1 OFFSET 1),
           (SELECT max(date) FROM visits w WHERE w.group_id = v.group_id AND w.removed_at IS NULL
            AND (w.business != 'running' OR w.bookkeeping = 0))
    FROM visits v WHERE v.group_id = {g} AND v.removed_at IS NULL ORDER BY v.date DESC, v.id DESC LIMIT 1;
"""
VISIT_SUMMARY = f"""
    CREATE TABLE visit_summary (
        group_id INTEGER PRIMARY KEY REFERENCES groups(id),
        last_date TEXT NOT NULL, business TEXT NOT NULL, officer TEXT NOT NULL, second_date TEXT, bad_date TEXT
    );
    INSERT INTO visit_summary (group_id, last_date, business, officer, second_date, bad_date)
    SELECT group_id, date, business, officer, second, bad FROM (
        SELECT group_id, date, business, officer,
               lead(date) OVER (PARTITION BY group_id ORDER BY date DESC, id DESC) AS second,
               max(CASE WHEN business != 'running' OR bookkeeping = 0 THEN date END) OVER (PARTITION BY group_id)
                   AS bad,
               row_number() OVER (PARTITION BY group_id ORDER BY date DESC, id DESC) AS n
        FROM visits WHERE removed_at IS NULL) WHERE n = 1;
    CREATE TRIGGER visits_summary_insert AFTER INSERT ON visits BEGIN {_SUMMARISE.format(g="NEW.group_id")} END;
    CREATE TRIGGER visits_summary_delete AFTER DELETE ON visits BEGIN {_SUMMARISE.format(g="OLD.group_id")} END;
    CREATE TRIGGER visits_summary_update
        AFTER UPDATE OF group_id, date, business, bookkeeping, officer, removed_at ON visits
    BEGIN {_SUMMARISE.format(g="OLD.group_id")} {_SUMMARISE.format(g="NEW.group_id")} END;
"""


def _vocabulary_checks_as_comparisons(db: Database) -> None:
    """Each ``CHECK (x IN ('a', 'b', 'c'))`` of three or more words (a member's role, a group's stage, an
    aid's kind, a visit's finding, a region's level) written as ``x = 'a' OR x = 'b' OR …``: the same rule,
    but SQLite builds the IN list's lookup table again for every row it checks, ~1 µs a row of an
    import's insert (0.3 s of 200k members; bench/README.md), where the comparisons cost nothing.

    Only the tables' text changes, not a stored byte: SQLite's documented way for a CHECK constraint
    (https://www.sqlite.org/lang_altertable.html#otheralter), in the upgrade's own transaction, with the
    schema version stepped so every connection reads the tables again."""
    import re

    conn = db.conn
    listed = re.compile(r"\b(\w+) IN \(((?:'[^']*', ){2,}'[^']*')\)")

    def comparisons(found: re.Match[str]) -> str:
        column, words = found.group(1), re.findall(r"'[^']*'", found.group(2))
        return "(" + " OR ".join(f"{column} = {word}" for word in words) + ")"

    tables = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '% IN (''%'"
    ).fetchall()
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        for name, sql in tables:
            conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (listed.sub(comparisons, sql), name))  # fmt: skip
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


MIGRATIONS = [_create_core_tables, _seed_usaha, _maintain_member_counts, _add_merge_history, _cover_money_sums,
              _maintain_money_totals, _total_money_per_group, _history_by_field_name,
              _remember_removed_groups, _add_visits_stage_and_household, _vocabulary_checks_as_comparisons]  # fmt: skip
SCHEMA_VERSION = len(MIGRATIONS)


def _migration_set():
    from sqlite_utils import Migrations

    migrations = Migrations(MIGRATION_SET)
    for step in MIGRATIONS:
        migrations(name=step.__name__.lstrip("_"))(step)
    return migrations


def upgrade(registry: Registry, *, wilayah: str | Scope, fresh: bool) -> None:
    """Bring ``registry`` to the current schema; a fresh one is also scoped to ``wilayah``.

    Whether the file is a kube registry at all is decided first, by reading it only: a file that
    is not one is refused as it is. The whole upgrade is one write transaction: two kubes opening
    an old registry at once take turns (the second finds it done), and a crash half-way leaves the
    old schema, whole.
    """
    pending, scope = _ready_to_upgrade(registry, wilayah, fresh)
    if not pending:
        return
    from sqlite_utils import Database

    conn = registry.conn
    with registry.atomic():
        if _checked_version(registry) == SCHEMA_VERSION:
            return  # another kube upgraded it while this one waited for the lock
        if not fresh:
            from kube_cli.registry_files import copy_before_upgrade

            copy_before_upgrade(registry.path)
        _migration_set().apply(Database(conn, execute_plugins=False))
        if scope is not None:
            from kube_cli import regions

            regions.load_scope(conn, scope)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    if not fresh:
        from kube_cli.registry_files import make_private

        make_private(registry.path)  # a registry that an older kube (or a copy) left readable by others


def _ready_to_upgrade(registry: Registry, wilayah: str | Scope, fresh: bool) -> tuple[bool, Scope | None]:
    """Whether ``registry`` needs an upgrade, decided by reading it only (a file that is not a kube
    registry is refused as it is), and a fresh one's scope; the journal is switched to WAL."""
    import sqlite3

    from kube_cli import fileio

    conn = registry.conn
    try:
        version = _checked_version(registry)
        if version == SCHEMA_VERSION:
            return False, None
        if not fresh:
            _check_is_kube(registry, version)
        scope = None
        if fresh:  # the national region list is read only when a registry is created
            from kube_cli import regions

            scope = wilayah if isinstance(wilayah, regions.Scope) else regions.parse_scope(wilayah)
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.DatabaseError as error:
        if refused := fileio.refusal(error, registry.path):
            raise refused from None
        raise KubeError(
            "registry", str(registry.path), _("is not a kube registry ({error})").format(error=error)
        ) from None
    return True, scope


def _checked_version(registry: Registry) -> int:
    """The file's schema version; one newer than this kube knows is refused, never touched."""
    version = registry.conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise KubeError(
            "registry", str(registry.path),
            _("was made by a newer version of kube (schema {version}, this kube knows {known})").format(
                version=version, known=SCHEMA_VERSION),
            _("upgrade kube to open it"),
        )  # fmt: skip
    return version


# The tables every kube registry has had since the first release, beside sqlite-utils' record of
# the migrations applied (``_sqlite_migrations``, set ``kube``).
REGISTRY_TABLES = frozenset({"meta", "wilayah", "usaha", "groups", "members", "aid", "revenue", "audit_log"})


def is_registry(conn: sqlite3.Connection) -> bool:
    """Whether the open SQLite file is a kube registry (of any version), by reading it only.

    It reads through the connection given: a second handle on the same file, closed again, would
    drop this process's locks on it (POSIX), and another kube could then checkpoint the WAL away."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables >= REGISTRY_TABLES | {"_sqlite_migrations"}:
        return False
    return conn.execute("SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1",
                        (MIGRATION_SET,)).fetchone() is not None  # fmt: skip


def _check_is_kube(registry: Registry, version: int) -> None:
    if not is_registry(registry.conn):
        raise KubeError("registry", str(registry.path), _("is not a kube registry"),
                        _("give a registry file with --db, or a new file name to start one"))  # fmt: skip
