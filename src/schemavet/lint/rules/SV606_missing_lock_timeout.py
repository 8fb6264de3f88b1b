"""SV606: PostgreSQL locking DDL without a lock_timeout."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import WARNING, Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import table_name
from schemavet.lint.registry import POSTGRES, Rule, register
from schemavet.lint.sql import alter_actions, creates_index, dropped
from schemavet.lint.statements import ParsedStatement


@register
class SV606MissingLockTimeout(Rule):
    """DDL on an existing table with no ``lock_timeout``: queued behind a long query, it blocks everyone.

    ALTER TABLE, DROP TABLE and a plain CREATE INDEX all wait for a lock on the table.

    Waiting for its ACCESS EXCLUSIVE lock, the statement blocks every later reader and writer
    of the table for as long as the query ahead of it runs.

    **Anti-pattern**::

        ALTER TABLE users ADD COLUMN plan text;

    **Best practice**::

        SET lock_timeout = '2s';
        ALTER TABLE users ADD COLUMN plan text;
    """

    code = "SV606"
    name = "missing-lock-timeout"
    severity = WARNING
    dialects = frozenset({POSTGRES})
    hint = "Start the migration with SET lock_timeout = '2s' (and retry on timeout)."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for the file's first locking statement when no lock_timeout came before it."""
        table = _locked_table(ctx)
        if table is None or not ctx.existed_before_file(table):
            return
        if any(_sets_lock_timeout(s.words) for s in ctx.earlier):
            return
        if any(_locked_table_of(s) for s in ctx.earlier if _is_existing(ctx, s)):
            return  # reported once per file, at the first locking statement
        yield self.on(
            ctx, ctx.statement, f'"{table}" is locked with no lock_timeout set earlier in the migration'
        )


def _sets_lock_timeout(words: tuple[str, ...]) -> bool:
    return words[:1] == ("SET",) and "LOCK_TIMEOUT" in words[:3]


def _locked_table(ctx: StatementContext) -> str | None:
    return _locked_table_of(ctx.statement)


def _locked_table_of(statement: ParsedStatement) -> str | None:
    """The table an ALTER TABLE, DROP TABLE or plain CREATE INDEX waits to lock."""
    from sqlglot import exp

    altered = alter_actions(statement)
    if altered is not None:
        return altered[0]
    tables = dropped(statement, "TABLE")
    if tables:
        return tables[0]
    tree = statement.expression if creates_index(statement) else None
    if (
        isinstance(tree, exp.Create)
        and not tree.args.get("concurrently")
        and isinstance(tree.this, exp.Index)
    ):
        return table_name(tree.this.args.get("table"))
    return None


def _is_existing(ctx: StatementContext, statement: ParsedStatement) -> bool:
    table = _locked_table_of(statement)
    return table is not None and ctx.existed_before_file(table)
