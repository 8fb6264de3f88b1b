"""A scratch database for ``check``: on the server the user names, or on an embedded one.

The database gets a new random name, is handed out as a URL yoyo and schemavet both read
(``postgresql+psycopg://…``: yoyo 9's psycopg 3 backend), and is dropped afterwards whatever
happened in it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from urllib.parse import quote, urlencode

from schemavet.dialects.postgres.connect import connect, conninfo
from schemavet.dialects.postgres.server import postgres_server, shared_postgres_server
from schemavet.errors import DatabaseError

_SCHEME = "postgresql+psycopg"


@contextlib.contextmanager
def scratch_database(server: str | None = None) -> Iterator[str]:
    """A new empty database on ``server`` (an admin URL or conninfo), else on the embedded server
    this process shares (started once: check's build, its rollback proofs and the printing of
    expressions all use it)."""
    with _server(server) as admin:
        if admin is None:
            raise DatabaseError(
                "A PostgreSQL scratch database needs a server: pass --postgres-url, "
                "or pip install 'schemavet[postgres]' for the embedded one"
            )
        name = "schemavet_check_" + secrets.token_hex(6)
        with connect(admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield yoyo_url(admin, name)
        finally:
            with connect(admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _server(server: str | None) -> Iterator[str | None]:
    if server is None:
        yield shared_postgres_server()
        return
    with postgres_server(server) as admin:
        yield admin


def yoyo_url(admin: str, database: str) -> str:
    """A ``postgresql+psycopg://`` URL for ``database`` on the server ``admin`` reaches.

    Everything but the user, password and database goes in the query string, which yoyo and
    libpq both read (a Unix-socket directory has no place in a URL's host part).
    """
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(conninfo(admin))
    user = quote(str(params.pop("user", "")), safe="")
    password = params.pop("password", None)
    credentials = f"{user}:{quote(str(password), safe='')}" if password is not None else user
    params.pop("dbname", None)
    host = params.pop("host", "") if "/" not in str(params.get("host", "/")) else ""
    port = params.pop("port", None) if host else None
    query = urlencode({k: str(v) for k, v in params.items()})
    netloc = f"{credentials}@{host}" + (f":{port}" if port else "")
    return f"{_SCHEME}://{netloc}/{quote(database, safe='')}" + (f"?{query}" if query else "")


def for_yoyo(url: str) -> str:
    """A ``postgresql://`` URL as yoyo 9 opens it with psycopg 3 (its plain scheme wants psycopg2)."""
    scheme, sep, rest = url.partition("://")
    return f"{_SCHEME}{sep}{rest}" if sep and scheme.lower() in ("postgresql", "postgres") else url
