"""A rehearsal of moving an app's rows from one engine's database into another's schema:
what it reports, table by table (see ``schemavet rehearse-move``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

#: rows named in a reason's examples, at most
EXAMPLES = 3


@dataclass
class Rejected:
    """Rows that would not go in, for one reason: how many, and the first few (key and value)."""

    reason: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        """One more row rejected for this reason."""
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)


@dataclass
class TableMove:
    """One table's rows: in the source, copied, rejected (by reason), and in the target after."""

    table: str
    source_rows: int = 0
    copied: int = 0
    rows_after: int = 0
    rejected: dict[str, Rejected] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def reject(self, reason: str, example: str) -> None:
        """Count a row that would not go in."""
        self.rejected.setdefault(reason, Rejected(reason)).add(example)

    @property
    def rejected_rows(self) -> int:
        """How many rows would not go in."""
        return sum(r.count for r in self.rejected.values())


class RowSource(Protocol):
    """The rows of a database being moved, read-only: its tables, and each table's rows."""

    def tables(self) -> list[str]:
        """The app's tables (no engine bookkeeping), as the database names them."""
        ...

    def columns(self, table: str) -> list[str]:
        """A table's columns, in order."""
        ...

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        """A table's rows, values as the engine stores them, in the order of :meth:`columns`."""
        ...
