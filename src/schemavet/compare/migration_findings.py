"""Findings about migration files and about what applying them did.

A schema finding is phrased from its kind and attribute; these are phrased by the check that
finds them (an edited file, a rollback that leaves a table behind, a table that lost rows), so
each carries its whole sentence in ``detail`` and the file it is about in ``path``.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemavet.compare.findings import Finding

EDITED, REMOVED, MOVED, UNRECORDED = "edited", "removed", "moved", "unrecorded"
ROLLBACK, REAPPLY = "rollback", "reapply"
CONTENT, ROWS_LOST, FOREIGN_KEY_VIOLATION, INTEGRITY = (
    "content",
    "rows lost",
    "foreign key violation",
    "integrity",
)


@dataclass(frozen=True)
class MigrationFinding(Finding):
    """A finding whose sentence was written by the check that found it."""

    @property
    def message(self) -> str:
        """The sentence the check wrote."""
        return self.detail or f'{self.object_type.capitalize()} "{self.object}" {self.kind}'
