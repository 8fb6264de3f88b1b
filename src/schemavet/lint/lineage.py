"""Where a table's rows came from, followed through one file's statements.

A table that existed before the file holds rows that may exist nowhere else; it keeps that
status when it is renamed. A table created in the file holds only what was copied into it
(``CREATE TABLE … AS SELECT``, ``INSERT INTO … SELECT``): dropping it loses rows only when a
table they were copied from is gone by then. The drop step of a rebuild hands the dropped
table's status to the table that replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemavet.lint.names import table_name
from schemavet.lint.rebuild import find_rebuilds
from schemavet.lint.sql import created_table, dropped, renames
from schemavet.lint.statements import ParsedStatement


@dataclass
class _Table:
    original: int | None = None  # identity of the pre-existing table whose rows it holds
    sources: set[int] = field(default_factory=set)  # pre-existing tables its rows were copied from


def loses_rows(
    table: str,
    drop: ParsedStatement,
    statements: list[ParsedStatement],
    tables_before: frozenset[str],
) -> bool:
    """True when dropping ``table`` at ``drop`` deletes rows that exist nowhere else: it is a
    table that existed before the file (under this name or another, renamed in the file), or
    rows of such a table were copied into it and that table has since been dropped."""
    state = {drop.key(name): _Table(original=number) for number, name in enumerate(sorted(tables_before))}
    rebuild_drops = {id(r.drop): r for r in find_rebuilds(statements)}
    for statement in statements:
        if statement is drop:
            break
        _apply(statement, state, rebuild_drops)
    entry = state.get(drop.key(table))
    if entry is None:
        return False
    if entry.original is not None:
        return True
    alive = {t.original for t in state.values() if t.original is not None}
    return bool(entry.sources - alive)


def _apply(statement: ParsedStatement, state: dict[str, _Table], rebuild_drops: dict[int, Any]) -> None:
    words = statement.words
    if not words or words[0] not in ("CREATE", "INSERT", "REPLACE", "ALTER", "DROP", "WITH"):
        return
    rebuild = rebuild_drops.get(id(statement))
    for name in dropped(statement, "TABLE"):
        gone = state.pop(statement.key(name), None)
        if rebuild is not None and gone is not None and statement.key(rebuild.source) == statement.key(name):
            copy = state.get(statement.key(rebuild.copy))
            if copy is not None and gone.original is not None:
                copy.original = gone.original  # the rebuilt table holds the real rows now
    for old, new in renames(statement):
        moved = state.pop(statement.key(old), None)
        if moved is not None:
            state[statement.key(new)] = moved
    created = created_table(statement)
    if created is not None:
        state[statement.key(created)] = _Table(sources=_copied_from(statement, state))
        return
    if words[0] in ("INSERT", "REPLACE", "WITH"):
        target = _insert_target(statement)
        entry = state.get(statement.key(target)) if target else None
        if entry is not None:
            entry.sources |= _copied_from(statement, state)


def _insert_target(statement: ParsedStatement) -> str:
    from sqlglot import exp

    tree = statement.expression
    return table_name(tree.this) if isinstance(tree, exp.Insert) else ""


def _copied_from(statement: ParsedStatement, state: dict[str, _Table]) -> set[int]:
    """The pre-existing tables whose rows the statement's query reads (directly or through
    tables that hold copies of them)."""
    from sqlglot import exp

    tree = statement.expression
    if not isinstance(tree, exp.Create | exp.Insert):
        return set()
    target = tree.this
    found: set[int] = set()
    for node in tree.find_all(exp.Table):
        if node is target or node.find_ancestor(exp.Schema) is target or node.parent is target:
            continue
        entry = state.get(statement.key(table_name(node)))
        if entry is None:
            continue
        if entry.original is not None:
            found.add(entry.original)
        found |= entry.sources
    return found
