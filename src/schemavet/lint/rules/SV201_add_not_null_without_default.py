"""SV201: ADD COLUMN … NOT NULL without a default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemavet.diagnostics import Diagnostic
from schemavet.dialect import registry
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import added_column_tokens, added_columns, constraint


@register
class SV201AddNotNullWithoutDefault(Rule):
    """ADD COLUMN … NOT NULL without a DEFAULT fails on any table that holds rows.

    On an empty table (CI's scratch database) it succeeds; on every real database the existing
    rows would get NULL, so SQLite refuses with "Cannot add a NOT NULL column with default
    value NULL" (PostgreSQL: "column contains null values").

    **Anti-pattern**::

        ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;

    **Best practice**: give it a default (or add it nullable, backfill, then rebuild)::

        ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';

    A column the database fills itself is not flagged: a generated column (``GENERATED ALWAYS
    AS (…)``), and on PostgreSQL an identity column or a ``serial`` type.
    """

    code = "SV201"
    name = "add-column-not-null-without-default"
    hint = "Add a DEFAULT, or add the column nullable, backfill it, and tighten it later."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a NOT NULL column without default added to a table that existed before."""
        from sqlglot import exp

        if not ctx.statement.starts_with("ALTER", "TABLE"):
            return  # only ALTER TABLE adds a column: no other statement need be parsed
        if ctx.statement.expression is None:  # sqlglot cannot read it: the tokens still can
            yield from self._check_tokens(ctx)
            return
        for table, column in added_columns(ctx.statement):
            not_null = constraint(column, exp.NotNullColumnConstraint)
            default = constraint(column, exp.DefaultColumnConstraint)
            if not_null is None or not_null.args.get("allow_null") or _filled(column, ctx.file.dialect):
                continue
            if (default is None or isinstance(default.this, exp.Null)) and ctx.may_hold_rows(table):
                yield self.on(
                    ctx,
                    ctx.statement,
                    f'Column "{table}.{identifier(column.this)}" is added NOT NULL '
                    "without a default: this fails on any table that holds rows",
                )

    def _check_tokens(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        added = added_column_tokens(ctx.statement)
        if added is None or not added.not_null or added.default or added.generated:
            return
        if added.type_name.upper() in registry.get(ctx.file.dialect).serial_types:
            return
        if ctx.may_hold_rows(added.table):
            yield self.on(
                ctx,
                ctx.statement,
                f'Column "{added.table}.{added.column}" is added NOT NULL '
                "without a default: this fails on any table that holds rows",
            )


def _filled(column: Any, dialect: str) -> bool:
    """True when the database computes the new column's value for the rows already there."""
    from sqlglot import exp

    if constraint(column, exp.ComputedColumnConstraint) is not None:
        return True  # its expression's value, not NULL (a NULL result is another matter)
    engine = registry.get(dialect)
    if not engine.serial_types:
        return False  # SQLite has neither identity columns nor serial types ("serial" is a name)
    if constraint(column, exp.GeneratedAsIdentityColumnConstraint) is not None:
        return True
    kind = column.args.get("kind")
    name = kind.sql(engine.sqlglot_dialect).upper() if kind is not None else ""
    return name in engine.serial_types
