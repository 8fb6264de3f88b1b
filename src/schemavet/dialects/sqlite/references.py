"""Which foreign-key values the migrations set to NULL, row by row, matched by primary key.

Before the migrations run, the primary key of every row whose foreign-key column holds a value
is saved to a side database; afterwards each row still there (same key) whose column is now
NULL counts. That is what ``ON DELETE SET NULL`` does to the children when a table rebuild
drops their parent with foreign keys on. Tables without a primary key cannot be matched (their
rowids are renumbered by a rebuild) and are left out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from schemavet.dialects.sqlite.inspect import BOOKKEEPING_TABLES
from schemavet.sql.tokens import quote_identifier as q

_SIDE = "schemavet_side"
_FOREIGN_KEY_COLUMNS = (
    'SELECT DISTINCT t.name, f."from" FROM pragma_table_list AS t JOIN pragma_foreign_key_list(t.name) AS f '
    "WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "ORDER BY 1, 2"
)
_PRIMARY_KEY = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"
_COLUMNS = "SELECT name FROM pragma_table_info(?)"


@dataclass(frozen=True)
class SavedReferences:
    """The keys of the rows of ``table`` whose ``column`` held a value, saved as ``saved_as``."""

    table: str
    column: str
    key: tuple[str, ...]
    saved_as: str
    count: int


def save_references(conn: sqlite3.Connection, side: str) -> list[SavedReferences]:
    """Save the keys of every row with a foreign-key value into the new database ``side``."""
    saved = []
    with attached(conn, side):
        for index, (table, column, key) in enumerate(_keyed_columns(conn)):
            name = f"ref_{index}"
            keys = ", ".join(f"{q(k)} AS k{i}" for i, k in enumerate(key))
            rows = f"FROM main.{q(table)} WHERE {q(column)} IS NOT NULL"
            conn.execute(f"CREATE TABLE {_SIDE}.{name} AS SELECT {keys} {rows}")
            count = conn.execute(f"SELECT count(*) FROM {_SIDE}.{name}").fetchone()[0]
            saved.append(SavedReferences(table, column, key, name, int(count)))
    return saved


def nulled_references(
    conn: sqlite3.Connection, side: str, saved: list[SavedReferences]
) -> dict[tuple[str, str], int]:
    """(table, column) → how many saved rows are still there with the column now NULL."""
    nulled: dict[tuple[str, str], int] = {}
    with attached(conn, side):
        for refs in saved:
            present = {row[0] for row in conn.execute(_COLUMNS, (refs.table,))}
            if refs.column not in present or not set(refs.key) <= present:
                continue
            match = " AND ".join(f"n.{q(k)} IS s.k{i}" for i, k in enumerate(refs.key))
            query = (
                f"SELECT count(*) FROM {_SIDE}.{refs.saved_as} AS s JOIN main.{q(refs.table)} AS n "
                f"ON {match} WHERE n.{q(refs.column)} IS NULL"
            )
            nulled[(refs.table, refs.column)] = int(conn.execute(query).fetchone()[0])
    return nulled


def _keyed_columns(conn: sqlite3.Connection) -> list[tuple[str, str, tuple[str, ...]]]:
    columns = []
    for table, column in conn.execute(_FOREIGN_KEY_COLUMNS).fetchall():
        key = tuple(row[0] for row in conn.execute(_PRIMARY_KEY, (table,)))
        if key and table not in BOOKKEEPING_TABLES:
            columns.append((str(table), str(column), key))
    return columns


class attached:
    """``side`` attached to ``conn`` for the duration of a ``with`` block."""

    def __init__(self, conn: sqlite3.Connection, side: str) -> None:
        self.conn, self.side = conn, side

    def __enter__(self) -> None:
        self.conn.execute(f"ATTACH DATABASE ? AS {_SIDE}", (self.side,))

    def __exit__(self, *exc: object) -> None:
        self.conn.execute(f"DETACH DATABASE {_SIDE}")
