"""SV103: DROP INDEX that a foreign key relies on."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.sql import dropped
from schemavet.lint.state import IndexState, TableState


@register
class SV103DropIndexForeignKey(Rule):
    """DROP INDEX removes an index a foreign key needs.

    On the parent side, the unique index that makes the referenced columns unique: without it
    every write to the child table fails with "foreign key mismatch" once foreign keys are on.
    On the child side, the only index over the foreign key's columns: every delete or update of
    a parent row then scans the whole child table.

    **Anti-pattern**::

        CREATE UNIQUE INDEX ux_users_email ON users(email);
        CREATE TABLE invites (email TEXT REFERENCES users(email));
        DROP INDEX ux_users_email;

    **Best practice**: keep the index, or create its replacement before dropping it::

        CREATE UNIQUE INDEX ux_users_email_nocase ON users(email COLLATE NOCASE);
        DROP INDEX ux_users_email;
    """

    code = "SV103"
    name = "drop-index-used-by-foreign-key"
    dialects = frozenset({SQLITE})
    hint = "Create the replacement index before dropping this one, or keep it."

    def check_statement(self, ctx: StatementContext) -> Iterator[Diagnostic]:
        """A finding when the dropped index is the one a foreign key uses."""
        scratch = ctx.scratch
        if scratch is None:
            return
        for name in dropped(ctx.statement, "INDEX"):
            found = _index_table(ctx, name)
            if found is None:
                continue
            table, index = found
            without = _without(table, ctx.key(name))
            for fk in scratch.references_to(table.name):
                columns = fk.ref_columns or table.primary_key
                if index.unique and set(index.columns) == set(columns) and not without.is_unique_key(columns):
                    yield self.on(
                        ctx,
                        ctx.statement,
                        f'DROP INDEX "{index.name}" removes the unique key that '
                        f'foreign key "{fk.table}({", ".join(fk.columns)})" references',
                    )
            for fk in table.foreign_keys:
                if (
                    index.columns[: len(fk.columns)]
                    and set(index.columns[: len(fk.columns)]) == set(fk.columns)
                    and not without.is_indexed(fk.columns)
                ):
                    yield self.on(
                        ctx,
                        ctx.statement,
                        f'DROP INDEX "{index.name}" leaves foreign key '
                        f'"{table.name}({", ".join(fk.columns)})" without an index',
                    )


def _index_table(ctx: StatementContext, name: str) -> tuple[TableState, IndexState] | None:
    scratch = ctx.scratch
    assert scratch is not None
    owner = scratch.table_of_index(name)
    table = scratch.table(owner) if owner is not None else None
    if table is None or ctx.key(name) not in table.indexes:
        return None
    return table, table.indexes[ctx.key(name)]


def _without(table: TableState, index: str) -> TableState:
    from dataclasses import replace

    return replace(table, indexes={k: v for k, v in table.indexes.items() if k != index})
