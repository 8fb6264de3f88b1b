"""Findings about migration files and about what applying them did.

A schema finding is phrased from its kind and attribute; these are phrased by the check that
finds them (an edited file, a rollback that leaves a table behind, a table that lost rows), so
each carries its whole sentence in ``detail`` and the file it is about in ``path``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from schemavet.compare.findings import Finding

if TYPE_CHECKING:
    from schemavet.diagnostics import Diagnostic

EDITED, REMOVED, MOVED, UNRECORDED = "edited", "removed", "moved", "unrecorded"
ROLLBACK, REAPPLY = "rollback", "reapply"
CONTENT, ROWS_LOST, FOREIGN_KEY_VIOLATION, INTEGRITY = (
    "content",
    "rows lost",
    "foreign key violation",
    "integrity",
)
# a lint finding of error severity, reported by check (``attribute`` holds the rule's code)
LINT = "lint"

_HINTS = {
    EDITED: "Restore the file as it was applied, or, if the edit is deliberate, run schemavet sum",
    REMOVED: "Restore the migration file: databases that applied it still have its effect",
    MOVED: "Give the file back its place in the order, or run schemavet sum if nothing applied it yet",
    UNRECORDED: "Run schemavet sum to record the new file in schemavet.sum",
    ROLLBACK: "Make the rollback file undo exactly what the migration does",
    REAPPLY: "Make the rollback restore what the migration needs to be applied again the same way",
    CONTENT: "Restore the file as it was applied, or write a new migration for the change",
    ROWS_LOST: "Copy the rows into the new table before dropping the old one, or drop them on purpose",
    FOREIGN_KEY_VIOLATION: "Delete or fix the rows that point at nothing before the migration runs",
    INTEGRITY: "Restore the database from a backup; do not apply migrations to it until it checks clean",
}


@dataclass(frozen=True)
class MigrationFinding(Finding):
    """A finding whose sentence was written by the check that found it.

    ``hint`` says what to do when the kind's own hint does not fit (a lint rule's hint).
    """

    hint: str | None = field(default=None, compare=False)

    @property
    def message(self) -> str:
        """The sentence the check wrote."""
        return self.detail or f'{self.object_type.capitalize()} "{self.object}" {self.kind}'

    def as_diagnostic(self, spec_path: str) -> Diagnostic:
        """At its file (line 1 when the finding is about the whole file), with a hint; a lint
        finding keeps its rule's code."""
        diagnostic = super().as_diagnostic(spec_path)
        code = self.attribute if self.kind == LINT and self.attribute else diagnostic.code
        line = self.line if self.line is not None or self.path is None else 1
        return replace(diagnostic, code=code, line=line, hint=self.hint or _HINTS.get(self.kind))
