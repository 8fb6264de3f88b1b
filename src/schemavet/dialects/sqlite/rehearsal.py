"""The SQLite side of a rehearsal: a yoyo connection with foreign keys on, and what to measure."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Any, cast

from schemavet.dialects.sqlite.bookkeeping import LOCK_TABLE, yoyo_lock
from schemavet.sql.tokens import quote_identifier


def release_copied_lock(conn: sqlite3.Connection) -> bool:
    """Delete the ``yoyo_lock`` row a copy took over from its original; True when there was one.

    The row says a yoyo process is migrating the *original* (or was, and died). The copy is the
    rehearsal's own: no other process can be migrating it, so its copy of the row is no lock at
    all, and left there it would make yoyo wait for it and fail. The original keeps its row.
    """
    if yoyo_lock(conn) is None:
        return False
    conn.execute(f"DELETE FROM {quote_identifier(LOCK_TABLE)}")
    return True


class ForeignKeysOn:
    """A yoyo SQLite backend mix-in: every connection enforces foreign keys, as the app's does.

    yoyo's SQLite connections leave ``PRAGMA foreign_keys`` off, and SQLite ignores the pragma
    inside a transaction, so it is set here: when yoyo opens (or, after a rollback, resets) a
    connection, in autocommit mode, before any migration's transaction begins. yoyo runs each
    migration on a copy of the backend (``backend.copy()``), which is built from this same class.
    """

    def init_connection(self, connection: Any) -> None:
        """yoyo's own set-up, then foreign keys on."""
        cast(Any, super()).init_connection(connection)
        connection.execute("PRAGMA foreign_keys = ON")
        if connection.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
            raise RuntimeError("SQLite refused to turn foreign keys on for the rehearsal")


# Row accounting: which rows of each table are still there after the migrations, and where.

_ROWS_SIDE = "schemavet_side"  # the name references.attached gives the side database
_HASH_FUNCTION = "schemavet_row_hash"
_MAX_ARGUMENTS = 100  # below SQLite's smallest SQLITE_MAX_FUNCTION_ARG (127)
_COLUMNS = "SELECT name FROM pragma_table_info(?) ORDER BY cid"
_PRIMARY_KEY = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"


@dataclass(frozen=True)
class SavedRows:
    """One table's rows before the migrations, saved as ``saved_as`` in the side database.

    Each row is saved as its primary key (``k0``, ``k1``, …; none when the table has no primary
    key) and ``h``, a hash of all its values (:func:`row_hash`) in ``columns`` order.
    """

    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    saved_as: str
    count: int


@dataclass(frozen=True)
class RowAccount:
    """What became of one table's rows: how many are gone, and the new table they moved to."""

    lost: int
    renamed_to: str | None = None


def row_hash(*values: object) -> int:
    """A 64-bit hash of a row's values, typed as SQLite compares them (``1`` and ``1.0`` alike)."""
    digest = hashlib.blake2b(digest_size=8)
    for value in values:
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            value = int(value)
        if value is None:
            digest.update(b"N")
        elif isinstance(value, int):
            digest.update(b"I%d;" % value)
        elif isinstance(value, float):
            digest.update(b"R" + repr(value).encode() + b";")
        elif isinstance(value, str):
            data = value.encode("utf-8", "surrogatepass")
            digest.update(b"T%d:" % len(data) + data)
        else:
            data = bytes(cast(bytes, value))
            digest.update(b"B%d:" % len(data) + data)
    return int.from_bytes(digest.digest(), "big", signed=True)


def save_rows(conn: sqlite3.Connection, side: str) -> list[SavedRows]:
    """Save every app table's keys and row hashes into the side database ``side``."""
    from schemavet.dialects.sqlite.bookkeeping import app_tables
    from schemavet.dialects.sqlite.references import attached

    _register(conn)
    saved = []
    with attached(conn, side):
        for index, table in enumerate(app_tables(conn)):
            columns = tuple(str(row[0]) for row in conn.execute(_COLUMNS, (table,)))
            key = tuple(str(row[0]) for row in conn.execute(_PRIMARY_KEY, (table,)))
            name = f"rows_{index}"
            keys = "".join(f"{quote_identifier(k)} AS k{i}, " for i, k in enumerate(key))
            select = f"SELECT {keys}{_hash_expression(columns)} AS h FROM main.{quote_identifier(table)}"
            conn.execute(f"CREATE TABLE {_ROWS_SIDE}.{name} AS {select}")
            count = int(conn.execute(f"SELECT count(*) FROM {_ROWS_SIDE}.{name}").fetchone()[0])
            saved.append(SavedRows(table, columns, key, name, count))
    return saved


def account_rows(conn: sqlite3.Connection, side: str, saved: list[SavedRows]) -> dict[str, RowAccount]:
    """Table → what became of the rows saved by :func:`save_rows`, now that the migrations ran.

    - A table still there with a primary key whose columns it still has: its rows are matched
      by key, so a row deleted and another inserted in its place counts as lost.
    - A table still there otherwise: counted (a loss is how many fewer rows it has).
    - A table that is gone: its rows are looked for in the tables the migrations created, each
      new table having all of its columns (by name) a candidate, compared row by row on those
      columns (as multisets of :func:`row_hash`). The candidate that holds most of its rows is
      where it was renamed (or copied) to; rows found in none are lost. A new table is taken by
      one gone table at most.
    """
    from schemavet.dialects.sqlite.bookkeeping import app_tables
    from schemavet.dialects.sqlite.references import attached

    _register(conn)
    now = app_tables(conn)
    before = {rows.table for rows in saved}
    new = [table for table in now if table not in before]
    accounts: dict[str, RowAccount] = {}
    with attached(conn, side):
        for rows in saved:
            if rows.table in now:
                accounts[rows.table] = RowAccount(_lost_in_place(conn, rows))
            else:
                accounts[rows.table] = _moved(conn, rows, new)
                if accounts[rows.table].renamed_to is not None:
                    new.remove(cast(str, accounts[rows.table].renamed_to))
    return accounts


def _lost_in_place(conn: sqlite3.Connection, rows: SavedRows) -> int:
    table = quote_identifier(rows.table)
    count = int(conn.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0])
    present = _columns_by_fold(conn, rows.table)
    if not rows.key or any(k.casefold() not in present for k in rows.key):
        return max(0, rows.count - count)
    # keys compare as text: a rebuild that turns a TEXT key '1' into an INTEGER key 1 kept the row
    saved_keys = ", ".join(f"CAST(k{i} AS TEXT)" for i in range(len(rows.key)))
    current = ", ".join(f"CAST({quote_identifier(present[k.casefold()])} AS TEXT)" for k in rows.key)
    query = (
        f"SELECT count(*) FROM (SELECT {saved_keys} FROM {_ROWS_SIDE}.{rows.saved_as} "
        f"EXCEPT SELECT {current} FROM main.{table})"
    )
    return int(conn.execute(query).fetchone()[0])


def _moved(conn: sqlite3.Connection, rows: SavedRows, new: list[str]) -> RowAccount:
    best: tuple[int, str | None] = (0, None)
    if rows.count:
        for candidate in new:
            present = _columns_by_fold(conn, candidate)
            if any(c.casefold() not in present for c in rows.columns):
                continue
            projected = _hash_expression(tuple(present[c.casefold()] for c in rows.columns))
            query = (
                f"SELECT coalesce(sum(min(a.n, b.n)), 0) FROM "
                f"(SELECT h, count(*) AS n FROM {_ROWS_SIDE}.{rows.saved_as} GROUP BY h) AS a JOIN "
                f"(SELECT {projected} AS h, count(*) AS n FROM main.{quote_identifier(candidate)} GROUP BY 1)"
                f" AS b ON a.h = b.h"
            )
            found = int(conn.execute(query).fetchone()[0])
            if found > best[0]:
                best = (found, candidate)
    return RowAccount(rows.count - best[0], best[1])


def _columns_by_fold(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    """The table's column names by their case-folded form (SQLite's names ignore case)."""
    return {str(row[0]).casefold(): str(row[0]) for row in conn.execute(_COLUMNS, (table,))}


def _hash_expression(columns: tuple[str, ...]) -> str:
    """``schemavet_row_hash(…)`` over ``columns``, chained past SQLite's limit on arguments."""
    quoted = [quote_identifier(c) for c in columns]
    expression = f"{_HASH_FUNCTION}({', '.join(quoted[:_MAX_ARGUMENTS])})"
    for start in range(_MAX_ARGUMENTS, len(quoted), _MAX_ARGUMENTS - 1):
        chunk = quoted[start : start + _MAX_ARGUMENTS - 1]
        expression = f"{_HASH_FUNCTION}({expression}, {', '.join(chunk)})"
    return expression


def _register(conn: sqlite3.Connection) -> None:
    conn.create_function(_HASH_FUNCTION, -1, row_hash, deterministic=True)
