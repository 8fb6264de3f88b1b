"""``schemavet lint``: a migration linter for yoyo migrations, replayed in their dialect.

``lint_paths`` is loaded when first asked for: ``verify`` reads the lint settings
(``schemavet.lint.settings``) without paying for the engine and its rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemavet.lint.engine import lint_paths

__all__ = ["lint_paths"]


def __getattr__(name: str) -> Any:
    if name == "lint_paths":
        from schemavet.lint.engine import lint_paths

        return lint_paths
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
