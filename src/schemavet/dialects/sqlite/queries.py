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

SHADOW_TABLES = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'"

COLUMNS = (
    'SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden '
    "FROM sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS p "
    f"WHERE {_REAL_TABLES} ORDER BY m.name, p.cid"
)

FOREIGN_KEYS = (
    'SELECT m.name, f.id, f."table", f."from", f."to", f.on_update, f.on_delete '
    "FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f "
    f"WHERE {_REAL_TABLES} ORDER BY m.name, f.id, f.seq"
)

INDEXES = (
    'SELECT m.name, il.name, il."unique", il.origin, il.partial, ix.cid, ix.name, ix."desc", ix.coll '
    "FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS il "
    "JOIN pragma_index_xinfo(il.name) AS ix "
    f"WHERE {_REAL_TABLES} AND ix.key = 1 ORDER BY m.name, il.name, ix.seqno"
)
