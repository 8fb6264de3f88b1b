"""``PRAGMA foreign_key_check`` of one table, answered faster where a query can prove it clean.

The pragma reads every row of the table and looks each foreign-key value up in its parent.
A foreign key from a column with INTEGER affinity to a parent's rowid (its ``INTEGER PRIMARY
KEY``) is checked as well by one query over the column's distinct values (read from an index
on it, when there is one), each looked up once: a value no parent row has, compared as SQLite
compares an integer with a rowid, is exactly what the pragma reports. When the parent's
rowids leave no gap, integers between its least and greatest need no lookup at all. Only a table whose
foreign keys are all of that kind, and have no such value, is answered "clean" by the queries;
any other table, and any table where a query finds something, gets the pragma itself, so the
rows it reports (and the errors it raises) are the pragma's own.
"""

from __future__ import annotations

import sqlite3

from schemavet.sql.tokens import quote_identifier as q

Violation = tuple[str, int | None, str]

_KEYS = 'SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?)'
_COLUMNS = "SELECT name, type, pk FROM pragma_table_info(?, ?)"
_PK_INDEX = "SELECT 1 FROM pragma_index_list(?, ?) WHERE origin = 'pk'"
_WITHOUT_ROWID = "SELECT wr FROM pragma_table_list WHERE schema = ? AND name = ?"


def foreign_key_violations(conn: sqlite3.Connection, table: str) -> list[Violation]:
    """What ``PRAGMA foreign_key_check(table)`` reports: (table, rowid, parent) per row."""
    if _proved_clean(conn, table):
        return []
    query = f"PRAGMA foreign_key_check({q(table)})"
    return [(str(t), rowid, str(parent)) for t, rowid, parent, _ in conn.execute(query)]


def _proved_clean(conn: sqlite3.Connection, table: str) -> bool:
    keys = conn.execute(_KEYS, (table,)).fetchall()
    if not keys or any(seq != 0 for _, seq, _, _, _ in keys):
        return False  # no foreign key (the pragma answers at once), or one of several columns
    types = {str(name).casefold(): str(kind) for name, kind, _ in conn.execute(_COLUMNS, (table, "main"))}
    for _, _, parent, column, to in keys:
        alias = rowid_alias(conn, str(parent))
        if alias is None or (to is not None and str(to).casefold() != alias.casefold()):
            return False
        if "INT" not in types.get(str(column).casefold(), "").upper():
            return False
        if _within_gapless_parent(conn, table, str(column), str(parent), alias):
            continue
        if _dangling(conn, table, str(column), str(parent), alias):
            return False
    return True


def _within_gapless_parent(
    conn: sqlite3.Connection, table: str, column: str, parent: str, alias: str
) -> bool:
    """True when the parent's rowids leave no gap (as many as from the least to the greatest)
    and every non-NULL value of ``table.column`` is an integer between those two: then each is
    one of them. One pass over the column's distinct values (its index, when there is one) and
    no lookups.

    ``sum`` of a column is an integer only when every value it adds is one (it fails on an
    integer overflow, and then the values are looked up one by one instead)."""
    rows = f"FROM main.{q(parent)}"
    count, low, high = conn.execute(
        f"SELECT (SELECT count(*) {rows}), (SELECT min({q(alias)}) {rows}), (SELECT max({q(alias)}) {rows})"
    ).fetchone()
    if not count or high - low + 1 != count:
        return False
    values = f"SELECT DISTINCT c.{q(column)} AS x FROM main.{q(table)} AS c WHERE c.{q(column)} IS NOT NULL"
    query = f"SELECT typeof(sum(d.x)), min(d.x), max(d.x) FROM ({values}) AS d"
    try:
        kind, least, greatest = conn.execute(query).fetchone()
    except sqlite3.OperationalError:  # integer overflow
        return False
    return kind == "null" or (kind == "integer" and least >= low and greatest <= high)


def rowid_alias(conn: sqlite3.Connection, table: str, schema: str = "main") -> str | None:
    """The column that is ``table``'s rowid (``INTEGER PRIMARY KEY``, not ``DESC``), if any."""
    row = conn.execute(_WITHOUT_ROWID, (schema, table)).fetchone()
    if row is None or row[0]:
        return None
    keys = [(str(name), str(kind)) for name, kind, pk in conn.execute(_COLUMNS, (table, schema)) if pk]
    if len(keys) != 1 or keys[0][1].upper() != "INTEGER":
        return None
    if conn.execute(_PK_INDEX, (table, schema)).fetchone() is not None:  # INTEGER PRIMARY KEY DESC
        return None
    return keys[0][0]


def _dangling(conn: sqlite3.Connection, table: str, column: str, parent: str, alias: str) -> bool:
    """True when some non-NULL value of ``table.column`` is no rowid of ``parent``."""
    query = (
        f"SELECT 1 FROM (SELECT DISTINCT c.{q(column)} AS x FROM main.{q(table)} AS c "
        f"WHERE c.{q(column)} IS NOT NULL) AS d "
        f"WHERE NOT EXISTS (SELECT 1 FROM main.{q(parent)} AS p WHERE p.{q(alias)} = d.x) LIMIT 1"
    )
    return conn.execute(query).fetchone() is not None
