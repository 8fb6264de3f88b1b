"""Prove each migration's rollback: apply, roll back, apply again, on a scratch database.

For every migration with a ``.rollback.sql``: the schema before it is applied must come back
exactly when it is rolled back, and applying it again must give exactly the schema it gave the
first time. A difference is a finding naming the migration and what was left behind (or not
restored, or changed); a rollback that fails is a finding too.
"""

from __future__ import annotations

import os
from typing import Any

from schemavet.compare.diff import diff_schemas
from schemavet.compare.findings import CHANGED, MISSING, UNEXPECTED, Finding
from schemavet.compare.migration_findings import REAPPLY, ROLLBACK, MigrationFinding
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.dialect.url import parse_db_url
from schemavet.model import Schema


class _ProofStopped(Exception):
    """The scratch database is no longer in a known state: later migrations cannot be proved."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__()


def prove_rollbacks(migrations: str | os.PathLike[str], dialect: Dialect | None = None) -> list[Finding]:
    """Findings for every migration of ``migrations`` whose rollback does not undo it exactly.

    The proof runs on a scratch database of ``dialect`` (the default dialect's when None).
    """
    from schemavet.migrations.directory import in_yoyo_order, read_migration_dir

    ordered = in_yoyo_order(read_migration_dir(os.fspath(migrations)))
    dialect = dialect or registry.get(registry.default_name())
    findings: list[Finding] = []
    with dialect.scratch_database() as scratch:
        path = parse_db_url(scratch).location
        backend = dialect.scratch_backend(scratch)
        try:
            with backend.lock():
                for migration in ordered:
                    findings += _prove_one(backend, migration, dialect, path)
        except _ProofStopped as stopped:
            findings += stopped.findings
        finally:
            backend.connection.close()
    return findings


def _prove_one(backend: Any, migration: Any, engine: Dialect, path: str) -> list[Finding]:
    from schemavet.migrations.directory import rollback_path
    from schemavet.migrations.runner import apply_one, quiet

    if rollback_path(migration) is None:
        apply_one(backend, migration, mark=True)
        return []
    before = _schema(engine, path)
    apply_one(backend, migration, mark=True)
    applied = _schema(engine, path)
    try:
        with quiet():  # yoyo prints the rows a statement returns
            backend.rollback_one(migration)
    except Exception as e:  # the driver's own error, or BadMigration
        failed = [_finding(migration, ROLLBACK, f"fails: {e}")]
        # yoyo runs the rollback in a transaction: when that undid it, later proofs can go on
        if diff_schemas(applied, _schema(engine, path)):
            raise _ProofStopped(failed) from e
        return failed
    findings = _differences(before, _schema(engine, path), migration, ROLLBACK)
    try:
        with quiet():
            backend.apply_one(migration)
    except Exception as e:
        findings.append(_finding(migration, REAPPLY, f"fails: {e}"))
        raise _ProofStopped(findings) from e
    return findings + _differences(applied, _schema(engine, path), migration, REAPPLY)


def _schema(dialect: Dialect, location: str) -> Schema:
    return dialect.normalize(dialect.inspect(location))


def _differences(expected: Schema, actual: Schema, migration: Any, step: str) -> list[Finding]:
    return [_finding(migration, step, _phrase(f, step), f) for f in diff_schemas(expected, actual)]


def _phrase(finding: Finding, step: str) -> str:
    """The schema finding said of a rollback (``expected`` is the schema before the migration)."""
    subject = f'{finding.object_type} "{finding.object}"'
    if step == ROLLBACK:
        if finding.kind == UNEXPECTED:
            return f"leaves {subject} behind"
        if finding.kind == MISSING:
            return f"does not restore {subject}"
    else:
        if finding.kind == UNEXPECTED:
            return f"creates {subject}, which its first application did not"
        if finding.kind == MISSING:
            return f"does not create {subject} again"
    if finding.kind == CHANGED:
        changed = finding.message.removeprefix(f'{finding.object_type.capitalize()} "{finding.object}" ')
        return f"leaves {subject} changed: it {changed}"
    return finding.message


def _finding(migration: Any, step: str, phrase: str, schema_finding: Finding | None = None) -> Finding:
    from schemavet.migrations.directory import rollback_path

    if step == ROLLBACK:
        sentence = f'Rollback of migration "{migration.id}" {phrase}'
        path = rollback_path(migration) or migration.path
    else:
        sentence = f'Migration "{migration.id}", applied again after its rollback, {phrase}'
        path = migration.path
    return MigrationFinding(
        step,
        "migration",
        migration.id,
        schema_finding.object if schema_finding else None,
        schema_finding.expected if schema_finding else None,
        schema_finding.actual if schema_finding else None,
        detail=sentence,
        path=path,
    )
