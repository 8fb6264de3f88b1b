"""SV301: PRAGMA foreign_keys / journal_mode inside a transactional migration."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import SQLITE, Rule, register

# PRAGMAs that are a no-op (or an error) inside a transaction.
_IGNORED = frozenset({"FOREIGN_KEYS", "JOURNAL_MODE", "LEGACY_FILE_FORMAT", "PAGE_SIZE", "AUTO_VACUUM"})


@register
class SV301PragmaInTransaction(Rule):
    """PRAGMA foreign_keys (or journal_mode …) inside a transactional migration is silently ignored.

    yoyo runs every migration in a transaction unless it says ``-- transactional: false``, and
    SQLite ignores ``PRAGMA foreign_keys`` inside a transaction (``journal_mode = WAL`` fails
    or is ignored). The rebuild that relied on foreign keys being off then runs with them on.

    **Anti-pattern**::

        PRAGMA foreign_keys = OFF;
        CREATE TABLE new_t (…); INSERT INTO new_t SELECT … FROM t; DROP TABLE t;
        ALTER TABLE new_t RENAME TO t;

    **Best practice**: declare the migration non-transactional and manage the transaction::

        -- transactional: false
        PRAGMA foreign_keys = OFF;
        BEGIN;
        …
        PRAGMA foreign_key_check;
        COMMIT;
        PRAGMA foreign_keys = ON;
    """

    code = "SV301"
    name = "pragma-in-transaction"
    dialects = frozenset({SQLITE})
    hint = "Add '-- transactional: false' at the top of the file and run the PRAGMA outside BEGIN … COMMIT."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding for a transaction-sensitive PRAGMA run inside a transaction."""
        tokens = ctx.statement.tokens
        if len(tokens) < 2 or tokens[0].upper != "PRAGMA":
            return
        name = tokens[3].upper if len(tokens) > 3 and tokens[2].text == "." else tokens[1].upper
        sets = any(t.text in ("=", "(") for t in tokens[1:5])
        if sets and name in _IGNORED and ctx.scratch is not None and ctx.scratch.in_transaction:
            where = "a transactional migration" if ctx.file.file.transactional else "an open transaction"
            effect = "fails or is silently ignored" if name == "JOURNAL_MODE" else "is silently ignored"
            yield self.on(ctx, ctx.statement, f"PRAGMA {ctx.key(name)} inside {where} {effect}")
