"""Prove foreign-key actions on SQLite by doing them: delete and re-key a parent, watch the child.

For every foreign key the spec declares and each event (DELETE, UPDATE), inside a savepoint
that is rolled back afterwards: insert a parent row and a child row that references it (see
``rows.py``), run the event on the parent with ``PRAGMA foreign_keys = ON``, and look at the
child. A refusal is told apart as RESTRICT (at once) or NO ACTION (at the end of the
statement) by running the event again with the parent's key put back right after it changes
(``refusals.py``): NO ACTION then lets the statement through, RESTRICT does not.

Every statement on a parent table is compiled with the actions of every table its deletes
and updates can reach, which on a large schema costs far more than running it; so probes run
grouped by parent table, each group's statements compiled once, and rows are only deleted
where a query has found some.

Only ever run on a scratch database: :func:`prove_copy` builds one in memory from a live
database's schema, :func:`prove_in_place` takes one that is already scratch (``check``'s).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
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
from schemavet.dialects.sqlite.expressions import fold
from schemavet.dialects.sqlite.inspect import inspect_sqlite
from schemavet.dialects.sqlite.normalize import canonical_default
from schemavet.dialects.sqlite.options import key_options, table_options
from schemavet.dialects.sqlite.refusals import Refusals
from schemavet.dialects.sqlite.rows import RowMaker, Unprovable, Values, ref_columns
from schemavet.dialects.sqlite.scratch import copy_schema
from schemavet.dialects.sqlite.values import sql_literal
from schemavet.errors import DatabaseError
from schemavet.model import ForeignKey, Schema, Table
from schemavet.sql.tokens import KEYWORDS, quote_identifier, tokenize

_FK_FAILED = "FOREIGN KEY constraint failed"
_PROBE, _NEW_KEY, _EVENT = "schemavet_probe", "schemavet_new_key", "schemavet_event"
_REMOVE_CHILD = "schemavet_remove_child"
# probes insert into every table on a parent's chains: keep their statements compiled
_CACHED_STATEMENTS = 1024


def prove_copy(database: str, expected: Schema) -> list[Outcome]:
    """Outcomes for ``expected``'s foreign keys, probed in an empty in-memory copy of ``database``."""
    conn = copy_schema(database, cached_statements=_CACHED_STATEMENTS)
    return _prove_on(conn, expected, f'an empty copy of "{database}"')


def prove_in_place(path: str, expected: Schema) -> list[Outcome]:
    """Outcomes probed in the scratch database at ``path``; every probe is rolled back."""
    conn = sqlite3.connect(path, isolation_level=None, cached_statements=_CACHED_STATEMENTS)
    # a scratch database: nothing here needs to survive a crash
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA journal_mode = MEMORY")
    return _prove_on(conn, expected, f'the scratch database "{path}"')


def _prove_on(conn: sqlite3.Connection, expected: Schema, where: str) -> list[Outcome]:
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        return prove(conn, expected)
    except sqlite3.Error as e:
        raise DatabaseError(f"Cannot probe foreign keys in {where}: {e}") from e
    finally:
        conn.close()


def prove(conn: sqlite3.Connection, expected: Schema) -> list[Outcome]:
    """Probe every foreign key of the (normalized) ``expected`` schema on ``conn``."""
    actual = inspect_sqlite(conn)
    tables = {fold(name): t for ns in actual.namespaces.values() for name, t in ns.tables.items()}
    maker = RowMaker(conn, tables)
    plan = [
        (table, fk)
        for ns in expected.namespaces.values()
        for key, table in sorted(ns.tables.items())
        for fk in table.foreign_keys
        if _present(tables, key, fk)
    ]
    context = _Context(conn, maker, trigger_targets(conn), _refusals(conn, maker, plan))
    order = sorted(range(len(plan)), key=lambda i: fold(plan[i][1].ref_table))
    found = {i: _probe(context, *plan[i]) for i in order}
    return [outcome for i in range(len(plan)) for outcome in found[i]]


def _refusals(conn: sqlite3.Connection, maker: RowMaker, plan: list[tuple[Table, ForeignKey]]) -> Refusals:
    """The triggers that tell RESTRICT from NO ACTION, for every parent and key of the plan."""
    refusals = Refusals(conn)
    for _, fk in plan:
        parent = maker.table(fk.ref_table)
        try:
            refusals.prepare(parent, _refs(fk, parent))
        except Unprovable:  # the probe says why
            continue
    return refusals


def _present(tables: dict[str, Table], child: str, fk: ForeignKey) -> bool:
    """True when the database has the tables and columns the key names (else the diff says so)."""
    if child not in tables or fk.ref_table not in tables:
        return False
    child_columns = {fold(c) for c in tables[child].columns}
    parent_columns = {fold(c) for c in tables[fk.ref_table].columns}
    return set(fk.columns) <= child_columns and set(fk.ref_columns) <= parent_columns


def trigger_targets(conn: sqlite3.Connection) -> frozenset[str]:
    """The tables some trigger inserts into or updates (folded names): where rows may appear."""
    targets = set()
    for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"):
        tokens = tokenize(sql)
        for i, token in enumerate(tokens[:-1]):
            if token.is_word("INTO", "UPDATE"):
                following = [t for t in tokens[i + 1 : i + 4] if t.kind in ("word", "quoted")]
                names = [t for t in following if t.kind == "quoted" or t.upper not in KEYWORDS]
                if names:
                    targets.add(fold(names[0].name))
    return frozenset(targets)


@dataclass
class _Context:
    """What every probe shares: the connection, the row maker, the tables triggers write into."""

    conn: sqlite3.Connection
    maker: RowMaker
    written: frozenset[str]
    refusals: Refusals


def _probe(context: _Context, table: Table, fk: ForeignKey) -> list[Outcome]:
    """The outcome of each event on ``fk``: the rows are set up once, each event rolled back."""
    conn = context.conn
    conn.execute(f"SAVEPOINT {_PROBE}")
    context.maker.inserted.clear()
    try:
        try:
            rows = _Probe(context, table.name, fk, DELETE).set_up()
        except Unprovable as e:
            return [Outcome(table.name, fk, event, frozenset(), str(e), proven=False) for event in EVENTS]
        return [_event(context, table, fk, event, rows) for event in EVENTS]
    finally:
        conn.execute(f"ROLLBACK TO {_PROBE}")
        conn.execute(f"RELEASE {_PROBE}")


def _event(context: _Context, table: Table, fk: ForeignKey, event: str, rows: _Rows) -> Outcome:
    try:
        behaved_as, observed = _Probe(context, table.name, fk, event).run(rows)
        return Outcome(table.name, fk, event, behaved_as, observed)
    except Unprovable as e:
        return Outcome(table.name, fk, event, frozenset(), str(e), proven=False)


@dataclass(frozen=True)
class _Rows:
    """The rows a probe set up: the parent row and key, the child's locator, the defaults, the new key."""

    parent: Values
    key: tuple[Any, ...]
    locator: list[tuple[str, Any]]
    defaults: tuple[Any, ...] | None
    # when the child can only be told by its whole content: the table's rows before the event
    content: list[tuple[Any, ...]] | None = None
    new_key: tuple[Any, ...] | None = None  # an UPDATE's


class _Probe:
    """One event on one foreign key."""

    def __init__(self, context: _Context, child: str, fk: ForeignKey, event: str) -> None:
        self.conn, self.maker, self.fk, self.event = context.conn, context.maker, fk, event
        self.written, self.refusals = context.written, context.refusals
        self.child = self.maker.table(child)
        self.parent = self.maker.table(fk.ref_table)
        self.columns = tuple(fk.columns)
        self.refs = _refs(fk, self.parent)

    def run(self, rows: _Rows) -> tuple[frozenset[str], str]:
        """What the event did to the ``rows`` set up, as the actions that explain it and a sentence."""
        self.conn.execute(f"SAVEPOINT {_NEW_KEY}")  # a new key may need rows of its own (its parent)
        try:
            if self.event == UPDATE:
                rows = replace(rows, new_key=self._free_key(rows.parent))
            return self._run_event(rows)
        finally:
            self.conn.execute(f"ROLLBACK TO {_NEW_KEY}")
            self.conn.execute(f"RELEASE {_NEW_KEY}")

    def _run_event(self, rows: _Rows) -> tuple[frozenset[str], str]:
        before = self._violations()
        sql, params = self._statement(rows)
        self.conn.execute(f"SAVEPOINT {_EVENT}")
        try:
            error = _run(self.conn, sql, params)
            if error is None:
                return self._observe(rows, before)
            self.conn.execute(f"ROLLBACK TO {_EVENT}")
            return self._refusal(rows, sql, params, error)
        finally:
            self.conn.execute(f"ROLLBACK TO {_EVENT}")
            self.conn.execute(f"RELEASE {_EVENT}")

    # --- setting up -------------------------------------------------------------------------

    def set_up(self) -> _Rows:
        """Insert the parent row and a child row that refers to it, and no other row that does."""
        parent = self.maker.insert(self.parent.name, {}, self.refs)
        key = tuple(parent[r] for r in self.refs)
        defaults = self._defaults()
        if defaults is not None and None not in defaults and not _same(defaults, key):
            # SET DEFAULT needs a parent row for the default key, or the action itself fails
            self._try_insert_parent(dict(zip(self.refs, defaults, strict=True)))
        child = self.maker.insert(self.child.name, dict(zip(self.columns, key, strict=True)))
        rowid = self.conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        locator = self._locator(child, rowid)
        rows = _Rows(parent, key, locator, defaults, self._content(locator))
        self._isolate(rows, parent)
        return rows

    def _isolate(self, rows: _Rows, parent: Values) -> None:
        """Delete every other row that references the parent (a trigger's rollup row, say).

        Left in place, such a row's own foreign key would answer for the one under proof.
        """
        filled = self.maker.inserted | self.written  # only these tables can hold such a row
        for table, fk in self.maker.referencing(self.parent.name):
            if fold(table.name) not in filled:
                continue
            key = [parent.get(r) for r in ref_columns(self.maker, fk)]
            if None in key:
                continue
            match = " AND ".join(f"{quote_identifier(c)} = ?" for c in fk.columns)
            params = list(key)
            if table is self.child:
                match += " AND NOT (" + " AND ".join(f"{c} IS ?" for c, _ in rows.locator) + ")"
                params += [v for _, v in rows.locator]
            if table is self.parent:
                match += f" AND NOT ({self._key_match()})"
                params += list(rows.key)
            _delete_found(self.conn, table, match, params)

    def _try_insert_parent(self, fixed: Values) -> None:
        self.conn.execute("SAVEPOINT schemavet_default")
        try:
            self.maker.insert(self.parent.name, fixed, self.refs)
        except Unprovable:
            self.conn.execute("ROLLBACK TO schemavet_default")
        self.conn.execute("RELEASE schemavet_default")

    def _free_key(self, parent: Values) -> tuple[Any, ...]:
        """A new key for the parent row that no row holds and the parent's constraints accept."""
        others = {c: v for c, v in parent.items() if c not in self.refs}
        avoid = {r: parent[r] for r in self.refs}
        values = self.maker.solve(self.parent, others, self.refs, avoid=avoid)
        return tuple(values[r] for r in self.refs)

    def _defaults(self) -> tuple[Any, ...] | None:
        """The child key columns' defaults, evaluated; None when one cannot be evaluated."""
        values: list[Any] = []
        for column in self.columns:
            default = canonical_default(_column(self.child, column).default)
            if default is None:
                values.append(None)
                continue
            try:
                values.append(self.conn.execute(f"SELECT ({default})").fetchone()[0])
            except sqlite3.Error:
                return None
        return tuple(values)

    def _locator(self, child: Values, rowid: int) -> list[tuple[str, Any]]:
        """How to find the child row again after the event: its rowid, or its other columns."""
        pk = self.child.primary_key
        alias = fold(pk.columns[0]) if pk is not None and key_options(pk).rowid_alias else None
        if not table_options(self.child).without_rowid and alias not in self.columns:
            return [("rowid", rowid)]
        others = [(c, v) for c, v in child.items() if c not in self.columns and v is not None]
        if not others:  # only the key: the row is its whole content
            return [(quote_identifier(c), v) for c, v in child.items()]
        return [(quote_identifier(c), v) for c, v in others]

    def _content(self, locator: list[tuple[str, Any]]) -> list[tuple[Any, ...]] | None:
        """The child table's rows, when the locator is the child's whole content (else None)."""
        if {c for c, _ in locator} >= {quote_identifier(c) for c in self.columns}:
            names = ", ".join(c for c, _ in locator)
            return [
                tuple(r)
                for r in self.conn.execute(f"SELECT {names} FROM {quote_identifier(self.child.name)}")
            ]
        return None

    # --- the event --------------------------------------------------------------------------

    def _key_match(self) -> str:
        return " AND ".join(f"{quote_identifier(r)} = ?" for r in self.refs)

    def _statement(self, rows: _Rows) -> tuple[str, list[Any]]:
        parent = quote_identifier(self.parent.name)
        if self.event == DELETE:
            return f"DELETE FROM {parent} WHERE {self._key_match()}", list(rows.key)
        assert rows.new_key is not None
        assignments = ", ".join(f"{quote_identifier(r)} = ?" for r in self.refs)
        return f"UPDATE {parent} SET {assignments} WHERE {self._key_match()}", [*rows.new_key, *rows.key]

    def _violations(self) -> int:
        sql = "SELECT count(*) FROM pragma_foreign_key_check(?) WHERE lower(parent) = ?"
        return int(self.conn.execute(sql, (self.child.name, fold(self.parent.name))).fetchone()[0])

    # --- what happened ----------------------------------------------------------------------

    def _observe(self, rows: _Rows, violations_before: int) -> tuple[frozenset[str], str]:
        if self._parent_unchanged(rows):
            return frozenset(), f"the {self.event} statement left the parent row as it was (a trigger?)"
        found = self._child_key(rows)
        if found is None:
            behaved = frozenset({CASCADE}) if self.event == DELETE else frozenset()
            return behaved, "the child row was deleted"
        if _same(found, rows.key):
            if self._violations() > violations_before:
                deferred = "the child row kept the old key, a violation deferred to COMMIT"
                return frozenset({NO_ACTION}), deferred
            return frozenset(), "the child row kept the old key; nothing refused it"
        return self._changed(rows, found)

    def _changed(self, rows: _Rows, found: tuple[Any, ...]) -> tuple[frozenset[str], str]:
        shown = ", ".join(sql_literal(v) for v in found)
        if all(v is None for v in found):
            null_default = rows.defaults is not None and all(v is None for v in rows.defaults)
            behaved = {SET_NULL, SET_DEFAULT} if null_default else {SET_NULL}
            return frozenset(behaved), "the child key was set to NULL"
        if rows.defaults is not None and _same(found, rows.defaults):
            return frozenset({SET_DEFAULT}), f"the child key was set to its default ({shown})"
        if rows.new_key is not None and _same(found, rows.new_key):
            return frozenset({CASCADE}), "the child key followed the parent's new key"
        return frozenset(), f"the child key became ({shown})"

    def _parent_unchanged(self, rows: _Rows) -> bool:
        sql = f"SELECT count(*) FROM {quote_identifier(self.parent.name)} WHERE {self._key_match()}"
        return bool(self.conn.execute(sql, list(rows.key)).fetchone()[0])

    def _child_key(self, rows: _Rows) -> tuple[Any, ...] | None:
        if rows.content is not None:
            return self._child_key_by_content(rows, rows.content)
        names = ", ".join(quote_identifier(c) for c in self.columns)
        where = " AND ".join(f"{column} IS ?" for column, _ in rows.locator)
        sql = f"SELECT {names} FROM {quote_identifier(self.child.name)} WHERE {where}"
        row = self.conn.execute(sql, [v for _, v in rows.locator]).fetchone()
        return tuple(row) if row is not None else None

    def _child_key_by_content(self, rows: _Rows, before: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
        """The child's key found by comparing the table's rows before and after the event."""
        names = [c for c, _ in rows.locator]
        where = " AND ".join(f"{c} IS ?" for c in names)
        table = quote_identifier(self.child.name)
        if self.conn.execute(f"SELECT 1 FROM {table} WHERE {where}", [v for _, v in rows.locator]).fetchone():
            return rows.key
        after = [tuple(r) for r in self.conn.execute(f"SELECT {', '.join(names)} FROM {table}")]
        added = [r for r in after if r not in before]
        if not added:
            return None
        if len(added) == 1:
            positions = [names.index(quote_identifier(c)) for c in self.columns]
            return tuple(added[0][i] for i in positions)
        raise Unprovable(f'the "{self.child.name}" row could not be told apart from others after the event')

    def _refusal(self, rows: _Rows, sql: str, params: list[Any], error: str) -> tuple[frozenset[str], str]:
        verb = self.event.lower()
        if _FK_FAILED not in error:
            return frozenset(), f"the {verb} was refused: {error}"
        # RESTRICT refuses as the parent row changes, NO ACTION only at the end of the statement:
        # undo the change right after it is made, and only NO ACTION lets the statement through
        second = self._run_again(rows, sql, params)
        if second is None:
            return frozenset({NO_ACTION}), f"the {verb} was refused at the end of the statement"
        if _FK_FAILED in second:
            return frozenset({RESTRICT}), f"the {verb} was refused as soon as the parent row changed"
        return frozenset({RESTRICT, NO_ACTION}), f"the {verb} was refused ({second})"

    def _run_again(self, rows: _Rows, sql: str, params: list[Any]) -> str | None:
        """Run the refused event again, the parent's key put back (or the child removed) right after."""
        if self.refusals.arm(self.parent, self.refs, self.event):
            second = _run(self.conn, sql, params)
            if second is None or _FK_FAILED in second:
                return second
            # putting the key back was refused itself (a trigger on the parent, say)
            self.conn.execute(f"ROLLBACK TO {_EVENT}")
        return self._run_removing_child(rows, sql, params)

    def _run_removing_child(self, rows: _Rows, sql: str, params: list[Any]) -> str | None:
        """Run the event with a trigger that removes the child row right after the parent changes.

        A trigger made here changes the schema, which costs a reread of it at the rollback: only
        for the rare probe whose parent key cannot be put back.
        """
        where = " AND ".join(f"{column} IS {sql_literal(v)}" for column, v in rows.locator)
        self.conn.execute(
            f"CREATE TEMP TRIGGER {_REMOVE_CHILD} AFTER {self.event} "
            f"ON main.{quote_identifier(self.parent.name)} "
            f"BEGIN DELETE FROM {quote_identifier(self.child.name)} WHERE {where}; END"
        )
        return _run(self.conn, sql, params)


def _run(conn: sqlite3.Connection, sql: str, params: list[Any]) -> str | None:
    """Run one statement; the error's text if SQLite refused it."""
    try:
        conn.execute(sql, params)
    except sqlite3.Error as e:
        return str(e)
    return None


def _delete_found(conn: sqlite3.Connection, table: Table, match: str, params: list[Any]) -> None:
    """Delete the rows of ``table`` that ``match``, if a query finds any.

    Only a row found is deleted: compiling a DELETE costs the actions of every table it can
    reach, and on most probes there is nothing to delete.
    """
    name = quote_identifier(table.name)
    if conn.execute(f"SELECT 1 FROM {name} WHERE {match} LIMIT 1", params).fetchone() is not None:
        _run(conn, f"DELETE FROM {name} WHERE {match}", params)


def _refs(fk: ForeignKey, parent: Table) -> tuple[str, ...]:
    if fk.ref_columns:
        return tuple(fk.ref_columns)
    if parent.primary_key is None:
        raise Unprovable(f'"{parent.name}" has no primary key for the foreign key to refer to')
    return tuple(fold(c) for c in parent.primary_key.columns)


def _column(table: Table, key: str) -> Any:
    return next(c for name, c in table.columns.items() if fold(name) == key)


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Equal keys, allowing for affinity (the text '7' in one column, the integer 7 in another)."""
    if len(a) != len(b):
        return False
    return all(x == y or (x is not None and str(x) == str(y)) for x, y in zip(a, b, strict=True))
