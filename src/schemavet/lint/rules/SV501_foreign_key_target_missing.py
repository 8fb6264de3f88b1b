"""SV501: a foreign key to a table or column that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import declaring_statements


@register
class SV501ForeignKeyTargetMissing(Rule):
    """A foreign key whose parent table or column does not exist once the file has run.

    SQLite accepts ``REFERENCES`` to anything at CREATE time; the mistake shows up later as
    "no such table" or "foreign key mismatch" on the first write with foreign keys on.

    **Anti-pattern**::

        CREATE TABLE orders (customer_id INTEGER REFERENCES customer(id));  -- table is "customers"

    **Best practice**: reference the parent's primary key by its real name::

        CREATE TABLE orders (customer_id INTEGER REFERENCES customers(id));
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
        for statement, fk in declaring_statements(ctx.statements):
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
