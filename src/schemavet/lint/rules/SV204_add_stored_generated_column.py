"""SV204: ADD COLUMN … GENERATED ALWAYS AS (…) STORED."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import added_columns, constraint


@register
class SV204AddStoredGeneratedColumn(Rule):
    """ADD COLUMN of a STORED generated column fails on any table that holds rows.

    SQLite refuses with "cannot add a STORED column" unless the table is empty, as it is in CI.

    **Anti-pattern**::

        ALTER TABLE items ADD COLUMN total REAL AS (price * qty) STORED;

    **Best practice**: add a VIRTUAL generated column (computed on read), or rebuild the table::

        ALTER TABLE items ADD COLUMN total REAL AS (price * qty) VIRTUAL;
    """

    code = "SV204"
    name = "add-stored-generated-column"
    dialects = frozenset({SQLITE})
    hint = "Add it VIRTUAL instead, or rebuild the table with the STORED column."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each added STORED generated column."""
        from sqlglot import exp

        for table, column in added_columns(ctx.statement):
            generated = constraint(column, exp.ComputedColumnConstraint)
            if generated is not None and generated.args.get("persisted") and ctx.may_hold_rows(table):
                yield self.on(
                    ctx,
                    ctx.statement,
                    f'Column "{table}.{identifier(column.this)}" is added as a STORED '
                    "generated column: this fails on any table that holds rows",
                )
