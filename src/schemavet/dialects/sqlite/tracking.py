"""A database's schema read again after each migration: only the tables and views it touched.

``review`` reads the scratch database's schema after every step. Reading and normalizing the
whole schema each time grows as steps × tables; here a step costs what it touched.

What a table or view reads as is decided by its rows in ``sqlite_master``: its own ``CREATE``
text and those of its indexes and triggers (SQLite rewrites them when a rename reaches them).
The connection keeps the rows of the last reading in a temporary table, and one query finds
the rows that differ, so neither the catalog nor the comparison passes through Python. An
owner whose rows are unchanged is shared with the last reading object for object, and only the
others are inspected. Its normal form also reads the primary keys of the tables its foreign
keys name without columns, so such a table is normalized again when one of those keys
changed. When a virtual table comes or goes (their names decide which tables are their shadow
tables), the whole schema is read again.

A reading equals a whole inspection (``tests/test_review_tracking.py`` compares them at every
step of every review case); the first reading of a tracker is one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from schemavet.dialects.sqlite.expressions import fold
from schemavet.dialects.sqlite.inspect import MAIN, inspect_sqlite
from schemavet.dialects.sqlite.normalize import normalize_sqlite
from schemavet.model import Namespace, Schema, Table, View

_SEEN = "schemavet_seen"  # sqlite_master's rows as of the last reading, in the temp schema
_NOT_OURS = "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"  # SQLite's own objects
_DIFFERENT = (
    "s.type IS NOT m.type OR s.name IS NOT m.name OR s.tbl_name IS NOT m.tbl_name OR s.sql IS NOT m.sql"
)
_CREATE_SEEN = f"CREATE TEMP TABLE IF NOT EXISTS {_SEEN} (id INTEGER PRIMARY KEY, type, name, tbl_name, sql)"
_SEE_ALL = (
    f"INSERT INTO temp.{_SEEN} SELECT rowid, type, name, tbl_name, sql FROM main.sqlite_master AS m "
    f"WHERE {_NOT_OURS}"
)
_NEW_ROWS = (  # rows added or changed since the last reading
    f"SELECT m.rowid, m.type, m.name, m.tbl_name, m.sql FROM main.sqlite_master AS m "
    f"LEFT JOIN temp.{_SEEN} AS s ON s.id = m.rowid WHERE {_NOT_OURS} AND (s.id IS NULL OR {_DIFFERENT})"
)
_OLD_ROWS = (  # rows of the last reading removed or changed since
    f"SELECT s.id, s.type, s.name, s.tbl_name, s.sql FROM temp.{_SEEN} AS s "
    f"LEFT JOIN main.sqlite_master AS m ON m.rowid = s.id WHERE m.rowid IS NULL OR {_DIFFERENT}"
)
_OWNERS = (
    f"SELECT rowid, type, name, tbl_name, sql FROM main.sqlite_master AS m "
    f"WHERE type IN ('table', 'view') AND {_NOT_OURS}"
)

Owner = Table | View


class _Row(NamedTuple):
    rowid: int
    type: str
    name: str
    tbl_name: str
    sql: str | None

    @property
    def owner(self) -> str:
        """The folded name of the table or view the row belongs to."""
        return fold(self.tbl_name)

    @property
    def virtual(self) -> bool:
        """True for a virtual table's row."""
        return self.type == "table" and bool(self.sql) and str(self.sql).upper().startswith("CREATE VIRTUAL")


class _Entry(NamedTuple):
    name: str
    owner: str  # folded


class _Order:
    """The tables' and views' own rows, in the order a whole inspection lists them: by rowid,
    virtual tables after the other tables, then the views. A row SQLite adds has a rowid above
    every row there, so keeping the order is appending to it."""

    def __init__(self, rows: list[_Row]) -> None:
        self.kinds: dict[str, dict[int, _Entry]] = {"table": {}, "virtual": {}, "view": {}}
        self.update([], rows)

    def update(self, old_rows: list[_Row], new_rows: list[_Row]) -> None:
        """Take ``old_rows`` out and put ``new_rows`` in; a row changed in place keeps its place."""
        kept = {row.rowid for row in new_rows}
        for row in old_rows:
            if row.rowid not in kept:
                for entries in self.kinds.values():
                    entries.pop(row.rowid, None)
        for row in sorted(new_rows):
            self._put(row)

    def _put(self, row: _Row) -> None:
        kind = "virtual" if row.virtual else row.type
        for other, entries in self.kinds.items():
            if other != kind:
                entries.pop(row.rowid, None)
        if kind not in self.kinds:
            return
        entries = self.kinds[kind]
        last = next(reversed(entries), None)
        entries[row.rowid] = _Entry(row.name, row.owner)
        if last is not None and row.rowid < last and len(entries) > 1:  # a rowid reused: keep them sorted
            self.kinds[kind] = dict(sorted(entries.items()))

    def entries(self) -> Iterator[_Entry]:
        """Every entry, in order."""
        for entries in self.kinds.values():
            yield from entries.values()


@dataclass(frozen=True)
class Reading:
    """One reading of a schema: as inspected, normalized, and what it says about its tables."""

    raw: Schema
    normal: Schema
    version: int  # PRAGMA schema_version
    owners: dict[str, Owner]  # folded name -> table or view as inspected
    referencing: dict[str, frozenset[str]]  # folded table -> the tables with a key to it
    changed: frozenset[str] | None  # the owners read again (None: all of them)


@dataclass
class SchemaTracker:
    """Readings of one connection's ``main`` schema, each reading what changed since the last."""

    conn: sqlite3.Connection
    last: Reading | None = None
    _order: _Order = field(default_factory=lambda: _Order([]))
    _implicit: dict[str, frozenset[str]] = field(default_factory=dict)  # table -> targets without columns

    def read(self) -> Reading:
        """The schema now; the last reading itself when SQLite says nothing changed."""
        version = int(self.conn.execute("PRAGMA schema_version").fetchone()[0])
        if self.last is not None and version == self.last.version:
            return self.last
        if self.last is None:
            self.last = self._read_whole(version)
            return self.last
        new_rows = [_Row(*row) for row in self.conn.execute(_NEW_ROWS)]
        old_rows = [_Row(*row) for row in self.conn.execute(_OLD_ROWS)]
        self._remember(new_rows, old_rows)
        if any(row.virtual for row in (*new_rows, *old_rows)):
            self.last = self._read_whole(version)
        else:
            changed = frozenset(row.owner for row in (*new_rows, *old_rows))
            self.last = self._read_changed(self.last, version, changed)
        return self.last

    def _remember(self, new_rows: list[_Row], old_rows: list[_Row]) -> None:
        """Keep the rows now in ``sqlite_master`` for the next reading."""
        self.conn.executemany(f"DELETE FROM temp.{_SEEN} WHERE id = ?", [(row.rowid,) for row in old_rows])
        self.conn.executemany(f"INSERT INTO temp.{_SEEN} VALUES (?, ?, ?, ?, ?)", new_rows)
        self._order.update(old_rows, new_rows)

    def _read_whole(self, version: int) -> Reading:
        self.conn.execute(_CREATE_SEEN)
        self.conn.execute(f"DELETE FROM temp.{_SEEN}")
        self.conn.execute(_SEE_ALL)
        self._order = _Order([_Row(*row) for row in self.conn.execute(_OWNERS)])
        raw = inspect_sqlite(self.conn)
        owners = _owners_of(_main(raw))
        self._implicit = {key: _implicit_targets(o) for key, o in owners.items() if isinstance(o, Table)}
        return Reading(raw, normalize_sqlite(raw), version, owners, _referencing(owners.values()), None)

    def _read_changed(self, last: Reading, version: int, changed: frozenset[str]) -> Reading:
        fresh = _owners_of(_main(inspect_sqlite(self.conn, only=changed)))
        # the virtual tables come with every partial inspection: only the changed ones are new
        owners = {k: o for k, o in last.owners.items() if k not in changed} | {
            k: o for k, o in fresh.items() if k in changed
        }
        self._note_targets(owners, changed)
        again = self._to_normalize(last.owners, owners, changed)
        normal = _main(normalize_sqlite(_alone(_with_targets(again, owners, self._implicit))))
        raw_ns, normal_ns = self._merged(last, owners, normal, again)
        referencing = _updated_referencing(last, owners, changed)
        return Reading(_schema(raw_ns), _schema(normal_ns), version, owners, referencing, changed)

    def _note_targets(self, owners: dict[str, Owner], changed: frozenset[str]) -> None:
        for key in changed:
            self._implicit.pop(key, None)
            owner = owners.get(key)
            if isinstance(owner, Table):
                self._implicit[key] = _implicit_targets(owner)

    def _to_normalize(
        self, before: dict[str, Owner], after: dict[str, Owner], changed: frozenset[str]
    ) -> frozenset[str]:
        """The changed owners, and the tables whose keys name a table whose primary key changed."""
        moved = {key for key in changed if _key_of(before.get(key)) != _key_of(after.get(key))}
        dependents = {key for key, named in self._implicit.items() if named & moved} if moved else set()
        return changed | dependents

    def _merged(
        self, last: Reading, owners: dict[str, Owner], normal: Namespace, again: frozenset[str]
    ) -> tuple[Namespace, Namespace]:
        """The namespaces as a whole inspection lists them: tables in rowid order, virtual ones
        after the others, then views."""
        old = _main(last.normal)
        raw_tables: dict[str, Table] = {}
        raw_views: dict[str, View] = {}
        normal_tables: dict[str, Table] = {}
        normal_views: dict[str, View] = {}
        for name, key in self._order.entries():
            owner = owners.get(key)
            if owner is None or owner.name != name:  # yoyo's tables, shadow tables
                continue
            source = normal if key in again else old
            if isinstance(owner, Table):
                raw_tables[name], normal_tables[key] = owner, source.tables[key]
            else:
                raw_views[name], normal_views[key] = owner, source.views[key]
        raw = Namespace(MAIN, tables=raw_tables, views=raw_views)
        return raw, Namespace(old.name, tables=normal_tables, views=normal_views)


def _owners_of(namespace: Namespace) -> dict[str, Owner]:
    """The tables and views of ``namespace`` by folded name."""
    owners: dict[str, Owner] = {fold(name): table for name, table in namespace.tables.items()}
    owners.update((fold(name), view) for name, view in namespace.views.items())
    return owners


def _implicit_targets(table: Table) -> frozenset[str]:
    """The tables whose primary key the table's normal form reads (keys written without columns)."""
    return frozenset(fold(fk.ref_table) for fk in table.foreign_keys if not fk.ref_columns)


def _key_of(owner: Owner | None) -> tuple[str, ...] | None:
    if not isinstance(owner, Table):
        return None
    return tuple(fold(c) for c in owner.primary_key.columns) if owner.primary_key else ()


def _with_targets(
    keys: frozenset[str], owners: dict[str, Owner], implicit: dict[str, frozenset[str]]
) -> list[Owner]:
    """The owners of ``keys``, and the tables whose primary keys their normal forms read."""
    needed = {key for key in keys if key in owners}
    needed |= {target for key in needed for target in implicit.get(key, ()) if target in owners}
    return [owners[key] for key in needed]


def _referencing(owners: Any) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for owner in owners:
        if isinstance(owner, Table):
            for fk in owner.foreign_keys:
                found.setdefault(fold(fk.ref_table), set()).add(fold(owner.name))
    return {key: frozenset(children) for key, children in found.items()}


def _updated_referencing(
    last: Reading, owners: dict[str, Owner], changed: frozenset[str]
) -> dict[str, frozenset[str]]:
    """``last.referencing`` with the keys of the changed tables as they are now."""
    referencing = dict(last.referencing)
    for key in changed:
        for parent in _parents(last.owners.get(key)):
            referencing[parent] = referencing.get(parent, frozenset()) - {key}
        for parent in _parents(owners.get(key)):
            referencing[parent] = referencing.get(parent, frozenset()) | {key}
    return {parent: children for parent, children in referencing.items() if children}


def _parents(owner: Owner | None) -> set[str]:
    return {fold(fk.ref_table) for fk in owner.foreign_keys} if isinstance(owner, Table) else set()


def _alone(owners: list[Owner]) -> Schema:
    """A schema of just ``owners``."""
    tables = {o.name: o for o in owners if isinstance(o, Table)}
    views = {o.name: o for o in owners if isinstance(o, View)}
    return _schema(Namespace(MAIN, tables=tables, views=views))


def _main(schema: Schema) -> Namespace:
    return schema.namespaces[MAIN]


def _schema(namespace: Namespace) -> Schema:
    return Schema("sqlite", {MAIN: namespace})
