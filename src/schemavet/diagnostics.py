"""Located diagnostics: what every command reports, in the one shape the CI formats render.

A lint finding points at a migration file, a verify finding at the spec line that declares the
object; both become a :class:`Diagnostic`, so text, JSON, GitHub annotations and SARIF are
written once for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One finding at a place in a file.

    ``path`` is the file as the user named it, ``line`` and ``column`` are 1-based (None when
    the finding belongs to the whole file), ``code`` is the rule's stable code (``SV101``) or,
    for verify, the finding's kind, and ``hint`` says what to do instead.
    """

    path: str
    line: int | None
    column: int | None
    code: str
    severity: str
    message: str
    hint: str | None = None

    @property
    def location(self) -> str:
        """``path:line:col`` as compilers print it, leaving out what is unknown."""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)
