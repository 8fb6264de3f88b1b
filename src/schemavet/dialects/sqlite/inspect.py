"""Introspect a SQLite database into the model, as SQLite reports it (normalizing comes later).

PRAGMAs are the authority for what they report (columns, primary keys, foreign keys and
their actions, index keys); the ``CREATE`` text in ``sqlite_master`` supplies the rest.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from schemavet.dialects.sqlite import queries
from schemavet.dialects.sqlite.ddl import (
    NOTHING_DECLARED,
    Declared,
    IndexParts,
    declared,
    parse_create_index,
    trigger_definition,
    view_parts,
    virtual_module,
)
from schemavet.dialects.sqlite.expressions import fold
from schemavet.dialects.sqlite.names import BOOKKEEPING_TABLES, YOYO_TABLES  # noqa: F401  (their home before)
from schemavet.dialects.sqlite.options import key_options_of, table_options_of, unique_options_of
from schemavet.errors import DatabaseError, SchemavetError
from schemavet.model import (
    NOT_DEFERRABLE,
    Check,
    Column,
    ForeignKey,
    Generated,
    Index,
    Namespace,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from schemavet.sql.tokens import quote_identifier

MAIN = "main"


_ORIGIN_UNIQUE, _ORIGIN_PK = "u", "pk"
_EXPRESSION_CID = -2
_NAMES_PER_QUERY = 500  # bound names per catalog query, well under SQLite's limit on parameters


@dataclass
class _Objects:
    """``sqlite_master`` sorted by kind: the SQL of tables, indexes, views, triggers."""

    tables: dict[str, str] = field(default_factory=dict)
    virtual: dict[str, str] = field(default_factory=dict)
    index_sql: dict[str, str] = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)
    triggers: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Catalog:
    """What the catalog queries return, and what the ``CREATE`` texts say beyond them.

    Plain tuples, lists and dicts of text and numbers, so a catalog read in another process
    can be sent back with ``marshal`` (see :mod:`schemavet.dialects.sqlite.background`); the parsing
    of the ``CREATE`` texts happens where the rows are read. ``declared`` holds each table's
    :class:`Declared` as a plain tuple (None when its text says nothing more), ``index_parts``
    each :class:`IndexParts` of an index whose SQL says more than its PRAGMAs (an expression
    or a WHERE).
    """

    objects: list[tuple[str, str, str, str | None]]  # a plain table's text left out: see declared
    shadow: list[str]
    columns: list[tuple[Any, ...]]
    foreign_keys: list[tuple[Any, ...]]
    indexes: list[tuple[Any, ...]]
    declared: dict[str, tuple[Any, ...] | None]
    index_parts: dict[str, tuple[Any, ...]]


def inspect_sqlite(conn: sqlite3.Connection, only: frozenset[str] | None = None) -> Schema:
    """The schema of the ``main`` database of an open connection.

    With ``only`` (folded names), just those tables and views, with their indexes and triggers.
    """
    return build_schema(read_catalog(conn, only))


def read_catalog(conn: sqlite3.Connection, only: frozenset[str] | None = None) -> Catalog:
    """Run the catalog queries; text that is not UTF-8 is kept byte for byte, not a crash."""
    try:
        try:
            return _read_catalog(conn, only)
        except sqlite3.OperationalError as e:
            if "decode" not in str(e):
                raise
        # rare: names or SQL that are not UTF-8; decoding each value in Python is the slow path
        conn.text_factory = lambda data: data.decode("utf-8", "surrogateescape")
        return _read_catalog(conn, only)
    except sqlite3.Error as e:
        raise DatabaseError(f"Cannot read the schema: {e}") from e


def _read_catalog(conn: sqlite3.Connection, only: frozenset[str] | None) -> Catalog:
    objects = _objects(conn, only)
    shadow: list[str] = []
    if any(kind == "table" and _is_virtual(sql) for kind, _, _, sql in objects):  # no shadow without one
        with suppress(sqlite3.OperationalError):  # SQLite before 3.37 has no pragma_table_list
            shadow = [row[0] for row in conn.execute(queries.SHADOW_TABLES)]
    if only is None:
        queried = [
            conn.execute(q).fetchall() for q in (queries.COLUMNS, queries.FOREIGN_KEYS, queries.INDEXES)
        ]
    else:
        queried = _pragma_rows(
            conn, [name for kind, name, _, sql in objects if kind == "table" and not _is_virtual(sql)]
        )
    columns, foreign_keys, indexes = queried
    declared = {
        name: _declared(name, sql)
        for kind, name, _, sql in objects
        if kind == "table" and sql is not None and not _is_virtual(sql)
    }
    return Catalog(
        # a table's text is said by now (``declared``): not sent on (some 40% of the catalog)
        objects=[
            (kind, name, table, None if kind == "table" and name in declared else sql)
            for kind, name, table, sql in objects
        ],
        shadow=shadow,
        columns=columns,
        foreign_keys=foreign_keys,
        indexes=indexes,
        declared=declared,
        index_parts=_index_parts(objects, indexes),
    )


def _objects(conn: sqlite3.Connection, only: frozenset[str] | None) -> list[tuple[str, str, str, str | None]]:
    """The rows of ``sqlite_master``: all, or those of the tables and views ``only`` names and
    every virtual table (whose names decide which tables are its shadow tables)."""
    if only is not None and len(only) <= _NAMES_PER_QUERY:
        return conn.execute(queries.objects_of(len(only)), sorted(only)).fetchall()
    objects = conn.execute(queries.OBJECTS).fetchall()
    return objects if only is None else _owned_by(objects, only)


def _owned_by(
    objects: list[tuple[str, str, str, str | None]], only: frozenset[str]
) -> list[tuple[str, str, str, str | None]]:
    """:data:`queries.objects_of` done in Python, for more names than a query should bind."""
    return [row for row in objects if fold(row[2]) in only or (row[0] == "table" and _is_virtual(row[3]))]


def _pragma_rows(conn: sqlite3.Connection, tables: list[str]) -> list[list[tuple[Any, ...]]]:
    """The rows of the column, foreign key and index queries for ``tables`` only."""
    rows: list[list[tuple[Any, ...]]] = [[], [], []]
    for start in range(0, len(tables), _NAMES_PER_QUERY):
        batch = tables[start : start + _NAMES_PER_QUERY]
        for found, query in zip(rows, queries.of_tables(len(batch)), strict=True):
            found += conn.execute(query, batch).fetchall()
    return [sorted(found, key=lambda row: row[0]) for found in rows]


def _declared(name: str, sql: str) -> tuple[Any, ...] | None:
    try:
        facts = declared(sql)
    except SchemavetError as e:
        raise DatabaseError(f'Cannot read the definition of table "{name}": {e}') from e
    return tuple(facts) if facts is not None else None


def _index_parts(
    objects: list[tuple[str, str, str, str | None]], indexes: list[Any]
) -> dict[str, tuple[Any, ...]]:
    """The parsed SQL of each index whose key rows leave something unsaid (yoyo's aside)."""
    wanted = {
        name
        for table, name, _, _, partial, cid, column, *_ in indexes
        if (partial or _unnamed(cid, column)) and table not in BOOKKEEPING_TABLES
    }
    parts: dict[str, tuple[Any, ...]] = {}
    for kind, name, _, sql in objects:
        if kind == "index" and name in wanted and sql is not None:
            try:
                parts[name] = tuple(parse_create_index(sql))
            except SchemavetError as e:
                raise DatabaseError(f'Cannot read the definition of index "{name}": {e}') from e
    return parts


def _unnamed(cid: int, column: str | None) -> bool:
    """True for an index key that is no column by name: an expression, or the rowid."""
    return cid == _EXPRESSION_CID or column is None


def build_schema(catalog: Catalog) -> Schema:
    """The model of what a catalog read says, as SQLite reports it."""
    objects = _sort_objects(catalog)
    ddl = {name: _declared_of(catalog.declared.get(name)) for name in objects.tables}
    columns = _columns(catalog.columns)
    foreign_keys = _foreign_keys(catalog.foreign_keys, ddl)
    indexes, uniques, autoindexed = _indexes(catalog.indexes, catalog.index_parts, objects.index_sql, ddl)
    triggers = _triggers(objects.triggers)
    tables = {
        name: _table(
            name,
            ddl[name],
            columns[name],
            foreign_keys[name],
            indexes[name],
            uniques[name],
            name in autoindexed,
            triggers.pop(fold(name), {}),
        )
        for name in objects.tables
    }
    tables.update(_virtual_tables(objects.virtual, triggers))
    views = {name: _view(name, sql, triggers.pop(fold(name), {})) for name, sql in objects.views.items()}
    return Schema("sqlite", {MAIN: Namespace(MAIN, tables, views)})


def _sort_objects(catalog: Catalog) -> _Objects:
    objects = _Objects()
    rows = [row for row in catalog.objects if row[1] not in BOOKKEEPING_TABLES]
    shadow = _shadow_tables(rows, catalog.shadow)
    for kind, name, table, sql in rows:
        if table in BOOKKEEPING_TABLES or name in shadow:
            continue
        if kind == "table" and _is_virtual(sql):
            objects.virtual[name] = sql  # type: ignore[assignment]
        elif kind == "table":
            objects.tables[name] = sql  # type: ignore[assignment]
        elif kind == "index" and sql is not None:
            objects.index_sql[name] = sql
        elif kind == "view":
            objects.views[name] = sql  # type: ignore[assignment]
        elif kind == "trigger":
            objects.triggers.append((name, table, sql))  # type: ignore[arg-type]
    return objects


def _shadow_tables(rows: list[Any], reported: list[str]) -> frozenset[str]:
    """Tables a virtual table keeps its data in (FTS5's ``x_data`` …): not the app's schema.

    SQLite names them ``<virtual table>_<suffix>``; pragma_table_list (3.37+) says so too,
    but only when the virtual table's module is loaded, so the naming rule decides.
    """
    prefixes = tuple(fold(name) + "_" for kind, name, _, sql in rows if kind == "table" and _is_virtual(sql))
    by_name = {
        fold(name) for kind, name, _, sql in rows if kind == "table" and fold(name).startswith(prefixes)
    }
    by_name |= {fold(name) for name in reported}
    return frozenset(name for kind, name, _, _ in rows if fold(name) in by_name)


def _is_virtual(sql: str | None) -> bool:
    return bool(sql) and sql.upper().startswith("CREATE VIRTUAL")  # type: ignore[union-attr]


def _declared_of(facts: tuple[Any, ...] | None) -> Declared:
    return Declared._make(facts) if facts is not None else NOTHING_DECLARED


def _columns(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The column rows by table, each still led by its table's name (the query lists a table's
    rows together; a table met twice is still one)."""
    columns: dict[str, list[Any]] = defaultdict(list)
    for table, group in groupby(rows, itemgetter(0)):
        columns[table] += group
    return columns


def _column(row: tuple[Any, ...], ddl: Declared) -> Column:
    _, name, declared_type, notnull, default, _pk, hidden = row
    if not ddl.collations and not ddl.generated:  # most columns: the PRAGMA row says it all
        return Column(name, declared_type, not notnull, default)
    key = fold(name)
    generated = None
    if hidden in (2, 3) and key in ddl.generated:
        generated = Generated(ddl.generated[key], stored=hidden == 3)
    return Column(name, declared_type, not notnull, default, ddl.collations.get(key), generated)


def _primary_key(rows: list[Any], ddl: Declared, autoindexed: bool) -> PrimaryKey | None:
    key = tuple(row[1] for row in sorted((r for r in rows if r[5]), key=lambda r: r[5]))
    if not key:
        return None
    name, autoincrement, on_conflict = ddl.primary_key or (None, False, None)
    rowid_alias = not ddl.without_rowid and len(key) == 1 and not autoindexed
    return PrimaryKey(key, name=name, options=key_options_of(autoincrement, rowid_alias, on_conflict))


def _foreign_keys(fk_rows: list[tuple[Any, ...]], ddl: dict[str, Declared]) -> dict[str, list[ForeignKey]]:
    grouped: dict[str, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for table, fk_id, *row in fk_rows:
        grouped[table][fk_id].append(row)
    result: dict[str, list[ForeignKey]] = {}
    for table, by_id in grouped.items():
        if table in ddl:
            # PRAGMA ids count from the last declared key: in declaration order, the highest first
            keys = [_reported(by_id[fk_id]) for fk_id in sorted(by_id, reverse=True)]
            result[table] = [
                _foreign_key(key, declared) for key, declared in _matched(keys, ddl[table].foreign_keys)
            ]
    return defaultdict(list, result)


def _reported(rows: list[Any]) -> tuple[Any, ...]:
    """(columns, target, target columns, on delete, on update) of one PRAGMA key."""
    target, _, _, on_update, on_delete = rows[0]
    columns = tuple(row[1] for row in rows)
    ref_columns = tuple(row[2] for row in rows) if rows[0][2] is not None else ()
    return columns, target, ref_columns, on_delete, on_update


def _identity(reported: tuple[Any, ...]) -> tuple[Any, ...]:
    columns, target, ref_columns, on_delete, on_update = reported
    return tuple(map(fold, columns)), fold(target), tuple(map(fold, ref_columns)), on_delete, on_update


def _matched(
    keys: list[tuple[Any, ...]], declared: list[tuple[Any, ...]]
) -> list[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
    """Each PRAGMA key with its declared key (None when the text said nothing beyond it).

    The declared keys are all of them, in declaration order, whenever the text is read: pair
    them by position, so keys alike in everything the PRAGMA says keep their own name and
    deferrability. Should the two ever disagree, a key takes the first declared one that
    agrees with all the PRAGMA says.
    """
    identities = [_identity(key) for key in keys]
    if len(declared) == len(keys) and all(d[:5] == i for d, i in zip(declared, identities, strict=True)):
        return list(zip(keys, declared, strict=True))
    return [
        (key, next((d for d in declared if d[:5] == i), None))
        for key, i in zip(keys, identities, strict=True)
    ]


def _foreign_key(reported: tuple[Any, ...], declared: tuple[Any, ...] | None) -> ForeignKey:
    columns, target, ref_columns, on_delete, on_update = reported
    deferrable, name = declared[5:] if declared is not None else (NOT_DEFERRABLE, None)
    return ForeignKey(
        columns=columns,
        ref_table=target,
        ref_columns=ref_columns,
        on_delete=on_delete,
        on_update=on_update,
        deferrable=deferrable,
        name=name,
    )


@dataclass
class _IndexRows:
    unique: bool
    origin: str
    partial: bool
    keys: list[tuple[int, str | None, int, str]] = field(default_factory=list)


def _indexes(
    index_rows: list[tuple[Any, ...]],
    index_parts: dict[str, tuple[Any, ...]],
    index_sql: dict[str, str],
    ddl: dict[str, Declared],
) -> tuple[dict[str, dict[str, Index]], dict[str, list[tuple[str, ...]]], set[str]]:
    """Each table's indexes, the columns of its UNIQUE constraints, and the tables whose
    primary key has an index of its own (so is no rowid alias)."""
    grouped: dict[str, dict[str, _IndexRows]] = defaultdict(dict)
    for table, name, unique, origin, partial, cid, column, desc, coll in index_rows:
        of_table = grouped[table]
        rows = of_table.get(name)
        if rows is None:  # an index's first key (not made again for each of its keys)
            rows = of_table[name] = _IndexRows(bool(unique), origin, bool(partial))
        rows.keys.append((cid, column, desc, coll))
    indexes: dict[str, dict[str, Index]] = defaultdict(dict)
    uniques: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    autoindexed: set[str] = set()
    for table, by_name in grouped.items():
        if table not in ddl:
            continue
        for name, rows in by_name.items():
            if rows.origin == _ORIGIN_PK:
                autoindexed.add(table)
            elif rows.origin == _ORIGIN_UNIQUE:
                uniques[table].append(tuple(str(key[1]) for key in rows.keys))
            elif name in index_sql:
                parts = IndexParts._make(index_parts[name]) if name in index_parts else None
                indexes[table][name] = _index(name, rows, parts, ddl[table].collations)
    return indexes, uniques, autoindexed


def _index(name: str, rows: _IndexRows, parts: IndexParts | None, collations: dict[str, str]) -> Index:
    """Key terms as text: an expression as written, or a column with its order and collation.

    Only an index with an expression or a WHERE clause has ``parts`` (its SQL, parsed); the
    PRAGMAs say everything about the others.
    """
    terms = []
    for position, (cid, column, desc, coll) in enumerate(rows.keys):
        if _unnamed(cid, column):
            assert parts is not None
            terms.append(parts.terms[position])
            continue
        assert column is not None
        term = quote_identifier(column)
        # with no collation said or declared, BINARY is the column's own
        if (coll != "BINARY" or collations) and coll.upper() != (
            collations.get(fold(column)) or "BINARY"
        ).upper():
            term += f" COLLATE {coll}"
        terms.append(term + (" DESC" if desc else ""))
    where = parts.where if parts is not None else None
    return Index(name=name, columns=tuple(terms), unique=rows.unique, where=where)


def _triggers(rows: list[tuple[str, str, str]]) -> dict[str, dict[str, Trigger]]:
    triggers: dict[str, dict[str, Trigger]] = defaultdict(dict)
    for name, table, sql in rows:
        # a trigger names its table in its own spelling; SQLite matches it case-insensitively
        triggers[fold(table)][name] = Trigger(name=name, definition=trigger_definition(sql))
    return triggers


def _table(
    name: str,
    ddl: Declared,
    rows: list[Any],
    foreign_keys: list[ForeignKey],
    indexes: dict[str, Index],
    uniques: list[tuple[str, ...]],
    autoindexed: bool,
    triggers: dict[str, Trigger],
) -> Table:
    return Table(
        name=name,
        columns={row[1]: _column(row, ddl) for row in rows if row[6] != 1},
        primary_key=_primary_key(rows, ddl, autoindexed),
        foreign_keys=tuple(foreign_keys),
        uniques=tuple(_unique(columns, ddl) for columns in uniques),
        checks=tuple(Check(expression, check_name) for check_name, expression in ddl.checks),
        indexes=indexes,
        triggers=triggers,
        options=table_options_of(ddl.without_rowid, ddl.strict),
    )


def _unique(columns: tuple[str, ...], ddl: Declared) -> Unique:
    """A UNIQUE constraint SQLite reports, with the name and conflict clause its DDL gives."""
    name, on_conflict = ddl.uniques.get(tuple(fold(c) for c in columns), (None, None))
    return Unique(columns, name, unique_options_of(on_conflict))


def _virtual_tables(virtual: dict[str, str], triggers: dict[str, dict[str, Trigger]]) -> dict[str, Table]:
    return {
        name: Table(
            name=name,
            options=table_options_of(virtual=virtual_module(sql)),
            triggers=triggers.pop(fold(name), {}),
        )
        for name, sql in virtual.items()
    }


def _view(name: str, sql: str, triggers: dict[str, Trigger]) -> View:
    columns, query = view_parts(sql)
    return View(name=name, query=query, columns=columns, triggers=triggers)
