"""Which migrations yoyo recorded in a PostgreSQL database, and the content hashes recorded
beside them: read on a read-only session, through the database's own ``search_path`` (where
yoyo created its tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemavet.dialects.postgres.connect import connect
from schemavet.migrations.bookkeeping import HASH_TABLE

if TYPE_CHECKING:
    import psycopg

MIGRATION_TABLE = "_yoyo_migration"  # yoyo.migrations.default_migration_table
_READ_ONLY = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
_FOUND = "SELECT to_regclass(%s) IS NOT NULL"


def applied_migrations(url: str) -> list[str]:
    """The ids in yoyo's ``_yoyo_migration``, oldest first (none when yoyo never ran)."""
    with connect(url) as conn:
        conn.execute(_READ_ONLY)
        if not _found(conn, MIGRATION_TABLE):
            return []
        rows = conn.execute(
            f"SELECT migration_id FROM {MIGRATION_TABLE} ORDER BY applied_at_utc, migration_id"
        )
        return [str(row[0]) for row in rows]


def recorded_hashes(url: str) -> dict[str, str]:
    """Migration id → content SHA-256 recorded when it was applied (empty: nothing recorded)."""
    with connect(url) as conn:
        conn.execute(_READ_ONLY)
        if not _found(conn, HASH_TABLE):
            return {}
        rows = conn.execute(f"SELECT migration_id, content_sha256 FROM {HASH_TABLE} ORDER BY migration_id")
        return {str(mid): str(sha) for mid, sha in rows}


def _found(conn: psycopg.Connection[tuple[object, ...]], table: str) -> bool:
    row = conn.execute(_FOUND, (table,)).fetchone()
    return bool(row and row[0])
