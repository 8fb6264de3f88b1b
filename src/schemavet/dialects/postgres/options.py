"""What PostgreSQL adds to a table or column beyond the neutral model."""

from __future__ import annotations

from dataclasses import dataclass

from schemavet.errors import SchemavetError
from schemavet.model import Options

IDENTITY_KINDS = frozenset({"ALWAYS", "BY DEFAULT"})


@dataclass(frozen=True)
class ColumnOptions(Options):
    """An identity column: ``GENERATED ALWAYS`` or ``BY DEFAULT AS IDENTITY`` (None: not one)."""

    identity: str | None = None


def identity_kind(identity: str) -> str:
    """``ALWAYS`` or ``BY DEFAULT`` as a spec may write them (any case, any spacing)."""
    kind = " ".join(identity.upper().split())
    if kind not in IDENTITY_KINDS:
        raise SchemavetError(f'An identity column is "ALWAYS" or "BY DEFAULT", not "{identity}"')
    return kind
