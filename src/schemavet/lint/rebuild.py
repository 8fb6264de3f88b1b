"""Table rebuilds: the SQLite way to change what ALTER TABLE cannot.

Two spellings are recognised: create a new table, copy, ``DROP TABLE old``, ``ALTER TABLE new
RENAME TO old`` (the one SQLite's documentation gives); and ``ALTER TABLE old RENAME TO
old_tmp``, ``CREATE TABLE old``, copy, ``DROP TABLE old_tmp``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemavet.lint.names import identifier, table_name
from schemavet.lint.sql import created_table, dropped, is_command, renames
from schemavet.lint.statements import ParsedStatement

if TYPE_CHECKING:
    from schemavet.lint.context import FileContext
    from schemavet.lint.state import TableState


@dataclass(frozen=True)
class Rebuild:
    """One rebuild: ``table`` ends up replaced by ``copy``; ``source`` is what was dropped."""

    table: str
    source: str
    copy: str
    drop: ParsedStatement


def find_rebuilds(statements: list[ParsedStatement]) -> list[Rebuild]:
    """Every rebuild in a file's statements, in order."""
    found = []
    for index, statement in enumerate(statements):
        for name in dropped(statement, "TABLE"):
            rebuild = _renamed_in(name, statement, statements[index + 1 :]) or _renamed_away(
                name, statement, statements[:index]
            )
            if rebuild is not None:
                found.append(rebuild)
    return found


def rebuilt_tables(ctx: FileContext) -> Iterator[tuple[Rebuild, TableState, TableState]]:
    """Each rebuild of a file whose old table (as dropped) and new table (after the file) the
    replay knows, with both."""
    for rebuild in find_rebuilds(ctx.statements):
        old = ctx.dropped_tables.get(ctx.key(rebuild.source))
        new = ctx.scratch.table(rebuild.table) if ctx.scratch is not None else None
        if old is not None and new is not None:
            yield rebuild, old, new


def _renamed_in(name: str, drop: ParsedStatement, later: list[ParsedStatement]) -> Rebuild | None:
    for statement in later:
        for old, new in renames(statement):
            if drop.key(new) == drop.key(name):
                return Rebuild(new, name, old, drop)
    return None


def _renamed_away(name: str, drop: ParsedStatement, earlier: list[ParsedStatement]) -> Rebuild | None:
    for index, statement in enumerate(earlier):
        for old, new in renames(statement):
            recreated = any(drop.key(created_table(s) or "") == drop.key(old) for s in earlier[index + 1 :])
            if drop.key(new) == drop.key(name) and recreated:
                return Rebuild(old, name, old, drop)
    return None


def is_rebuild_drop(statement: ParsedStatement, statements: list[ParsedStatement]) -> bool:
    """True when this DROP TABLE is the drop step of a rebuild."""
    return any(r.drop is statement for r in find_rebuilds(statements))


def copy_statement(statements: list[ParsedStatement], rebuild: Rebuild) -> ParsedStatement | None:
    """The INSERT … SELECT that copies the rebuild's old table into its new one, before the drop."""
    from sqlglot import exp

    for statement in statements:
        if statement is rebuild.drop:
            return None
        if not is_command(statement, "INSERT", "REPLACE"):
            continue
        tree = statement.expression
        if (
            isinstance(tree, exp.Insert)
            and statement.key(_target(tree)) == statement.key(rebuild.copy)
            and _reads(tree, rebuild)
        ):
            return statement
    return None


def _target(tree: Any) -> str:
    return table_name(tree.this)


def _reads(tree: Any, rebuild: Rebuild) -> bool:
    from sqlglot import exp

    return (
        any(
            rebuild.drop.key(t.name) == rebuild.drop.key(rebuild.source)
            for t in tree.expression.find_all(exp.Table)
        )
        if tree.expression is not None
        else False
    )


def targets_and_sources(
    copy: ParsedStatement, old_columns: tuple[str, ...], new_columns: tuple[str, ...]
) -> list[tuple[str, str | None]]:
    """Each target column of the copy with the old table's column it is filled from by position
    (None when its value is an expression, not a bare column)."""
    from sqlglot import exp

    tree = copy.expression
    assert isinstance(tree, exp.Insert)
    select = tree.expression
    if not isinstance(select, exp.Select):
        return []
    targets = (
        [copy.key(identifier(c)) for c in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
    )
    targets = targets or list(new_columns)
    sources: list[str | None] = []
    for expression in select.expressions:
        if isinstance(expression, exp.Star):
            sources += list(old_columns)
        elif isinstance(expression, exp.Column) and isinstance(expression.this, exp.Star):
            sources += list(old_columns)  # old.*
        elif isinstance(expression, exp.Column):
            sources.append(copy.key(identifier(expression.this)))
        else:
            sources.append(None)  # an expression, or a column under an alias: written on purpose
    return list(zip(targets, sources, strict=False))
