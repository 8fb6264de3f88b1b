"""SV603: PostgreSQL ADD FOREIGN KEY without NOT VALID on an existing table."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import POSTGRES, Rule, register
from schemavet.lint.sql import alter_actions


@register
class SV603ForeignKeyWithoutNotValid(Rule):
    """ALTER TABLE … ADD FOREIGN KEY without NOT VALID scans the table under a lock that blocks writes.

    **Anti-pattern**::

        ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id);

    **Best practice**: add it NOT VALID (instant), validate in a later statement (no write lock)::

        ALTER TABLE orders ADD CONSTRAINT fk_customer FOREIGN KEY (customer_id)
          REFERENCES customers (id) NOT VALID;
        ALTER TABLE orders VALIDATE CONSTRAINT fk_customer;
    """

    code = "SV603"
    name = "foreign-key-without-not-valid"
    dialects = frozenset({POSTGRES})
    hint = "Add the constraint NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in its own statement."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a foreign key added to an existing table without NOT VALID."""
        from sqlglot import exp

        altered = alter_actions(ctx.statement)
        if altered is None or not ctx.existed_before_file(altered[0]):
            return
        tree = ctx.statement.expression
        assert tree is not None
        adds_fk = any(a.find(exp.ForeignKey, exp.Reference) is not None for a in altered[1])
        if adds_fk and not tree.args.get("not_valid"):
            yield self.on(
                ctx,
                ctx.statement,
                f'Foreign key added to existing table "{altered[0]}" without NOT VALID '
                "blocks writes while every row is checked",
            )
