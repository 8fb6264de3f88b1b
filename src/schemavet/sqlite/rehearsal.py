"""The SQLite side of a rehearsal: a yoyo connection with foreign keys on, and what to measure."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

from schemavet.sql.tokens import quote_identifier
from schemavet.sqlite.bookkeeping import LOCK_TABLE, yoyo_lock


def release_copied_lock(conn: sqlite3.Connection) -> bool:
    """Delete the ``yoyo_lock`` row a copy took over from its original; True when there was one.

    The row says a yoyo process is migrating the *original* (or was, and died). The copy is the
    rehearsal's own: no other process can be migrating it, so its copy of the row is no lock at
    all, and left there it would make yoyo wait for it and fail. The original keeps its row.
    """
    if yoyo_lock(conn) is None:
        return False
    conn.execute(f"DELETE FROM {quote_identifier(LOCK_TABLE)}")
    return True


class ForeignKeysOn:
    """A yoyo SQLite backend mix-in: every connection enforces foreign keys, as the app's does.

    yoyo's SQLite connections leave ``PRAGMA foreign_keys`` off, and SQLite ignores the pragma
    inside a transaction, so it is set here: when yoyo opens (or, after a rollback, resets) a
    connection, in autocommit mode, before any migration's transaction begins. yoyo runs each
    migration on a copy of the backend (``backend.copy()``), which is built from this same class.
    """

    def init_connection(self, connection: Any) -> None:
        """yoyo's own set-up, then foreign keys on."""
        cast(Any, super()).init_connection(connection)
        connection.execute("PRAGMA foreign_keys = ON")
        if connection.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
            raise RuntimeError("SQLite refused to turn foreign keys on for the rehearsal")
