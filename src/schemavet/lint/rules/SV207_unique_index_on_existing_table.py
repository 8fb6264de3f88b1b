"""SV207: CREATE UNIQUE INDEX on a table that already holds data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import StatementContext
from schemavet.lint.names import identifier, table_name
from schemavet.lint.rebuild import Rebuild, copy_statement, find_rebuilds, targets_and_sources
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

    A table rebuilt in the same file that recreates a unique index (or a primary key) the old
    table already had over the same columns is not flagged: its rows were already unique there.
    That holds only when each key column keeps its collation and the copy fills it from the
    same-named old column unchanged; a copy through ``lower(email)``, or a new ``COLLATE
    NOCASE``, can make rows collide, and is flagged.
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
        if ctx.may_hold_rows(table) and not _already_unique(ctx, table, index):
            yield self.on(
                ctx,
                ctx.statement,
                f'UNIQUE index "{identifier(index.this)}" on existing table "{table}" '
                "fails if any rows already collide",
            )


def _already_unique(ctx: StatementContext, table: str, index: Any) -> bool:
    """True when ``table`` was rebuilt earlier in this file from a table on which the index's
    columns were already a unique key (the old table's unique index, recreated), and the rows
    compare as they did: each key column keeps its collation and is copied unchanged from the
    same-named old column (``lower(email)``, or a NOCASE collation, can make rows collide)."""
    columns = _plain_columns(ctx, index)
    if columns is None:
        return False
    earlier = {id(s) for s in ctx.earlier}
    for rebuild in find_rebuilds(ctx.file.statements):
        if ctx.key(rebuild.table) != ctx.key(table) or id(rebuild.drop) not in earlier:
            continue
        old = ctx.file.dropped_tables.get(ctx.key(rebuild.source))
        if old is not None and old.is_unique_key(columns) and _compares_as_before(ctx, rebuild, columns):
            return True
    return False


def _compares_as_before(ctx: StatementContext, rebuild: Rebuild, columns: tuple[str, ...]) -> bool:
    """True when every key column of the new table has the old one's collation and the copy
    (a single-table ``INSERT … SELECT``) fills it from the same-named old column, unchanged."""
    from sqlglot import exp

    scratch = ctx.scratch
    old = ctx.file.dropped_tables.get(ctx.key(rebuild.source))
    new = ctx.table(rebuild.table)
    if scratch is None or old is None or new is None:
        return False
    old_collations = scratch.column_collations(ctx.file.sql_when_dropped.get(ctx.key(rebuild.source), ""))
    new_collations = scratch.column_collations(scratch.table_sql(rebuild.table))
    if any(c not in old_collations or old_collations[c] != new_collations.get(c) for c in columns):
        return False
    copy = copy_statement(ctx.file.statements, rebuild)
    tree = copy.expression if copy is not None else None
    if copy is None or not isinstance(tree, exp.Insert):
        return False
    select = tree.expression
    if not isinstance(select, exp.Select) or select.args.get("joins"):
        return False  # a join can repeat a row
    filled = dict(targets_and_sources(copy, old.columns, new.insertable_columns))
    return all(filled.get(c) == c for c in columns)


def _plain_columns(ctx: StatementContext, index: Any) -> tuple[str, ...] | None:
    """The index's key columns (folded), or None when a key is an expression or has a collation
    of its own (its uniqueness is then not the old table's)."""
    from sqlglot import exp

    params = index.args.get("params")
    columns = []
    for ordered in (params.args.get("columns") if params is not None else None) or []:
        node = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        if not isinstance(node, exp.Column) or node.table:
            return None
        columns.append(ctx.key(identifier(node.this)))
    return tuple(columns) or None
