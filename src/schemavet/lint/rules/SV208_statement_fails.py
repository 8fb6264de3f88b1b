"""SV208: a statement that fails when replayed on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.dialect import registry
from schemavet.lint.context import FileContext
from schemavet.lint.registry import Rule, register


@register
class SV208StatementFails(Rule):
    """A statement fails when the migrations are replayed into an empty database.

    Lint replays every earlier migration and then this one, statement by statement, the way
    yoyo runs them (into SQLite, or into a PostgreSQL server for PostgreSQL migrations); a
    statement the database refuses there fails for yoyo too. Reported only when no more
    precise rule explains the failure.

    **Anti-pattern**::

        CREATE INDEX ix_orders_customer ON orders(customer);  -- no such column

    **Best practice**: run the migration against a copy of production (``schemavet check``)
    before review; fix the statement.
    """

    code = "SV208"
    name = "statement-fails"
    fallback = True
    hint = "Fix the statement: yoyo would stop the migration here."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each statement the scratch database refused."""
        for error in ctx.apply_errors:
            engine = registry.get(ctx.dialect).title
            yield self.on(ctx, error.statement, f"Statement fails on {engine}: {error.message}")
