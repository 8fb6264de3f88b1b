"""``schemavet lint``: a migration linter for yoyo migrations, replayed in their dialect."""

from __future__ import annotations

from schemavet.lint.engine import lint_paths

__all__ = ["lint_paths"]
