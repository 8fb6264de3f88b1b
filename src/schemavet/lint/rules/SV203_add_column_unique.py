"""SV203: ADD COLUMN … UNIQUE or PRIMARY KEY."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import added_columns, constraint


@register
class SV203AddColumnUnique(Rule):
    """ADD COLUMN … UNIQUE or PRIMARY KEY always fails on SQLite.

    SQLite refuses with "Cannot add a UNIQUE column" (or PRIMARY KEY), even on an empty table.

    **Anti-pattern**::

        ALTER TABLE users ADD COLUMN handle TEXT UNIQUE;

    **Best practice**: add the plain column, then a unique index::

        ALTER TABLE users ADD COLUMN handle TEXT;
        CREATE UNIQUE INDEX ux_users_handle ON users(handle);
    """

    code = "SV203"
    name = "add-column-unique"
    dialects = frozenset({SQLITE})
    hint = "Add the column without UNIQUE, then CREATE UNIQUE INDEX on it."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each added column declared UNIQUE or PRIMARY KEY."""
        from sqlglot import exp

        for table, column in added_columns(ctx.statement):
            for kind, word in (
                (exp.UniqueColumnConstraint, "UNIQUE"),
                (exp.PrimaryKeyColumnConstraint, "PRIMARY KEY"),
            ):
                if constraint(column, kind) is not None:
                    yield self.on(
                        ctx,
                        ctx.statement,
                        f'Column "{table}.{identifier(column.this)}" is added {word}: '
                        f"SQLite cannot add a {word} column",
                    )
