"""Lint migration files and directories: read as yoyo reads them, replay, run every rule."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemavet.diagnostics import ERROR, Diagnostic
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.dialect.registry import DEFAULT_DIALECT
from schemavet.errors import MigrationError, SchemavetError
from schemavet.lint.context import ApplyError, FileContext, StatementContext
from schemavet.lint.noqa import silenced
from schemavet.lint.registry import Rule, load_rules
from schemavet.lint.source import (
    ROLLBACK_SUFFIX,
    MigrationFile,
    Statement,
    python_migration,
    read_migration_file,
)
from schemavet.lint.statements import ParsedStatement, parse_statement
from schemavet.migrations.directory import migration_directories, order_by_depends, read_migration_dir


@dataclass
class _Target:
    """A migrations directory, and which of its files to report on (None: all of them)."""

    directory: str
    selected: set[str] | None = field(default_factory=set)

    def wants(self, path: str) -> bool:
        """True when findings for ``path`` are to be reported."""
        return self.selected is None or os.path.normpath(path) in self.selected


def lint_paths(
    paths: Iterable[str],
    dialect: str = DEFAULT_DIALECT,
    select: Iterable[str] | None = None,
    postgres_url: str | None = None,
    embedded_postgres: bool = True,
) -> list[Diagnostic]:
    """Lint migration files and directories; findings sorted by file, line and column.

    PostgreSQL migrations replay into the server at ``postgres_url``, else into an embedded
    PostgreSQL started for the run, else (``embedded_postgres`` False, or the package missing)
    the schema is derived from the earlier statements.
    """
    chosen = registry.get(dialect)
    rules = _rules(chosen.name, select)
    targets = _targets(paths)
    findings: list[Diagnostic] = []
    with chosen.lint_server(postgres_url, embedded_postgres) as server:
        for target in targets:
            findings += _lint_directory(target, chosen, rules, server)
    return sorted(findings, key=lambda d: (d.path, d.line or 0, d.column or 0, d.code))


def _rules(dialect: str, select: Iterable[str] | None) -> list[Rule]:
    catalogue = load_rules()
    wanted = set(catalogue) if select is None else {c.upper() for c in select}
    unknown = wanted - set(catalogue)
    if unknown:
        raise SchemavetError(f'Unknown lint rule "{sorted(unknown)[0]}"')
    return [rule() for code, rule in catalogue.items() if code in wanted and dialect in rule.dialects]


def _targets(paths: Iterable[str]) -> list[_Target]:
    targets: dict[str, _Target] = {}
    for path in paths:
        if os.path.isdir(path):
            for directory in migration_directories(path):
                targets.setdefault(os.path.normpath(directory), _Target(directory)).selected = None
            continue
        migration = _migration_of(path)
        directory = os.path.dirname(migration) or "."
        target = targets.setdefault(os.path.normpath(directory), _Target(directory))
        if target.selected is not None:
            target.selected.add(os.path.normpath(migration))
    return list(targets.values())


def _migration_of(path: str) -> str:
    if not os.path.exists(path):
        raise MigrationError(f'Migration path "{path}" does not exist')
    if not path.endswith(".sql"):
        raise MigrationError(f'"{path}" is not a .sql migration file')
    if path.endswith(ROLLBACK_SUFFIX):
        return path[: -len(ROLLBACK_SUFFIX)] + ".sql"
    return path


def read_directory(directory: str) -> list[MigrationFile]:
    """The ``.sql`` migrations of a directory in the order yoyo applies them, post-apply last."""
    listed = read_migration_dir(directory)
    files = {m.id: _read(m) for m in listed}
    hooks = [_read(m) for m in listed.post_apply]
    return [files[i] for i in order_by_depends(files, {m.id for m in listed})] + hooks


def _read(migration: Any) -> MigrationFile:
    if migration.path.endswith(".py"):
        return python_migration(migration)
    return read_migration_file(migration.path)


def _lint_directory(
    target: _Target, dialect: Dialect, rules: list[Rule], server: str | None
) -> list[Diagnostic]:
    migrations = read_directory(target.directory)
    if target.selected is not None:
        known = {os.path.normpath(m.path) for m in migrations}
        for path in sorted(target.selected - known):
            raise MigrationError(f'"{path}" is not a migration yoyo would apply from "{target.directory}"')
    state = dialect.lint_replay(server, any(m.is_python for m in migrations))
    try:
        findings = [d for m in migrations for d in _lint_file(m, dialect, state, target.wants(m.path), rules)]
        last = [d for rule in rules for d in rule.finish_directory(state)]
        wanted = [m for m in migrations if target.wants(m.path)]
        return findings + _unsilenced_any(wanted, last, dialect.name)
    finally:
        state.close()


def _lint_file(
    migration: MigrationFile, dialect: Dialect, state: Any, report: bool, rules: list[Rule]
) -> list[Diagnostic]:
    """Replay one file statement by statement, each checked against the schema just before it."""
    if migration.is_python:
        return _replay_python(migration, dialect, state, report, rules)
    parsed = _parsed(migration.statements, dialect)
    rollback = _parsed(migration.rollback.statements, dialect) if migration.rollback else []
    names = _mentioned(parsed) | _mentioned(rollback)
    ctx = FileContext(migration, dialect.name, parsed, state.tables_among(names))
    state.attach(ctx)
    ctx.rollback_statements = rollback
    before = state.before_file(names) if report and migration.rollback is not None else None
    state.start_file(migration.transactional)
    findings: list[Diagnostic] = []
    for index, statement in enumerate(parsed):
        if report:
            findings += _check_statement(StatementContext(ctx, statement, parsed[:index]), rules)
            state.before_statement(ctx, statement)
        error = state.apply(statement)
        if error is not None:
            ctx.apply_errors.append(ApplyError(statement, error))
    state.end_file()
    if not report:
        return []
    if before is not None and not ctx.apply_errors:  # a failing migration's rollback tells nothing
        ctx.rollback = state.try_rollback(ctx, before, names)
    return _finish(ctx, rules, findings)


def _parsed(statements: list[Statement], dialect: Dialect) -> list[ParsedStatement]:
    return [parse_statement(s, dialect.name) for s in statements]


def _replay_python(
    migration: MigrationFile, dialect: Dialect, state: Any, report: bool, rules: list[Rule]
) -> list[Diagnostic]:
    """Apply a Python migration with yoyo's own step runner; only its failure can be reported."""
    error = state.apply_with_yoyo(migration.python)
    if error is None or not report:
        return []
    ctx = FileContext(migration, dialect.name, [], frozenset())
    state.attach(ctx)
    ctx.apply_errors.append(ApplyError(parse_statement(Statement(0, "", 0, 1, 1), dialect.name), error))
    return _finish(ctx, rules, [])


def _mentioned(statements: list[ParsedStatement]) -> frozenset[str]:
    """Every name (keyed) the statements spell: the only objects they can touch by name."""
    return frozenset(
        s.key(t.name) for s in statements for t in s.tokens if t.kind in ("word", "quoted", "string")
    )


def _check_statement(ctx: StatementContext, rules: list[Rule]) -> list[Diagnostic]:
    return [d for rule in rules for d in rule.check_statement(ctx)]


def _finish(ctx: FileContext, rules: list[Rule], findings: list[Diagnostic]) -> list[Diagnostic]:
    """Add the file-level findings, drop fallbacks already explained, apply noqa comments."""
    fallback = {rule.code for rule in rules if rule.fallback}
    for rule in rules:
        findings += rule.check_file(ctx)
    flagged = {(d.path, d.line) for d in findings if d.code not in fallback and d.severity == ERROR}
    findings = [d for d in findings if d.code not in fallback or (d.path, d.line) not in flagged]
    return _unsilenced_any([ctx.file], findings, ctx.dialect)


def _unsilenced_any(
    migrations: list[MigrationFile], findings: list[Diagnostic], dialect: str
) -> list[Diagnostic]:
    return silenced(migrations, findings, dialect)
