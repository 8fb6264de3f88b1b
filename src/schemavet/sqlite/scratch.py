"""Scratch databases: an empty database with the schema of a live one, for probes that write.

The live database is only read (through :func:`open_readonly`); its ``sqlite_master`` SQL is
replayed, verbatim, into a new file: tables, then indexes, then views and triggers, so every
object finds what it names. Shadow tables of virtual tables are left to their module to make.
"""

from __future__ import annotations

import sqlite3

from schemavet.errors import DatabaseError
from schemavet.sqlite import queries
from schemavet.sqlite.connect import open_readonly

_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}
_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config", "_segments", "_segdir", "_stat")


def copy_schema(source: str, destination: str) -> None:
    """Create ``destination`` with the schema (no rows) of the database file ``source``."""
    with open_readonly(source) as live:
        objects = list(live.execute(queries.OBJECTS))
    conn = sqlite3.connect(destination, isolation_level=None)
    try:
        replay(conn, objects)
    finally:
        conn.close()


def replay(conn: sqlite3.Connection, objects: list[tuple[str, str, str, str | None]]) -> None:
    """Run the ``CREATE`` statements of ``(type, name, tbl_name, sql)`` rows in dependency order."""
    virtual = [name.lower() for kind, name, _, sql in objects if kind == "table" and _is_virtual(sql)]
    statements = [
        (kind, name, sql)
        for kind, name, _, sql in sorted(objects, key=lambda row: _ORDER.get(row[0], 4))
        if sql is not None and not _is_shadow(name, virtual)
    ]
    conn.execute("PRAGMA foreign_keys = OFF")
    for kind, name, sql in statements:
        try:
            conn.execute(sql)
        except sqlite3.Error as e:
            raise DatabaseError(f'Cannot rebuild {kind} "{name}" in a scratch database: {e}') from e


def _is_virtual(sql: str | None) -> bool:
    return bool(sql) and str(sql).upper().startswith("CREATE VIRTUAL")


def _is_shadow(name: str, virtual: list[str]) -> bool:
    folded = name.lower()
    return any(folded.startswith(v) and folded[len(v) :] in _SHADOW_SUFFIXES for v in virtual)
