"""SV504: a migration without a rollback file."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import WARNING, Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import Rule, register


@register
class SV504MissingRollback(Rule):
    """A migration with no ``.rollback.sql`` beside it: ``yoyo rollback`` cannot undo it.

    **Anti-pattern**: ``0007.add-plan.sql`` alone.

    **Best practice**: ``0007.add-plan.rollback.sql`` next to it, undoing each object::

        ALTER TABLE users DROP COLUMN plan;
    """

    code = "SV504"
    name = "missing-rollback"
    severity = WARNING
    hint = "Add a .rollback.sql file that undoes the migration."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding when a (non post-apply) migration has no rollback file."""
        if ctx.file.rollback is None and not ctx.file.post_apply and ctx.statements:
            first = ctx.statements[0]
            yield self.on(
                ctx,
                first,
                f'Migration "{ctx.file.migration_id}" has no rollback file ("{ctx.file.rollback_path}")',
            )
