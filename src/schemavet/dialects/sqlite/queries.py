"""Catalog queries: set-based joins of ``sqlite_master`` with the ``pragma_*`` functions.

One query per kind of object for the whole database; identifiers reach the pragmas as bound
values, never as SQL text. Per-table PRAGMA loops and correlated subqueries grow badly with
the number of tables.
"""

# Tables whose PRAGMAs can be read: not SQLite's own, not virtual (their module may be missing).
_REAL_TABLES = (
    "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
)

OBJECTS = (
    "SELECT type, name, tbl_name, sql FROM sqlite_master "
    "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
)

# lower() folds ASCII letters only, as SQLite folds names
_OBJECTS_OF = (
    "SELECT type, name, tbl_name, sql FROM sqlite_master "
    "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "AND (lower(tbl_name) IN ({marks}) OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%')) "
    "ORDER BY rowid"
)


def objects_of(count: int) -> str:
    """OBJECTS of the tables and views whose ``count`` folded names are bound as values, and
    every virtual table."""
    return _OBJECTS_OF.format(marks=", ".join(["?"] * count))


SHADOW_TABLES = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'"

# {tables}: which tables, as ``m``; {real}: the condition that they are real ones, if needed
_COLUMNS = (
    'SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden '
    "FROM {tables} JOIN pragma_table_xinfo(m.name) AS p "
    "WHERE {real} ORDER BY m.name, p.cid"
)

_FOREIGN_KEYS = (
    'SELECT m.name, f.id, f."table", f."from", f."to", f.on_update, f.on_delete '
    "FROM {tables} JOIN pragma_foreign_key_list(m.name) AS f "
    "WHERE {real} ORDER BY m.name, f.id, f.seq"
)

_INDEXES = (
    'SELECT m.name, il.name, il."unique", il.origin, il.partial, ix.cid, ix.name, ix."desc", ix.coll '
    "FROM {tables} JOIN pragma_index_list(m.name) AS il "
    "JOIN pragma_index_xinfo(il.name) AS ix "
    "WHERE {real} AND ix.key = 1 ORDER BY m.name, il.name, ix.seqno"
)

COLUMNS, FOREIGN_KEYS, INDEXES = (
    query.format(tables="sqlite_master AS m", real=_REAL_TABLES)
    for query in (_COLUMNS, _FOREIGN_KEYS, _INDEXES)
)


def of_tables(count: int) -> tuple[str, str, str]:
    """COLUMNS, FOREIGN_KEYS and INDEXES of ``count`` real tables whose names are bound as
    values: no scan of ``sqlite_master``."""
    values = ", ".join(["(?)"] * count)
    tables = f"(SELECT column1 AS name FROM (VALUES {values})) AS m"
    columns, foreign_keys, indexes = (
        query.format(tables=tables, real="1") for query in (_COLUMNS, _FOREIGN_KEYS, _INDEXES)
    )
    return columns, foreign_keys, indexes
