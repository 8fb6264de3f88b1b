"""Scratch databases: an empty database with the schema of a live one, for probes that write.

The live database is only read (through :func:`open_readonly`); its ``sqlite_master`` SQL is
replayed, verbatim, into a new database (in memory unless told otherwise): tables, then
indexes, then views and triggers, so every object finds what it names. Shadow tables of
virtual tables are left to their module to make.
"""

from __future__ import annotations

import sqlite3

from schemavet.dialects.sqlite import queries
from schemavet.dialects.sqlite.connect import open_readonly
from schemavet.errors import DatabaseError

_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}


def copy_schema(
    source: str, destination: str = ":memory:", cached_statements: int = 128
) -> sqlite3.Connection:
    """A connection to ``destination`` (in memory by default) with the schema, no rows, of ``source``."""
    with open_readonly(source) as live:
        objects = list(live.execute(queries.OBJECTS))
    conn = sqlite3.connect(destination, isolation_level=None, cached_statements=cached_statements)
    try:
        replay(conn, objects)
    except BaseException:
        conn.close()
        raise
    return conn


def replay(conn: sqlite3.Connection, objects: list[tuple[str, str, str, str | None]]) -> None:
    """Run the ``CREATE`` statements of ``(type, name, tbl_name, sql)`` rows in dependency order."""
    # virtual tables first: they create their own shadow tables, which then exist already
    rows = sorted(objects, key=lambda row: (_ORDER.get(row[0], 4), not _is_virtual(row[3])))
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    for kind, name, _, sql in rows:
        if sql is None:  # an index SQLite made for a constraint
            continue
        try:
            conn.execute(sql)
        except sqlite3.Error as e:
            if _exists(conn, name):  # a shadow table its virtual table made
                continue
            if _is_virtual(sql):  # its module is not loaded here; no foreign key lives on it
                continue
            conn.execute("ROLLBACK")
            raise DatabaseError(f'Cannot rebuild {kind} "{name}" in a scratch database: {e}') from e
    conn.execute("COMMIT")


def _is_virtual(sql: str | None) -> bool:
    return bool(sql) and str(sql).upper().startswith("CREATE VIRTUAL")


def _exists(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    return bool(row[0])
