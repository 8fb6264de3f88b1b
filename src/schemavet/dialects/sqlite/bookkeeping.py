"""Reading a SQLite database's migration state: user_version, yoyo's tables, recorded hashes, rows.

Every function takes an open connection and only reads.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3

from schemavet.dialects.sqlite.names import BOOKKEEPING_TABLES
from schemavet.errors import SchemavetError
from schemavet.migrations.bookkeeping import HASH_TABLE
from schemavet.sql.tokens import quote_identifier

MIGRATION_TABLE = "_yoyo_migration"  # yoyo.migrations.default_migration_table
LOCK_TABLE = "yoyo_lock"  # yoyo's DatabaseBackend.lock_table

# Ordinary tables of the app: not SQLite's own, not virtual or shadow, not bookkeeping.
_APP_TABLES = (
    "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
)
_FOREIGN_KEY_COLUMNS = (
    'SELECT t.name, f."from" FROM pragma_table_list AS t JOIN pragma_foreign_key_list(t.name) AS f '
    "WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
)
_SCHEMA_ROWS = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


def user_version(conn: sqlite3.Connection) -> int:
    """``PRAGMA user_version``: the version an application that manages it by hand recorded."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(query, (name,)).fetchone() is not None


def applied_migration_ids(conn: sqlite3.Connection) -> list[str]:
    """The migrations yoyo recorded as applied (``_yoyo_migration``), oldest first.

    This, not the presence of yoyo's tables, says whether yoyo manages a database: any yoyo
    command creates ``yoyo_lock`` on its first connection, before it has applied anything.
    yoyo before 6.0 named the id column ``id``; its schema is read too.
    """
    if not _has_table(conn, MIGRATION_TABLE):
        return []
    columns = {str(row[1]) for row in conn.execute(f"PRAGMA table_info({quote_identifier(MIGRATION_TABLE)})")}
    column = "migration_id" if "migration_id" in columns else "id"
    query = f"SELECT {quote_identifier(column)} FROM {quote_identifier(MIGRATION_TABLE)} ORDER BY rowid"
    return [str(row[0]) for row in conn.execute(query)]


def yoyo_lock(conn: sqlite3.Connection) -> tuple[object, object] | None:
    """(process id, time taken) of the row in ``yoyo_lock``, if a yoyo process holds the lock.

    yoyo inserts the row when it starts migrating and deletes it when it is done; a process
    killed in between leaves it behind (``yoyo break-lock`` removes it).
    """
    if not _has_table(conn, LOCK_TABLE):
        return None
    row = conn.execute(f"SELECT pid, ctime FROM {quote_identifier(LOCK_TABLE)}").fetchone()
    return None if row is None else (row[0], row[1])


def schema_fingerprint(conn: sqlite3.Connection) -> str:
    """A hash of the app's schema SQL and user_version: changes when anyone alters either."""
    digest = hashlib.sha256(str(user_version(conn)).encode())
    for kind, name, table, sql in conn.execute(_SCHEMA_ROWS):
        if name not in BOOKKEEPING_TABLES and table not in BOOKKEEPING_TABLES:
            digest.update(f"{kind}\0{name}\0{table}\0{sql}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def recorded_hashes(conn: sqlite3.Connection) -> dict[str, str]:
    """Migration id → content SHA-256 recorded when it was applied (empty: nothing recorded)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (HASH_TABLE,)
    ).fetchone()
    if exists is None:
        return {}
    query = f"SELECT migration_id, content_sha256 FROM {quote_identifier(HASH_TABLE)} ORDER BY rowid"
    return {str(mid): str(sha) for mid, sha in conn.execute(query)}


def app_tables(conn: sqlite3.Connection) -> list[str]:
    """Every ordinary table of the app, by name: not SQLite's own, not virtual, not bookkeeping."""
    return [str(row[0]) for row in conn.execute(_APP_TABLES) if row[0] not in BOOKKEEPING_TABLES]


def row_counts(
    conn: sqlite3.Connection, known: dict[str, int] | None = None, same: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Rows in every ordinary table of the app, by table name; a table in ``same`` (its rows
    known to be those it had) keeps its count from ``known`` without being counted again."""
    names = app_tables(conn)
    known = known or {}
    return {name: known[name] if name in same and name in known else _count(conn, name) for name in names}


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchone()[0])


def reference_counts(
    conn: sqlite3.Connection,
    known: dict[tuple[str, str], int] | None = None,
    same: frozenset[str] = frozenset(),
    missing: bool = False,
) -> dict[tuple[str, str], int]:
    """Non-NULL values of every foreign-key column, by (table, column); those of a table in
    ``same`` from ``known`` (None where ``known`` lacks them, with ``missing``).

    Counted as rows where the column is not NULL (the same number as ``count(column)``), which
    SQLite answers from an index on the column when there is one: smaller than the table.
    """
    known = known or {}
    pairs = {
        (str(table), str(column))
        for table, column in conn.execute(_FOREIGN_KEY_COLUMNS)
        if table not in BOOKKEEPING_TABLES
    }
    return {
        pair: known[pair]
        if pair[0] in same and pair in known
        else None
        if missing and pair[0] in same
        else _non_null(conn, *pair)
        for pair in sorted(pairs)
    }  # type: ignore[misc]


def _non_null(conn: sqlite3.Connection, table: str, column: str) -> int:
    query = f"SELECT count(*) FROM {quote_identifier(table)} WHERE {quote_identifier(column)} IS NOT NULL"
    return int(conn.execute(query).fetchone()[0])


def foreign_key_violations(conn: sqlite3.Connection) -> list[tuple[str, int | None, str]]:
    """``PRAGMA foreign_key_check``: (table, rowid, referenced table) for each violating row."""
    return [
        (str(table), rowid, str(parent))
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
    ]


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``: empty when it says "ok"."""
    rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def refuse_unadopted(location: str, what_to_do: str, roll_back_interrupted: bool = False) -> None:
    """A SQLite database with a user_version but no migration yoyo recorded must be adopted first.

    Applying every migration to it would fail on the first table that already exists, after
    yoyo had created its own tables in it. yoyo's tables alone (an empty ``yoyo_lock``, which
    any yoyo command leaves) do not make a database adopted: rows in ``_yoyo_migration`` do.
    """
    if not os.path.isfile(location) or not os.path.getsize(location):
        return
    from schemavet.dialects.sqlite.connect import open_readonly, roll_back_interrupted_write

    if roll_back_interrupted:  # a write a killed process left in the journal: read-only cannot read it
        roll_back_interrupted_write(location)

    with open_readonly(location) as conn:
        version, applied = user_version(conn), applied_migration_ids(conn)
    if version and not applied:
        raise SchemavetError(
            f'"{location}" is at user_version {version} with no migration recorded by yoyo; '
            f"{what_to_do}, so its applied migrations are not applied twice"
        )


class Bookkeeping:
    """The migration state of one open database, as adopt reads it (see :meth:`SQLite.bookkeeping`)."""

    migration_table = MIGRATION_TABLE

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def user_version(self) -> int:
        """``PRAGMA user_version``: the version a hand-migrated app recorded."""
        return user_version(self.conn)

    def applied_migration_ids(self) -> list[str]:
        """The migrations yoyo recorded as applied."""
        return applied_migration_ids(self.conn)

    def yoyo_lock(self) -> tuple[object, object] | None:
        """yoyo's lock row (process id, time taken), if one is held."""
        return yoyo_lock(self.conn)

    def schema_fingerprint(self) -> str:
        """A digest of the whole schema, to tell whether it changed meanwhile."""
        return schema_fingerprint(self.conn)
