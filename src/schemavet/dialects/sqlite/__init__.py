"""SQLite: a file, read through ``sqlite_master`` and the ``pragma_*`` functions, never written.

This module is the dialect's whole face to the rest of schemavet (:class:`SQLite`); the
modules beside it do the work and are imported only when a method needs them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from schemavet.dialect.base import Dialect, Keys, OptionReader, Translated
from schemavet.dialects.sqlite.names import fold
from schemavet.errors import SchemavetError

if TYPE_CHECKING:
    from schemavet.compare.actions import Outcome
    from schemavet.compare.outcomes import Rehearsal
    from schemavet.compare.plans import Plan, Query
    from schemavet.model import Options, Schema
    from schemavet.sql.ddl import Grammar

_SCRATCH_URL = "sqlite:///"


class SQLite(Dialect):
    """SQLite 3: one file, one namespace (``main``), names matched without regard to ASCII case."""

    name = "sqlite"
    title = "SQLite"
    url_schemes = ("sqlite",)
    default_namespace = "main"
    sqlglot_dialect = "sqlite"
    commands = frozenset({"adopt", "rehearse", "apply", "review", "status"})
    #: the write lock at once: what adopt checks cannot change before it commits
    adopt_begin = "BEGIN IMMEDIATE"

    #: SQLite matches names without regard to ASCII case (the function itself: it keys every name)
    name_key = staticmethod(fold)  # type: ignore[assignment]
    implicit_columns = frozenset({"rowid", "oid", "_rowid_"})

    def location(self, url: str, rest: str) -> str:
        """The file a ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` URL names."""
        from urllib.parse import unquote

        if not rest.startswith("/") or rest == "/":
            raise SchemavetError(
                f'SQLite URL "{url}" has no file path; write sqlite:///relative.db '
                f"or sqlite:////absolute/path.db"
            )
        return unquote(rest[1:])

    @property
    def bookkeeping_tables(self) -> frozenset[str]:  # type: ignore[override]
        """yoyo's tables and schemavet's own beside them."""
        from schemavet.dialects.sqlite.inspect import BOOKKEEPING_TABLES

        return BOOKKEEPING_TABLES

    # --- verify -----------------------------------------------------------------------------------

    def inspect(self, location: str) -> Schema:
        """The schema of the file at ``location``, read in a forked child where the OS allows."""
        from schemavet.dialects.sqlite.background import read
        from schemavet.dialects.sqlite.inspect import build_schema

        return build_schema(read(location))

    def inspecting(self, location: str) -> AbstractContextManager[Callable[[], Schema]]:
        """The catalog is read in a child process while the caller loads the spec."""
        return _inspecting(location)

    def normalize(self, schema: Schema) -> Schema:
        """SQLite's normal form (types by affinity rules, names folded, defaults unquoted …)."""
        from schemavet.dialects.sqlite.normalize import normalize_sqlite

        return normalize_sqlite(schema)

    def normalize_pair(self, expected: Schema, actual: Schema, whole: bool) -> tuple[Schema, Schema]:
        """Both sides in normal form; what both write alike is shared, not normalized twice."""
        from schemavet.dialects.sqlite.normalize import normalize_sqlite_pair

        return normalize_sqlite_pair(expected, actual, whole)

    def inspect_keyed(
        self, location: str, known: Callable[[bytes], bool]
    ) -> tuple[Keys | None, Schema | None]:
        """Keyed by ``sqlite_master`` and the header's format, and for plans by the statistics
        too: see :mod:`schemavet.dialects.sqlite.keyed`."""
        from schemavet.dialects.sqlite.keyed import inspect_keyed

        return inspect_keyed(location, known)

    def grammar(self) -> Grammar:
        """SQLite's column language: conflict clauses, AUTOINCREMENT, ``AS (…)`` generated columns."""
        from schemavet.dialects.sqlite.grammar import GRAMMAR

        return GRAMMAR

    def table_options(self, entries: dict[str, Any], read: OptionReader) -> Options | None:
        """``without_rowid``, ``strict`` and ``virtual`` (a virtual table's module and arguments)."""
        from schemavet.dialects.sqlite.options import read_options

        return read_options(entries, read)

    def table_option_keys(self) -> frozenset[str]:
        """The spec keys :meth:`table_options` reads."""
        from schemavet.dialects.sqlite.options import OPTION_KEYS

        return OPTION_KEYS

    def dump_table_options(self, options: Options | None) -> dict[str, Any]:
        """The options a snapshot writes for a table."""
        from schemavet.dialects.sqlite.options import dump_options

        return dump_options(options)

    def key_options(
        self, autoincrement: bool, rowid_alias: bool | None, on_conflict: str | None
    ) -> Options | None:
        """AUTOINCREMENT, the rowid alias (None: derive it) and the conflict clause."""
        from schemavet.dialects.sqlite.options import key_options_of

        return key_options_of(autoincrement, rowid_alias, on_conflict)

    def unique_options(self, on_conflict: str | None) -> Options | None:
        """The conflict clause."""
        from schemavet.dialects.sqlite.options import unique_options_of

        return unique_options_of(on_conflict)

    # --- behaviour --------------------------------------------------------------------------------

    def explain(self, location: str, queries: tuple[Query, ...]) -> list[Plan]:
        """``EXPLAIN QUERY PLAN`` of each query on a read-only connection."""
        from schemavet.dialects.sqlite.connect import open_readonly
        from schemavet.dialects.sqlite.plans import explain

        with open_readonly(location) as conn:
            return explain(conn, queries)

    def prove(self, location: str, expected: Schema, in_place: bool) -> list[Outcome]:
        """Each action done in savepoints: in the scratch database itself, or in a copy of its schema."""
        from schemavet.dialects.sqlite.prove import prove_copy, prove_in_place

        return prove_in_place(location, expected) if in_place else prove_copy(location, expected)

    # --- migrations -------------------------------------------------------------------------------

    def yoyo_url(self, location: str, url: str) -> str:
        """A path becomes ``sqlite:///path``; a URL stays as written."""
        return url if "://" in url else _SCRATCH_URL + location

    def scratch_database(self, server: str | None = None) -> AbstractContextManager[str]:
        """A new file in a temporary directory, removed afterwards."""
        return _scratch_file()

    def scratch_backend(self, url: str) -> Any:
        """A confined backend that does not fsync (see :mod:`schemavet.dialects.sqlite.confine`)."""
        from schemavet.dialects.sqlite.confine import scratch_backend

        return (
            scratch_backend(url[len(_SCRATCH_URL) :])
            if url.startswith(_SCRATCH_URL)
            else super().scratch_backend(url)
        )

    def explain_error(self, message: str) -> str:
        """What a refusal of the scratch database's confinement means."""
        from schemavet.dialects.sqlite.confine import explain

        return explain(message)

    def backend_place(self, backend: Any) -> str:
        """The database file."""
        return str(backend.uri.database)

    def recorded_hashes(self, location: str) -> dict[str, str]:
        """The content hashes ``schemavet apply`` recorded."""
        from schemavet.dialects.sqlite.bookkeeping import recorded_hashes
        from schemavet.dialects.sqlite.connect import open_readonly

        with open_readonly(location) as conn:
            return recorded_hashes(conn)

    def applied_migrations(self, location: str) -> list[str]:
        """The ids in ``_yoyo_migration``, oldest first, read on a read-only connection."""
        from schemavet.dialects.sqlite.bookkeeping import applied_migration_ids
        from schemavet.dialects.sqlite.connect import open_readonly

        with open_readonly(location) as conn:
            return applied_migration_ids(conn)

    def bookkeeping(self, conn: Any) -> Any:
        """user_version, yoyo's records and lock, and a schema fingerprint, read on ``conn``."""
        from schemavet.dialects.sqlite.bookkeeping import Bookkeeping

        return Bookkeeping(conn)

    def open_readonly(self, location: str) -> AbstractContextManager[Any]:
        """A read-only connection to the file, checked to be a database."""
        from schemavet.dialects.sqlite.connect import open_readonly

        return open_readonly(location)

    def review_reader(self, connection: Any) -> Any:
        """Reads the scratch database through yoyo's connection, only what each step changed."""
        from schemavet.dialects.sqlite.review import ReviewReader

        return ReviewReader(connection)

    def rehearse(
        self,
        db: str,
        migrations: str | os.PathLike[str],
        spec: str | os.PathLike[str] | None,
        progress: Callable[[int, int], None] | None,
        keep: str | None,
        pages_per_step: int | None,
        adopt: bool,
    ) -> Rehearsal:
        """A copy made with SQLite's backup API, migrated as apply migrates, rows accounted; what
        foreign keys on would have done, rehearsed on a second copy, as warnings."""
        from schemavet.dialects.sqlite.backup import PAGES_PER_STEP
        from schemavet.dialects.sqlite.rehearse import rehearse

        return rehearse(db, migrations, spec, progress, keep, pages_per_step or PAGES_PER_STEP, adopt)

    def refuse_unadopted(self, location: str, what_to_do: str, roll_back_interrupted: bool = False) -> None:
        """A file at a ``user_version`` with no migration recorded by yoyo must be adopted first."""
        from schemavet.dialects.sqlite.bookkeeping import refuse_unadopted

        refuse_unadopted(location, what_to_do, roll_back_interrupted)

    # --- lint -------------------------------------------------------------------------------------

    def statement_complete(self, text: str) -> bool:
        """SQLite's own test (a trigger body cut at an inner ``;`` is not complete)."""
        import sqlite3

        return sqlite3.complete_statement(text if text.endswith(";") else text + ";")

    def row_source(self, location: str) -> AbstractContextManager[Any]:
        """The file's tables and rows on a read-only connection: the file is never written."""
        return _row_source(self, location)

    def transpile(
        self, paths: list[str], target: Dialect, column_types: dict[tuple[str, str], str]
    ) -> list[Translated]:
        """SQLite migrations written for PostgreSQL (see :mod:`schemavet.dialects.sqlite.transpile`)."""
        if target.sqlglot_dialect != "postgres":  # the one target whose traps are written out
            return super().transpile(paths, target, column_types)
        from schemavet.dialects.sqlite.pg_render import Types
        from schemavet.dialects.sqlite.transpile import transpile_to_postgres

        return transpile_to_postgres(paths, Types(column_types))

    def lint_replay(self, server: str | None, python_steps: bool) -> Any:
        """A scratch SQLite database the migrations replay into, statement by statement (on disk
        when yoyo must also run Python migrations on it)."""
        from schemavet.dialects.sqlite.replay import ScratchDatabase

        return ScratchDatabase(on_disk=python_steps)


@contextmanager
def _inspecting(location: str) -> Iterator[Callable[[], Schema]]:
    from schemavet.dialects.sqlite.background import catalog_reader
    from schemavet.dialects.sqlite.inspect import build_schema

    with catalog_reader(location) as catalog:
        yield lambda: build_schema(catalog())


@contextmanager
def _scratch_file() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="schemavet-") as directory:
        yield _SCRATCH_URL + os.path.join(directory, "scratch.db")


DIALECT = SQLite()


@contextmanager
def _row_source(dialect: SQLite, location: str) -> Iterator[Any]:
    from schemavet.dialects.sqlite.connect import open_readonly
    from schemavet.dialects.sqlite.move_source import SQLiteRows

    with open_readonly(location) as conn:
        yield SQLiteRows(conn, dialect.bookkeeping_tables)
