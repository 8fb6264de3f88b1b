"""SV601: PostgreSQL CREATE INDEX without CONCURRENTLY on an existing table."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier, table_name
from schemavet.lint.registry import POSTGRES, Rule, register
from schemavet.lint.sql import creates_index, kind_of


@register
class SV601IndexWithoutConcurrently(Rule):
    """CREATE INDEX without CONCURRENTLY on an existing table blocks every write to it while it builds.

    **Anti-pattern**::

        CREATE INDEX ix_orders_customer ON orders (customer_id);

    **Best practice** (in a ``-- transactional: false`` migration)::

        CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);
    """

    code = "SV601"
    name = "index-without-concurrently"
    dialects = frozenset({POSTGRES})
    hint = "Use CREATE INDEX CONCURRENTLY in a '-- transactional: false' migration."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a plain CREATE INDEX on a table created before this file."""
        from sqlglot import exp

        if not creates_index(ctx.statement):
            return
        tree = ctx.statement.expression
        if not isinstance(tree, exp.Create) or kind_of(tree) != "INDEX" or tree.args.get("concurrently"):
            return
        table = table_name(tree.this.args.get("table"))
        if ctx.existed_before_file(table):
            yield self.on(
                ctx,
                ctx.statement,
                f'CREATE INDEX "{identifier(tree.this.this)}" on existing table '
                f'"{table}" without CONCURRENTLY locks out writes while it builds',
            )
