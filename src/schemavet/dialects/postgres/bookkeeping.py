"""A PostgreSQL database's migration state, as ``adopt`` reads it: yoyo's records and lock (in the
connection's first schema on the search path, where yoyo creates them) and a digest of the catalog.

PostgreSQL has no ``user_version``: a database another tool migrated is adopted by its schema.
Every method only reads.
"""

from __future__ import annotations

import hashlib
from typing import Any

MIGRATION_TABLE = "_yoyo_migration"
_LOCK_TABLE = "yoyo_lock"
_BOOKKEEPING = ("_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock", "_schemavet_migration_hash")
# every relation of the user's schemas with its columns, constraints and index definition
_CATALOG = """
SELECT n.nspname, c.relname, c.relkind,
  coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
      || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
    FROM pg_attribute AS a LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''),
  coalesce((SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), ', ' ORDER BY k.conname)
    FROM pg_constraint AS k WHERE k.conrelid = c.oid), ''),
  CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) ELSE '' END
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'
  AND NOT (c.relname = ANY (%s))
ORDER BY 1, 2
"""


class Bookkeeping:
    """The migration state of one open database (see :meth:`PostgreSQL.bookkeeping`)."""

    migration_table = MIGRATION_TABLE

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def user_version(self) -> int:
        """Always 0: PostgreSQL has no user_version, so a database is adopted by its schema."""
        return 0

    def applied_migration_ids(self) -> list[str]:
        """The migrations yoyo recorded as applied, oldest first."""
        if not self._exists(MIGRATION_TABLE):
            return []
        rows = self.conn.execute(f"SELECT migration_id FROM {MIGRATION_TABLE} ORDER BY applied_at_utc")
        return [str(row[0]) for row in rows]

    def yoyo_lock(self) -> tuple[object, object] | None:
        """yoyo's lock row (process id, time taken), if one is held."""
        if not self._exists(_LOCK_TABLE):
            return None
        row = self.conn.execute(f"SELECT pid, ctime FROM {_LOCK_TABLE}").fetchone()
        return None if row is None else (row[0], row[1])

    def schema_fingerprint(self) -> str:
        """A digest of every relation, column, constraint and index of the user's schemas."""
        digest = hashlib.sha256()
        for row in self.conn.execute(_CATALOG, (list(_BOOKKEEPING),)):
            digest.update("\0".join(str(value) for value in row).encode() + b"\n")
        return digest.hexdigest()

    def _exists(self, table: str) -> bool:
        return self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()[0]  # type: ignore[no-any-return]
