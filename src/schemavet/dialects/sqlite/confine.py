"""Scratch SQLite connections that the migrations replayed into them cannot use to write files.

Lint and review run a migration's SQL as written, and SQLite lets SQL reach the file system:
``ATTACH DATABASE '/any/path' AS x`` creates (and ``CREATE TABLE x.t`` fills) a database file
anywhere the user may write, and ``VACUUM INTO '/any/path'`` writes a copy of the database
there. Both go through ATTACH (VACUUM INTO attaches its target internally), so a connection
allowed no attached database at all (``SQLITE_LIMIT_ATTACHED`` = 0) refuses both before a file
is opened. The limit costs nothing per statement, unlike an authorizer callback.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# SQLite's message when the limit refuses an ATTACH or a VACUUM INTO.
_REFUSED = "too many attached databases"
ATTACH_REFUSED = (
    "ATTACH and VACUUM INTO write database files outside the migrated database;"
    " schemavet does not run them on its scratch database"
)


def confine(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Forbid attaching any database to ``conn`` (so ATTACH and VACUUM INTO fail); ``conn``."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    return conn


def explain(message: str) -> str:
    """SQLite's error message, or what it means when the confinement refused the statement."""
    return ATTACH_REFUSED if message.startswith(_REFUSED) else message


def confined_backend(path: str) -> Any:
    """yoyo's SQLite backend for the scratch database at ``path``, confined: yoyo opens a new
    connection for each migration (``backend.copy()``), and every one of them is confined."""
    from yoyo.backends.core.sqlite3 import SQLiteBackend
    from yoyo.connections import parse_uri
    from yoyo.migrations import default_migration_table

    class ConfinedSQLiteBackend(SQLiteBackend):  # type: ignore[misc]  # yoyo has no type hints
        def connect(self, dburi: Any) -> sqlite3.Connection:
            return confine(super().connect(dburi))

    backend = ConfinedSQLiteBackend(parse_uri("sqlite:///" + path), default_migration_table)
    backend.init_database()
    return backend


def scratch_backend(path: str) -> Any:
    """yoyo's backend for a scratch SQLite database at ``path`` that schemavet throws away.

    Its connections are confined: the repository's migrations run here in CI, and ATTACH or
    VACUUM INTO in one of them would write a database file anywhere (see
    above). And it does not fsync: a scratch database need not survive
    a crash, and waiting for the disk at each of yoyo's commits (several per migration) is most
    of the time a replay takes; yoyo opens its SQLite connections with ``cache=shared``, so the
    setting reaches the connection it opens for each migration too.
    """
    backend = confined_backend(path)
    backend.connection.execute("PRAGMA synchronous = OFF")
    return backend
