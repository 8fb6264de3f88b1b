"""What a dialect is: everything the pipeline, the commands and the linter ask of one engine.

A dialect is a folder (``dialects/<name>/``) whose ``__init__`` defines one subclass of
:class:`Dialect`, and one line in :mod:`schemavet.dialect.registry`. Nothing outside the folder
knows which dialect it is talking to: the CLI, config, URL parsing, spec loading, the diff and
the linter all ask the dialect object. What a dialect cannot do yet raises one sentence saying
so (the defaults below), never a wrong answer.

Subclasses keep their imports inside the methods, so choosing a dialect costs nothing at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

from schemavet.diagnostics import ERROR, Diagnostic
from schemavet.errors import SchemavetError

if TYPE_CHECKING:
    from schemavet.compare.actions import Outcome
    from schemavet.compare.outcomes import Rehearsal
    from schemavet.compare.plans import Plan, Query
    from schemavet.dialect.moves import RowSource, TableMove
    from schemavet.model import Options, Schema
    from schemavet.sql.ddl import Grammar


@dataclass(frozen=True)
class Translated:
    """One migration file written for another engine, and what was noted or refused on the way."""

    source: str
    name: str
    text: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def refused(self) -> bool:
        """True when some statement has no faithful translation (nothing may be written)."""
        return any(d.severity == ERROR for d in self.diagnostics)


class ReviewReading(Protocol):
    """One reading of a scratch database in review: as inspected, normalized, and the tables and
    views by key (an object shared with the previous reading did not change)."""

    raw: Schema
    normal: Schema
    owners: dict[str, Any]


class Keys(NamedTuple):
    """What a fleet compares once for many databases: equal ``schema`` keys inspect alike, equal
    ``plans`` keys also plan every query alike (the schema and the planner's statistics)."""

    schema: bytes
    plans: bytes


class Dialect:
    """One database engine: its names, its URLs, and how schemavet reads and compares it."""

    #: The canonical name: a spec's ``engine:``, a URL's engine, lint's ``--dialect``.
    name: ClassVar[str]
    #: The engine's own spelling of its name, for sentences ("SQLite", "PostgreSQL").
    title: ClassVar[str]
    #: Other names accepted wherever a dialect is named (``postgres``).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: URL schemes (before ``://``) that name this dialect.
    url_schemes: ClassVar[tuple[str, ...]] = ()
    #: The namespace a spec's top-level tables belong to (``main``, ``public``).
    default_namespace: ClassVar[str] = "main"
    #: The sqlglot dialect name used to parse this dialect's migrations.
    sqlglot_dialect: ClassVar[str] = ""
    #: Tables every database of this dialect may hold that are no part of an app's schema.
    bookkeeping_tables: ClassVar[frozenset[str]] = frozenset()
    #: The access method an index has when its definition names none (a snapshot leaves it out).
    default_index_method: ClassVar[str | None] = None
    #: The spec sections beyond tables, views and their keys that this engine has (``enums``,
    #: ``sequences``, ``domains``, ``functions``, ``extensions``, ``exclusions``,
    #: ``row_policies``): a spec read for this engine that writes another one is refused.
    spec_objects: ClassVar[frozenset[str]] = frozenset()
    #: Columns every table has without declaring them, that a CHECK may read (SQLite's rowid),
    #: keyed as :meth:`name_key` keys names.
    implicit_columns: ClassVar[frozenset[str]] = frozenset()

    # --- names and places ---------------------------------------------------------------------

    def name_key(self, name: str) -> str:
        """The key two names of one object share (SQLite folds ASCII case; PostgreSQL does not)."""
        return name

    def word_key(self, name: str) -> str:
        """The key of an identifier written in SQL without quotes (as the engine folds it)."""
        return self.name_key(name)

    def location(self, url: str, rest: str) -> str:
        """Where a URL of this dialect points (``rest`` follows ``scheme://``); raises if malformed."""
        return url

    # --- the verify pipeline ------------------------------------------------------------------

    def inspect(self, location: str) -> Schema:
        """The schema of the database at ``location``, as the database states it."""
        raise self._unsupported("inspect")

    def inspecting(self, location: str) -> AbstractContextManager[Callable[[], Schema]]:
        """``inspect`` for a caller with other work meanwhile: yields a function giving the schema."""
        return _deferred(lambda: self.inspect(location))

    def normalize(self, schema: Schema) -> Schema:
        """The normal form every comparison reads."""
        raise self._unsupported("compare")

    def normalize_pair(self, expected: Schema, actual: Schema, whole: bool) -> tuple[Schema, Schema]:
        """Both sides of a comparison in normal form (``whole`` False: what both write alike may stay)."""
        return self.normalize(expected), self.normalize(actual)

    def inspect_keyed(
        self, location: str, known: Callable[[bytes], bool]
    ) -> tuple[Keys | None, Schema | None]:
        """For a fleet: keys equal for databases that inspect alike and that plan alike, and the
        schema unless ``known(keys.schema)`` says a database with this key was compared already.
        The default has no keys (None) and always inspects."""
        return None, self.inspect(location)

    def inspect_tenants(self, location: str, patterns: Sequence[str], namespace: str) -> dict[str, Schema]:
        """For a schema-per-tenant fleet: each schema matching ``patterns``, read in one snapshot,
        in normal form, and named ``namespace`` (the spec's), so it compares with the spec."""
        raise self._unsupported("verify schema-per-tenant fleets of")

    def settle(self, expected: Schema, actual: Schema) -> Schema:
        """``actual`` (normal form) with what the normal form leaves to the spec settled as
        ``expected`` (normal form, made apart) states it; :meth:`normalize_pair` does this too."""
        return actual

    def grammar(self) -> Grammar:
        """The column language of a spec for this dialect (``TEXT NOT NULL DEFAULT 0``)."""
        raise self._unsupported("read specs for")

    def table_options(self, entries: dict[str, Any], read: OptionReader) -> Options | None:
        """A table's dialect-owned options from its spec entries (``without_rowid: true`` …)."""
        return None

    def table_option_keys(self) -> frozenset[str]:
        """The spec keys of a table that :meth:`table_options` reads."""
        return frozenset()

    def dump_table_options(self, options: Options | None) -> dict[str, Any]:
        """A table's options as spec entries; the inverse of :meth:`table_options`."""
        return {}

    def snapshot_form(self, schema: Schema) -> Schema:
        """``schema`` as a snapshot writes it: what the engine would make of the spec's silence
        (a name it generates, for instance) may be left out; verifying finds nothing either way."""
        return schema

    def key_options(
        self, autoincrement: bool, rowid_alias: bool | None, on_conflict: str | None
    ) -> Options | None:
        """A primary key's options from what a spec says of it; a refusal for what the dialect lacks."""
        self._refuse("AUTOINCREMENT", autoincrement)
        self._refuse("ON CONFLICT clauses", on_conflict)
        return None

    def unique_options(self, on_conflict: str | None) -> Options | None:
        """A UNIQUE constraint's options from what a spec says of it."""
        self._refuse("ON CONFLICT clauses", on_conflict)
        return None

    def column_identity(self, identity: str | None) -> str | None:
        """A column's identity (``GENERATED … AS IDENTITY``) as a spec states it; refused by a
        dialect without identity columns."""
        self._refuse("identity columns", identity)
        return None

    # --- behaviour: plans and foreign-key actions ---------------------------------------------

    def explain(self, location: str, queries: tuple[Query, ...]) -> list[Plan]:
        """The plan of each query, read-only."""
        raise self._unsupported("check query plans on")

    def prove(self, location: str, expected: Schema, in_place: bool) -> list[Outcome]:
        """Every declared foreign-key action done and observed (``in_place``: the db is scratch)."""
        raise self._unsupported("prove foreign-key actions on")

    # --- migrations -----------------------------------------------------------------------------

    def yoyo_url(self, location: str, url: str) -> str:
        """The URL yoyo's ``get_backend`` takes for this database."""
        return url

    def scratch_database(self, server: str | None = None) -> AbstractContextManager[str]:
        """A new empty database for ``check`` and ``review`` to build in (on ``server`` when the
        engine is a server and the user named one): yields its URL."""
        raise self._unsupported("build a scratch database on")

    def scratch_backend(self, url: str) -> Any:
        """yoyo's backend for a scratch database (confined where the engine allows)."""
        from yoyo import get_backend

        return get_backend(url)

    def explain_error(self, message: str) -> str:
        """A driver's error message as schemavet reports it (the dialect may add what it means)."""
        return message

    def backend_place(self, backend: Any) -> str:
        """Where a yoyo backend's database is, as messages show it (never with a password)."""
        uri = backend.uri
        host = f"{uri.hostname or ''}{f':{uri.port}' if uri.port else ''}"
        return f"{uri.scheme}://{host}/{uri.database}"

    def recorded_hashes(self, location: str) -> dict[str, str]:
        """Migration id → content hash recorded when ``schemavet apply`` applied it."""
        raise self._unsupported("read recorded migration hashes from")

    def applied_migrations(self, location: str) -> list[str]:
        """The ids of the migrations yoyo recorded as applied, oldest first; read-only."""
        raise self._unsupported("read the applied migrations of")

    def bookkeeping(self, conn: Any) -> Any:
        """The migration state of a database, read on an open connection (adopt's questions)."""
        raise self._unsupported("adopt")

    def open_readonly(self, location: str) -> AbstractContextManager[Any]:
        """A read-only connection to the database."""
        raise self._unsupported("open")

    def review_reader(self, connection: Any) -> Any:
        """For review: reads the scratch database after each step, through yoyo's ``connection``;
        ``read(previous, rows, statements)`` gives a :class:`ReviewReading` and each table's rows."""
        raise self._unsupported("review migrations of")

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
        """The pending migrations applied to a copy of ``db``, measured (see ``schemavet rehearse``)."""
        raise self._unsupported("rehearse migrations on")

    def refuse_unadopted(self, location: str, what_to_do: str, roll_back_interrupted: bool = False) -> None:
        """Raise when the database was migrated by other means and must be adopted first."""

    def check_supports(self, command: str) -> None:
        """Raise one sentence when ``command`` (adopt, rehearse …) cannot work on this dialect."""
        if command not in self.commands:
            raise SchemavetError(f"schemavet {command} does not support {self.title} databases yet")

    #: Commands beyond verify/snapshot/check that work on this dialect.
    commands: ClassVar[frozenset[str]] = frozenset()
    #: How adopt begins the transaction it checks the schema and marks migrations in.
    adopt_begin: ClassVar[str] = "BEGIN"

    # --- transpile ------------------------------------------------------------------------------

    def transpile(
        self, paths: list[str], target: Dialect, column_types: dict[tuple[str, str], str]
    ) -> list[Translated]:
        """This dialect's migrations at ``paths`` (in yoyo's order, each with its rollback) written
        for ``target``; ``column_types`` are the target types the spec gives (folded table, column)."""
        raise SchemavetError(f"schemavet cannot translate {self.title} migrations to {target.title}")

    # --- moving rows to another engine -----------------------------------------------------------

    def row_source(self, location: str) -> AbstractContextManager[RowSource]:
        """The database's tables and rows, read-only (the source of ``rehearse-move``)."""
        raise self._unsupported("move rows out of")

    def load_rows(self, location: str, source: RowSource) -> list[TableMove]:
        """Copy ``source``'s rows into this (scratch) database, table by table, naming what is refused."""
        raise self._unsupported("move rows into")

    # --- lint -----------------------------------------------------------------------------------

    def lint_replay(self, server: str | None, python_steps: bool) -> Any:
        """The state lint replays this dialect's migrations into (see :mod:`schemavet.lint.state`);
        ``python_steps``: yoyo must run Python migrations on it too."""
        raise self._unsupported("lint migrations of")

    def lint_server(self, url: str | None, embedded: bool) -> AbstractContextManager[str | None]:
        """The server lint replays into (none for a file engine): ``url`` or one started for the run."""
        return _no_server()

    #: Whether the dialect's string literals may be E'…' escape strings (lint's comment lexer).
    escape_strings: ClassVar[bool] = False
    #: Column types that fill themselves from a sequence (PostgreSQL's serial types).
    serial_types: ClassVar[frozenset[str]] = frozenset()

    def statement_complete(self, text: str) -> bool:
        """True when ``text`` is one whole statement, not one cut at a ``;`` inside a body."""
        return True

    # --- helpers --------------------------------------------------------------------------------

    def _refuse(self, what: str, value: object) -> None:
        if value:
            raise SchemavetError(f"{self.title} has no {what}")

    def _unsupported(self, what: str) -> SchemavetError:
        return SchemavetError(f"schemavet cannot {what} {self.title} databases yet")

    def __repr__(self) -> str:
        return f"<dialect {self.name}>"


#: Reads one option's spec entry: ``read(key, kind)`` with kind ``"flag"`` or ``"text"``.
OptionReader = Callable[[str, str], Any]


@contextmanager
def _deferred(inspect: Callable[[], Schema]) -> Iterator[Callable[[], Schema]]:
    yield inspect


@contextmanager
def _no_server() -> Iterator[str | None]:
    yield None
