"""PostgreSQL: a server, read through ``pg_catalog`` (as any least-privileged role can), never written.

This module is the dialect's whole face to the rest of schemavet (:class:`PostgreSQL`); the
modules beside it do the work and are imported only when a method needs them, so neither
psycopg nor the embedded server is loaded by a run that does not use them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from schemavet.dialects.base import Dialect

if TYPE_CHECKING:
    from schemavet.model import Options
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

    def grammar(self) -> Grammar:
        """PostgreSQL's column language: identity columns, expression defaults, qualified references."""
        from schemavet.dialects.postgres.grammar import GRAMMAR

        return GRAMMAR

    def column_options(self, identity: str | None) -> Options | None:
        """An identity column (``GENERATED ALWAYS`` / ``BY DEFAULT AS IDENTITY``)."""
        from schemavet.dialects.postgres.options import ColumnOptions, identity_kind

        return ColumnOptions(identity_kind(identity)) if identity else None

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


DIALECT = PostgreSQL()
