"""PostgreSQL: a server, read through ``pg_catalog`` (as any least-privileged role can), never written.

This module is the dialect's whole face to the rest of schemavet (:class:`PostgreSQL`); the
modules beside it do the work and are imported only when a method needs them, so neither
psycopg nor the embedded server is loaded by a run that does not use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from schemavet.dialects.base import Dialect

if TYPE_CHECKING:
    from schemavet.model import Schema
    from schemavet.sql.ddl import Grammar


class PostgreSQL(Dialect):
    """PostgreSQL 14 and later: many schemas (``public`` by default), names matched exactly."""

    name = "postgresql"
    title = "PostgreSQL"
    aliases = ("postgres",)
    url_schemes = ("postgresql", "postgres", "postgresql+psycopg")
    default_namespace = "public"
    sqlglot_dialect = "postgres"
    escape_strings = True
    serial_types = frozenset({"SERIAL", "SERIAL2", "SERIAL4", "SERIAL8", "SMALLSERIAL", "BIGSERIAL"})

    def word_key(self, name: str) -> str:
        """An identifier written without quotes: PostgreSQL folds it to lower case."""
        return name.lower()

    # --- verify -----------------------------------------------------------------------------------

    def inspect(self, location: str) -> Schema:
        """Every user schema of the database, as ``pg_catalog`` states it, in one read-only snapshot."""
        from schemavet.dialects.postgres.inspect import inspect_postgres

        return inspect_postgres(location)

    def inspecting(self, location: str) -> AbstractContextManager[Callable[[], Schema]]:
        """The catalog is read in a thread while the caller loads the spec (the server does the work)."""
        return _inspecting(self, location)

    def normalize(self, schema: Schema) -> Schema:
        """PostgreSQL's normal form (type aliases, the server's casts, one spelling per expression)."""
        from schemavet.dialects.postgres.normalize import normalize_postgres

        return normalize_postgres(schema)

    def normalize_pair(self, expected: Schema, actual: Schema, whole: bool) -> tuple[Schema, Schema]:
        """Both sides in normal form."""
        from schemavet.dialects.postgres.normalize import normalize_postgres_pair

        return normalize_postgres_pair(expected, actual, whole)

    def grammar(self) -> Grammar:
        """PostgreSQL's column language: identity columns, expression defaults, qualified references."""
        from schemavet.dialects.postgres.grammar import GRAMMAR

        return GRAMMAR

    def column_identity(self, identity: str | None) -> str | None:
        """``ALWAYS`` or ``BY DEFAULT`` (``GENERATED … AS IDENTITY``), spelled one way."""
        from schemavet.dialects.postgres.options import identity_kind

        return identity_kind(identity) if identity else None

    # --- lint -------------------------------------------------------------------------------------

    def statement_complete(self, text: str) -> bool:
        """A ``$$`` body left open means the statement was cut inside it."""
        return text.count("$$") % 2 == 0

    def lint_server(self, url: str | None, embedded: bool) -> AbstractContextManager[str | None]:
        """``url``, else an embedded PostgreSQL started for the run, else None (the package missing)."""
        from schemavet.dialects.postgres.server import postgres_server

        return postgres_server(url, embedded)

    def lint_replay(self, server: str | None, python_steps: bool) -> Any:
        """A scratch database on ``server``; without one, a schema derived from the statements."""
        from schemavet.dialects.postgres.replay import PgCatalog, PgReplay

        return PgReplay(server) if server is not None else PgCatalog()


@contextmanager
def _inspecting(dialect: PostgreSQL, location: str) -> Iterator[Callable[[], Schema]]:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemavet-pg") as pool:
        future = pool.submit(dialect.inspect, location)
        yield future.result


DIALECT = PostgreSQL()
