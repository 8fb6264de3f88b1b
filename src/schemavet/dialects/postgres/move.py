"""Rows from another engine's database copied into a PostgreSQL schema, to see what goes in.

The target is a scratch database the translated migrations were applied to. Tables are filled
parents first (by their foreign keys). Each value is taken as the source engine stores it and
converted to the column's type the way the move will have to: a 0/1 integer into a boolean, Unix
seconds or ISO-8601 text into a timestamp; a value that cannot be converted (a 2 in a flag, a
text timestamp that does not parse) rejects its row, as does a row the server refuses (a CHECK,
a NOT NULL, a foreign key or a UNIQUE constraint the new schema adds). Rows go in by batches under
savepoints; a batch the server refuses is retried row by row, so each bad row is named.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from schemavet.dialect.moves import RowSource, TableMove
from schemavet.dialects.postgres.names import quote_ident

_BATCH = 500
_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity <> ''
FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid JOIN pg_namespace AS n ON n.oid =
  c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attgenerated = ''
ORDER BY c.relname, a.attnum
"""
_PARENTS = """
SELECT c.relname, p.relname FROM pg_constraint AS f
JOIN pg_class AS c ON c.oid = f.conrelid JOIN pg_class AS p ON p.oid = f.confrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE f.contype = 'f' AND n.nspname = 'public'
"""
_TIMESTAMPS = ("timestamp with time zone", "timestamp without time zone", "date")


class Unconvertible(Exception):
    """A value with no faithful value of the column's type: the reason, without the value."""


def load(conn: Any, source: RowSource) -> list[TableMove]:
    """Copy every table the source and the target share; one report per source table."""
    columns = _target_columns(conn)
    targets = {name.lower(): name for name in columns}
    moves = []
    for table in _parents_first(conn, source.tables(), targets):
        target = targets.get(table.lower())
        if target is None:
            moves.append(
                TableMove(table, _count(source.rows(table)), notes=["no such table in the translation"])
            )
            continue
        moves.append(_copy(conn, source, table, target, columns[target]))
    return moves


def _target_columns(conn: Any) -> dict[str, dict[str, tuple[str, bool]]]:
    """table → column → (type, is identity)."""
    columns: dict[str, dict[str, tuple[str, bool]]] = {}
    for table, column, type_, identity in conn.execute(_COLUMNS):
        columns.setdefault(table, {})[column] = (type_, identity)
    return columns


def _parents_first(conn: Any, tables: list[str], targets: dict[str, str]) -> list[str]:
    parents: dict[str, set[str]] = {}
    for child, parent in conn.execute(_PARENTS):
        if child != parent:
            parents.setdefault(child.lower(), set()).add(parent.lower())
    ordered: list[str] = []
    remaining = sorted(tables, key=str.lower)
    while remaining:
        done = {t.lower() for t in ordered}
        ready = [
            t for t in remaining if parents.get(t.lower(), set()) & {r.lower() for r in remaining} <= done
        ]
        ready = ready or remaining[:1]  # a cycle: its first table goes first (its rows may be refused)
        ordered.append(ready[0])
        remaining.remove(ready[0])
    return ordered


def _copy(
    conn: Any, source: RowSource, table: str, target: str, columns: dict[str, tuple[str, bool]]
) -> TableMove:
    move = TableMove(target)
    by_key = {name.lower(): name for name in columns}
    source_columns = source.columns(table)
    shared = [(i, by_key[c.lower()]) for i, c in enumerate(source_columns) if c.lower() in by_key]
    move.notes += [
        f'column "{c}" is not in the translation: not copied'
        for c in source_columns
        if c.lower() not in by_key
    ]
    overriding = " OVERRIDING SYSTEM VALUE" if any(columns[c][1] for _, c in shared) else ""
    insert = (
        f"INSERT INTO {quote_ident(target)} ({', '.join(quote_ident(c) for _, c in shared)}){overriding} "
        f"VALUES ({', '.join(['%s'] * len(shared))})"
    )
    batch: list[tuple[str, tuple[Any, ...]]] = []
    for row in source.rows(table):
        move.source_rows += 1
        converted = _converted(row, shared, columns, move, _key(row, source_columns))
        if converted is not None:
            batch.append(converted)
        if len(batch) >= _BATCH:
            _insert(conn, insert, batch, move)
            batch = []
    _insert(conn, insert, batch, move)
    _advance_identities(conn, target, columns)
    move.rows_after = conn.execute(f"SELECT count(*) FROM {quote_ident(target)}").fetchone()[0]
    return move


def _key(row: tuple[Any, ...], columns: list[str]) -> str:
    """How a rejected row is named: its first column (the key, in the apps schemavet knows)."""
    return f"{columns[0]}={row[0]!r}" if columns else "a row"


def _converted(
    row: tuple[Any, ...],
    shared: list[tuple[int, str]],
    columns: dict[str, tuple[str, bool]],
    move: TableMove,
    key: str,
) -> tuple[str, tuple[Any, ...]] | None:
    values = []
    for position, column in shared:
        try:
            values.append(convert(row[position], columns[column][0]))
        except Unconvertible as e:
            move.reject(f'"{column}" {e}', f"{key}: {row[position]!r}")
            return None
    return key, tuple(values)


def convert(value: Any, pg_type: str) -> Any:
    """A value as the source stores it, as a value of ``pg_type``; :class:`Unconvertible` if none."""
    if value is None:
        return None
    if pg_type == "boolean":
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise Unconvertible("holds a value that is not 0 or 1 (boolean on PostgreSQL)")
    if pg_type in _TIMESTAMPS:
        return _timestamp(value)
    return value


def _timestamp(value: Any) -> datetime:
    if isinstance(value, bool):
        raise Unconvertible("holds a boolean where a timestamp goes")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as e:
            raise Unconvertible("holds a number that is no time in Unix seconds") from e
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as e:
            raise Unconvertible("holds text that does not parse as a timestamp") from e
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite's clock is UTC
    raise Unconvertible(f"holds a {type(value).__name__} where a timestamp goes")


def _insert(conn: Any, insert: str, batch: list[tuple[str, tuple[Any, ...]]], move: TableMove) -> None:
    import psycopg

    if not batch:
        return
    try:
        with conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(insert, [values for _, values in batch])
        move.copied += len(batch)
        return
    except psycopg.Error:
        pass  # some row is refused: each on its own, to name it
    for key, values in batch:
        try:
            with conn.transaction():
                conn.execute(insert, values)
            move.copied += 1
        except psycopg.Error as e:
            reason = e.diag.message_primary or str(e).strip().splitlines()[0]
            move.reject(reason, key)


def _advance_identities(conn: Any, table: str, columns: dict[str, tuple[str, bool]]) -> None:
    """Copied ids were given explicitly: the identity must go on past them."""
    for column, (_, identity) in columns.items():
        if identity:
            conn.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"coalesce(max({quote_ident(column)}), 0) + 1, false) "
                f"FROM {quote_ident(table)}",
                (quote_ident(table), column),
            )


def _count(rows: Iterator[Any]) -> int:
    return sum(1 for _ in rows)
