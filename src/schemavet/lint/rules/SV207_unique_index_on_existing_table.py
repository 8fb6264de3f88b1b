"""SV207: CREATE UNIQUE INDEX on a table that already holds data."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier, table_name
from schemavet.lint.registry import Rule, register
from schemavet.lint.sql import creates_index, kind_of


@register
class SV207UniqueIndexOnExistingTable(Rule):
    """A new UNIQUE index over a table that already holds data fails if any rows collide.

    CI's empty database has no duplicates; production may.

    **Anti-pattern**::

        CREATE UNIQUE INDEX ux_users_email ON users(email);

    **Best practice**: remove the duplicates in the same migration (or prove there are none),
    then create the index::

        DELETE FROM users WHERE rowid NOT IN (SELECT min(rowid) FROM users GROUP BY email);
        CREATE UNIQUE INDEX ux_users_email ON users(email);
    """

    code = "SV207"
    name = "unique-index-on-existing-data"
    hint = (
        "De-duplicate the rows first (or prove there are none), then silence with a noqa comment saying so."
    )

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a UNIQUE index created on a table that existed before this file."""
        from sqlglot import exp

        if not creates_index(ctx.statement):
            return
        tree = ctx.statement.expression
        if not isinstance(tree, exp.Create) or kind_of(tree) != "INDEX" or not tree.args.get("unique"):
            return
        index = tree.this
        table = table_name(index.args.get("table"))
        if ctx.may_hold_rows(table):
            yield self.on(
                ctx,
                ctx.statement,
                f'UNIQUE index "{identifier(index.this)}" on existing table "{table}" '
                "fails if any rows already collide",
            )
