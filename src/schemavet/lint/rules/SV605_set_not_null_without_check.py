"""SV605: PostgreSQL SET NOT NULL without a prior CHECK constraint."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import POSTGRES, Rule, register
from schemavet.lint.sql import alter_actions


@register
class SV605SetNotNullWithoutCheck(Rule):
    """ALTER COLUMN … SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.

    Unless a validated ``CHECK (col IS NOT NULL)`` constraint already proves it, which
    PostgreSQL 12+ uses to skip the scan.

    **Anti-pattern**::

        ALTER TABLE users ALTER COLUMN email SET NOT NULL;

    **Best practice**::

        ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
        ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
        ALTER TABLE users ALTER COLUMN email SET NOT NULL;
        ALTER TABLE users DROP CONSTRAINT users_email_not_null;
    """

    code = "SV605"
    name = "set-not-null-without-check"
    dialects = frozenset({POSTGRES})
    hint = "Add CHECK (col IS NOT NULL) NOT VALID and VALIDATE it first; then SET NOT NULL is instant."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for SET NOT NULL on an existing table with no NOT NULL check before it."""
        from sqlglot import exp

        altered = alter_actions(ctx.statement)
        catalog = ctx.file.catalog
        if altered is None or catalog is None or not ctx.existed_before_file(altered[0]):
            return
        for action in altered[1]:
            if isinstance(action, exp.AlterColumn) and action.args.get("allow_null") is False:
                column = identifier(action.this)
                if catalog.is_not_null(altered[0], column):
                    continue  # NOT NULL already: PostgreSQL does nothing, scans nothing
                if not catalog.has_validated_not_null_check(altered[0], column):
                    yield self.on(
                        ctx,
                        ctx.statement,
                        f'SET NOT NULL on "{altered[0]}.{column}" scans the table '
                        "under an exclusive lock: no CHECK (… IS NOT NULL) constraint proves it first",
                    )
