"""Foreign-key actions proven on PostgreSQL by doing them, in ``check``'s scratch database.

For every foreign key the spec declares, and for each event (DELETE, UPDATE of the key): a
parent row and a child row referencing it are inserted (with the rows those need in turn),
the event is done to the parent, and the child row is looked at again. Each probe runs in a
transaction that is rolled back, so probes do not see each other. RESTRICT and NO ACTION
differ only for a deferrable key (NO ACTION waits for the commit): a non-deferrable one that
refuses the event behaves as both.

It runs only in a scratch database: a probe writes (and takes sequence values), so it is never
run on the database ``verify`` inspects.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from schemavet.compare.actions import (
    CASCADE,
    DELETE,
    EVENTS,
    NO_ACTION,
    RESTRICT,
    SET_DEFAULT,
    SET_NULL,
    UPDATE,
    Outcome,
)
from schemavet.dialects.postgres.connect import connect
from schemavet.model import ForeignKey, Schema, Table

# Every user column: what a row needs to be inserted.
_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.atthasdef, a.attidentity, a.attgenerated, t.typtype, a.atttypid,
       coalesce(bt.typtype, t.typtype), coalesce(t.typbasetype, 0)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY n.nspname, c.relname, a.attnum
"""
_ENUM_LABELS = 'SELECT enumtypid, min(enumlabel COLLATE "C") FROM pg_catalog.pg_enum GROUP BY enumtypid'
_STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = '10s'"
_DEPTH = 8  # parent rows inserted in a chain before a probe gives up


@dataclass(frozen=True)
class _Column:
    name: str
    type: str
    not_null: bool
    has_default: bool
    identity: str
    generated: str
    enum: int | None

    @property
    def must_be_given(self) -> bool:
        """NOT NULL with nothing that fills it by itself."""
        return self.not_null and not self.has_default and not self.identity and not self.generated

    @property
    def writable(self) -> bool:
        """A value may be given (a generated column, or an ALWAYS identity, takes none)."""
        return not self.generated and self.identity != "a"


@dataclass
class _Prober:
    conn: Any
    columns: dict[tuple[str, str], list[_Column]]
    enum_labels: dict[int, str]
    tables: dict[tuple[str, str], Table]  # the spec's tables by (schema, name)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def value(self, column: _Column) -> tuple[str, list[Any]]:
        """SQL for a fresh value of the column's type, and its parameters."""
        n = next(self.counter)
        if column.enum is not None:
            return "%s::" + column.type, [self.enum_labels[column.enum]]
        return _typed_value(column.type, n)

    def insert(self, schema: str, table: str, fixed: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        """Insert a row with ``fixed`` values (filling what else it needs, parent rows first for
        the foreign keys it must fill); the row as stored."""
        if depth > _DEPTH:
            raise _Unproven(f'the foreign keys from "{table}" reach too deep to fill (a cycle?)')
        required = {c.name for c in self.columns.get((schema, table), []) if c.must_be_given}
        fixed = dict(fixed)
        spec_table = self.tables.get((schema, table))
        for fk in spec_table.foreign_keys if spec_table is not None else ():
            if set(fk.columns) & required and not set(fk.columns) & set(fixed):
                parent = self.insert(fk.ref_schema or schema, fk.ref_table, {}, depth + 1)
                fixed.update({c: parent[r] for c, r in zip(fk.columns, fk.ref_columns, strict=True)})
        values: dict[str, tuple[str, list[Any]]] = {c: ("%s", [v]) for c, v in fixed.items()}
        for column in self.columns.get((schema, table), []):
            if column.name not in values and column.must_be_given:
                values[column.name] = self.value(column)
        names = ", ".join(_q(c) for c in values)
        terms = ", ".join(sql for sql, _ in values.values())
        params = [p for _, ps in values.values() for p in ps]
        target = f"{_q(schema)}.{_q(table)}"
        sql = (
            f"INSERT INTO {target} ({names}) VALUES ({terms}) RETURNING *"
            if values
            else (f"INSERT INTO {target} DEFAULT VALUES RETURNING *")
        )
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        return dict(zip([d.name for d in cursor.description], row, strict=True))


def prove_in_place(url: str, expected: Schema) -> list[Outcome]:
    """Prove every declared action of ``expected`` in the scratch database at ``url``."""
    with connect(url) as conn:
        prober = _prober(conn, expected)
        return [
            _probe(prober, namespace.name, table.name, fk, event)
            for namespace in expected.namespaces.values()
            for table in namespace.tables.values()
            for fk in table.foreign_keys
            for event in EVENTS
        ]


def _prober(conn: Any, expected: Schema) -> _Prober:
    columns: dict[tuple[str, str], list[_Column]] = {}
    for row in conn.execute(_COLUMNS):
        schema, table, name, type_, not_null, has_default, identity, generated, typtype = row[:9]
        enum = row[9] if row[10] == "e" else None
        if typtype == "d" and row[10] == "e":
            enum = None  # a domain over an enum: its base type's labels are not looked up here
        columns.setdefault((schema, table), []).append(
            _Column(name, type_, not_null, has_default, identity, generated, enum)
        )
    labels = {oid: label for oid, label in conn.execute(_ENUM_LABELS)}
    tables = {(ns.name, t.name): t for ns in expected.namespaces.values() for t in ns.tables.values()}
    return _Prober(conn, columns, labels, tables)


def _probe(prober: _Prober, schema: str, table: str, fk: ForeignKey, event: str) -> Outcome:
    conn = prober.conn
    conn.execute("BEGIN")
    try:
        conn.execute(_STATEMENT_TIMEOUT)
        return _run_probe(prober, schema, table, fk, event)
    except _Unproven as e:
        return Outcome(table, fk, event, frozenset(), str(e), proven=False)
    finally:
        conn.execute("ROLLBACK")


class _Unproven(Exception):
    """The probe could not be set up; the message says why."""


def _run_probe(prober: _Prober, schema: str, table: str, fk: ForeignKey, event: str) -> Outcome:
    parent_schema = fk.ref_schema or schema
    refs = fk.ref_columns
    parent = _guarded(prober, "the parent row", lambda: prober.insert(parent_schema, fk.ref_table, {}))
    key = {c: parent[r] for c, r in zip(fk.columns, refs, strict=True)}
    child = _guarded(prober, "the child row", lambda: prober.insert(schema, table, key))
    find = _finder(prober, schema, table, child, fk)
    before = find()
    error = _do(prober, parent_schema, fk.ref_table, refs, parent, event)
    if error is not None:
        return _refused(fk, table, event, error)
    after = find()
    defaults_null = not any(
        c.has_default for c in prober.columns.get((schema, table), []) if c.name in fk.columns
    )
    return _judged(table, fk, event, before, after, defaults_null)


def _guarded(prober: _Prober, what: str, make: Any) -> dict[str, Any]:
    import psycopg

    prober.conn.execute("SAVEPOINT schemavet_probe_row")
    try:
        row: dict[str, Any] = make()
    except psycopg.Error as e:
        raise _Unproven(f"{what} cannot be inserted: {_first_line(e)}") from e
    prober.conn.execute("RELEASE SAVEPOINT schemavet_probe_row")
    return row


def _do(
    prober: _Prober, schema: str, table: str, refs: tuple[str, ...], row: dict[str, Any], event: str
) -> str | None:
    """Delete the parent row or change its key; the error message when the database refuses."""
    import psycopg

    where = " AND ".join(f"{_q(r)} = %s" for r in refs)
    params = [row[r] for r in refs]
    target = f"{_q(schema)}.{_q(table)}"
    if event == DELETE:
        sql, values = f"DELETE FROM {target} WHERE {where}", params
    else:
        columns = prober.columns.get((schema, table), [])
        new = [_new_key(prober, columns, r) for r in refs]
        sets = ", ".join(f"{_q(r)} = {sql}" for r, (sql, _) in zip(refs, new, strict=True))
        sql, values = f"UPDATE {target} SET {sets} WHERE {where}", [p for _, ps in new for p in ps] + params
    prober.conn.execute("SAVEPOINT schemavet_probe_event")
    try:
        prober.conn.execute(sql, values)
    except psycopg.Error as e:
        prober.conn.execute("ROLLBACK TO SAVEPOINT schemavet_probe_event")
        return _first_line(e)
    return None


def _new_key(prober: _Prober, columns: list[_Column], name: str) -> tuple[str, list[Any]]:
    column = next((c for c in columns if c.name == name), None)
    if column is None or column.enum is not None:
        raise _Unproven(f'no other value for key column "{name}" can be chosen')
    return prober.value(column)


def _refused(fk: ForeignKey, table: str, event: str, error: str) -> Outcome:
    """The event was refused: RESTRICT or NO ACTION; a deferrable key tells them apart."""
    observed = f"the database refused it ({error})"
    if fk.deferrable.startswith("NOT"):
        return Outcome(table, fk, event, frozenset({RESTRICT, NO_ACTION}), observed)
    return Outcome(table, fk, event, frozenset({RESTRICT}), observed + " even with the check deferred")


def _finder(prober: _Prober, schema: str, table: str, child: dict[str, Any], fk: ForeignKey) -> Any:
    """A function giving the child row's foreign-key columns now (None once the row is gone),
    found by its primary key, else by its other plain columns."""
    spec_table = prober.tables.get((schema, table))
    key = spec_table.primary_key.columns if spec_table is not None and spec_table.primary_key else ()
    if not key or set(key) & set(fk.columns):
        key = tuple(c for c, v in child.items() if c not in fk.columns and isinstance(v, _PLAIN))
    where = " AND ".join(f"{_q(c)} IS NOT DISTINCT FROM %s" for c in key) or "true"
    columns = ", ".join(_q(c) for c in fk.columns)
    sql = f"SELECT {columns} FROM {_q(schema)}.{_q(table)} WHERE {where} LIMIT 1"
    params = [child[c] for c in key]

    def find() -> tuple[Any, ...] | None:
        row = prober.conn.execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    return find


_PLAIN = (str, int, bool, bytes)


def _judged(table: str, fk: ForeignKey, event: str, before: Any, after: Any, defaults_null: bool) -> Outcome:
    if after is None:
        done = frozenset({CASCADE}) if event == DELETE else frozenset()
        return Outcome(table, fk, event, done, "the child row was deleted")
    if all(v is None for v in after):
        done = frozenset({SET_NULL, SET_DEFAULT}) if defaults_null else frozenset({SET_NULL})
        return Outcome(table, fk, event, done, "the child row's key was set to NULL")
    if after != before and event == UPDATE:
        return Outcome(table, fk, event, frozenset({CASCADE}), "the child row followed the new key")
    if after != before:
        return Outcome(
            table, fk, event, frozenset({SET_DEFAULT}), "the child row's key was set to its default"
        )
    return Outcome(table, fk, event, frozenset(), "the child row still references a row that is gone")


def _typed_value(type_: str, n: int) -> tuple[str, list[Any]]:
    base = type_.split("(")[0].split("[")[0].strip()
    if type_.endswith("]"):
        return "'{}'::" + type_, []
    if base in ("smallint", "integer", "bigint", "numeric", "real", "double precision", "money"):
        return "%s::" + type_, [n]
    if base in ("text", "character varying", "character", "name", "citext"):
        return "%s::" + type_, [f"p{n}"]
    if base == "boolean":
        return "true", []
    if base == "uuid":
        return "gen_random_uuid()", []
    if base in ("json", "jsonb"):
        return "%s::" + type_, ["{}"]
    if base.startswith(("timestamp", "date", "time")):
        return "now()::" + type_, []
    if base == "interval":
        return "interval '1 day'", []
    if base == "bytea":
        return "%s::bytea", [b"\x00"]
    if base in ("inet", "cidr"):
        return f"'10.0.0.{n % 250}'::" + base, []
    raise _Unproven(f'no value of type "{type_}" is generated for a probe row')


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
