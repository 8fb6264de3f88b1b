"""SQLite's column language: the core plus conflict clauses, AUTOINCREMENT and ``AS (…)``."""

from __future__ import annotations

from schemavet.errors import SqlSyntaxError
from schemavet.sql.ddl import (
    CORE_HANDLERS,
    ColumnDef,
    Grammar,
    _Cursor,
    conflict_clause,
    default_term,
    generated_expression,
)


def _suffix(cursor: _Cursor, column: ColumnDef, kind: str) -> None:
    """``[ASC|DESC] [ON CONFLICT r] [AUTOINCREMENT]`` after a key; ``ON CONFLICT r`` after the rest."""
    if kind == "primary_key":
        if cursor.at("ASC", "DESC"):
            column.primary_key_desc = cursor.take().upper == "DESC"
        column.primary_key_on_conflict = conflict_clause(cursor)
        if cursor.at("AUTOINCREMENT"):
            cursor.take()
            column.autoincrement = True
    elif kind == "unique":
        column.unique_on_conflict = conflict_clause(cursor)
    else:
        conflict_clause(cursor)


def _default(cursor: _Cursor, column: ColumnDef) -> str:
    """One term; a function call or a ``::`` cast is no SQLite DEFAULT without parentheses."""
    value = default_term(cursor, column)
    following = cursor.peek()
    if following is not None and following.text == "(":
        raise SqlSyntaxError(
            f"SQLite needs parentheses around a DEFAULT expression: DEFAULT ({value}(…)) in {cursor.source!r}"
        )
    if following is not None and following.text.startswith(":"):
        raise SqlSyntaxError(f"SQLite has no '::' casts; write CAST(x AS type) in {cursor.source!r}")
    return value


GRAMMAR = Grammar(
    "SQLite",
    handlers={**CORE_HANDLERS, "AS": generated_expression},
    default=_default,
    suffix=_suffix,
)
