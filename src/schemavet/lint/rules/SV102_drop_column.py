"""SV102: ALTER TABLE … DROP COLUMN."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import alter_actions
from schemavet.sql.tokens import Token, split_top_level


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
        """A finding for each dropped column (read from tokens: sqlglot misses ``DROP name``)."""
        altered = alter_actions(ctx.statement)
        if altered is None:
            return
        for column in _dropped_columns(list(ctx.statement.tokens)):
            yield self.on(
                ctx, ctx.statement, f'DROP COLUMN "{altered[0]}.{column}" deletes the column\'s data'
            )


def _dropped_columns(tokens: list[Token]) -> Iterator[str]:
    """``ALTER TABLE t DROP [COLUMN] [IF EXISTS] name [, DROP …]``: each name."""
    for part in split_top_level(tokens):
        words = [t for t in part if not t.is_word("IF", "EXISTS")]
        for index, token in enumerate(words[:-1]):
            if not token.is_word("DROP"):
                continue
            target = words[index + 1]
            if target.is_word("COLUMN") and index + 2 < len(words):
                yield words[index + 2].name
            elif not target.is_word(
                "CONSTRAINT",
                "PRIMARY",
                "UNIQUE",
                "CHECK",
                "FOREIGN",
                "COLUMN",
                "DEFAULT",
                "NOT",
                "IDENTITY",
                "EXPRESSION",
            ):
                yield target.name
