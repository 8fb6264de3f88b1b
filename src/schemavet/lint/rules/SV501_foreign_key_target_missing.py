"""SV501: a foreign key to a table or column that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import declaring_statements, dropped, renames
from schemavet.lint.statements import ParsedStatement


@register
class SV501ForeignKeyTargetMissing(Rule):
    """A foreign key whose parent table or column does not exist once the file has run.

    SQLite accepts ``REFERENCES`` to anything at CREATE time; the mistake shows up later as
    "no such table" or "foreign key mismatch" on the first write with foreign keys on.

    **Anti-pattern**::

        CREATE TABLE orders (customer_id INTEGER REFERENCES customer(id));  -- table is "customers"

    **Best practice**: reference the parent's primary key by its real name::

        CREATE TABLE orders (customer_id INTEGER REFERENCES customers(id));

    A foreign key of another table left pointing at a table this file dropped is reported at
    the DROP too. The rename-first rebuild does that silently: ``ALTER TABLE customers RENAME
    TO customers_old`` makes SQLite (3.26 and later) rewrite every ``REFERENCES customers``
    to ``customers_old``, and dropping ``customers_old`` leaves them pointing at nothing,
    including those of a child table created earlier in the same file.
    """

    code = "SV501"
    name = "foreign-key-target-missing"
    dialects = frozenset({SQLITE})
    hint = "Point the foreign key at an existing table and column (usually the parent's primary key)."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each foreign key declared here whose target is missing after the file."""
        scratch = ctx.scratch
        if scratch is None:
            return
        declared = set()  # (child, parent as written): a missing parent is reported here
        for statement, fk in declaring_statements(ctx.statements):
            declared.add((ctx.key(fk.table), ctx.key(fk.ref_table)))
            if scratch.table(fk.table) is None:
                continue  # the child itself is gone again (a rebuild's temporary table)
            parent = scratch.table(fk.ref_table)
            where = f'Foreign key "{fk.table}({", ".join(fk.columns)})"'
            if parent is None:
                yield self.on(
                    ctx, statement, f'{where} references table "{fk.ref_table}", which does not exist'
                )
                continue
            missing = [c for c in fk.ref_columns if not parent.has_column(c)]
            if missing:
                yield self.on(
                    ctx,
                    statement,
                    f'{where} references column "{fk.ref_table}.{missing[0]}", which does not exist',
                )

        yield from self._left_dangling(ctx, declared)

    def _left_dangling(self, ctx: FileContext, declared: set[tuple[str, str]]) -> Iterator[Diagnostic]:
        """Foreign keys of other tables whose parent this file dropped (or renamed away).

        A child created in this file counts too when SQLite rewrote its REFERENCES (a rename
        of its parent); one that names the missing table itself is reported where declared."""
        scratch = ctx.scratch
        assert scratch is not None
        causes: dict[str, ParsedStatement] = {}  # a table gone after the file -> what removed it
        renamed_from: dict[str, str] = {}  # customers_old -> customers
        for statement in ctx.statements:
            for old, new in renames(statement):
                causes.setdefault(ctx.key(old), statement)
                renamed_from[ctx.key(new)] = old
            for name in dropped(statement, "TABLE"):
                causes[ctx.key(name)] = statement
        gone = {name: cause for name, cause in causes.items() if scratch.table(name) is None}
        for name, cause in gone.items():
            for fk in scratch.references_to(name):
                if (ctx.key(fk.table), name) in declared or ctx.key(fk.table) == name:
                    continue
                where = f'Foreign key "{fk.table}({", ".join(fk.columns)})"'
                message = f'{where} is left referencing table "{fk.ref_table}", which this file removes'
                hint = "Drop or repoint the foreign keys that reference the table before it goes."
                if name in renamed_from:
                    message += (
                        f' (SQLite rewrote its REFERENCES "{renamed_from[name]}" when that table was'
                        f' renamed to "{fk.ref_table}")'
                    )
                    hint = (
                        "Rebuild the other way round: create the new table under a temporary name,"
                        " copy, drop the old table, rename the new one into place."
                    )
                yield self.on(ctx, cause, message, hint)
