"""SV602: PostgreSQL CONCURRENTLY inside a transactional migration."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import POSTGRES, Rule, register


@register
class SV602ConcurrentlyInTransaction(Rule):
    """CREATE/DROP INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) inside a transactional migration fails.

    PostgreSQL refuses: "cannot run CREATE INDEX CONCURRENTLY inside a transaction block", and
    yoyo wraps every migration in one unless it says otherwise.

    **Anti-pattern**::

        CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);

    **Best practice**::

        -- transactional: false
        CREATE INDEX CONCURRENTLY ix_orders_customer ON orders (customer_id);
    """

    code = "SV602"
    name = "concurrently-in-transaction"
    dialects = frozenset({POSTGRES})
    hint = "Add '-- transactional: false' at the top of the file (one CONCURRENTLY statement per file)."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a CONCURRENTLY statement in a transactional migration."""
        words = ctx.statement.words
        if (
            ctx.file.file.transactional
            and words[:1] in (("CREATE",), ("DROP",), ("REINDEX",))
            and "CONCURRENTLY" in words
        ):
            yield self.on(
                ctx,
                ctx.statement,
                f"{' '.join(words[:2])} … CONCURRENTLY cannot run inside the "
                "transaction yoyo opens for this migration",
            )
