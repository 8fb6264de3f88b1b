"""The scratch SQLite database lint replays SQLite migrations into, and what rules may ask of it.

Statements run one at a time, the way yoyo runs them (a connection in autocommit mode with
foreign keys off, a transaction around each transactional migration), so a rule sees the
schema exactly as it stands before the statement it checks. Questions are narrow catalog
queries (one table, one PRAGMA), cached until the schema changes: lint asks thousands of them
and a whole-schema introspection per question would make a long directory quadratic.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from typing import Any

from schemavet.dialects.sqlite.confine import confine, confined_backend, explain
from schemavet.dialects.sqlite.expressions import fold
from schemavet.lint.context import ApplyError, FileContext, RollbackResult
from schemavet.lint.sql import dropped
from schemavet.lint.state import ForeignKeyState, IndexState, SchemaObjects, TableState
from schemavet.lint.statements import ParsedStatement
from schemavet.sql.tokens import quote_identifier, scan

# How long one replayed statement may run before lint stops it.
STATEMENT_SECONDS = 10.0


def columns_of(create_table: str) -> tuple[str, ...]:
    """The columns (lower-cased) a ``CREATE TABLE`` statement defines, as SQLite itself reads it."""
    conn = confine(sqlite3.connect(":memory:"))
    try:
        conn.execute(create_table)
        name = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
        return tuple(r[0] for r in conn.execute("SELECT lower(name) FROM pragma_table_xinfo(?)", (name,)))
    except sqlite3.Error:
        return ()
    finally:
        conn.close()


def column_collations(create_table: str) -> dict[str, str]:
    """Each column's collation (lower-cased name -> upper-cased collation, BINARY when none is
    declared) of a ``CREATE TABLE`` statement, as SQLite itself reads it; {} when it fails."""
    conn = confine(sqlite3.connect(":memory:"))
    try:
        conn.execute(create_table)
        name = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
        found = {}
        for number, (column,) in enumerate(conn.execute("SELECT name FROM pragma_table_xinfo(?)", (name,))):
            index = f"schemavet_collation_{number}"
            conn.execute(f"CREATE INDEX {index} ON {quote_identifier(name)}({quote_identifier(column)})")
            (collation,) = conn.execute(
                "SELECT coll FROM pragma_index_xinfo(?) WHERE key AND seqno = 0", (index,)
            ).fetchone()
            found[fold(column)] = str(collation).upper()
        return found
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


class ScratchDatabase:
    """An in-memory SQLite database that migrations are replayed into, one statement at a time."""

    def __init__(self, statement_seconds: float = STATEMENT_SECONDS, on_disk: bool = False) -> None:
        # In memory, unless Python migrations must be replayed by yoyo's own connection too.
        self._directory = tempfile.TemporaryDirectory(prefix="schemavet-lint-") if on_disk else None
        self.path = os.path.join(self._directory.name, "scratch.db") if self._directory else ":memory:"
        # Migration SQL must not write files through it (ATTACH, VACUUM INTO): see confine.
        self.conn = confine(sqlite3.connect(self.path, isolation_level=None))
        if self._directory is not None:
            self.conn.execute("PRAGMA journal_mode = MEMORY")
            self.conn.execute("PRAGMA synchronous = OFF")
        self._version = -1
        self._tables: dict[str, TableState | None] = {}
        self._budget = statement_seconds
        self._deadline = 0.0
        # A statement that never ends (a runaway recursive CTE) must not hang lint.
        self.conn.set_progress_handler(self._over_budget, 10_000)

    @staticmethod
    def key(name: str) -> str:
        """SQLite matches names without regard to ASCII case."""
        return fold(name)

    @staticmethod
    def columns_of(create_table: str) -> tuple[str, ...]:
        """The columns a ``CREATE TABLE`` text defines (see :func:`columns_of`)."""
        return columns_of(create_table)

    @staticmethod
    def column_collations(create_table: str) -> dict[str, str]:
        """Each column's collation in a ``CREATE TABLE`` text (see :func:`column_collations`)."""
        return column_collations(create_table)

    # --- the lint engine's replay protocol (see schemavet.lint.engine) -------------------------

    def attach(self, ctx: FileContext) -> None:
        """Rules of this file see this database as ``ctx.scratch``."""
        ctx.scratch = self

    def before_file(self, names: frozenset[str]) -> SchemaObjects:
        """The objects ``names`` touch, plus the tables their triggers and views read (SQLite
        checks those when a table they hang off is altered): what a rollback must restore."""
        objects = self.objects(names)
        for _ in range(3):
            more = names | frozenset(
                fold(t.name)
                for (kind, _), sql in objects.sql.items()
                if kind in ("trigger", "view")
                for t in scan(sql)
                if t.kind in ("word", "quoted")
            )
            if more == names:
                break
            names, objects = more, self.objects(more)
        return objects

    def start_file(self, transactional: bool) -> None:
        """A new connection for the next migration, as yoyo opens one; BEGIN if transactional."""
        self.new_connection()
        if transactional:
            self.begin()

    def before_statement(self, ctx: FileContext, statement: ParsedStatement) -> None:
        """Before a DROP TABLE runs: the table, who references it, and whether FKs are enforced."""
        for name in dropped(statement, "TABLE"):
            state = self.table(name)
            if state is None:
                continue
            key = fold(name)
            ctx.dropped_tables[key] = state
            ctx.referenced_when_dropped[key] = sorted(
                {fk.table for fk in self.references_to(name) if fold(fk.table) != key}
            )
            ctx.foreign_keys_on_when_dropped[key] = self.foreign_keys_on()
            ctx.triggers_when_dropped[key] = self.triggers_of(name)
            ctx.index_definitions_when_dropped[key] = self.index_definitions(name)
            ctx.sql_when_dropped[key] = self.table_sql(name)

    def apply(self, statement: ParsedStatement) -> str | None:
        """Run one statement; SQLite's message if it fails."""
        return self.execute(statement.text)

    def end_file(self) -> None:
        """Commit what the migration left open."""
        self.commit()

    def try_rollback(self, ctx: FileContext, before: SchemaObjects, names: frozenset[str]) -> RollbackResult:
        """Apply the migration and then its rollback to a scratch database holding only the
        objects they name (as they stood before), and note what the rollback leaves different.

        A savepoint on the main replay would do the same, but rolling one back makes SQLite
        reparse the whole schema: quadratic over a long directory.
        """
        trial = ScratchDatabase.holding(before)
        try:
            start = trial.objects(names)
            _run(trial, ctx.statements, ctx.file.transactional)
            errors = _run(trial, ctx.rollback_statements, ctx.file.transactional)
            return RollbackResult(tuple(errors), start, trial.objects(names))
        finally:
            trial.close()

    def close(self) -> None:
        """Close the database and remove its file, if it has one: nothing is left behind."""
        self.conn.close()
        if self._directory is not None:
            self._directory.cleanup()

    def apply_with_yoyo(self, migration: Any) -> str | None:
        """Apply a yoyo migration (a Python one) with yoyo's own step runner, on a connection of
        yoyo's to this (on-disk) database; the error message if it fails."""
        assert self._directory is not None, "a Python migration needs the on-disk scratch database"
        had_lock_table = self.table("yoyo_lock") is not None
        backend = confined_backend(self.path)
        try:
            migration.process_steps(backend, "apply")
        except Exception as e:  # yoyo raises the driver's errors and BadMigration
            return f"{type(e).__name__}: {explain(str(e))}"
        finally:
            backend.connection.close()
        if not had_lock_table:
            self.conn.execute("DROP TABLE IF EXISTS yoyo_lock")  # yoyo's bookkeeping, not the app's
        return None

    def execute(self, sql: str) -> str | None:
        """Run one statement as yoyo's cursor would; the error message if it fails."""
        self._deadline = time.monotonic() + self._budget
        try:
            cursor = self.conn.execute(sql)
            cursor.fetchall()
        except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError) as e:
            if str(e) == "interrupted":
                return f"still running after {self._budget:g} s on a database with no real data (stopped)"
            return explain(str(e))
        finally:
            self._deadline = 0.0
        return None

    def _over_budget(self) -> int:
        return int(bool(self._deadline) and time.monotonic() > self._deadline)

    def new_connection(self) -> None:
        """Reset what belongs to a connection: yoyo runs each migration on a connection of its own,
        so a PRAGMA foreign_keys = ON in one migration does not carry into the next, and the
        TEMP tables, views and triggers one migration made are gone in the next."""
        self.conn.execute("PRAGMA foreign_keys = OFF")
        temporary = self.conn.execute(
            "SELECT type, name FROM temp.sqlite_schema WHERE type IN ('trigger', 'view', 'table')"
            " AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1"
            " ELSE 2 END"
        ).fetchall()
        for kind, name in temporary:
            self.conn.execute(f"DROP {kind.upper()} IF EXISTS temp.{quote_identifier(name)}")

    def begin(self) -> None:
        """Open the transaction yoyo puts around a transactional migration."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")

    def commit(self) -> None:
        """Commit it (a migration that ended it early has nothing left to commit)."""
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def table_of_index(self, name: str) -> str | None:
        """The table the index ``name`` is on, if there is such an index."""
        row = self.conn.execute(
            "SELECT tbl_name FROM sqlite_schema WHERE type = 'index' AND lower(name) = lower(?)", (name,)
        ).fetchone()
        return str(row[0]) if row else None

    @property
    def in_transaction(self) -> bool:
        """True inside an open transaction (where some PRAGMAs are no-ops)."""
        return self.conn.in_transaction

    def foreign_keys_on(self) -> bool:
        """True when foreign key enforcement is on for this connection."""
        return bool(self.conn.execute("PRAGMA foreign_keys").fetchone()[0])

    def tables_among(self, names: frozenset[str]) -> frozenset[str]:
        """Which of ``names`` (lower-cased) are tables right now: one pass over the catalog in C."""
        rows = self.conn.execute(
            "SELECT lower(name) FROM sqlite_schema WHERE type = 'table'"
            " AND lower(name) IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(names)),),
        )
        return frozenset(r[0] for r in rows)

    def has_rows(self, table: str) -> bool:
        """True when the table holds at least one row in the scratch database."""
        sql = f"SELECT EXISTS (SELECT 1 FROM {quote_identifier(table)})"
        try:
            return bool(self.conn.execute(sql).fetchone()[0])
        except sqlite3.Error:
            return False

    def table(self, name: str) -> TableState | None:
        """The table called ``name`` (case-insensitively), or None when there is none."""
        self._refresh()
        key = fold(name)
        if key not in self._tables:
            self._tables[key] = self._read_table(name)
        return self._tables[key]

    def references_to(self, table: str) -> list[ForeignKeyState]:
        """Every foreign key, in any table, that points at ``table``."""
        rows = self.conn.execute(
            'SELECT m.name, f.id, f.seq, f."from", f."table", f."to" FROM sqlite_schema m,'
            " pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND lower(f.\"table\") = lower(?)"
            " ORDER BY m.name, f.id, f.seq",
            (table,),
        ).fetchall()
        return _group_foreign_keys(rows)

    def objects(self, names: frozenset[str]) -> SchemaObjects:
        """The tables, indexes, triggers and views called, or on a table called, one of ``names``.

        A migration can only touch objects it names, or that hang off a table it names; reading
        the rest of the catalog for every file would make a long directory quadratic.
        """
        rows = self.conn.execute(
            "SELECT type, lower(name), coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
            " AND (lower(name) IN (SELECT value FROM json_each(?1))"
            " OR lower(tbl_name) IN (SELECT value FROM json_each(?1))) ORDER BY rowid",
            (json.dumps(sorted(names)),),
        ).fetchall()
        return SchemaObjects({(kind, name): sql for kind, name, sql in rows}, columns_of)

    @classmethod
    def holding(cls, objects: SchemaObjects) -> ScratchDatabase:
        """A new scratch database with just these objects, created in their original order."""
        scratch = cls()
        for sql in objects.sql.values():
            if sql:
                scratch.execute(sql)  # a virtual table's shadow tables already exist: that fails harmlessly
        return scratch

    def table_sql(self, table: str) -> str:
        """The ``CREATE TABLE`` statement of ``table`` as SQLite keeps it ("" when none)."""
        row = self.conn.execute(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND lower(name) = lower(?)", (table,)
        ).fetchone()
        return str(row[0]) if row is not None and row[0] is not None else ""

    def index_definitions(self, table: str) -> dict[str, tuple[Any, ...]]:
        """The CREATE INDEX indexes of ``table``: folded name -> definition (unique or not, then
        what follows the table name: the keys, their order and collation, the WHERE), with
        identifiers folded, so an index recreated under another name compares equal."""
        rows = self.conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
            " AND lower(tbl_name) = lower(?)",
            (table,),
        )
        return {fold(name): index_definition(sql) for name, sql in rows}

    def triggers_of(self, table: str) -> tuple[str, ...]:
        """The names of the triggers on ``table``."""
        rows = self.conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND lower(tbl_name) = lower(?)", (table,)
        )
        return tuple(r[0] for r in rows)

    def _refresh(self) -> None:
        version = self.conn.execute("PRAGMA schema_version").fetchone()[0]
        if version != self._version:
            self._version = version
            self._tables = {}

    def _read_table(self, name: str) -> TableState | None:
        # PRAGMAs look the table up in SQLite's in-memory schema hash; a WHERE on sqlite_schema
        # would scan every row of the catalog for each question.
        listed = self.conn.execute(
            "SELECT name, wr FROM pragma_table_list(?) WHERE schema = 'main' AND type = 'table'", (name,)
        ).fetchone()
        if listed is None:
            return None
        real, without_rowid = listed
        info = self.conn.execute(
            "SELECT lower(name), pk, lower(type), hidden FROM pragma_table_xinfo(?)", (real,)
        ).fetchall()
        pk = tuple(n for n, k, _, _ in sorted(info, key=lambda r: r[1]) if k)
        rowid_alias = len(pk) == 1 and any(n == pk[0] and t == "integer" for n, _, t, _ in info)
        return TableState(
            name=real,
            columns=tuple(r[0] for r in info),
            primary_key=pk,
            rowid_alias=rowid_alias and not without_rowid,
            indexes=self._indexes(real),
            foreign_keys=tuple(self._foreign_keys(real)),
            generated=frozenset(r[0] for r in info if r[3] in (2, 3)),
            key=fold,
        )

    def _indexes(self, table: str) -> dict[str, IndexState]:
        indexes = {}
        for _, name, unique, origin, partial in self.conn.execute(
            "SELECT * FROM pragma_index_list(?)", (table,)
        ):
            keys = self.conn.execute(
                "SELECT lower(coalesce(name, '')) FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno",
                (name,),
            )
            indexes[fold(name)] = IndexState(
                name, tuple(r[0] for r in keys), bool(unique), origin, bool(partial)
            )
        return indexes

    def _foreign_keys(self, table: str) -> list[ForeignKeyState]:
        rows = self.conn.execute(
            'SELECT ?, id, seq, "from", "table", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq',
            (table, table),
        ).fetchall()
        return _group_foreign_keys(rows)


def index_definition(sql: str) -> tuple[Any, ...]:
    """A CREATE INDEX statement's definition, without its name and its table's name."""
    tokens = scan(sql)
    unique = len(tokens) > 1 and tokens[1].is_word("UNIQUE")
    on = next((i for i, t in enumerate(tokens) if t.is_word("ON")), len(tokens))
    rest = tokens[on + 2 :]  # SQLite takes no schema before the table here (it goes before the index)
    return (unique, *(fold(t.name) if t.kind in ("word", "quoted") else t.text for t in rest))


def _group_foreign_keys(rows: list[tuple[str, int, int, str, str, str | None]]) -> list[ForeignKeyState]:
    grouped: dict[tuple[str, int], list[tuple[str, str, str | None]]] = {}
    for table, fk_id, _, column, ref_table, ref_column in rows:
        grouped.setdefault((table, fk_id), []).append((column, ref_table, ref_column))
    return [
        ForeignKeyState(
            table=table,
            columns=tuple(fold(c) for c, _, _ in parts),
            ref_table=parts[0][1],
            ref_columns=tuple(fold(r) for _, _, r in parts if r is not None),
        )
        for (table, _), parts in grouped.items()
    ]


def _run(
    scratch: ScratchDatabase, statements: list[ParsedStatement], transactional: bool
) -> list[ApplyError]:
    if transactional:
        scratch.begin()
    errors = []
    for statement in statements:
        error = scratch.execute(statement.text)
        if error is not None:
            errors.append(ApplyError(statement, error))
    scratch.commit()
    return errors
