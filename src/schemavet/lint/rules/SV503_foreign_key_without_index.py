"""SV503: a foreign key column with no index."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import WARNING, Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import declaring_statements


@register
class SV503ForeignKeyWithoutIndex(Rule):
    """A foreign key whose columns no index starts with, once the file has run.

    Every delete or key update of a parent row then scans the whole child table (SQLite checks
    and cascades through the child's columns), and joins from parent to child scan too.

    **Anti-pattern**::

        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id));

    **Best practice**::

        CREATE INDEX ix_orders_customer_id ON orders(customer_id);
    """

    code = "SV503"
    name = "foreign-key-without-index"
    severity = WARNING
    dialects = frozenset({SQLITE})
    hint = "Create an index on the foreign key's columns."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each foreign key declared here that no index covers."""
        scratch = ctx.scratch
        if scratch is None:
            return
        for statement, fk in declaring_statements(ctx.statements):
            child = scratch.table(fk.table)
            columns = tuple(c.lower() for c in fk.columns)
            if child is not None and columns and not child.is_indexed(columns):
                yield self.on(
                    ctx, statement, f'Foreign key "{fk.table}({", ".join(fk.columns)})" has no index'
                )
