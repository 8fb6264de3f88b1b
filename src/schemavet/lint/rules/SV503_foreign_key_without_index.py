"""SV503: a foreign key column with no index."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import WARNING, Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import declaring_statements
from schemavet.lint.state import ScratchState


@register
class SV503ForeignKeyWithoutIndex(Rule):
    """A foreign key whose columns no index starts with, once every migration has run.

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

    def __init__(self) -> None:
        self._pending: list[tuple[Diagnostic, str, tuple[str, ...]]] = []

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """Note each foreign key declared here that no index covers yet (reported at the end)."""
        scratch = ctx.scratch
        if scratch is None:
            return iter(())
        for statement, fk in declaring_statements(ctx.statements):
            child = scratch.table(fk.table)
            columns = tuple(ctx.key(c) for c in fk.columns)
            if child is not None and columns and not child.is_indexed(columns):
                message = f'Foreign key "{fk.table}({", ".join(fk.columns)})" has no index'
                self._pending.append((self.on(ctx, statement, message), fk.table, columns))
        return iter(())

    def finish_directory(self, scratch: ScratchState) -> Iterator[Diagnostic]:
        """The noted foreign keys that still have no index once every migration has run."""
        pending, self._pending = self._pending, []
        for finding, table, columns in pending:
            child = scratch.table(table)
            if child is not None and not child.is_indexed(columns):
                yield finding
