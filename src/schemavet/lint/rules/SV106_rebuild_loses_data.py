"""SV106: a table rebuild that does not carry every column's data across."""

from __future__ import annotations

from collections.abc import Iterator

from schemavet.diagnostics import Diagnostic
from schemavet.lint.context import FileContext
from schemavet.lint.names import identifier
from schemavet.lint.rebuild import copy_statement, rebuilt_tables, targets_and_sources
from schemavet.lint.registry import SQLITE, Rule, register
from schemavet.lint.statements import ParsedStatement


@register
class SV106RebuildLosesData(Rule):
    """A table rebuild that loses rows or columns: no copy, or a copy that leaves columns out.

    **Anti-pattern** (``note`` is in both tables but not copied; ``legacy`` vanishes)::

        CREATE TABLE new_users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, note TEXT);
        INSERT INTO new_users (id, email) SELECT id, email FROM users;
        DROP TABLE users;
        ALTER TABLE new_users RENAME TO users;

    A copy that fills a column from another one (``INSERT INTO new SELECT * FROM old`` when
    the new table lists its columns in another order) or keeps only some rows (a WHERE or a
    LIMIT) loses data as surely. Generated columns of the new table are not INSERT targets
    (SQLite computes them), so ``SELECT *`` fills the other columns in order.

    **Best practice**: copy every column the new table keeps, and drop a column on purpose
    (with ``ALTER TABLE … DROP COLUMN`` and its own review) rather than as a side effect::

        INSERT INTO new_users (id, email, note) SELECT id, email, note FROM users;
    """

    code = "SV106"
    name = "rebuild-loses-data"
    dialects = frozenset({SQLITE})
    hint = "Copy every column into the new table: INSERT INTO new (cols…) SELECT cols… FROM old."

    def check_file(self, ctx: FileContext) -> Iterator[Diagnostic]:
        """Findings for each rebuild's missing copy, missing columns and uncopied columns."""
        for rebuild, old, new in rebuilt_tables(ctx):
            copy = copy_statement(ctx.statements, rebuild)
            if copy is None:
                yield self.on(
                    ctx,
                    rebuild.drop,
                    f'Rebuild of "{rebuild.table}" drops "{rebuild.source}" without '
                    f'copying its rows into "{rebuild.copy}": every row is lost',
                )
                continue
            gone = [c for c in old.columns if not new.has_column(c)]
            if gone:
                yield self.on(
                    ctx,
                    rebuild.drop,
                    f'Rebuild of "{rebuild.table}" loses column(s) '
                    + ", ".join(f'"{c}"' for c in gone)
                    + " and their data",
                )
            copied = _copied(copy, new.insertable_columns)
            uncopied = [
                c
                for c in old.columns
                if new.has_column(c) and c not in new.generated and c not in copied  # generated: computed
            ]
            if uncopied:
                yield self.on(
                    ctx,
                    copy,
                    f'The copy into "{rebuild.copy}" leaves out column(s) '
                    + ", ".join(f'"{c}"' for c in uncopied)
                    + f' of "{rebuild.source}": their data is lost',
                )
            swapped = _swapped(copy, old.columns, new.insertable_columns)
            if swapped:
                yield self.on(
                    ctx,
                    copy,
                    f'The copy into "{rebuild.copy}" fills '
                    + ", ".join(f'"{target}" from "{source}"' for target, source in swapped)
                    + f' of "{rebuild.source}": the data lands in the wrong columns',
                    "Name the columns on both sides: INSERT INTO new (a, b) SELECT a, b FROM old.",
                )
            clause = _filtering_clause(copy)
            if clause:
                yield self.on(
                    ctx,
                    copy,
                    f'The copy into "{rebuild.copy}" has a {clause}: the rows of "{rebuild.source}"'
                    " it leaves out are lost when the old table is dropped",
                    "Copy every row; delete the unwanted ones in a statement of their own, on purpose.",
                )


def _copied(copy: ParsedStatement, new_columns: tuple[str, ...]) -> set[str]:
    """The new table's columns that the INSERT … SELECT fills from some column of the old one."""
    from sqlglot import exp

    tree = copy.expression
    assert isinstance(tree, exp.Insert)
    select = tree.expression
    if not isinstance(select, exp.Select):
        return set()
    targets = (
        [copy.key(identifier(c)) for c in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
    )
    targets = targets or list(new_columns)
    if any(isinstance(e, exp.Star) for e in select.expressions):
        return set(targets)
    return {t for t, e in zip(targets, select.expressions, strict=False) if e.find(exp.Column) is not None}


def _swapped(
    copy: ParsedStatement, old_columns: tuple[str, ...], new_columns: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Target columns filled from another column that both tables have: ``name`` from ``email``
    when ``SELECT *`` meets a new table that lists its columns in another order."""
    both = set(old_columns) & set(new_columns)
    return [
        (target, source)
        for target, source in targets_and_sources(copy, old_columns, new_columns)
        if source is not None and source != target and target in both and source in both
    ]


def _filtering_clause(copy: ParsedStatement) -> str:
    """The clause of the copy's SELECT that keeps only some rows (WHERE, LIMIT …), or ""."""
    from sqlglot import exp

    tree = copy.expression
    select = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(select, exp.Select):
        return ""
    for key, clause in (("where", "WHERE"), ("limit", "LIMIT"), ("offset", "OFFSET"), ("having", "HAVING")):
        if select.args.get(key) is not None:
            return clause
    return ""
