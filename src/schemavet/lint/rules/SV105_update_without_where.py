"""SV105: UPDATE without WHERE."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import table_name
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import is_command, where_clause


@register
class SV105UpdateWithoutWhere(Rule):
    """UPDATE without WHERE overwrites a column in every row.

    **Anti-pattern**::

        UPDATE users SET plan = 'free';

    **Best practice**: say which rows change (a backfill names the rows it fills)::

        UPDATE users SET plan = 'free' WHERE plan IS NULL;
    """

    code = "SV105"
    name = "update-without-where"
    hint = "Add a WHERE clause naming the rows to change (WHERE col IS NULL for a backfill)."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for an UPDATE with no WHERE clause."""
        from sqlglot import exp

        if not is_command(ctx.statement, "UPDATE"):
            return
        tree = ctx.statement.expression
        if isinstance(tree, exp.Update) and where_clause(ctx.statement) is None:
            yield self.on(
                ctx, ctx.statement, f'UPDATE "{table_name(tree.this)}" has no WHERE: it overwrites every row'
            )
