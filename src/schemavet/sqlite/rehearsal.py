"""The SQLite side of a rehearsal: a yoyo connection with foreign keys on, and what to measure."""

from __future__ import annotations

from typing import Any, cast


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
