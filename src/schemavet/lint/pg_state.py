"""What PostgreSQL lint rules know of the schema before a file: read from the earlier files.

The SQLite rules replay migrations into a real scratch database; for PostgreSQL the catalog
is derived from the statements of the earlier files (CREATE TABLE, DROP TABLE, RENAME, and
NOT NULL check constraints), which is what the PostgreSQL rules need to ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemavet.lint.names import identifier, key, table_name
from schemavet.lint.statements import ParsedStatement


@dataclass
class PgCatalog:
    """Tables that exist, and the columns a ``CHECK (col IS NOT NULL)`` constraint covers."""

    tables: set[str] = field(default_factory=set)
    not_null_checks: set[tuple[str, str]] = field(default_factory=set)

    def apply(self, statement: ParsedStatement) -> None:
        """Account for what one statement creates, drops or renames."""
        from sqlglot import exp

        if statement.words[:1] not in (("CREATE",), ("DROP",), ("ALTER",)):
            return
        tree = statement.expression
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
            self.tables.add(key(table_name(tree.this)))
        elif isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() == "TABLE":
            for table in tree.args.get("tables") or []:
                self.tables.discard(key(table_name(table)))
        elif isinstance(tree, exp.Alter):
            self._alter(tree)

    def _alter(self, tree: object) -> None:
        from sqlglot import exp

        assert isinstance(tree, exp.Alter)
        table = key(table_name(tree.this))
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterRename):
                self.tables.discard(table)
                self.tables.add(key(table_name(action.this)))
            for check in action.find_all(exp.CheckColumnConstraint):
                for column in _not_null_columns(check):
                    self.not_null_checks.add((table, column))


def _not_null_columns(check: object) -> list[str]:
    from sqlglot import exp

    assert isinstance(check, exp.Expression)
    return [
        key(identifier(node.this))
        for node in check.find_all(exp.Is)
        if isinstance(node.parent, exp.Not) or node.args.get("negate")
        if isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Null)
    ]
