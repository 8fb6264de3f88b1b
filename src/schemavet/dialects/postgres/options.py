"""What PostgreSQL adds to a table beyond the neutral model, and how a spec names its identities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemavet.dialect.base import OptionReader
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


# A spec's table keys for these options (``row_security`` is ALTER TABLE … ENABLE ROW LEVEL
# SECURITY, ``force_row_security`` its FORCE), each read as a flag or as SQL text.
OPTION_KEYS: dict[str, str] = {
    "unlogged": "flag",
    "partition_by": "text",
    "partition_of": "text",
    "partition_bound": "text",
    "row_security": "flag",
    "force_row_security": "flag",
}


def read_options(entries: dict[str, Any], read: OptionReader) -> PostgresTableOptions | None:
    """A spec table's PostgreSQL options; None for a table that states none."""
    stated = {key: read(key, kind) for key, kind in OPTION_KEYS.items() if key in entries}
    if not stated:
        return None
    if ("partition_of" in stated) != ("partition_bound" in stated):
        raise SchemavetError('A partition states both "partition_of" (its parent) and "partition_bound"')
    options = PostgresTableOptions(**stated)
    return None if options == PLAIN_TABLE else options


def dump_options(options: Options | None) -> dict[str, Any]:
    """The entries a snapshot writes for the options (a plain table writes none)."""
    if not isinstance(options, PostgresTableOptions):
        return {}
    return {key: getattr(options, key) or None for key in OPTION_KEYS}
