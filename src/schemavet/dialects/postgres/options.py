"""What PostgreSQL adds to a table beyond the neutral model, and how a spec names its identities."""

from __future__ import annotations

from dataclasses import dataclass

from schemavet.errors import SchemavetError
from schemavet.model import Options

IDENTITY_KINDS = frozenset({"ALWAYS", "BY DEFAULT"})


@dataclass(frozen=True)
class PostgresTableOptions(Options):
    """UNLOGGED, partitioning (the key of a partitioned table; a partition's parent and bound)
    and row-level security. ``partition_of`` is the parent as the server prints it, qualified."""

    unlogged: bool = False
    partition_by: str | None = None
    partition_of: str | None = None
    partition_bound: str | None = None
    row_security: bool = False
    force_row_security: bool = False


PLAIN_TABLE = PostgresTableOptions()


def identity_kind(identity: str) -> str:
    """``ALWAYS`` or ``BY DEFAULT`` as a spec may write them (any case, any spacing)."""
    kind = " ".join(identity.upper().split())
    if kind not in IDENTITY_KINDS:
        raise SchemavetError(f'An identity column is "ALWAYS" or "BY DEFAULT", not "{identity}"')
    return kind
