"""SV102: ALTER TABLE … DROP COLUMN."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import alter_actions


@register
class SV102DropColumn(Rule):
    """DROP COLUMN deletes the column's data in every row.

    **Anti-pattern**::

        ALTER TABLE users DROP COLUMN phone;

    **Best practice**: stop reading and writing the column first, copy its data elsewhere if it
    may be needed, then drop it in a later release with a noqa comment that says why::

        -- schemavet: noqa SV102 phone moved to contacts.phone in 0032
        ALTER TABLE users DROP COLUMN phone;
    """

    code = "SV102"
    name = "drop-column"
    hint = "Copy the data elsewhere first; once it is safe, silence with a noqa comment saying so."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each dropped column."""
        from sqlglot import exp

        altered = alter_actions(ctx.statement)
        if altered is None:
            return
        table, actions = altered
        for action in actions:
            if isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
                for column in action.args.get("tables") or [action.this]:
                    name = identifier(column)
                    yield self.on(ctx, ctx.statement, f'DROP COLUMN "{table}.{name}" deletes the column\'s data')
