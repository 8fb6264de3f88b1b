"""What ``schemavet review`` reads of SQLite's scratch database after each step.

The schema is read through yoyo's own connection, and only what the step changed is read again
(:mod:`schemavet.dialects.sqlite.tracking`); only the tables the step may have written are
counted again (:mod:`schemavet.dialects.sqlite.rowcounts`).
"""

from __future__ import annotations

import sqlite3

from schemavet.dialects.sqlite.rowcounts import count_rows, tables_written
from schemavet.dialects.sqlite.tracking import Reading, SchemaTracker


class ReviewReader:
    """Readings of one scratch database, each after one step."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.tracker = SchemaTracker(conn)

    def read(
        self, previous: Reading | None, rows: dict[str, int], statements: list[str] | None
    ) -> tuple[Reading, dict[str, int]]:
        """The schema now (``previous`` itself when it did not change) and the rows of each table."""
        conn = self.tracker.conn
        text_factory = conn.text_factory  # reading a name that is not UTF-8 changes it
        try:
            reading = self.tracker.read()
            written = tables_written(statements, previous, reading)
            return reading, count_rows(conn, reading, rows, written)
        finally:
            conn.text_factory = text_factory
