"""PostgreSQL's normal form (so far: the schema as stated; the normalizer follows)."""

from __future__ import annotations

from schemavet.model import Schema


def normalize_postgres(schema: Schema) -> Schema:
    """The schema in PostgreSQL's normal form."""
    return schema


def normalize_postgres_pair(expected: Schema, actual: Schema, whole: bool = True) -> tuple[Schema, Schema]:
    """Both sides of a comparison in normal form."""
    return normalize_postgres(expected), normalize_postgres(actual)
