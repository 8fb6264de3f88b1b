"""The library calls behind every CLI command: verify a database, check migrations, snapshot."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from schemavet.compare.diff import diff_schemas
from schemavet.compare.findings import Finding
from schemavet.dialects.base import Engine, get_engine
from schemavet.dialects.url import DatabaseURL, parse_db_url, without_password
from schemavet.model import Schema
from schemavet.spec.load import Spec, load_spec
from schemavet.spec.yamlnodes import gc_paused


@dataclass(frozen=True)
class Report:
    """The outcome of a verification: the findings, and what was compared."""

    database: str  # as messages show it: never with its password
    spec_path: str
    findings: tuple[Finding, ...]
    # what was checked beyond the catalog ("16 query plans checked", …), for the summary line
    checked: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the database matches the spec and every policy holds."""
        return not self.findings


def verify(
    db: str,
    spec: str | os.PathLike[str] | Spec,
    migrations: str | os.PathLike[str] | None = None,
    prove_actions: bool = False,
) -> Report:
    """Compare the database at ``db`` (URL or path) with a spec; never writes to the database.

    With ``migrations``, also report each applied migration whose file no longer has the
    contents recorded when it was applied (see :mod:`schemavet.commands.apply`). The spec's
    query-plan checks always run; ``prove_actions`` also proves every declared foreign-key
    action by doing it, in a scratch copy of the database's schema.
    """
    return _verify(db, spec, migrations, prove_actions, in_place=False)


def _verify(
    db: str,
    spec: str | os.PathLike[str] | Spec,
    migrations: str | os.PathLike[str] | None,
    prove_actions: bool,
    in_place: bool,
) -> Report:
    url = parse_db_url(db)
    engine = get_engine(url.engine)
    spec_path = spec.path if isinstance(spec, Spec) else os.fspath(spec)
    # The collector is paused for the whole run and resumed only once the models are gone:
    # resumed earlier, its first pass would walk every object they are made of.
    checked: list[str] = []
    with gc_paused():
        findings = _compare(url, engine, spec, prove_actions, in_place, checked)
    if migrations is not None:
        from schemavet.commands.apply import content_findings

        findings += content_findings(db, migrations)
    return Report(without_password(db), spec_path, tuple(findings), tuple(checked))


def _compare(
    url: DatabaseURL,
    engine: Engine,
    spec: str | os.PathLike[str] | Spec,
    prove_actions: bool = False,
    in_place: bool = False,
    checked: list[str] | None = None,
) -> list[Finding]:
    with engine.inspecting(url) as inspected:  # the database is read while the spec is
        if not isinstance(spec, Spec):
            spec = load_spec(spec, engine.name)
        # policies, plans and proofs read every table; the diff only the ones that differ
        whole = bool(spec.policies or spec.queries or prove_actions)
        expected, actual = engine.normalize_pair(spec.schema, inspected(), whole)
    findings = diff_schemas(expected, actual)
    # policies, plans and proofs: imported only by the specs and runs that have them
    if spec.policies:
        from schemavet.compare.policies import check_policies

        findings += check_policies(spec.policies, expected, engine.name_key, "spec")
        findings += check_policies(spec.policies, actual, engine.name_key, "database")
    if spec.queries or prove_actions:
        from schemavet.commands.behaviour import check_behaviour

        findings += check_behaviour(
            url, expected, spec.queries, engine.name_key, prove_actions, in_place, checked
        )
    return findings


def check(
    migrations: str | os.PathLike[str], spec: str | os.PathLike[str], prove_actions: bool = True
) -> Report:
    """Apply every migration to a new scratch SQLite database, then verify it against ``spec``.

    Also: the files must match their ``schemavet.sum``, every rollback must undo its
    migration exactly (see :mod:`schemavet.migrations.sums`,
    :mod:`schemavet.commands.rollback_proof`), and every foreign-key action is proven on the
    scratch database unless ``prove_actions`` is off.
    """
    from schemavet.commands.rollback_proof import prove_rollbacks
    from schemavet.migrations.runner import apply_all
    from schemavet.migrations.sums import check_sum

    with tempfile.TemporaryDirectory(prefix="schemavet-") as scratch:
        path = os.path.join(scratch, "scratch.db")
        apply_all("sqlite:///" + path, os.fspath(migrations), scratch=True)
        report = _verify(path, spec, None, prove_actions, in_place=True)
    findings = (*check_sum(os.fspath(migrations)), *report.findings, *prove_rollbacks(migrations))
    return Report(f"the schema built by {os.fspath(migrations)}", report.spec_path, findings, report.checked)


def inspect(db: str) -> Schema:
    """The schema of the database at ``db``, as the database states it (not normalized)."""
    url = parse_db_url(db)
    return get_engine(url.engine).inspect(url)


def snapshot(db: str) -> str:
    """A spec (YAML text) of the database at ``db``; verifying against it finds nothing."""
    from schemavet.spec.dump import dump_spec

    return dump_spec(inspect(db), source=db)
