"""SV202: ADD COLUMN with a non-constant default."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import added_columns, constraint, is_constant


@register
class SV202AddColumnNonConstantDefault(Rule):
    """ADD COLUMN with a non-constant default (CURRENT_TIMESTAMP, an expression) fails on real data.

    SQLite cannot compute the default for the existing rows, so it refuses with "Cannot add a
    column with non-constant default" on any table that holds rows, and succeeds on CI's empty
    database. Constant means what SQLite takes as one: a literal (string, number, blob such as
    ``x'00'``, NULL, TRUE/FALSE), in any parentheses (``DEFAULT (1)``), negated, or CAST to a type.

    **Anti-pattern**::

        ALTER TABLE orders ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;

    **Best practice**: add it with a constant default (or none), then backfill::

        ALTER TABLE orders ADD COLUMN created_at TEXT;
        UPDATE orders SET created_at = datetime('now') WHERE created_at IS NULL;
    """

    code = "SV202"
    name = "add-column-non-constant-default"
    dialects = frozenset({SQLITE})
    hint = "Add the column with a constant default or none, then backfill it with an UPDATE."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each added column whose default is not a constant."""
        from sqlglot import exp

        for table, column in added_columns(ctx.statement):
            default = constraint(column, exp.DefaultColumnConstraint)
            if default is not None and not is_constant(default.this) and ctx.may_hold_rows(table):
                yield self.on(
                    ctx,
                    ctx.statement,
                    f'Column "{table}.{identifier(column.this)}" is added with the '
                    f"non-constant default {default.this.sql('sqlite')}: "
                    "this fails on any table that holds rows",
                )
