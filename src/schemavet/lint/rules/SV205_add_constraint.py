"""SV205: ALTER TABLE … ADD CONSTRAINT (and ALTER COLUMN) on SQLite."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import alter_table_tokens


@register
class SV205AddConstraint(Rule):
    """ALTER TABLE … ADD CONSTRAINT (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY) or ALTER COLUMN on SQLite.

    SQLite's ALTER TABLE only renames, adds a column, or drops one; anything else is a syntax
    error on every database.

    **Anti-pattern**::

        ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers(id);

    **Best practice**: a unique index for UNIQUE; for anything else, rebuild the table (create
    the new shape, copy, drop, rename — with foreign keys off, outside a transaction)::

        CREATE UNIQUE INDEX ux_orders_number ON orders(number);
    """

    code = "SV205"
    name = "alter-table-unsupported"
    dialects = frozenset({SQLITE})
    hint = "Use CREATE UNIQUE INDEX for uniqueness; otherwise rebuild the table."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for an ALTER TABLE form SQLite does not have."""
        altered = alter_table_tokens(ctx.statement)
        if altered is None:
            return
        rest = [t.upper for t in altered[1][:3]]
        if (
            rest[:1] == ["ADD"]
            and rest[1:2]
            and rest[1] in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN")
        ):
            yield self.on(
                ctx,
                ctx.statement,
                f"ALTER TABLE … ADD {rest[1]} is not SQL that SQLite accepts: "
                "the migration fails on every database",
            )
        elif rest[:1] == ["ALTER"]:
            yield self.on(
                ctx,
                ctx.statement,
                "ALTER TABLE … ALTER COLUMN is not SQL that SQLite accepts: "
                "the migration fails on every database",
            )
