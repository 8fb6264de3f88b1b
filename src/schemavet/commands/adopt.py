"""Adopt a legacy SQLite database: one an application migrated by hand, recording ``user_version``.

The migrations that bring a database to ``user_version`` V are replayed into a scratch database;
the live schema must match it exactly, and only then are exactly those migrations marked as
applied in yoyo's tables (with yoyo's own ``mark_migrations``). After that, ``yoyo apply`` or
``schemavet apply`` takes the database on from there.

Which migration brings a database to which version:

- a migration file may say so with a comment line ``-- schemavet: user_version N``; adopting a
  database at V marks every migration up to and including the one that declares V (migrations
  without the line that come after the last declared one are the ones written after the switch
  to yoyo);
- when no file in the directory declares a version, the Nth migration in yoyo order (counting
  from 1) brings the database to version N, and version 0 is the empty database.

A database at user_version 0 was made some other way: by another tool (Drizzle, whose
``__drizzle_migrations`` table, in ``main`` on SQLite and in the ``drizzle`` schema on
PostgreSQL, records its own migrations), or by hand. Then adopt finds the prefix itself: the
migrations are replayed one by one into a scratch database, and the one prefix whose schema
equals the live one (other tools' bookkeeping left out) is the one marked. No prefix, or two
prefixes building the same schema (a migration that changes only rows: which ran cannot be
told), is a refusal; the database is not touched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from schemavet.compare.diff import diff_schemas
from schemavet.compare.findings import MISSING, UNEXPECTED, Finding
from schemavet.compare.outcomes import Report
from schemavet.diagnostics import Diagnostic
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.dialect.url import DatabaseURL, parse_db_url
from schemavet.errors import DatabaseError, MigrationError, SchemavetError
from schemavet.model import Schema

_DIRECTIVE = re.compile(r"^\s*(?:--|#)\s*schemavet\s*:\s*user_version\s+(\S+)\s*$", re.MULTILINE)


class AdoptionRefused(SchemavetError):
    """The database's schema is not the schema its user_version stands for: nothing was marked."""

    def __init__(self, message: str, report: Report) -> None:
        self.report = report
        super().__init__(message)


@dataclass(frozen=True)
class Adoption:
    """What ``adopt`` did: the version it read, the migrations it marked, those still to apply."""

    database: str
    user_version: int
    marked: tuple[str, ...]
    pending: tuple[str, ...]
    found_by: str = "user_version"  # or "schema": the prefix whose schema is the database's


def adopt(
    db: str, migrations: str | os.PathLike[str], spec: str | os.PathLike[str] | None = None
) -> Adoption:
    """Mark the migrations up to the database's ``user_version`` as applied, after proving it."""
    url = parse_db_url(db)
    dialect = registry.get(url.engine)
    dialect.check_supports("adopt")
    directory = os.fspath(migrations)
    version, fingerprint = _legacy_state(url, dialect)
    ordered = _ordered(directory)
    if version == 0:
        return _adopt_by_schema(url, dialect, ordered, directory, spec, fingerprint, db)
    prefix = migrations_for_version(ordered, version, directory)
    expected, spec_report = _replay(dialect, ordered, len(prefix), spec)
    _refuse_drift(url, dialect, expected, prefix, version, directory)
    if spec_report is not None and not spec_report.ok:
        raise AdoptionRefused(
            f'Refusing to adopt "{url.location}": the migrations in "{directory}" do not build '
            f'the spec "{spec_report.spec_path}"; nothing was marked',
            spec_report,
        )
    _mark(url, dialect, prefix, fingerprint)
    return Adoption(db, version, tuple(m.id for m in prefix), tuple(m.id for m in ordered[len(prefix) :]))


def _adopt_by_schema(
    url: DatabaseURL,
    dialect: Dialect,
    ordered: list[Any],
    directory: str,
    spec: str | os.PathLike[str] | None,
    fingerprint: str,
    db: str,
) -> Adoption:
    """Adopt a database no user_version describes: the prefix whose schema is its schema."""
    actual = without_foreign_bookkeeping(dialect.normalize(dialect.inspect(url.location)), dialect)
    count = _matching_prefix(dialect, ordered, actual, url, directory)
    if count == 0:
        raise SchemavetError(
            f'"{url.location}" holds none of the schema the migrations in "{directory}" build: '
            "there is nothing to adopt; apply the migrations instead"
        )
    prefix = ordered[:count]
    if spec is not None:
        _, spec_report = _replay(dialect, ordered, count, spec)
        if spec_report is not None and not spec_report.ok:
            raise AdoptionRefused(
                f'Refusing to adopt "{url.location}": the migrations in "{directory}" do not build '
                f'the spec "{spec_report.spec_path}"; nothing was marked',
                spec_report,
            )
    _mark(url, dialect, prefix, fingerprint)
    return Adoption(db, 0, tuple(m.id for m in prefix), tuple(m.id for m in ordered[count:]), "schema")


def without_foreign_bookkeeping(schema: Schema, dialect: Dialect) -> Schema:
    """``schema`` without migration tools' own tables (and Drizzle's schema): see compare/ignore.py."""
    from schemavet.compare.ignore import Ignore, without_ignored

    return without_ignored(Schema(schema.engine, {}), schema, Ignore((), dialect.name_key))


def _matching_prefix(
    dialect: Dialect, ordered: list[Any], actual: Schema, url: DatabaseURL, directory: str
) -> int:
    """How many migrations (in yoyo order) build exactly the schema ``actual``; refuses when none
    does, or when several do."""
    from yoyo import get_backend

    from schemavet.migrations.runner import apply_one

    differences: list[list[Finding]] = []
    with dialect.scratch_database() as scratch:
        location = parse_db_url(scratch).location
        backend = get_backend(dialect.yoyo_url(location, scratch))
        try:
            with backend.lock():
                differences.append(_differences(dialect, location, actual))
                for migration in ordered:
                    apply_one(backend, migration, mark=True)
                    differences.append(_differences(dialect, location, actual))
        finally:
            backend.connection.close()
    return _the_one_match(differences, ordered, url, directory)


def _differences(dialect: Dialect, location: str, actual: Schema) -> list[Finding]:
    expected = dialect.normalize(dialect.inspect(location))
    return diff_schemas(expected, actual)


def _the_one_match(
    differences: list[list[Finding]], ordered: list[Any], url: DatabaseURL, directory: str
) -> int:
    matches = [count for count, found in enumerate(differences) if not found]
    names = ["no migration"] + [m.id for m in ordered]
    if len(matches) > 1:
        raise SchemavetError(
            f'Refusing to adopt "{url.location}": the migrations of "{directory}" up to '
            + " and up to ".join(f'"{names[c]}"' for c in matches)
            + " build the same schema, so which of them ran cannot be told; nothing was marked"
        )
    if matches:
        return matches[0]
    closest = min(range(len(differences)), key=lambda c: (len(differences[c]), -c))  # ties: the longest
    built_by = f"the schema {directory} builds up to {names[closest]}, the closest"
    count = len(differences[closest])
    raise AdoptionRefused(
        f'Refusing to adopt "{url.location}": no prefix of the migrations in "{directory}" builds its '
        f"schema ({count} {'difference' if count == 1 else 'differences'} from {built_by}); "
        "nothing was marked",
        Report(url.location, built_by, tuple(differences[closest])),
    )


def _legacy_state(url: DatabaseURL, dialect: Dialect) -> tuple[int, str]:
    """The database's user_version and schema fingerprint; refuses one yoyo already manages."""
    with dialect.open_readonly(url.location) as conn:
        state = dialect.bookkeeping(conn)
        _refuse_managed(url, state)
        return state.user_version(), state.schema_fingerprint()


def _refuse_managed(url: DatabaseURL, state: Any) -> None:
    """yoyo manages a database once ``_yoyo_migration`` has rows (its other tables may be empty).

    A row in ``yoyo_lock`` says a yoyo process is migrating it (or died doing so): refused too.
    """
    from schemavet.migrations.runner import locked_sentence

    applied = state.applied_migration_ids()
    if applied:
        raise SchemavetError(
            f'"{url.location}" already has yoyo bookkeeping: {len(applied)} migrations recorded in '
            f'{state.migration_table}; nothing to adopt: apply its pending migrations with "schemavet apply"'
        )
    lock = state.yoyo_lock()
    if lock is not None:
        pid, taken = lock
        raise DatabaseError(locked_sentence(url.location, pid, taken, "nothing was marked"))


def _ordered(directory: str) -> list[Any]:
    from schemavet.migrations.directory import in_yoyo_order, read_migration_dir

    return in_yoyo_order(read_migration_dir(directory))


def declared_version(migration: Any) -> int | None:
    """The ``schemavet: user_version N`` a migration file declares, if any."""
    try:
        with open(migration.path, encoding="utf-8") as f:
            matches = _DIRECTIVE.findall(f.read())
    except (OSError, UnicodeDecodeError) as e:
        raise MigrationError(f'Cannot read migration "{migration.path}": {e}') from e
    if len(matches) > 1:
        raise MigrationError(f'Migration "{migration.path}" declares user_version more than once')
    if not matches:
        return None
    if not matches[0].isdigit():
        raise MigrationError(
            f'Migration "{migration.path}" declares user_version "{matches[0]}", not a number'
        )
    return int(matches[0])


def version_map(ordered: list[Any]) -> dict[int, int]:
    """user_version → how many migrations (in yoyo order) bring a database to it."""
    declared = [(index, declared_version(m)) for index, m in enumerate(ordered)]
    if all(version is None for _, version in declared):
        return {n: n for n in range(1, len(ordered) + 1)}
    versions: dict[int, int] = {}
    last: int | None = None
    for index, version in declared:
        if version is None:
            continue
        if last is not None and version <= last:
            raise MigrationError(
                f'Migration "{ordered[index].path}" declares user_version {version}, '
                f"not above the {last} declared before it in yoyo order"
            )
        versions[version], last = index + 1, version
    return versions


def migrations_for_version(ordered: list[Any], version: int, directory: str) -> list[Any]:
    """The migrations (in yoyo order) that bring a database to ``version``."""
    versions = version_map(ordered)
    if version in versions:
        return ordered[: versions[version]]
    known = ", ".join(str(v) for v in sorted(versions)) or "none"
    if versions and version > max(versions):
        problem = f"is beyond the last version the migrations reach ({max(versions)})"
    elif version == 0 and 0 not in versions:
        problem = "means no migration was applied: there is nothing to adopt; apply the migrations instead"
    else:
        problem = f"is not a version any migration brings a database to (known: {known})"
    raise SchemavetError(f'The database\'s user_version {version} {problem} ("{directory}")')


def _replay(
    dialect: Dialect, ordered: list[Any], count: int, spec: str | os.PathLike[str] | None
) -> tuple[Schema, Report | None]:
    """The schema the first ``count`` migrations build; with a spec, also verify all of them."""
    from yoyo import get_backend

    from schemavet.commands.verify import verify
    from schemavet.migrations.runner import apply_one

    with dialect.scratch_database() as scratch:
        path = parse_db_url(scratch).location
        backend = get_backend(scratch)
        try:
            with backend.lock():
                for migration in ordered[:count]:
                    apply_one(backend, migration, mark=True)
                expected = dialect.normalize(dialect.inspect(path))
                if spec is None:
                    return expected, None
                for migration in ordered[count:]:
                    apply_one(backend, migration, mark=True)
        finally:
            backend.connection.close()
        report = verify(path, spec)
    # the scratch database is gone once this returns: the report names what it was
    return expected, replace(report, database="the schema the migrations build")


@dataclass(frozen=True)
class _DriftFinding(Finding):
    """A difference between a legacy database and what its migrations build: no spec is
    involved, so none is named."""

    @classmethod
    def of(cls, finding: Finding) -> _DriftFinding:
        """``finding`` phrased against the migrations."""
        return cls(**{f.name: getattr(finding, f.name) for f in fields(Finding)})

    @property
    def message(self) -> str:
        """Missing and unexpected objects said against the migrations, not a spec."""
        subject = f'{self.object_type.capitalize()} "{self.object}"'
        if self.kind == UNEXPECTED:
            return f"{subject} is in the database, but the migrations up to its user_version do not build it"
        if self.kind == MISSING:
            return (
                f"{subject} is missing from the database, but the migrations up to its user_version build it"
            )
        return super().message

    def as_diagnostic(self, spec_path: str) -> Diagnostic:
        """With a hint about the database and the migrations, not a spec."""
        return replace(super().as_diagnostic(spec_path), hint=_DRIFT_HINT)


_DRIFT_HINT = "Change the database or the migrations up to its user_version until they agree, then adopt"


def _refuse_drift(
    url: DatabaseURL, dialect: Dialect, expected: Schema, prefix: list[Any], version: int, directory: str
) -> None:
    actual = dialect.normalize(dialect.inspect(url.location))
    findings: list[Finding] = [_DriftFinding.of(f) for f in diff_schemas(expected, actual)]
    if not findings:
        return
    built_by = f"the schema {directory} builds up to {prefix[-1].id} (user_version {version})"
    noun = "difference" if len(findings) == 1 else "differences"
    raise AdoptionRefused(
        f'Refusing to adopt "{url.location}": its schema has {len(findings)} {noun} from {built_by}; '
        f"nothing was marked",
        Report(url.location, built_by, tuple(findings)),
    )


def _mark(url: DatabaseURL, dialect: Dialect, prefix: list[Any], fingerprint: str) -> None:
    """Mark ``prefix`` applied with yoyo's own API, if nobody changed the schema meanwhile.

    One transaction, under the database's write lock from its first statement: the schema is
    checked against the fingerprint taken before the replay, then yoyo's tables are created and
    the migrations marked. A refusal or any error rolls it back, so the file is as it was.
    """
    from schemavet.migrations.bookkeeping import InOneTransaction, open_backend, yoyo_url

    begin = type("Begin", (InOneTransaction,), {"begin_statement": dialect.adopt_begin})
    backend = open_backend(yoyo_url(url), mixins=(begin,), prepare=False, record_hashes=False)
    try:
        with backend.transaction():
            state = dialect.bookkeeping(backend.connection)
            _refuse_managed(url, state)
            if state.schema_fingerprint() != fingerprint:
                raise SchemavetError(
                    f'"{url.location}" changed while it was being adopted; nothing was marked, '
                    f"run adopt again"
                )
            backend.mark_migrations(prefix)
    except backend.DatabaseError as e:
        raise SchemavetError(
            f'Cannot mark migrations applied in "{url.location}": {e}; nothing was marked'
        ) from e
    finally:
        backend.connection.close()
