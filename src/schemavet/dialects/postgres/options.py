"""What PostgreSQL adds to a table beyond the neutral model."""

from __future__ import annotations

from dataclasses import dataclass

from schemavet.model import TableOptions


@dataclass(frozen=True)
class PostgresTableOptions(TableOptions):
    """UNLOGGED, partitioning (key; a partition's qualified parent and bound), row-level security."""

    unlogged: bool = False
    partition_by: str | None = None
    partition_of: str | None = None
    partition_bound: str | None = None
    row_security: bool = False
    force_row_security: bool = False


PLAIN_TABLE = PostgresTableOptions()
