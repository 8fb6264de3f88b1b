"""SV201: ADD COLUMN … NOT NULL without a default."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import added_columns, constraint


@register
class SV201AddNotNullWithoutDefault(Rule):
    """ADD COLUMN … NOT NULL without a DEFAULT fails on any table that holds rows.

    On an empty table (CI's scratch database) it succeeds; on every real database the existing
    rows would get NULL, so SQLite refuses with "Cannot add a NOT NULL column with default
    value NULL" (PostgreSQL: "column contains null values").

    **Anti-pattern**::

        ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;

    **Best practice**: give it a default (or add it nullable, backfill, then rebuild)::

        ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';
    """

    code = "SV201"
    name = "add-column-not-null-without-default"
    hint = "Add a DEFAULT, or add the column nullable, backfill it, and tighten it later."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a NOT NULL column without default added to a table that existed before."""
        from sqlglot import exp

        for table, column in added_columns(ctx.statement):
            not_null = constraint(column, exp.NotNullColumnConstraint)
            default = constraint(column, exp.DefaultColumnConstraint)
            if not_null is None or not_null.args.get("allow_null"):
                continue
            if (default is None or isinstance(default.this, exp.Null)) and ctx.may_hold_rows(table):
                yield self.on(
                    ctx,
                    ctx.statement,
                    f'Column "{table}.{identifier(column.this)}" is added NOT NULL '
                    "without a default: this fails on any table that holds rows",
                )
