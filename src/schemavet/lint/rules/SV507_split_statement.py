"""SV507: a statement that yoyo's splitter cuts in two (or runs together)."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.dialect import registry
from schemavet.lint.context import FileContext
from schemavet.lint.registry import Rule, register
from schemavet.lint.statements import ParsedStatement

_TOGETHER = "You can only execute one statement at a time"


@register
class SV507SplitStatement(Rule):
    """A statement that yoyo's splitter (sqlparse) cuts in two, or joins to the next one.

    yoyo splits each file with ``sqlparse.split`` and runs the pieces one by one. sqlparse
    keeps a plain ``CREATE TRIGGER … BEGIN … END`` whole, but other bodies (a trigger whose
    body has a ``CASE … END``, a PostgreSQL function body without dollar quotes) can be cut
    at an inner semicolon, and each half then fails.

    **Anti-pattern**::

        CREATE FUNCTION f() RETURNS trigger AS '
          BEGIN NEW.updated_at = now(); RETURN NEW; END' LANGUAGE plpgsql;

    **Best practice**: dollar-quote PostgreSQL bodies (``AS $$ … $$``); for SQLite keep each
    trigger a plain ``BEGIN … END`` block and check the pieces lint reports.
    """

    code = "SV507"
    name = "statement-split"
    hint = "Rewrite the statement so sqlparse keeps it whole (dollar-quote bodies; one statement per ';')."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each piece that is not one complete statement."""
        for statement in ctx.statements:
            if not _complete(statement, ctx.dialect):
                yield self.on(
                    ctx,
                    statement,
                    "yoyo's splitter cuts this statement short: "
                    f'the piece ends at "{_tail(statement)}" and fails on its own',
                )
        for error in ctx.apply_errors:
            if _TOGETHER in error.message:
                yield self.on(
                    ctx,
                    error.statement,
                    "yoyo's splitter runs two statements together here, and "
                    "SQLite refuses to execute more than one statement at a time",
                )


def _complete(statement: ParsedStatement, dialect: str) -> bool:
    text = statement.text.rstrip()
    if not statement.tokens:
        return True
    return registry.get(dialect).statement_complete(text) and _balanced(statement)


def _balanced(statement: ParsedStatement) -> bool:
    depth = 0
    for token in statement.tokens:
        depth += (token.text == "(") - (token.text == ")")
    return depth == 0 and all(t.kind != "error" or t.text not in "'\"" for t in statement.tokens)


def _tail(statement: ParsedStatement) -> str:
    return " ".join(t.text for t in statement.tokens[-3:])
