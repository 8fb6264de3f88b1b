"""SV104: DELETE without WHERE."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import table_name
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import is_command, where_clause


@register
class SV104DeleteWithoutWhere(Rule):
    """DELETE without WHERE empties the table.

    **Anti-pattern**::

        DELETE FROM sessions;

    **Best practice**: say which rows go::

        DELETE FROM sessions WHERE expires_at < '2024-01-01';
    """

    code = "SV104"
    name = "delete-without-where"
    hint = "Add a WHERE clause naming the rows to delete."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a DELETE with no WHERE clause."""
        from sqlglot import exp

        if not is_command(ctx.statement, "DELETE"):
            return
        tree = ctx.statement.expression
        if isinstance(tree, exp.Delete) and where_clause(ctx.statement) is None:
            yield self.on(
                ctx,
                ctx.statement,
                f'DELETE FROM "{table_name(tree.this)}" has no WHERE: it deletes every row',
            )
