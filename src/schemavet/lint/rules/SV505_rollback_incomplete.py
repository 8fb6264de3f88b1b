"""SV505: a rollback that does not undo its migration."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.errors import SqlSyntaxError
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.state import SchemaObjects
from schemavet.lint.statements import ParsedStatement
from schemavet.sql.tokens import matching_paren, split_top_level, tokenize


@register
class SV505RollbackIncomplete(Rule):
    """A rollback that fails, or leaves the schema different from before its migration.

    Lint applies the migration, then its ``.rollback.sql``, in the scratch database and
    compares the schema with the one before the migration: every table, index, trigger and
    view, every table's columns, their order, and each column's definition (a DEFAULT, a type,
    a constraint the rollback's rebuild lost) — what ``check``'s rollback proof finds too.

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
        if set(old) == set(new):
            yield from _changed_columns(table, before.sql[kind, table], after.sql[kind, table], old, new)


def _changed_columns(
    table: str, old_sql: str, new_sql: str, old: tuple[str, ...], new: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """The same columns, in another order or with another definition."""
    if old != new:
        yield (
            (
                f'The rollback leaves table "{table}" with its columns in another order: '
                f"({', '.join(old)}) before the migration, ({', '.join(new)}) after its rollback"
            ),
            table,
        )
        return
    before, after = _column_definitions(old_sql, old), _column_definitions(new_sql, new)
    for column in old:
        if before.get(column) != after.get(column):
            yield (
                (
                    f'The rollback does not restore column "{table}.{column}" as it was: '
                    f"{before.get(column)} before the migration, {after.get(column)} after its rollback"
                ),
                column,
            )


def _column_definitions(sql: str, columns: tuple[str, ...]) -> dict[str, str]:
    """Each column's definition in a CREATE TABLE text, white space normalized (names keyed
    as ``columns`` are: the n-th definition is the n-th column)."""
    try:
        tokens = tokenize(sql)
        start = next(i for i, t in enumerate(tokens) if t.text == "(")
        body = tokens[start + 1 : matching_paren(tokens, start)]
    except (StopIteration, SqlSyntaxError):
        return {}
    parts = [" ".join(t.text for t in part) for part in split_top_level(body)]
    return dict(zip(columns, parts, strict=False))


def _mentioning(statements: list[ParsedStatement], name: str) -> ParsedStatement | None:
    for statement in statements:
        if any(statement.key(t.name) == name for t in statement.tokens if t.kind in ("word", "quoted")):
            return statement
    return None
