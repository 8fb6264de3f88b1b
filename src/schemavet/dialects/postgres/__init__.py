"""PostgreSQL: a server, read through ``pg_catalog`` (as any least-privileged role can), never written.

This module is the dialect's whole face to the rest of schemavet (:class:`PostgreSQL`); the
modules beside it do the work and are imported only when a method needs them, so neither
psycopg nor the embedded server is loaded by a run that does not use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from schemavet.dialect.base import Dialect, OptionReader
from schemavet.errors import SchemavetError

if TYPE_CHECKING:
    from schemavet.compare.actions import Outcome
    from schemavet.compare.plans import Plan, Query
    from schemavet.model import Options, Schema
    from schemavet.sql.ddl import Grammar


class PostgreSQL(Dialect):
    """PostgreSQL 14 and later: many schemas (``public`` by default), names matched exactly."""

    name = "postgresql"
    title = "PostgreSQL"
    aliases = ("postgres",)
    url_schemes = ("postgresql", "postgres", "postgresql+psycopg")
    default_namespace = "public"
    #: the one system column a CHECK may read
    implicit_columns = frozenset({"tableoid"})
    spec_objects = frozenset(
        {"enums", "sequences", "domains", "functions", "extensions", "exclusions", "row_policies"}
    )
    sqlglot_dialect = "postgres"
    escape_strings = True
    #: yoyo's tables and schemavet's own beside them: in every database yoyo migrated.
    bookkeeping_tables = frozenset(
        {"_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock", "_schemavet_migration_hash"}
    )
    default_index_method = "btree"
    serial_types = frozenset({"SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "SMALLSERIAL", "BIGSERIAL"})

    def word_key(self, name: str) -> str:
        """An identifier written without quotes: PostgreSQL folds it to lower case."""
        return name.lower()

    # --- verify -----------------------------------------------------------------------------------

    def inspect(self, location: str) -> Schema:
        """Every user schema of the database, as ``pg_catalog`` states it, in one read-only snapshot."""
        from schemavet.dialects.postgres.inspect import inspect_postgres

        return _without_bookkeeping(inspect_postgres(location), self.bookkeeping_tables)

    def inspecting(self, location: str) -> AbstractContextManager[Callable[[], Schema]]:
        """The catalog is read in a child process (else a thread) while the caller loads the spec."""
        return _inspecting(self, location)

    def normalize(self, schema: Schema) -> Schema:
        """PostgreSQL's normal form (type aliases, the server's casts, one spelling per expression)."""
        from schemavet.dialects.postgres.normalize import normalize_postgres

        return normalize_postgres(schema)

    def normalize_pair(self, expected: Schema, actual: Schema, whole: bool) -> tuple[Schema, Schema]:
        """Both sides in normal form; what still differs is printed by one server, both sides alike
        (an embedded PostgreSQL started only then, once per process; the text normal form where
        none can start)."""
        from schemavet.dialects.postgres.normalize import differing, normalize_postgres_pair
        from schemavet.dialects.postgres.server import shared_postgres_server

        normal = normalize_postgres_pair(expected, actual, whole)
        if not differing(*normal):
            return normal
        server = shared_postgres_server()
        return normal if server is None else normalize_postgres_pair(expected, actual, whole, server)

    def inspect_tenants(self, location: str, patterns: Sequence[str], namespace: str) -> dict[str, Schema]:
        """Every schema matching ``patterns``, from one catalog read, in normal form as ``namespace``."""
        from schemavet.dialects.postgres.tenants import inspect_tenants

        return inspect_tenants(location, patterns, namespace, self.bookkeeping_tables)

    def settle(self, expected: Schema, actual: Schema) -> Schema:
        """NOT NULL constraints keep their names only where the spec names them."""
        from schemavet.dialects.postgres.normalize import unstated_names_dropped

        return unstated_names_dropped(expected, actual)

    def grammar(self) -> Grammar:
        """PostgreSQL's column language: identity columns, expression defaults, qualified references."""
        from schemavet.dialects.postgres.grammar import GRAMMAR

        return GRAMMAR

    def snapshot_form(self, schema: Schema) -> Schema:
        """The names PostgreSQL generates for constraints and NOT NULLs left out: the spec reads
        better without them, and a name the spec does not state is not compared."""
        from schemavet.dialects.postgres.snapshot import without_generated_names

        return without_generated_names(schema)

    def table_options(self, entries: dict[str, Any], read: OptionReader) -> Options | None:
        """UNLOGGED, the partition key, a partition's parent and bound, row-level security."""
        from schemavet.dialects.postgres.options import read_options

        return read_options(entries, read)

    def table_option_keys(self) -> frozenset[str]:
        """The spec keys :meth:`table_options` reads."""
        from schemavet.dialects.postgres.options import OPTION_KEYS

        return frozenset(OPTION_KEYS)

    def dump_table_options(self, options: Options | None) -> dict[str, Any]:
        """The options a snapshot writes for a table."""
        from schemavet.dialects.postgres.options import dump_options

        return dump_options(options)

    def column_identity(self, identity: str | None) -> str | None:
        """``ALWAYS`` or ``BY DEFAULT`` (``GENERATED … AS IDENTITY``), spelled one way."""
        from schemavet.dialects.postgres.options import identity_kind

        return identity_kind(identity) if identity else None

    def explain(self, location: str, queries: tuple[Query, ...]) -> list[Plan]:
        """Each query's generic plan with sequential scans and sorts discouraged: can an index serve it?"""
        from schemavet.dialects.postgres.connect import connect
        from schemavet.dialects.postgres.plans import explain

        with connect(location) as conn:
            return explain(conn, queries)

    #: adopt checks the schema and marks the migrations in one transaction that sees one snapshot
    adopt_begin = "BEGIN ISOLATION LEVEL SERIALIZABLE"

    def bookkeeping(self, conn: Any) -> Any:
        """yoyo's records and lock, and a digest of the catalog, read on ``conn`` (no user_version)."""
        from schemavet.dialects.postgres.bookkeeping import Bookkeeping

        return Bookkeeping(conn)

    def open_readonly(self, location: str) -> AbstractContextManager[Any]:
        """A connection whose transactions are read-only."""
        return _readonly(location)

    def load_rows(self, location: str, source: Any) -> list[Any]:
        """Rows of another database copied into this scratch one, parents first, refusals named."""
        from schemavet.dialects.postgres.connect import connect
        from schemavet.dialects.postgres.move import load

        with connect(location) as conn:
            return load(conn, source)

    def prove(self, location: str, expected: Schema, in_place: bool) -> list[Outcome]:
        """Each declared action done in ``check``'s scratch database, each probe rolled back.

        Never on a database ``verify`` inspects: a probe writes (and takes sequence values).
        """
        if not in_place:
            raise SchemavetError(
                "Foreign-key actions on PostgreSQL are proven in check's scratch database only: "
                "verify --prove-actions would write to the database it inspects"
            )
        from schemavet.dialects.postgres.prove import prove_in_place

        return prove_in_place(location, expected)

    # --- migrations -------------------------------------------------------------------------------

    def yoyo_url(self, location: str, url: str) -> str:
        """yoyo 9 opens ``postgresql://`` with psycopg2; schemavet gives it psycopg 3's scheme."""
        from schemavet.dialects.postgres.scratch import for_yoyo

        return for_yoyo(url)

    #: Commands beyond verify/snapshot/check that work on PostgreSQL databases.
    commands = frozenset({"adopt", "status"})

    def applied_migrations(self, location: str) -> list[str]:
        """The ids yoyo recorded as applied, oldest first, read on a read-only session."""
        from schemavet.dialects.postgres.migration_state import applied_migrations

        return applied_migrations(location)

    def recorded_hashes(self, location: str) -> dict[str, str]:
        """The content hashes recorded beside yoyo's rows (none until schemavet applies here)."""
        from schemavet.dialects.postgres.migration_state import recorded_hashes

        return recorded_hashes(location)

    def scratch_database(self, server: str | None = None) -> AbstractContextManager[str]:
        """A new database on ``server`` (``--postgres-url``) or on an embedded PostgreSQL."""
        from schemavet.dialects.postgres.scratch import scratch_database

        return scratch_database(server)

    def explain_error(self, message: str) -> str:
        """The first line of the server's message."""
        return message.strip().splitlines()[0] if message.strip() else message

    # --- lint -------------------------------------------------------------------------------------

    def statement_complete(self, text: str) -> bool:
        """A ``$$`` body left open means the statement was cut inside it."""
        return text.count("$$") % 2 == 0

    def lint_server(self, url: str | None, embedded: bool) -> AbstractContextManager[str | None]:
        """``url``, else the process's embedded PostgreSQL (the one check's scratch databases and
        expression printing use too; an error when the PostgreSQL extra is missing), else
        (``embedded`` False) None: the schema derived from the statements."""
        from schemavet.dialects.postgres.server import (
            postgres_server,
            require_embedded,
            shared_postgres_server,
        )

        if url is None and embedded:
            require_embedded()
            return nullcontext(shared_postgres_server())
        return postgres_server(url, embedded)

    def lint_replay(self, server: str | None, python_steps: bool) -> Any:
        """A scratch database on ``server``; without one, a schema derived from the statements."""
        from schemavet.dialects.postgres.replay import PgCatalog, PgReplay

        return PgReplay(server) if server is not None else PgCatalog()


def _without_bookkeeping(schema: Schema, names: frozenset[str]) -> Schema:
    """``schema`` without yoyo's (and schemavet's) bookkeeping tables, in whichever schema yoyo made them."""
    from dataclasses import replace

    namespaces = {
        key: replace(ns, tables={k: t for k, t in ns.tables.items() if t.name not in names})
        if names & ns.tables.keys()
        else ns
        for key, ns in schema.namespaces.items()
    }
    return replace(schema, namespaces=namespaces)


@contextmanager
def _inspecting(dialect: PostgreSQL, location: str) -> Iterator[Callable[[], Schema]]:
    from schemavet.dialects.postgres.background import catalog_reader

    with catalog_reader(location, ()) as catalog:
        # imported once the child is reading: the model's import is not on its way
        from schemavet.dialects.postgres.inspect import build_schema

        yield lambda: _without_bookkeeping(catalog.use(build_schema), dialect.bookkeeping_tables)


DIALECT = PostgreSQL()


@contextmanager
def _readonly(location: str) -> Iterator[Any]:
    from schemavet.dialects.postgres.connect import connect

    with connect(location) as conn:
        conn.execute("SET default_transaction_read_only = on")
        yield conn
