"""A SQLite database's rows, read for a move to another engine: read-only, never written."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "ORDER BY name"
)


class SQLiteRows:
    """The tables and rows of a read-only connection (yoyo's and schemavet's tables left out)."""

    def __init__(self, conn: sqlite3.Connection, bookkeeping: frozenset[str]) -> None:
        self.conn = conn
        self.bookkeeping = {name.lower() for name in bookkeeping}

    def tables(self) -> list[str]:
        """The app's tables."""
        return [row[0] for row in self.conn.execute(_TABLES) if row[0].lower() not in self.bookkeeping]

    def columns(self, table: str) -> list[str]:
        """A table's columns, generated ones left out (they are computed again where they go)."""
        rows = self.conn.execute("SELECT name, hidden FROM pragma_table_xinfo(?)", (table,))
        return [name for name, hidden in rows if hidden == 0]

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        """Every row, as SQLite stores it."""
        columns = ", ".join(_quote(c) for c in self.columns(table))
        yield from self.conn.execute(f"SELECT {columns} FROM {_quote(table)}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
