"""SV508: a noqa comment without a rule code or a reason."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import WARNING, Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.noqa import find_noqa
from schemavet.lint.registry import Rule, register


@register
class SV508NoqaWithoutReason(Rule):
    """A ``-- schemavet: noqa`` comment that names no rule, or gives no reason.

    A silenced finding is a decision a reviewer should be able to read.

    **Anti-pattern**::

        -- schemavet: noqa SV101
        DROP TABLE invoices;

    **Best practice**::

        -- schemavet: noqa SV101 invoices archived to cold storage in 0041
        DROP TABLE invoices;
    """

    code = "SV508"
    name = "noqa-without-reason"
    severity = WARNING
    hint = "Write it as: -- schemavet: noqa SV101 <why this is safe>"

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each noqa comment without codes or without a reason."""
        files = [ctx.file] + ([ctx.file.rollback] if ctx.file.rollback is not None else [])
        for migration in files:
            for comment in find_noqa(migration.text, dialect=ctx.dialect):
                if not comment.codes:
                    yield self.at(
                        migration.path, comment.line, comment.column, "noqa comment names no rule code"
                    )
                elif not comment.reason:
                    yield self.at(
                        migration.path,
                        comment.line,
                        comment.column,
                        "noqa comment for " + ", ".join(sorted(comment.codes)) + " gives no reason",
                    )
