"""``schemavet lint``: a migration linter for SQLite (and PostgreSQL) yoyo migrations."""

from __future__ import annotations

from schemavet.lint.engine import lint_paths

__all__ = ["lint_paths"]
