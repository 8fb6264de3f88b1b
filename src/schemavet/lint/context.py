"""What a rule is given: the statement, the file it is in, and the schema as it stood."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemavet.dialect import registry
from schemavet.lint.source import MigrationFile, Statement
from schemavet.lint.state import CatalogState, SchemaObjects, ScratchState, TableState
from schemavet.lint.statements import ParsedStatement


@dataclass(frozen=True)
class ApplyError:
    """A statement the scratch database refused, and SQLite's message."""

    statement: ParsedStatement
    message: str


@dataclass(frozen=True)
class RollbackResult:
    """A rollback file tried on the schema its migration built (then undone)."""

    errors: tuple[ApplyError, ...]
    before: SchemaObjects
    after_rollback: SchemaObjects


@dataclass
class FileContext:
    """One migration file being linted, and what the replay learned about it."""

    file: MigrationFile
    dialect: str
    statements: list[ParsedStatement]
    tables_before: frozenset[str]
    scratch: ScratchState | None = None
    catalog: CatalogState | None = None
    dropped_tables: dict[str, TableState] = field(default_factory=dict)
    referenced_when_dropped: dict[str, list[str]] = field(default_factory=dict)
    foreign_keys_on_when_dropped: dict[str, bool] = field(default_factory=dict)
    triggers_when_dropped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    index_definitions_when_dropped: dict[str, dict[str, tuple[object, ...]]] = field(default_factory=dict)
    sql_when_dropped: dict[str, str] = field(default_factory=dict)
    apply_errors: list[ApplyError] = field(default_factory=list)
    rollback: RollbackResult | None = None
    rollback_statements: list[ParsedStatement] = field(default_factory=list)

    def key(self, name: str) -> str:
        """``name`` keyed as this file's dialect keys an identifier written without quotes."""
        return registry.get(self.dialect).word_key(name)

    def existed_before(self, table: str) -> bool:
        """True when ``table`` existed before this file ran (so it may hold real rows)."""
        return self.key(table) in self.tables_before


@dataclass
class StatementContext:
    """One statement about to be applied, with the schema as it stands just before it."""

    file: FileContext
    statement: ParsedStatement
    earlier: list[ParsedStatement]

    @property
    def scratch(self) -> ScratchState | None:
        """The scratch SQLite database (None for PostgreSQL migrations)."""
        return self.file.scratch

    @property
    def source(self) -> Statement:
        """The statement's place in the file."""
        return self.statement.source

    def key(self, name: str) -> str:
        """``name`` keyed as the file's dialect keys an identifier written without quotes."""
        return self.file.key(name)

    def table(self, name: str) -> TableState | None:
        """The table as it stands just before this statement (SQLite only)."""
        return self.file.scratch.table(name) if self.file.scratch is not None else None

    def existed_before_file(self, table: str) -> bool:
        """True when ``table`` existed before this file (so it may hold real rows)."""
        return self.file.existed_before(table)

    def may_hold_rows(self, table: str) -> bool:
        """True when ``table`` may hold rows in a real database: it existed before this file,
        or rows were put in it earlier in this file."""
        if self.existed_before_file(table):
            return True
        return self.scratch is not None and self.scratch.has_rows(table)
