"""What the commands produce: a verification's report, a review's steps, a rehearsal's rows.

Plain data the commands fill and the renderers (``schemavet.report``) read, kept below both so
neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemavet.compare.findings import Finding, plain
from schemavet.diagnostics import ERROR, Diagnostic
from schemavet.model import Schema

if TYPE_CHECKING:
    from schemavet.compare.changes import Change


@dataclass(frozen=True)
class Report:
    """The outcome of a verification: the findings, and what was compared."""

    database: str
    spec_path: str
    findings: tuple[Finding, ...]
    # what was checked beyond the catalog ("16 query plans checked", …), for the summary line
    checked: tuple[str, ...] = ()
    # what the database holds that schemavet does not compare (said, never passed silently)
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the database matches the spec and every policy holds."""
        return not self.findings


@dataclass(frozen=True)
class Loss:
    """An index or trigger that a migration removed without dropping it by name.

    ``table`` is the table (or, for an INSTEAD OF trigger, the view — ``owner_type`` says
    which) that is still there after the migration but without it.
    """

    object_type: str
    name: str
    table: str
    definition: dict[str, Any]
    owner_type: str = "table"

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape."""
        return {
            "object_type": self.object_type,
            "name": self.name,
            "table": self.table,
            "owner_type": self.owner_type,
            "definition": plain(self.definition),
        }


@dataclass(frozen=True)
class RowCount:
    """A table whose number of rows a migration changed (seed data, data migrations)."""

    table: str
    before: int
    after: int

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape."""
        return {"table": self.table, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class StepEffect:
    """The effect of one migration file, measured on the scratch database."""

    migration: str
    path: str
    post_apply: bool
    changes: tuple[Change, ...]
    losses: tuple[Loss, ...]
    rows: tuple[RowCount, ...]
    diagnostics: tuple[Diagnostic, ...]
    error: str | None = None  # why the migration failed to apply (then it is the last step)
    # the tables and views the step touched, as inspected before and after it (for a diagram)
    before: Schema | None = field(default=None, compare=False, repr=False)
    after: Schema | None = field(default=None, compare=False, repr=False)

    @property
    def failed(self) -> bool:
        """True when the step failed to apply, lost an index or trigger, or has a lint finding
        of error severity."""
        return (
            self.error is not None or bool(self.losses) or any(d.severity == ERROR for d in self.diagnostics)
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape."""
        return {
            "migration": self.migration,
            "path": self.path,
            "post_apply": self.post_apply,
            "changes": [c.as_dict() for c in self.changes],
            "losses": [loss.as_dict() for loss in self.losses],
            "rows": [r.as_dict() for r in self.rows],
            "diagnostics": [_diagnostic_dict(d) for d in self.diagnostics],
            "error": self.error,
        }


@dataclass(frozen=True)
class TableRows:
    """Rows of one table before and after the migrations (None: the table did not exist).

    ``lost`` counts the rows that are gone: matched by primary key where the table has one (so
    a row deleted and another inserted in its place is lost, whatever the count says), counted
    otherwise. ``renamed_to`` names the new table the rows of a table that is gone were found
    in, compared row by row (see :func:`schemavet.dialects.sqlite.rehearsal.account_rows`).
    """

    table: str
    before: int | None
    after: int | None
    lost: int = 0
    renamed_to: str | None = None


@dataclass(frozen=True)
class Rehearsal:
    """What applying the pending migrations did to a copy of the database."""

    database: str
    applied: tuple[str, ...]
    tables: tuple[TableRows, ...]
    findings: tuple[Finding, ...]
    verification: Report | None
    adopted: tuple[str, ...] = ()
    # what foreign keys would have done had the application turned them on (apply leaves them
    # off, as yoyo does): said, but not a failure of the rehearsal
    warnings: tuple[str, ...] = ()
    # what the integrity and foreign-key checks covered, in words
    checked: str = ""

    @property
    def ok(self) -> bool:
        """True when no table lost rows, no check failed and the spec (if any) matched."""
        return not self.findings and (self.verification is None or self.verification.ok)


def _diagnostic_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "code": diagnostic.code,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }
