"""The SQLite side of a rehearsal: a yoyo connection with foreign keys on (for the warnings of
what they would do), and what to measure."""

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


class Throwaway:
    """A yoyo SQLite backend mix-in for a copy that is thrown away: its commits are not synced to
    the disk (``PRAGMA synchronous = OFF``). The migrations do the same to it; only a crash of
    the machine during the rehearsal could leave the copy damaged, and it is deleted anyway.
    Nothing but the rehearsal's own readers opens the copy, so its commits wait for them."""

    def init_connection(self, connection: Any) -> None:
        """yoyo's own set-up, then no syncing, and commits that wait for the rehearsal's readers
        (:class:`schemavet.dialects.sqlite.steps.ForeignKeysStart` checks a table beside them)."""
        cast(Any, super()).init_connection(connection)
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA busy_timeout = 86400000")


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
# "Before" is an untouched copy of the database made before they ran, attached by this name:
_BEFORE = "schemavet_before"
_HASH_FUNCTION = "schemavet_row_hash"
_MAX_ARGUMENTS = 100  # below SQLite's smallest SQLITE_MAX_FUNCTION_ARG (127)
_COLUMNS = "SELECT name, type FROM pragma_table_info(?) ORDER BY cid"
_PRIMARY_KEY = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"
_PAGES = "SELECT name, pageno FROM dbstat"
_ROWID_NAMES = ("rowid", "_rowid_", "oid")  # a column of the same name hides the rowid


@dataclass(frozen=True)
class TableBefore:
    """One table before the migrations: its columns, its primary key (if any), its rows."""

    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
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


def tables_before(conn: sqlite3.Connection) -> list[TableBefore]:
    """Every app table of the untouched copy ``conn`` is open on, with what accounting needs."""
    from schemavet.dialects.sqlite.bookkeeping import app_tables

    tables = []
    for table in app_tables(conn):
        columns = tuple(str(row[0]) for row in conn.execute(_COLUMNS, (table,)))
        key = tuple(str(row[0]) for row in conn.execute(_PRIMARY_KEY, (table,)))
        count = int(conn.execute(f"SELECT count(*) FROM main.{quote_identifier(table)}").fetchone()[0])
        tables.append(TableBefore(table, columns, key, count))
    return tables


def untouched_tables(before: str, after: str) -> frozenset[str]:
    """The tables whose pages are the same, byte for byte, in the database files ``before`` and
    ``after`` (the second a copy of the first that the migrations ran on): their rows are the
    same rows. Empty when SQLite cannot list a table's pages (no ``dbstat``)."""
    try:
        pages_before, pages_after = _pages(before), _pages(after)
    except sqlite3.Error:
        return frozenset()
    if pages_before[0] != pages_after[0]:  # the page size changed
        return frozenset()
    size, owned = pages_before
    changed = _changed_pages(before, after, size)
    return frozenset(
        name
        for name, pages in owned.items()
        if pages_after[1].get(name) == pages and changed.isdisjoint(pages)
    )


def _changed_pages(before: str, after: str, size: int) -> set[int]:
    """The numbers of the pages that differ between the two files (or are in one only)."""
    with open(before, "rb") as old, open(after, "rb") as new:
        old_bytes, new_bytes = memoryview(old.read()), memoryview(new.read())
    block = size * 64  # compare 64 pages at once, and page by page only where they differ
    changed: set[int] = set()
    for start in range(0, max(len(old_bytes), len(new_bytes)), block):
        if old_bytes[start : start + block] == new_bytes[start : start + block]:
            continue
        for offset in range(start, start + block, size):
            if old_bytes[offset : offset + size] != new_bytes[offset : offset + size]:
                changed.add(offset // size + 1)
    return changed


def _pages(path: str) -> tuple[int, dict[str, list[int]]]:
    """(page size, pages of each b-tree by the name of its table or index)."""
    conn = sqlite3.connect(path)
    try:
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        owned: dict[str, list[int]] = {}
        for name, page in conn.execute(_PAGES):
            owned.setdefault(str(name), []).append(int(page))
        return size, owned
    finally:
        conn.close()


def _page(file: Any, number: int, size: int) -> bytes:
    file.seek((number - 1) * size)
    return bytes(file.read(size))


def account_rows(
    conn: sqlite3.Connection,
    before: str,
    tables: list[TableBefore],
    untouched: frozenset[str],
    known: dict[str, RowAccount] | None = None,
) -> dict[str, RowAccount]:
    """Table → what became of the rows it had in the untouched copy ``before``.

    - A table whose pages are untouched (:func:`untouched_tables`) lost nothing.
    - A table still there with a primary key whose columns it still has: its rows are matched
      by key, so a row deleted and another inserted in its place counts as lost.
    - A table still there otherwise: counted (a loss is how many fewer rows it has).
    - A table that is gone: its rows are looked for in the tables the migrations created, each
      new table having all of its columns (by name) a candidate, compared row by row on those
      columns (as multisets of :func:`row_hash`). The candidate that holds most of its rows is
      where it was renamed (or copied) to; rows found in none are lost. A new table is taken by
      one gone table at most.

    ``known``: accounts already made (of tables still there, by :func:`lost_in_place_now`).
    """
    from schemavet.dialects.sqlite.bookkeeping import app_tables

    _register(conn)
    now = app_tables(conn)
    new = [table for table in now if table not in {rows.table for rows in tables}]
    accounts: dict[str, RowAccount] = {}
    with attached(conn, before, _BEFORE):
        for rows in tables:
            if rows.table in untouched:
                accounts[rows.table] = RowAccount(0)
            elif known and rows.table in known and rows.table in now:
                accounts[rows.table] = known[rows.table]
            elif rows.table in now:
                accounts[rows.table] = RowAccount(_lost_in_place(conn, rows))
            else:
                accounts[rows.table] = _moved(conn, rows, new)
                if accounts[rows.table].renamed_to is not None:
                    new.remove(cast(str, accounts[rows.table].renamed_to))
    return accounts


def lost_in_place_now(copy: str, before: str, rows: TableBefore, wait: float) -> int | None:
    """How many of its rows a table still there lost (as :func:`account_rows` tells), read from
    the copy while yoyo may be writing it, waiting up to ``wait`` seconds for its commit; None
    when the table is not there (then it is accounted for with the others)."""
    from schemavet.dialects.sqlite.bookkeeping import app_tables

    conn = sqlite3.connect(copy, isolation_level=None, timeout=wait)
    try:
        if rows.table not in app_tables(conn):
            return None
        with attached(conn, before, _BEFORE):
            return _lost_in_place(conn, rows)
    finally:
        conn.close()


def _lost_in_place(conn: sqlite3.Connection, rows: TableBefore) -> int:
    table = quote_identifier(rows.table)
    count = int(conn.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0])
    present = _columns_by_fold(conn, rows.table)
    if not rows.key or any(k.casefold() not in present for k in rows.key):
        return max(0, rows.count - count)
    rowid = next(
        (n for n in _ROWID_NAMES if n not in present and n not in map(str.casefold, rows.columns)), None
    )
    after_key = tuple(present[k.casefold()][0] for k in rows.key)
    if (
        rowid is not None
        and _keyed_by_rowid(conn, _BEFORE, rows.table, rows.key, rowid)
        and _keyed_by_rowid(conn, "main", rows.table, after_key, rowid)
    ):  # integers alike as text when alike as numbers: the rowids say it, one lookup a row
        # NOT INDEXED: read in rowid order, each lookup lands beside the last
        missing = f"SELECT count(*) FROM {_BEFORE}.{table} AS s NOT INDEXED WHERE NOT EXISTS "
        return int(
            conn.execute(f"{missing}(SELECT 1 FROM main.{table} WHERE {rowid} = s.{rowid})").fetchone()[0]
        )
    # keys compare as text: a rebuild that turns a TEXT key '1' into an INTEGER key 1 kept the row
    saved_keys = ", ".join(f"CAST({quote_identifier(k)} AS TEXT)" for k in rows.key)
    current = ", ".join(f"CAST({quote_identifier(present[k.casefold()][0])} AS TEXT)" for k in rows.key)
    query = (
        f"SELECT count(*) FROM (SELECT {saved_keys} FROM {_BEFORE}.{table} "
        f"EXCEPT SELECT {current} FROM main.{table})"
    )
    return int(conn.execute(query).fetchone()[0])


def _keyed_by_rowid(
    conn: sqlite3.Connection, schema: str, name: str, key: tuple[str, ...], rowid: str
) -> bool:
    """True when the table's key is one column holding, in every row, the integer rowid: its
    ``INTEGER PRIMARY KEY`` (told by the schema), or a column found to hold it in every row."""
    from schemavet.dialects.sqlite.keycheck import rowid_alias

    if len(key) != 1:
        return False
    alias = rowid_alias(conn, name, schema)
    if alias is not None and alias.casefold() == key[0].casefold():
        return True
    column = quote_identifier(key[0])
    table = f"{schema}.{quote_identifier(name)}"
    query = f"SELECT 1 FROM {table} WHERE {rowid} IS NOT {column} OR typeof({column}) <> 'integer' LIMIT 1"
    try:
        return conn.execute(query).fetchone() is None
    except sqlite3.OperationalError:  # WITHOUT ROWID
        return False


def _moved(conn: sqlite3.Connection, rows: TableBefore, new: list[str]) -> RowAccount:
    best: tuple[int, str | None] = (0, None)
    if rows.count:
        saved = _hash_expression(rows.columns)
        for candidate in new:
            present = _columns_by_fold(conn, candidate)
            if any(c.casefold() not in present for c in rows.columns):
                continue
            projected = _hash_expression(tuple(present[c.casefold()][0] for c in rows.columns))
            gone = f"{_BEFORE}.{quote_identifier(rows.table)}"
            query = (
                f"SELECT coalesce(sum(min(a.n, b.n)), 0) FROM "
                f"(SELECT {saved} AS h, count(*) AS n FROM {gone} GROUP BY 1) AS a JOIN "
                f"(SELECT {projected} AS h, count(*) AS n FROM main.{quote_identifier(candidate)} GROUP BY 1)"
                f" AS b ON a.h = b.h"
            )
            found = int(conn.execute(query).fetchone()[0])
            if found > best[0]:
                best = (found, candidate)
    return RowAccount(rows.count - best[0], best[1])


def _columns_by_fold(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, str]]:
    """The table's (column name, declared type) by the name's case-folded form."""
    return {str(row[0]).casefold(): (str(row[0]), str(row[1])) for row in conn.execute(_COLUMNS, (table,))}


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


class attached:
    """The database file ``path`` attached to ``conn`` as ``alias`` for a ``with`` block."""

    def __init__(self, conn: sqlite3.Connection, path: str, alias: str = _BEFORE) -> None:
        self.conn, self.path, self.alias = conn, path, alias

    def __enter__(self) -> None:
        self.conn.execute(f"ATTACH DATABASE ? AS {self.alias}", (self.path,))

    def __exit__(self, *exc: object) -> None:
        self.conn.execute(f"DETACH DATABASE {self.alias}")
