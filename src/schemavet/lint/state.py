"""What a replay knows of the schema as it stands: the facts lint rules read.

Each dialect's replay (``dialects/<name>/replay.py``) fills these as it applies the migrations
one statement at a time; rules read them without knowing which engine the replay runs on.
Names are keyed as the replay's dialect keys them (``key``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from schemavet.lint.statements import ParsedStatement


@dataclass(frozen=True)
class IndexState:
    """An index on a table: its key columns (lower-cased), and where it comes from."""

    name: str
    columns: tuple[str, ...]
    unique: bool
    origin: str  # "c" CREATE INDEX, "u" UNIQUE constraint, "pk" PRIMARY KEY
    partial: bool


@dataclass(frozen=True)
class ForeignKeyState:
    """A foreign key of a table; empty ``ref_columns`` means the parent's primary key."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableState:
    """What a table looks like in the scratch database right now."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    rowid_alias: bool
    indexes: dict[str, IndexState] = field(default_factory=dict)
    foreign_keys: tuple[ForeignKeyState, ...] = ()
    generated: frozenset[str] = frozenset()  # generated columns (keyed): never INSERT targets
    key: Callable[[str], str] = field(default=str.lower, compare=False, repr=False)

    @property
    def insertable_columns(self) -> tuple[str, ...]:
        """The columns an INSERT without a column list fills, in order (generated ones skipped)."""
        return tuple(c for c in self.columns if c not in self.generated)

    def has_column(self, name: str) -> bool:
        """True when the table has this column (its name keyed as the dialect keys names)."""
        return self.key(name) in self.columns

    def is_unique_key(self, columns: tuple[str, ...]) -> bool:
        """True when ``columns`` (lower-cased) are the primary key or a full unique index."""
        wanted = set(columns)
        if self.primary_key and set(self.primary_key) == wanted:
            return True
        return any(i.unique and not i.partial and set(i.columns) == wanted for i in self.indexes.values())

    def is_indexed(self, columns: tuple[str, ...]) -> bool:
        """True when some index (or the rowid) starts with ``columns``, so lookups need no scan."""
        if self.rowid_alias and columns == self.primary_key:
            return True
        n = len(columns)
        return any(set(i.columns[:n]) == set(columns) for i in self.indexes.values() if not i.partial)


@dataclass(frozen=True)
class SchemaObjects:
    """Named tables, indexes, triggers and views, with the SQL that defines each."""

    sql: dict[tuple[str, str], str]
    # the columns a table's CREATE text defines (keyed), as the replay's engine reads it
    columns_in: Callable[[str], tuple[str, ...]] = field(default=lambda sql: (), compare=False, repr=False)

    def columns(self, kind: str, name: str) -> tuple[str, ...]:
        """The columns of the table ``name`` as its SQL here defines them."""
        return self.columns_in(self.sql[kind, name])

    @property
    def objects(self) -> frozenset[tuple[str, str]]:
        """``(type, lower-cased name)`` of every object."""
        return frozenset(self.sql)


class CatalogState(Protocol):
    """What the PostgreSQL rules ask of the schema: from a replay into a server, or from the
    earlier statements when no server is at hand (``dialects/postgres/replay.py``)."""

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

    def is_not_null(self, table: str, column: str) -> bool:
        """True when the column is NOT NULL already."""

    def close(self) -> None:
        """Release what the state holds."""


class ScratchState(Protocol):
    """What the rules of a file engine ask of its replay (SQLite's scratch database): narrow
    catalog questions about the schema as it stands just before the statement checked."""

    def table(self, name: str) -> TableState | None:
        """The table called ``name`` now, if there is one."""

    def has_rows(self, table: str) -> bool:
        """True when the table holds rows now."""

    def references_to(self, table: str) -> list[ForeignKeyState]:
        """The foreign keys that reference ``table``."""

    def triggers_of(self, table: str) -> tuple[str, ...]:
        """The names of the triggers on ``table``."""

    def table_sql(self, table: str) -> str:
        """The ``CREATE TABLE`` text of ``table`` ("" when none)."""

    def index_definitions(self, table: str) -> dict[str, tuple[object, ...]]:
        """The table's indexes: keyed name → a definition that ignores the index's name."""

    def column_collations(self, create_table: str) -> dict[str, str]:
        """Each column's collation in a ``CREATE TABLE`` text."""

    def foreign_keys_on(self) -> bool:
        """True when foreign keys are enforced on the replay's connection now."""

    @property
    def in_transaction(self) -> bool:
        """True inside an open transaction."""

    def table_of_index(self, name: str) -> str | None:
        """The table the index ``name`` is on, if there is such an index."""
