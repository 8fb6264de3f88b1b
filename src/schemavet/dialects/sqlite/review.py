"""What ``schemavet review`` reads of SQLite's scratch database after each step."""

from __future__ import annotations

import sqlite3

from schemavet.dialects.sqlite.connect import open_readonly
from schemavet.dialects.sqlite.inspect import inspect_sqlite
from schemavet.model import Schema
from schemavet.sql.tokens import quote_identifier

_COUNT_BATCH = 500  # terms per counting statement, well under SQLite's 2,000-column limit


def review_state(
    path: str, version_before: int, raw_before: Schema
) -> tuple[int, Schema | None, dict[str, int]]:
    """SQLite's ``schema_version``, the schema (None when that counter did not move: the schema is
    ``raw_before``) and the rows of every ordinary table."""
    with open_readonly(path) as conn:
        version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
        if version == version_before:
            return version, None, row_counts(conn, raw_before)
        raw = inspect_sqlite(conn)
        return version, raw, row_counts(conn, raw)


def row_counts(conn: sqlite3.Connection, schema: Schema) -> dict[str, int]:
    """Rows per ordinary table (a virtual table's module may not be loaded here).

    One statement counts a batch of tables: a statement per table costs more than the
    counting itself on a scratch database.
    """
    names = [t.name for ns in schema.namespaces.values() for t in ns.tables.values() if not t.is_virtual]
    counts: dict[str, int] = {}
    for start in range(0, len(names), _COUNT_BATCH):
        batch = names[start : start + _COUNT_BATCH]
        terms = ", ".join(f"(SELECT count(*) FROM main.{quote_identifier(name)})" for name in batch)
        counts.update(zip(batch, conn.execute(f"SELECT {terms}").fetchone(), strict=True))
    return counts
