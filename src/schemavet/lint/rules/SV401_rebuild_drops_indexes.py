"""SV401: a table rebuild that does not recreate the old table's indexes and triggers."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.rebuild import rebuilt_tables
from schemavet.lint.registry import SQLITE, Rule, register


@register
class SV401RebuildDropsIndexes(Rule):
    """A table rebuild that silently loses the old table's indexes or triggers.

    ``DROP TABLE`` takes the table's indexes and triggers with it; the new table has only what
    the migration creates for it after the rename. Nothing fails: queries just get slow, and
    trigger-maintained data stops being maintained.

    **Anti-pattern**::

        CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
        INSERT INTO new_users (id, email) SELECT id, email FROM users;
        DROP TABLE users;              -- drops ix_users_email and trg_users_audit too
        ALTER TABLE new_users RENAME TO users;

    An index recreated under another name with the same definition (unique or not, keys,
    order, collation, WHERE) is not lost.

    **Best practice**: recreate every index and trigger after the rename::

        CREATE INDEX ix_users_email ON users(email);
        CREATE TRIGGER trg_users_audit AFTER UPDATE ON users BEGIN … END;
    """

    code = "SV401"
    name = "rebuild-drops-indexes-and-triggers"
    dialects = frozenset({SQLITE})
    hint = "Recreate each of the old table's indexes and triggers after the rename."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each index or trigger of a rebuilt table that the file does not recreate."""
        for rebuild, old, new in rebuilt_tables(ctx):
            old_definitions = ctx.index_definitions_when_dropped.get(ctx.key(rebuild.source), {})
            recreated = set(ctx.scratch.index_definitions(rebuild.table).values()) if ctx.scratch else set()
            lost_indexes = [
                i.name
                for k, i in old.indexes.items()
                if i.origin == "c" and k not in new.indexes and old_definitions.get(k) not in recreated
            ]
            kept_triggers = (
                {ctx.key(t) for t in ctx.scratch.triggers_of(rebuild.table)} if ctx.scratch else set()
            )
            old_triggers = ctx.triggers_when_dropped.get(ctx.key(rebuild.source), ())
            lost_triggers = [t for t in old_triggers if ctx.key(t) not in kept_triggers]
            for kind, names in (("index", lost_indexes), ("trigger", lost_triggers)):
                for name in names:
                    yield self.on(
                        ctx,
                        rebuild.drop,
                        f'Rebuild of "{rebuild.table}" drops {kind} "{name}" and does not recreate it',
                    )
