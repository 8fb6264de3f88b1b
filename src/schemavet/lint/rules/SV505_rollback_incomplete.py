"""SV505: a rollback that does not undo its migration."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.state import SchemaObjects
from schemavet.lint.statements import ParsedStatement


@register
class SV505RollbackIncomplete(Rule):
    """A rollback that fails, or leaves the schema different from before its migration.

    Lint applies the migration, then its ``.rollback.sql``, in the scratch database and
    compares the schema with the one before the migration: every table, index, trigger and
    view, and every table's columns.

    **Anti-pattern**: ``0007.sql`` creates a table and an index; ``0007.rollback.sql`` only::

        DROP TABLE audit_log;   -- and forgets the column 0007 added to users

    **Best practice**: undo every object, in reverse order::

        ALTER TABLE users DROP COLUMN audited_at;
        DROP TABLE audit_log;
    """

    code = "SV505"
    name = "rollback-incomplete"
    dialects = frozenset({SQLITE})
    hint = "Make the rollback undo every object its migration creates, changes or drops."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """Findings for rollback statements that fail and objects the rollback does not restore."""
        result = ctx.rollback
        if result is None or ctx.file.rollback is None:
            return
        path = ctx.file.rollback.path
        for error in result.errors:
            yield self.at(
                path,
                error.statement.line,
                error.statement.column,
                f"Rollback statement fails on SQLite: {error.message}",
            )
        for message, name in _differences(result.before, result.after_rollback):
            statement = _mentioning(ctx.statements, name)
            yield self.on(ctx, statement, message) if statement else self.at(path, 1, 1, message)


def _differences(before: SchemaObjects, after: SchemaObjects) -> Iterator[tuple[str, str]]:
    for kind, name in sorted(after.objects - before.objects):
        yield f'The rollback leaves {kind} "{name}" that the migration created', name
    for kind, name in sorted(before.objects - after.objects):
        yield f'The rollback does not restore {kind} "{name}" that the migration dropped', name
    for kind, table in sorted(before.objects & after.objects):
        if kind != "table" or before.sql[kind, table] == after.sql[kind, table]:
            continue
        old, new = before.columns(kind, table), after.columns(kind, table)
        for column in new:
            if column not in old:
                yield f'The rollback leaves column "{table}.{column}" that the migration added', column
        for column in old:
            if column not in new:
                yield f'The rollback does not restore column "{table}.{column}"', column


def _mentioning(statements: list[ParsedStatement], name: str) -> ParsedStatement | None:
    for statement in statements:
        if any(statement.key(t.name) == name for t in statement.tokens if t.kind in ("word", "quoted")):
            return statement
    return None
