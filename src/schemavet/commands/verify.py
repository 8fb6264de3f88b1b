"""The library calls behind every CLI command: verify a database, check migrations, snapshot."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from schemavet.dialect import registry
from schemavet.dialect.url import DatabaseURL, parse_db_url, without_password
from schemavet.lint.settings import LintSettings
from schemavet.memory import gc_paused, keep

# The model, the findings and the spec are imported once the database is being read: on a
# server, the catalog's reader (a forked child) starts before them, and their import overlaps it.
if TYPE_CHECKING:
    from schemavet.compare.findings import Finding
    from schemavet.compare.outcomes import Report
    from schemavet.dialect.base import Dialect
    from schemavet.model import NotModelled, Schema
    from schemavet.spec.load import Spec


def __getattr__(name: str) -> object:
    """``Report``, still importable from here (its home before ``compare/outcomes.py``)."""
    if name == "Report":
        from schemavet.compare.outcomes import Report

        return Report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def verify(
    db: str,
    spec: str | os.PathLike[str] | Spec,
    migrations: str | os.PathLike[str] | None = None,
    prove_actions: bool = False,
    strict: bool = False,
    ignore: tuple[str, ...] = (),
) -> Report:
    """Compare the database at ``db`` (URL or path) with a spec; never writes to the database.

    With ``migrations``, also report each applied migration whose file no longer has the
    contents recorded when it was applied (see :mod:`schemavet.commands.apply`). The spec's
    query-plan checks always run; ``prove_actions`` also proves every declared foreign-key
    action by doing it, in a scratch copy of the database's schema. What the database holds that
    schemavet does not model is a warning in the report, or with ``strict`` a finding. Tables
    matching an ``ignore`` glob (beside the spec's own ``ignore:`` and other migration tools'
    bookkeeping tables) are not unexpected (see :mod:`schemavet.compare.ignore`).
    """
    return _verify(db, spec, migrations, prove_actions, in_place=False, strict=strict, ignore=ignore)


def verify_with_schemas(
    db: str,
    spec: str | os.PathLike[str] | Spec,
    migrations: str | os.PathLike[str] | None = None,
    prove_actions: bool = False,
    strict: bool = False,
    ignore: tuple[str, ...] = (),
) -> tuple[Report, Schema, Schema]:
    """:func:`verify`, and the two normal forms it compared (expected, actual), for a picture."""
    schemas: list[Schema] = []
    report = _verify(
        db, spec, migrations, prove_actions, in_place=False, strict=strict, ignore=ignore, schemas=schemas
    )
    return report, schemas[0], schemas[1]


def _verify(
    db: str,
    spec: str | os.PathLike[str] | Spec,
    migrations: str | os.PathLike[str] | None,
    prove_actions: bool,
    in_place: bool,
    strict: bool = False,
    ignore: tuple[str, ...] = (),
    schemas: list[Schema] | None = None,
) -> Report:
    url = parse_db_url(db)
    dialect = registry.get(url.engine)
    spec_path = os.fspath(spec) if isinstance(spec, (str, os.PathLike)) else spec.path
    # The collector is paused for the whole run and resumed only once the models are gone:
    # resumed earlier, its first pass would walk every object they are made of.
    checked: list[str] = []
    unmodelled: list[NotModelled] = []
    with gc_paused():
        findings = _compare(url, dialect, spec, prove_actions, in_place, checked, unmodelled, ignore, schemas)
    from schemavet.compare.findings import NOT_MODELLED, Finding
    from schemavet.compare.outcomes import Report

    warnings = [_not_modelled(item) for item in unmodelled]
    if strict:
        findings += [Finding(NOT_MODELLED, item.kind, item.name, detail=_NOT_COMPARED) for item in unmodelled]
        warnings = []
    if migrations is not None:
        from schemavet.commands.apply import content_findings

        findings += content_findings(db, migrations)
    return Report(without_password(db), spec_path, tuple(findings), tuple(checked), tuple(warnings))


_NOT_COMPARED = "is in the database, but schemavet does not model it: it was not compared"


def _not_modelled(item: NotModelled) -> str:
    return f'{item.kind.capitalize()} "{item.name}" {_NOT_COMPARED} (--strict makes this a failure)'


def _compare(
    url: DatabaseURL,
    dialect: Dialect,
    spec: str | os.PathLike[str] | Spec,
    prove_actions: bool = False,
    in_place: bool = False,
    checked: list[str] | None = None,
    unmodelled: list[NotModelled] | None = None,
    ignore: tuple[str, ...] = (),
    schemas: list[Schema] | None = None,
) -> list[Finding]:
    with dialect.inspecting(url.location) as inspected:  # the database is read while the spec is
        # imported only now: on a server, the catalog is already being read meanwhile
        from schemavet.compare.diff import diff_schemas
        from schemavet.compare.ignore import Ignore, without_ignored
        from schemavet.spec.load import load_spec

        if isinstance(spec, (str, os.PathLike)):
            spec = load_spec(spec, dialect.name)
        # policies, plans and proofs read every table; the diff only the ones that differ
        whole = bool(spec.policies or spec.queries or prove_actions)
        expected, actual = dialect.normalize_pair(spec.schema, inspected(), whole)
    keep(spec, expected, actual)  # freeing them one by one costs as much as the diff
    actual = without_ignored(expected, actual, Ignore((*spec.ignore, *ignore), dialect.name_key))
    if unmodelled is not None:
        unmodelled += actual.not_modelled
    if schemas is not None:
        schemas += [expected, actual]
    findings = diff_schemas(expected, actual)
    # policies, plans and proofs: imported only by the specs and runs that have them
    if spec.policies:
        from schemavet.compare.policies import check_policies_on_both

        findings += check_policies_on_both(spec.policies, expected, actual, dialect.name_key)
    if spec.queries or prove_actions:
        from schemavet.commands.behaviour import check_behaviour

        findings += check_behaviour(url, dialect, expected, spec.queries, prove_actions, in_place, checked)
    return findings


_DEFAULT_LINT = LintSettings()


def check(
    migrations: str | os.PathLike[str],
    spec: str | os.PathLike[str],
    prove_actions: bool = True,
    postgres_url: str | None = None,
    ignore: tuple[str, ...] = (),
    engine: str | None = None,
    lint: LintSettings | None = _DEFAULT_LINT,
) -> Report:
    """Apply every migration to a new scratch database of ``engine`` (default: the spec's first
    engine), then verify it against the spec read for that engine.

    Also: the files must match their ``schemavet.sum``, every rollback must undo its
    migration exactly (see :mod:`schemavet.migrations.sums`,
    :mod:`schemavet.commands.rollback_proof`), every foreign-key action is proven on the
    scratch database unless ``prove_actions`` is off, and with ``lint`` every lint finding of
    error severity (after ``lint``'s ignores and severities) is a finding (a spec snapshotted
    from a lossy migration does not make the loss intended). A server engine's scratch
    database is made on ``postgres_url`` when given, else on an embedded server.
    """
    from schemavet.commands.rollback_proof import prove_rollbacks
    from schemavet.compare.outcomes import Report
    from schemavet.migrations.runner import apply_all
    from schemavet.migrations.sums import check_sum
    from schemavet.spec.load import load_spec

    expected = load_spec(spec, engine)  # a spec that does not describe the engine: before any work
    dialect = registry.get(expected.schema.engine)
    with dialect.scratch_database(postgres_url) as scratch:
        apply_all(scratch, os.fspath(migrations), scratch=True)
        report = _verify(scratch, expected, None, prove_actions, in_place=True, ignore=ignore)
    findings = (
        *check_sum(os.fspath(migrations)),
        *(lint_findings(os.fspath(migrations), dialect.name, lint, postgres_url) if lint else ()),
        *report.findings,
        *prove_rollbacks(migrations, dialect),
    )
    return Report(f"the schema built by {os.fspath(migrations)}", report.spec_path, findings, report.checked)


def lint_findings(
    migrations: str, dialect: str, settings: LintSettings, postgres_url: str | None = None
) -> list[Finding]:
    """Lint's findings of error severity on a migrations directory, as check reports them."""
    from schemavet.compare.migration_findings import LINT, MigrationFinding
    from schemavet.diagnostics import ERROR
    from schemavet.lint import lint_paths

    diagnostics = settings.apply(
        lint_paths([migrations], dialect, settings.select, postgres_url=postgres_url)
    )
    return [
        MigrationFinding(
            LINT,
            "migration file",
            os.path.basename(d.path),
            d.code,
            line=d.line,
            detail=f"{d.message} ({d.code})",
            path=d.path,
            hint=d.hint,
        )
        for d in diagnostics
        # SV505 (rollback incomplete) is what check's rollback proof reports, with the
        # schema's own words: said once, from there
        if d.severity == ERROR and d.code not in _PROVEN_BY_CHECK
    ]


_PROVEN_BY_CHECK = frozenset({"SV505"})


def drawn_schema(spec: str | None, db: str | None) -> tuple[Schema, str]:
    """The schema a diagram draws, from a spec file or a database (read only), and its source."""
    if spec is not None:
        from schemavet.spec.load import load_spec

        return load_spec(spec).schema, spec
    assert db is not None
    return inspect(db), without_password(db)


def inspect(db: str) -> Schema:
    """The schema of the database at ``db``, as the database states it (not normalized)."""
    url = parse_db_url(db)
    return registry.get(url.engine).inspect(url.location)


def snapshot(db: str) -> str:
    """A spec (YAML text) of the database at ``db``; verifying against it finds nothing."""
    from schemavet.spec.dump import dump_spec

    return dump_spec(inspect(db), source=without_password(db))
