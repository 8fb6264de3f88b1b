"""SV206: ADD COLUMN … REFERENCES with a non-NULL default."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import added_columns, constraint


@register
class SV206AddReferenceWithDefault(Rule):
    """ADD COLUMN … REFERENCES with a non-NULL DEFAULT fails whenever foreign keys are on.

    SQLite refuses with "Cannot add a REFERENCES column with non-NULL default value" when
    foreign key enforcement is on — not in CI, where yoyo's connection has it off, but in any
    runner (or app) that turns it on.

    **Anti-pattern**::

        ALTER TABLE orders ADD COLUMN region_id INTEGER DEFAULT 1 REFERENCES regions(id);

    **Best practice**: add the reference with no default (NULL), then backfill::

        ALTER TABLE orders ADD COLUMN region_id INTEGER REFERENCES regions(id);
        UPDATE orders SET region_id = 1 WHERE region_id IS NULL;
    """

    code = "SV206"
    name = "add-reference-with-default"
    dialects = frozenset({SQLITE})
    hint = "Add the REFERENCES column with no default, then backfill it with an UPDATE."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for an added REFERENCES column whose default is not NULL."""
        from sqlglot import exp

        for table, column in added_columns(ctx.statement):
            default = constraint(column, exp.DefaultColumnConstraint)
            if (
                column.find(exp.Reference) is not None
                and default is not None
                and not isinstance(default.this, exp.Null)
            ):
                yield self.on(
                    ctx,
                    ctx.statement,
                    f'Column "{table}.{identifier(column.this)}" is added with REFERENCES '
                    "and a non-NULL default: this fails whenever foreign keys are on",
                )
