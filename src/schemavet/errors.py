"""Exceptions: one root, small subclasses that carry where the problem is.

Only the CLI turns these into exit codes; library callers catch ``SchemavetError``.
"""

from __future__ import annotations


class SchemavetError(Exception):
    """Root of every error schemavet raises on purpose (bad input, unreachable database)."""


class SpecError(SchemavetError):
    """A spec file that cannot be read, or that says something schemavet does not understand."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        super().__init__(message)

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line) if p is not None)
        message = super().__str__()
        return f"{message} ({where})" if where else message


class DatabaseError(SchemavetError):
    """A database that is missing, corrupt, locked or otherwise cannot be inspected."""


class MigrationError(SchemavetError):
    """A migration that failed to apply to the scratch database."""


class ConfigError(SchemavetError):
    """A ``[tool.schemavet]`` table that is missing or malformed."""


class SqlSyntaxError(SchemavetError):
    """SQL text (a column definition, a table's DDL) that schemavet cannot parse."""
