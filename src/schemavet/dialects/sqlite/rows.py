"""Insert rows that a table's constraints accept: NOT NULL, CHECK, UNIQUE, types, foreign keys.

Used by the foreign-key proofs to build a parent and a child row. Each column gets NULL where
it may, a fresh value otherwise; the columns a CHECK reads are searched over candidate values,
each candidate judged by SQLite itself (``SELECT (check) FROM (SELECT ? AS col, …)``); a
foreign key that must be set gets a parent row inserted first, recursively. What cannot be
satisfied raises :class:`Unprovable` with the reason, never a guess.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from schemavet.dialects.sqlite.expressions import fold
from schemavet.dialects.sqlite.options import key_options
from schemavet.dialects.sqlite.values import Fresh, affinity, candidates, literals
from schemavet.model import Column, ForeignKey, Table
from schemavet.sql.tokens import quote_identifier, tokenize

MAX_DEPTH = 64
_MAX_TRIES = 4000  # candidate combinations per CHECK

Values = dict[str, Any]  # folded column name -> value


class Unprovable(Exception):
    """A row the schema's constraints would not let the probe build; the message says why."""


@dataclass(frozen=True)
class _Check:
    expression: str
    columns: tuple[str, ...]  # folded names of the columns it reads
    literals: tuple[Any, ...]  # the values it mentions (see ``values.literals``)


@dataclass(frozen=True)
class _Shape:
    """What a row of one table needs, worked out once per table (probes insert thousands)."""

    columns: dict[str, Column]  # the columns a row can be given values for, by folded name
    every_column: dict[str, Column]  # generated ones too
    checks: list[_Check]
    self_keys: set[str]  # the columns of its foreign keys to itself
    unique_sets: list[tuple[str, ...]]  # folded columns its rows must not share all of

    @classmethod
    def of(cls, table: Table) -> _Shape:
        """The shape of ``table``."""
        every = {fold(name): c for name, c in table.columns.items()}
        columns = {key: c for key, c in every.items() if c.generated is None}
        checks, keys = _checks(table, columns), _self_reference_columns(table)
        return cls(columns, every, checks, keys, _unique_sets(table, every))

    def column(self, table: Table, key: str) -> Column:
        """The column ``key`` (folded) of ``table``."""
        column = self.every_column.get(key)
        if column is None:
            raise Unprovable(f'column "{key}" does not exist in table "{table.name}"')
        return column


class RowMaker:
    """Builds rows in the ``main`` database of a writable connection."""

    def __init__(self, conn: sqlite3.Connection, tables: dict[str, Table]) -> None:
        self.conn = conn
        self.tables = tables  # keyed by folded name, as the database states them
        self.fresh = Fresh()
        self._rooting = False
        self._path: list[str] = []  # the tables whose rows wait for this one (cycle detection)
        self._referencing: dict[str, list[tuple[Table, ForeignKey]]] | None = None
        self._shapes: dict[str, _Shape] = {}
        self.inserted: set[str] = set()  # folded names of the tables rows were inserted into

    def referencing(self, name: str) -> list[tuple[Table, ForeignKey]]:
        """Every (table, foreign key) that refers to the table called ``name``."""
        if self._referencing is None:
            self._referencing = {}
            for table in self.tables.values():
                for fk in table.foreign_keys:
                    self._referencing.setdefault(fold(fk.ref_table), []).append((table, fk))
        return self._referencing.get(fold(name), [])

    def shape(self, table: Table) -> _Shape:
        """The (cached) shape of ``table``."""
        key = fold(table.name)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape.of(table)
        return shape

    def table(self, name: str) -> Table:
        """The table called ``name`` (any case)."""
        table = self.tables.get(fold(name))
        if table is None:
            raise Unprovable(f'table "{name}" does not exist in the database')
        return table

    def insert(self, name: str, fixed: Values, required: tuple[str, ...] = (), depth: int = 0) -> Values:
        """Insert a row with the ``fixed`` values (and values for ``required`` columns); its values."""
        table = self.table(name)
        if depth > MAX_DEPTH:
            raise Unprovable(
                f'the chain of NOT NULL foreign keys above "{name}" is over {MAX_DEPTH} tables long'
            )
        if fold(name) in self._path and not self._rooting:
            cycle = " -> ".join([*self._path[self._path.index(fold(name)) :], fold(name)])
            raise Unprovable(f"NOT NULL foreign keys form a cycle ({cycle}): no row can be inserted first")
        self._path.append(fold(name))
        try:
            return self._insert_twice(table, fixed, required, depth)
        finally:
            self._path.pop()

    def _insert_twice(self, table: Table, fixed: Values, required: tuple[str, ...], depth: int) -> Values:
        try:
            return self._insert(table, fixed, required, depth)
        except Unprovable:
            if self.fresh.dates:
                raise
        self.fresh.dates = True  # a second try with dates for text, as triggers often want
        try:
            return self._insert(table, fixed, required, depth)
        finally:
            self.fresh.dates = False

    def _insert(self, table: Table, fixed: Values, required: tuple[str, ...], depth: int) -> Values:
        values = self.solve(table, fixed, required, depth)
        self._execute_insert(table, values)
        return values

    def solve(
        self,
        table: Table,
        fixed: Values,
        required: tuple[str, ...] = (),
        depth: int = 0,
        avoid: Values | None = None,
    ) -> Values:
        """Values for a new row of ``table`` that its CHECKs accept, parents inserted as needed.

        ``avoid`` holds values some columns must not take (the key a new key must differ from).
        """
        shape = self.shape(table)
        values = {fold(k): v for k, v in fixed.items()}
        self._fill_parents(table, values, required, depth)
        in_checks = {c for check in shape.checks for c in check.columns}
        for key, column in shape.columns.items():
            if key not in values and key not in in_checks and key not in shape.self_keys:
                needed = key in required or not column.nullable or _is_rowid_alias(table, key)
                values[key] = self.fresh.value(affinity(column.type)) if needed else None
        given = set(values)
        self._satisfy_checks(table, shape, values, required, avoid or {})
        self._self_references(table, values, depth)
        if given != set(values) and self._collides(table, shape, values):
            # the root row a key to the table itself needed took the values the CHECKs gave
            # this row first (both rows were solved alike): solve them again beside it
            for key in set(values) - given - shape.self_keys:
                del values[key]
            self._satisfy_checks(table, shape, values, required, avoid or {})
        self._unshared(table, shape, values, {fold(k) for k in fixed})
        return values

    def _unshared(self, table: Table, shape: _Shape, values: Values, fixed: set[str]) -> None:
        """A UNIQUE set another row already holds through its columns' DEFAULTs gets a fresh
        value in one column left to its default (and read by no CHECK)."""
        in_checks = {c for check in shape.checks for c in check.columns}
        for columns in shape.unique_sets:
            if not self._collides(table, replace(shape, unique_sets=[columns]), values):
                continue
            free = [c for c in columns if values.get(c) is None and c not in fixed and c not in in_checks]
            if free and free[0] in shape.columns:
                values[free[0]] = self.fresh.value(affinity(shape.columns[free[0]].type))

    def _satisfy_checks(
        self, table: Table, shape: _Shape, values: Values, required: tuple[str, ...], avoid: Values
    ) -> None:
        for check in sorted(shape.checks, key=lambda c: len([x for x in c.columns if x not in values])):
            self._satisfy(table, shape.columns, check, values, shape.checks, required, avoid)

    def _collides(self, table: Table, shape: _Shape, values: Values, among: set[str] | None = None) -> bool:
        """True when a row of ``table`` holds ``values`` in every column of a UNIQUE set (one
        that has a column in ``among``, when given)."""
        for columns in shape.unique_sets:
            if among is not None and among.isdisjoint(columns):
                continue
            stored = [self._stored(shape.every_column[c], values.get(c)) for c in columns]
            if any(value is None for value in stored):
                continue  # NULLs are distinct, and a set not all known yet cannot collide
            where = " AND ".join(f"{quote_identifier(shape.every_column[c].name)} = ?" for c in columns)
            sql = f"SELECT 1 FROM {quote_identifier(table.name)} WHERE {where} LIMIT 1"
            try:
                if self.conn.execute(sql, stored).fetchone() is not None:
                    return True
            except sqlite3.Error:
                return False  # the INSERT will say what is wrong
        return False

    def _stored(self, column: Column, value: Any) -> Any:
        """What a row gets in ``column`` for ``value``: a value left out (None) takes the
        column's DEFAULT; None when that is NULL or not a constant SQLite can tell here."""
        if value is not None or column.default is None:
            return value
        try:
            return self.conn.execute(f"SELECT {column.default}").fetchone()[0]
        except sqlite3.Error:
            return None

    def _fill_parents(self, table: Table, values: Values, required: tuple[str, ...], depth: int) -> None:
        """Insert a parent row for every foreign key whose columns may not all be NULL."""
        shape = self.shape(table)
        for fk in table.foreign_keys:
            columns = [fold(c) for c in fk.columns]
            if fold(fk.ref_table) == fold(table.name) or all(c in values for c in columns):
                continue
            nullable = all(
                shape.column(table, c).nullable and c not in required and not _is_rowid_alias(table, c)
                for c in columns
                if c not in values
            )
            if nullable and not any(values.get(c) is not None for c in columns):
                continue
            refs = ref_columns(self, fk)
            parent_fixed = {r: values[c] for c, r in zip(columns, refs, strict=True) if c in values}
            parent = self.insert(fk.ref_table, parent_fixed, refs, depth + 1)
            for column, ref in zip(columns, refs, strict=True):
                values[column] = parent[ref]

    def _satisfy(
        self,
        table: Table,
        columns: dict[str, Column],
        check: _Check,
        values: Values,
        checks: list[_Check],
        required: tuple[str, ...],
        avoid: Values,
    ) -> None:
        open_columns = [c for c in check.columns if c not in values]
        mentioned = [v for c in checks if set(c.columns) & set(check.columns) for v in c.literals]
        options = [
            candidates(
                affinity(columns[c].type), columns[c].nullable and c not in required, self.fresh, mentioned
            )
            for c in open_columns
        ]
        for combination in itertools.islice(itertools.product(*options), _MAX_TRIES):
            trial = {**values, **dict(zip(open_columns, combination, strict=True))}
            if any(c in avoid and trial[c] == avoid[c] for c in open_columns):
                continue
            if self._holds(check, trial) and not self._collides(
                table, self.shape(table), trial, set(open_columns)
            ):
                values.update(trial)
                return
        raise Unprovable(
            f"no values tried for {', '.join(open_columns) or 'its columns'} satisfy "
            f'CHECK ({check.expression}) of "{table.name}"'
        )

    def _holds(self, check: _Check, values: Values) -> bool:
        """True when SQLite finds the CHECK true or NULL (which a CHECK accepts) for ``values``."""
        select = ", ".join(f"? AS {quote_identifier(c)}" for c in check.columns) or "NULL AS _"
        # NOT NOT reads the result as a CHECK does (numerically); NULL passes a CHECK
        sql = f"SELECT coalesce(NOT NOT ({check.expression}), 1) FROM (SELECT {select})"
        try:
            row = self.conn.execute(sql, [values.get(c) for c in check.columns]).fetchone()
        except sqlite3.Error:
            return False
        return bool(row[0])

    def _self_references(self, table: Table, values: Values, depth: int) -> None:
        """A NOT NULL foreign key to the row's own table points at a root row made for it.

        The root row points at itself; pointing the row under proof at itself instead would
        make its own reference answer for the key under proof.
        """
        for fk in table.foreign_keys:
            columns = [fold(c) for c in fk.columns]
            if fold(fk.ref_table) != fold(table.name) or all(c in values for c in columns):
                continue
            if all(self.shape(table).column(table, c).nullable for c in columns):
                values.update({c: None for c in columns if c not in values})
                continue
            refs = ref_columns(self, fk)
            if depth > 0 and self._rooting:
                root = values  # this row is the root: it points at itself
            else:
                self._rooting = True
                try:
                    root = self.insert(table.name, {}, refs, depth + 1)
                finally:
                    self._rooting = False
            for column, ref in zip(columns, refs, strict=True):
                values.setdefault(column, root[ref])

    def _execute_insert(self, table: Table, values: Values) -> None:
        given = {k: v for k, v in values.items() if v is not None}
        target = quote_identifier(table.name)
        if given:
            shape = self.shape(table)
            names = ", ".join(quote_identifier(shape.column(table, k).name) for k in given)
            marks = ", ".join("?" for _ in given)
            sql = f"INSERT INTO {target} ({names}) VALUES ({marks})"
        else:
            sql = f"INSERT INTO {target} DEFAULT VALUES"
        try:
            self.conn.execute(sql, list(given.values()))
        except sqlite3.Error as e:
            raise Unprovable(f'inserting a row into "{table.name}" failed: {e}') from e
        self.inserted.add(fold(table.name))


def _checks(table: Table, columns: dict[str, Column]) -> list[_Check]:
    """The CHECKs to solve; one that reads a generated column is left to the INSERT to judge."""
    generated = {fold(name) for name, c in table.columns.items() if c.generated is not None}
    checks = []
    for check in table.checks:
        names = {fold(t.name) for t in tokenize(check.expression) if t.kind in ("word", "quoted", "string")}
        if names & generated:
            continue
        reads = tuple(c for c in columns if c in names)
        checks.append(_Check(check.expression, reads, tuple(literals(check.expression))))
    return checks


def _is_rowid_alias(table: Table, key: str) -> bool:
    pk = table.primary_key
    return bool(pk and key_options(pk).rowid_alias and fold(pk.columns[0]) == key)


def ref_columns(maker: RowMaker, fk: ForeignKey) -> tuple[str, ...]:
    """The referenced columns, folded: as written, or the parent's primary key."""
    if fk.ref_columns:
        return tuple(fold(c) for c in fk.ref_columns)
    parent = maker.table(fk.ref_table)
    if parent.primary_key is None:
        raise Unprovable(f'"{fk.ref_table}" has no primary key for a foreign key to refer to')
    return tuple(fold(c) for c in parent.primary_key.columns)


def _unique_sets(table: Table, columns: dict[str, Column]) -> list[tuple[str, ...]]:
    """The column sets (folded) of the table's primary key, UNIQUE constraints and unique
    indexes on plain columns without WHERE: no two rows hold the same values in all of one."""
    sets = [table.primary_key.columns] if table.primary_key else []
    sets += [unique.columns for unique in table.uniques]
    sets += [index.columns for index in table.indexes.values() if index.unique and index.where is None]
    found = []
    for names in sets:
        keys = tuple(fold(name) for name in names)
        if keys and all(key in columns for key in keys) and keys not in found:
            found.append(keys)
    return found


def _self_reference_columns(table: Table) -> set[str]:
    """The columns of the table's foreign keys to itself."""
    return {
        fold(c) for fk in table.foreign_keys if fold(fk.ref_table) == fold(table.name) for c in fk.columns
    }
