"""SV502: a foreign key to columns that are not a primary key or unique."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import declaring_statements


@register
class SV502ForeignKeyTargetNotUnique(Rule):
    """A foreign key to parent columns that no PRIMARY KEY or UNIQUE constraint covers.

    SQLite accepts it at CREATE time; every later write to the child table fails with
    "foreign key mismatch" once foreign keys are on. A bare ``REFERENCES parent`` needs the
    parent to have an explicit PRIMARY KEY.

    **Anti-pattern**::

        CREATE TABLE users (id INTEGER, email TEXT);
        CREATE TABLE invites (email TEXT REFERENCES users(email));

    **Best practice**::

        CREATE UNIQUE INDEX ux_users_email ON users(email);
        CREATE TABLE invites (email TEXT REFERENCES users(email));
    """

    code = "SV502"
    name = "foreign-key-target-not-unique"
    dialects = frozenset({SQLITE})
    hint = "Reference the parent's primary key, or make the referenced columns UNIQUE."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """A finding for each foreign key declared here whose parent key is not unique."""
        scratch = ctx.scratch
        if scratch is None:
            return
        for statement, fk in declaring_statements(ctx.statements):
            child, parent = scratch.table(fk.table), scratch.table(fk.ref_table)
            if child is None or parent is None:
                continue
            columns = tuple(ctx.key(c) for c in fk.ref_columns) or parent.primary_key
            if any(not parent.has_column(c) for c in columns):
                continue  # SV501's finding
            if not columns or not parent.is_unique_key(columns):
                target = f"{fk.ref_table}({', '.join(columns)})" if columns else fk.ref_table
                yield self.on(
                    ctx,
                    statement,
                    f'Foreign key "{fk.table}({", ".join(fk.columns)})" references '
                    f'"{target}", which is not a primary key or unique',
                )
