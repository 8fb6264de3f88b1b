"""Whether turning foreign keys on would change what the pending migrations do.

The rehearsal applies the migrations with foreign keys off, as ``apply`` does, and tells apart
what they would have done with foreign keys on. Turned on, they change what a statement does
only through a foreign key: actions and restrictions when rows of a table others refer to are
deleted (DELETE, DROP TABLE, REPLACE, an upsert) or their keys updated, and a refusal when a
row written to a table with a foreign key refers to nothing. A migration with none of these
does the same either way. One that only writes rows of tables with foreign keys (INSERT, or an
UPDATE of their foreign-key columns) does the same unless such a row refers to nothing once the
statement is done: told by ``foreign_key_check`` of those tables right after that migration,
when nothing later in it writes those tables or their parents (which could hide it). Triggers,
a ``PRAGMA foreign_keys``, a foreign key added in place or an index dropped: the migration may
behave otherwise. The statements are read by :mod:`schemavet.dialects.sqlite.reach`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from schemavet.dialects.sqlite.names import fold
from schemavet.dialects.sqlite.reach import (
    Catalog,
    Effects,
    TableFacts,
    Unknown,
    Write,
    migration_statements,
    statement_effects,
    statement_tokens,
    table_at,
    write_deletes,
)
from schemavet.sql.tokens import Token


@dataclass(frozen=True)
class ForeignKeyPlan:
    """For one migration: ``differs`` (it may behave otherwise with foreign keys on), or the
    tables it writes rows of that have foreign keys, as (statement index, name then)."""

    differs: bool
    children: tuple[tuple[int, str], ...] = ()
    effects: tuple[Effects, ...] = ()


def foreign_key_plans(migrations: list[Any], catalog: Catalog) -> list[ForeignKeyPlan] | None:
    """One plan per migration; None when any statement cannot be read."""
    try:
        statements = [migration_statements(m) for m in migrations]
        tokens = [[statement_tokens(s) for s in listed] for listed in statements]
        effects = [[statement_effects(t) for t in listed] for listed in tokens]
    except Unknown:
        return None
    referred = {p for facts in catalog.tables.values() for p in facts.parents}
    referred |= {name for listed in tokens for t in listed for name in _referenced_names(t)}
    children = {name for name, facts in catalog.tables.items() if facts.parents}
    children |= {e.lineage[0][1] for listed in effects for e in listed if _creates_child(e)}
    # a table renamed keeps its foreign keys, and those referring to it follow it to its new name;
    # what the catalog says of a name a table is created or renamed to is not said of that table
    renames = [(a, b) for listed in effects for e in listed for kind, a, b in e.lineage if kind == "rename"]
    referred, children = _following(referred, renames), _following(children, renames)
    made = {b if kind == "rename" else a for listed in effects for e in listed for kind, a, b in e.lineage}
    known = Catalog({n: f for n, f in catalog.tables.items() if n not in made}, catalog.indexes)
    return [_plan(listed, known, referred, children) for listed in effects]


def _following(names: set[str], renames: list[tuple[str, str]]) -> set[str]:
    """``names`` and every name one of them is renamed to, however many renames away."""
    found = set(names)
    while True:
        more = {b for a, b in renames if a in found and b not in found}
        if not more:
            return found
        found |= more


def _creates_child(effects: Effects) -> bool:
    return bool(effects.lineage) and effects.lineage[0][0] in ("create", "maybe") and effects.child


def _referenced_names(tokens: list[Token]) -> set[str]:
    names = set()
    for i, token in enumerate(tokens):
        if token.is_word("REFERENCES") and i + 1 < len(tokens):
            names.add(table_at(tokens, i + 1)[0])
    return names


def _plan(listed: list[Effects], catalog: Catalog, referred: set[str], children: set[str]) -> ForeignKeyPlan:
    inserted: list[tuple[int, str]] = []
    for i, e in enumerate(listed):
        if e.foreign_key_pragma or e.triggers or e.references or e.dropped_indexes:
            return ForeignKeyPlan(True)
        if any(kind == "drop" and a in referred for kind, a, _ in e.lineage):
            return ForeignKeyPlan(True)
        for write in e.writes:
            facts = catalog.tables.get(write.table)
            if facts is not None and facts.trigger_names:
                return ForeignKeyPlan(True)
            deletes = write.deletes or (facts is not None and write_deletes(write, facts))
            if write.table in referred and (deletes or facts is None):
                return ForeignKeyPlan(True)
            if write.table in children and _may_refer_anew(write, facts, deletes):
                inserted.append((i, write.table))
    return ForeignKeyPlan(False, tuple(inserted), tuple(listed))


def _may_refer_anew(write: Write, facts: TableFacts | None, deletes: bool) -> bool:
    """True unless the write cannot put a value in a foreign-key column: a DELETE, or an UPDATE
    of other columns (in a table without generated columns, which an UPDATE of any may change)."""
    if write.kind == "delete":
        return False
    if write.kind == "update" and not deletes and facts is not None and not facts.generated:
        return bool(write.sets & facts.foreign_key_columns)
    return True


def children_written(conn: sqlite3.Connection, plan: ForeignKeyPlan) -> dict[str, frozenset[str]] | None:
    """The tables with a foreign key that the migration of ``plan`` wrote rows of, as named once
    it is done (the database ``conn`` is open on, right after it), each with the tables it
    refers to; None when a later statement of the migration could hide a row of one of them that
    refers to nothing (or drops the table): then whether foreign keys on refuse it is not told."""
    written: dict[str, frozenset[str]] = {}
    for index, table in plan.children:
        names = _followed(table, plan.effects[index + 1 :])
        if names is None:
            return None
        parents = frozenset(fold(str(r[0])) for r in conn.execute(_PARENTS, (names[-1],)))
        if not _left_alone(set(names), parents, plan.effects[index + 1 :]):
            return None
        written[names[-1]] = parents
    return written


def refers_to_nothing(conn: sqlite3.Connection, table: str) -> bool:
    """True when a row of ``table`` refers to nothing, or that cannot be told (an error)."""
    from schemavet.dialects.sqlite.keycheck import foreign_key_violations

    try:
        return bool(foreign_key_violations(conn, table))
    except sqlite3.Error:  # foreign key mismatch, a table gone
        return True


_PARENTS = 'SELECT "table" FROM pragma_foreign_key_list(?)'


def _followed(table: str, later: tuple[Effects, ...]) -> list[str] | None:
    """The names ``table`` has through the ``later`` statements, the last one at the end (None
    once dropped)."""
    names = [table]
    for e in later:
        for kind, a, b in e.lineage:
            if a == names[-1] and kind == "rename":
                names.append(b)
            elif a == names[-1]:
                return None
    return names


def _left_alone(own: set[str], parents: frozenset[str], later: tuple[Effects, ...]) -> bool:
    """True when no ``later`` statement can hide a row of the table (named ``own`` on the way)
    that refers to nothing: none writes its parents, or its rows other than by a plain INSERT,
    or creates, drops or renames a parent."""
    for e in later:
        if any(n in parents for _, a, b in e.lineage for n in (a, b)):
            return False
        for write in e.writes:
            plain_insert = write.kind == "insert" and not write.deletes
            if write.table in parents or (write.table in own and not plain_insert):
                return False
    return True
