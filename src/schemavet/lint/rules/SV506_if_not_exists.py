"""SV506: CREATE … IF NOT EXISTS."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import WARNING, Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import has_if_not_exists


@register
class SV506IfNotExists(Rule):
    """CREATE … IF NOT EXISTS hides drift: an object that already exists with another shape is kept.

    A migration runs once, on a schema whose state is known; if the object is already there,
    something is wrong, and IF NOT EXISTS makes the migration succeed with the wrong shape.

    **Anti-pattern**::

        CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);

    **Best practice**::

        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
    """

    code = "SV506"
    name = "create-if-not-exists"
    severity = WARNING
    hint = "Drop IF NOT EXISTS: let the migration fail if the object is already there."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each CREATE … IF NOT EXISTS."""
        if has_if_not_exists(ctx.statement):
            kind = (
                ctx.statement.words[1]
                if ctx.statement.words[1] not in ("UNIQUE", "TEMP", "TEMPORARY")
                else ctx.statement.words[2]
            )
            yield self.on(
                ctx,
                ctx.statement,
                f"CREATE {kind} IF NOT EXISTS hides an object that already exists "
                "with a different definition",
            )
