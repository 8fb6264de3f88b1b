"""SV604: PostgreSQL ALTER COLUMN … TYPE on an existing table."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import POSTGRES, Rule, register
from schemavet.lint.sql import alter_actions


@register
class SV604AlterColumnType(Rule):
    """ALTER COLUMN … TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock.

    Reads and writes wait for the whole rewrite; a few conversions (varchar(n) to text, a
    larger varchar) are exempt, most are not.

    **Anti-pattern**::

        ALTER TABLE events ALTER COLUMN id TYPE bigint;

    **Best practice**: add a new column, backfill it in batches, switch readers, then drop the
    old column; or silence with a noqa comment explaining why the rewrite is cheap.
    """

    code = "SV604"
    name = "alter-column-type"
    dialects = frozenset({POSTGRES})
    hint = "Add a new column, backfill in batches and swap; or silence with a reason if the rewrite is cheap."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for each column type change on a table created before this file."""
        from sqlglot import exp

        altered = alter_actions(ctx.statement)
        if altered is None or not ctx.existed_before_file(altered[0]):
            return
        for action in altered[1]:
            if isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
                yield self.on(
                    ctx,
                    ctx.statement,
                    f'ALTER COLUMN "{altered[0]}.{identifier(action.this)}" TYPE '
                    "rewrites the table under an exclusive lock",
                )
