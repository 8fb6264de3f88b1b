"""Verify findings become located diagnostics: the spec file, the declaring line, a stable code."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemavet
from schemavet.compare.findings import (
    BEHAVIOUR,
    CHANGED,
    MISSING,
    PLAN,
    POLICY,
    UNEXPECTED,
    UNPROVEN,
    Finding,
)
from schemavet.diagnostics import ERROR, Diagnostic
from tests.conftest import RECRUITING_SPEC, run_sql

SPEC_LINES = RECRUITING_SPEC.read_text().splitlines()

# drift run on the recruiting database -> (code, message, the word the spec line declares or None)
CASES = [
    (
        "DROP INDEX idx_cvs_status;",
        "verify/missing",
        'Index "cvs.idx_cvs_status" is missing from the database',
        "idx_cvs_status",
    ),
    (
        "ALTER TABLE cvs ADD COLUMN notes TEXT;",
        "verify/unexpected",
        'Column "cvs.notes" is in the database but not in the spec',
        "cvs:",
    ),
    (
        "CREATE TABLE extra (a TEXT);",
        "verify/unexpected",
        'Table "extra" is in the database but not in the spec',
        None,
    ),
    (
        "DROP INDEX idx_transcripts_call;",
        "verify/policy",
        'Table "transcripts" breaks policy',
        "foreign-keys-indexed",
    ),
]


@pytest.mark.parametrize("drift, code, message, declared", CASES, ids=[c[1] + " " + c[0] for c in CASES])
def test_verify_findings_as_diagnostics(
    drift: str, code: str, message: str, declared: str | None, recruiting_db: Path
) -> None:
    run_sql(recruiting_db, drift)
    report = schemavet.verify(str(recruiting_db), RECRUITING_SPEC)
    diagnostics = [f.as_diagnostic(report.spec_path) for f in report.findings]
    found = [d for d in diagnostics if d.code == code and d.message.startswith(message)]
    assert len(found) == 1, diagnostics
    (diagnostic,) = found
    assert diagnostic.path == str(RECRUITING_SPEC) and diagnostic.severity == ERROR
    assert diagnostic.column is None
    if declared is None:
        # not declared in the spec: its first line, so a SARIF result still has a region
        assert diagnostic.line == 1 and diagnostic.location == f"{RECRUITING_SPEC}:1"
    else:
        assert diagnostic.line is not None and declared in SPEC_LINES[diagnostic.line - 1]
        assert diagnostic.location == f"{RECRUITING_SPEC}:{diagnostic.line}"


def test_changed_finding_diagnostic() -> None:
    finding = Finding(
        CHANGED, "foreign key", "messages.cv_id", "on_delete", "SET NULL", "NO ACTION", line=162
    )
    assert finding.as_diagnostic("schema/samsara.yaml") == Diagnostic(
        path="schema/samsara.yaml",
        line=162,
        column=None,
        code="verify/changed",
        severity=ERROR,
        message='Foreign key "messages.cv_id" should be ON DELETE SET NULL, found NO ACTION',
        hint="Write a migration that changes the database, or correct the spec",
    )


@pytest.mark.parametrize("kind", [MISSING, UNEXPECTED, CHANGED, POLICY, PLAN, BEHAVIOUR, UNPROVEN])
def test_code_and_hint_per_kind(kind: str) -> None:
    diagnostic = Finding(kind, "table", "t", detail="x").as_diagnostic("s.yaml")
    assert diagnostic.code == f"verify/{kind}"
    assert (diagnostic.hint is None) == (kind == POLICY)
