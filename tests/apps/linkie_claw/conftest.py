"""linkie-claw as it is now: its SQLite migrations, their PostgreSQL translation, the one spec.

Only the app's own tests read these; the tool's tests never do.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from yoyo import get_backend, read_migrations

from tests.databases import Database, Databases

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT / "schema" / "linkie_claw.yaml"
#: the migrations of each engine, all checked against SPEC
MIGRATIONS = {
    "sqlite": ROOT / "migrations" / "linkie_claw",
    "postgresql": ROOT / "migrations" / "linkie_claw_pg",
}


def apply_first(databases: Databases, database: Database, count: int | None) -> None:
    """Apply the first ``count`` migrations of the engine's directory (all with None), as yoyo does."""
    migrations: Any = read_migrations(str(MIGRATIONS[databases.name]))
    url = databases.dialect.yoyo_url(database.url, database.url)
    with get_backend(url) as backend, backend.lock():
        chosen = migrations if count is None else migrations[:count]
        backend.apply_migrations(backend.to_apply(chosen))


def fetch(database: Database, sql: str) -> list[tuple[Any, ...]]:
    """The rows a query returns on a test database of either engine."""
    if hasattr(database, "path"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database.path)) as conn:
            return [tuple(row) for row in conn.execute(sql)]
    import psycopg

    with psycopg.connect(database.conninfo, autocommit=True) as conn:  # type: ignore[attr-defined]
        return [tuple(row) for row in conn.execute(sql)]


def app_database(database: Database, engine: str) -> Any:
    """The app's :class:`linkie_claw.db.Database` on a test database (caller closes ``.conn``)."""
    from linkie_claw.db import Database as AppDatabase

    if engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(database.path, isolation_level=None)  # type: ignore[attr-defined]
        conn.execute("PRAGMA foreign_keys = ON")
        return AppDatabase(conn, "sqlite")
    import psycopg

    return AppDatabase(psycopg.connect(database.conninfo, autocommit=True), "postgresql")  # type: ignore[attr-defined]
