"""SV402: a table rebuild that runs with foreign keys on (or not surely off)."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.rebuild import Rebuild, find_rebuilds
from schemavet.lint.registry import SQLITE, Rule, register


@register
class SV402RebuildWithForeignKeys(Rule):
    """A rebuild of a table that others reference, without foreign keys surely off.

    With foreign keys on, ``DROP TABLE`` first deletes every row, and each ``ON DELETE
    CASCADE`` child loses its rows too (``SET NULL`` children lose their links; ``RESTRICT``
    makes the drop fail). yoyo's own connection has foreign keys off, but a transactional
    migration cannot guarantee it (``PRAGMA foreign_keys = OFF`` is ignored inside a
    transaction), so any runner with them on destroys the children.

    **Anti-pattern**::

        PRAGMA foreign_keys = OFF;     -- ignored: yoyo runs this file in a transaction
        DROP TABLE users;              -- cascades into orders, sessions …
        ALTER TABLE new_users RENAME TO users;

    **Best practice** (SQLite's documented procedure)::

        -- transactional: false
        PRAGMA foreign_keys = OFF;
        BEGIN;
        …rebuild…
        PRAGMA foreign_key_check;
        COMMIT;
        PRAGMA foreign_keys = ON;
    """

    code = "SV402"
    name = "rebuild-with-foreign-keys-on"
    dialects = frozenset({SQLITE})
    hint = "Use '-- transactional: false' and PRAGMA foreign_keys = OFF before BEGIN, as SQLite documents."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each rebuild of a referenced table not surely run with foreign keys off."""
        for rebuild in find_rebuilds(ctx.statements):
            key = ctx.key(rebuild.source)
            children = ctx.referenced_when_dropped.get(key) or []
            if not children:
                continue
            names = ", ".join(f'"{c}"' for c in children)
            if ctx.foreign_keys_on_when_dropped.get(key):
                yield self.on(
                    ctx,
                    rebuild.drop,
                    f'Rebuild of "{rebuild.table}" runs with foreign keys on: '
                    f'DROP TABLE "{rebuild.source}" deletes its rows and cascades into {names}',
                )
            elif not _turned_off(ctx, rebuild):
                yield self.on(
                    ctx,
                    rebuild.drop,
                    f'Rebuild of "{rebuild.table}" does not turn foreign keys off '
                    f"outside a transaction: on a connection with them on, the DROP cascades into {names}",
                )


def _turned_off(ctx: FileContext, rebuild: Rebuild) -> bool:
    """True when a non-transactional file ran PRAGMA foreign_keys = OFF before the drop."""
    if ctx.file.transactional:
        return False
    for statement in ctx.statements:
        if statement is rebuild.drop:
            return False
        words = [t.upper for t in statement.tokens if t.text != ";"]
        if words[:2] == ["PRAGMA", "FOREIGN_KEYS"] and words[-1].strip("'\"") in ("OFF", "0", "FALSE", "NO"):
            return True
    return False
