"""Which foreign-key values the migrations set to NULL, row by row, matched by primary key.

Each row of the untouched copy of the database (made before the migrations ran) whose
foreign-key column holds a value is looked for by primary key in the rehearsed copy; a row
still there whose column is now NULL counts. That is what ``ON DELETE SET NULL`` does to the
children when a table rebuild drops their parent with foreign keys on. Tables without a primary
key cannot be matched (their rowids are renumbered by a rebuild) and are left out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from schemavet.dialects.sqlite.names import BOOKKEEPING_TABLES
from schemavet.dialects.sqlite.rehearsal import attached
from schemavet.sql.tokens import quote_identifier as q

_BEFORE = "schemavet_references_before"
_FOREIGN_KEY_COLUMNS = (
    'SELECT DISTINCT t.name, f."from" FROM pragma_table_list AS t JOIN pragma_foreign_key_list(t.name) AS f '
    "WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "ORDER BY 1, 2"
)
_PRIMARY_KEY = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"
_COLUMNS = "SELECT name FROM pragma_table_info(?)"


@dataclass(frozen=True)
class KeyedReferences:
    """A foreign-key ``column`` of ``table`` whose rows ``key`` finds, holding ``count`` values."""

    table: str
    column: str
    key: tuple[str, ...]
    count: int


def keyed_references(conn: sqlite3.Connection, counts: dict[tuple[str, str], int]) -> list[KeyedReferences]:
    """The foreign-key columns of tables with a primary key, in the database ``conn`` is open on;
    ``counts``: the values each holds (``bookkeeping.reference_counts``)."""
    columns = []
    for table, column in conn.execute(_FOREIGN_KEY_COLUMNS).fetchall():
        key = tuple(str(row[0]) for row in conn.execute(_PRIMARY_KEY, (table,)))
        if key and table not in BOOKKEEPING_TABLES:
            columns.append(KeyedReferences(str(table), str(column), key, counts.get((table, column), 0)))
    return columns


def nulled_references(
    conn: sqlite3.Connection, before: str, keyed: list[KeyedReferences], untouched: frozenset[str]
) -> dict[tuple[str, str], int]:
    """(table, column) → how many rows of the untouched copy ``before`` with a value in it are
    still there with the column now NULL. A table whose pages are untouched has none."""
    nulled: dict[tuple[str, str], int] = {}
    with attached(conn, before, _BEFORE):
        for refs in keyed:
            if refs.table in untouched:
                nulled[(refs.table, refs.column)] = 0
                continue
            present = {row[0] for row in conn.execute(_COLUMNS, (refs.table,))}
            if refs.column not in present or not set(refs.key) <= present:
                continue
            nulled[(refs.table, refs.column)] = _nulled(conn, refs)
    return nulled


def _nulled(conn: sqlite3.Connection, refs: KeyedReferences) -> int:
    """From the rows whose column is NULL now (the fewer, usually): which had a value."""
    match = " AND ".join(f"s.{q(k)} IS n.{q(k)}" for k in refs.key)
    query = (
        f"SELECT count(*) FROM main.{q(refs.table)} AS n JOIN {_BEFORE}.{q(refs.table)} AS s ON {match} "
        f"WHERE n.{q(refs.column)} IS NULL AND s.{q(refs.column)} IS NOT NULL"
    )
    return int(conn.execute(query).fetchone()[0])
