"""What each migration of a directory really does, step by step, for a reviewer.

One scratch database of the dialect is carried forward: yoyo applies the migrations one at a time in
its own order (then the post-apply hooks), and after each one the schema is inspected, so the
state before migration N is the state after N−1 and the directory is replayed once. Each step
reports the typed schema changes it made (:mod:`schemavet.compare.changes`), the indexes and triggers it
lost without dropping them (a table rebuilt — create new, copy, drop old, rename — drops the old
table's indexes and triggers with it), the row counts it changed, and its lint findings.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from schemavet.compare.changes import REMOVED, Change, Snapshot, schema_changes
from schemavet.compare.outcomes import Loss, RowCount, StepEffect  # noqa: F401  (their home before)
from schemavet.diagnostics import Diagnostic
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.dialect.url import parse_db_url
from schemavet.errors import MigrationError, SqlSyntaxError
from schemavet.model import Index, Namespace, Schema, Table, Trigger, View, comparable
from schemavet.sql.tokens import tokenize

Lint = Callable[[str], list[Diagnostic]]


@dataclass(frozen=True)
class _State:
    snapshot: Snapshot
    rows: dict[str, int]
    schema_version: int  # the dialect's counter of schema changes (SQLite's schema_version)


def review(
    directory: str | os.PathLike[str],
    lint: Lint | None = None,
    latest: int | None = None,
    dialect: str | None = None,
) -> list[StepEffect]:
    """The effect of each migration in ``directory``, in the order yoyo applies them.

    ``lint`` (a function from a migration file's path to its diagnostics) is run on each
    reported step's file. With ``latest``, only the last ``latest`` migrations (and the
    post-apply hooks, which follow every apply) are reported: the earlier ones are applied
    but not inspected. A migration that fails to apply is the last step, with its error
    (``StepEffect.error``): what broke is what a reviewer needs to see. A directory that
    cannot be read raises :class:`MigrationError` naming the file. The scratch database is one
    of ``dialect`` (the default dialect's when None).
    """
    from schemavet.migrations.directory import read_migration_dir

    engine = registry.get(dialect or registry.default_name())
    engine.check_supports("review")
    migrations = read_migration_dir(os.fspath(directory))
    first = max(0, len(migrations) - latest) if latest is not None else 0
    with engine.scratch_database() as scratch:
        steps = _apply_one_at_a_time(engine, scratch, migrations, os.fspath(directory))
        with contextlib.closing(steps):  # yoyo's lock is released before the database goes
            return _effects(engine, parse_db_url(scratch).location, steps, first, lint)


def _effects(
    engine: Dialect, path: str, steps: Iterator[tuple[int, Any, str | None]], first: int, lint: Lint | None
) -> list[StepEffect]:
    """Each step's effect from the first reported one on; what came before is only applied."""
    effects: list[StepEffect] = []
    before = _empty_state(engine)
    for position, migration, error in steps:
        if position < first - 1 and error is None:
            continue  # the state after it is not the state before a reported step
        if error is not None and position < first:
            # it failed before the window, whose states were not read: what yoyo rolled it
            # back to is all that is known, so the step shows its error and no changes
            before = _read_state(engine, path, before)
        after = _read_state(engine, path, before)
        if position >= first or error is not None:
            effects.append(_effect(migration, before, after, lint, error))
        before = after
    return effects


def _apply_one_at_a_time(
    dialect: Dialect, url: str, migrations: Any, directory: str
) -> Generator[tuple[int, Any, str | None], None, None]:
    """Apply the migrations (then the post-apply hooks) to the scratch database at ``url`` one
    at a time, yielding each with its position and, if it failed, the error (then stopping).

    The backend is the dialect's for a scratch database (SQLite's is confined: the migrations'
    SQL cannot write files through ATTACH or VACUUM INTO).
    """
    from schemavet.migrations.runner import apply_one

    backend = dialect.scratch_backend(url)
    try:
        with backend.lock():
            pending = _in_order(backend, migrations, directory)
            steps = [(m, True) for m in pending] + [(h, False) for h in migrations.post_apply]
            for position, (migration, mark) in enumerate(steps):
                try:
                    apply_one(backend, migration, mark=mark)
                except MigrationError as e:
                    cause = e.__cause__ if e.__cause__ is not None else e
                    yield position, migration, dialect.explain_error(str(cause)) or type(cause).__name__
                    return
                yield position, migration, None
    finally:
        backend.connection.close()


def _in_order(backend: Any, migrations: Any, directory: str) -> list[Any]:
    """The migrations in yoyo's order; a file yoyo cannot load is named, in a sentence."""
    from yoyo.topologicalsort import CycleError

    known = {m.id for m in migrations}
    for migration in [*migrations, *migrations.post_apply]:
        _load(migration, known)
    try:
        return list(backend.to_apply(migrations))
    except CycleError as e:
        ids = ", ".join(sorted(getattr(m, "id", str(m)) for m in e.args[1])) if len(e.args) > 1 else ""
        raise MigrationError(
            f'The migrations in "{directory}" depend on each other in a circle: {ids}'
        ) from e
    except Exception as e:  # BadMigration: a dependency on a migration that does not exist
        raise MigrationError(f'Cannot order the migrations in "{directory}": {e}') from e


def _load(migration: Any, known: set[str]) -> None:
    """Load one migration as yoyo does; why it cannot be, in a sentence naming its file."""
    from yoyo.exceptions import BadMigration

    logger = logging.getLogger("yoyo.migrations")  # it logs the traceback of a module that fails
    quiet, logger.disabled = logger.disabled, True
    try:
        migration.load()
    except Exception as e:  # yoyo raises KeyError, UnicodeDecodeError, BadMigration
        if migration.path.endswith(".sql"):
            from schemavet.lint.source import read_migration_file

            read_migration_file(migration.path)  # raises the precise sentence, for what it checks
        depends = getattr(getattr(migration, "module", None), "__depends__", None) or ()
        missing = sorted({depends} if isinstance(depends, str) else set(depends) - known)
        if missing:
            raise MigrationError(
                f'Migration "{migration.path}" depends on "{missing[0]}", which does not exist'
            ) from e
        inner = e.args[1] if isinstance(e, BadMigration) and len(e.args) > 1 else e
        problem = f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
        raise MigrationError(f'Migration "{migration.path}" cannot be loaded: {problem}') from e
    finally:
        logger.disabled = quiet


def _effect(
    migration: Any, before: _State, after: _State, lint: Lint | None, error: str | None = None
) -> StepEffect:
    from yoyo.migrations import PostApplyHookMigration

    dropped = explicit_drops(_statements(migration), after.snapshot.key)
    losses = implicit_losses(before.snapshot, after.snapshot, dropped)
    key = after.snapshot.key
    lost = {(loss.object_type, key(loss.table), key(loss.name)) for loss in losses}
    changes = [c for c in schema_changes(before.snapshot, after.snapshot) if _identity(c, key) not in lost]
    return StepEffect(
        migration=migration.id,
        path=migration.path,
        post_apply=isinstance(migration, PostApplyHookMigration),
        changes=tuple(changes),
        losses=tuple(losses),
        rows=tuple(_row_changes(before, after)),
        diagnostics=tuple(lint(migration.path)) if lint is not None else (),
        error=error,
    )


def _identity(change: Change, key: Callable[[str], str]) -> tuple[str, str, str] | None:
    if change.action != REMOVED or change.table is None:
        return None
    return change.object_type, key(change.table), key(change.name)


def implicit_losses(before: Snapshot, after: Snapshot, dropped: frozenset[tuple[str, str]]) -> list[Loss]:
    """Indexes and triggers of a table (or view) still there after, that went without a DROP.

    One recreated under another name with the same definition is not lost.
    """
    losses: list[Loss] = []
    for owners_before, owners_after in ((before.tables, after.tables), (before.views, after.views)):
        for key, old in owners_before.items():
            new = owners_after.get(key)
            if new is not None:
                losses += _lost_members(old, new, dropped, before)
    return losses


def _lost_members(
    old: Table | View, new: Table | View, dropped: frozenset[tuple[str, str]], before: Snapshot
) -> Iterator[Loss]:
    sections: list[tuple[str, dict[str, Any], dict[str, Any]]] = [("trigger", old.triggers, new.triggers)]
    if isinstance(old, Table) and isinstance(new, Table):
        sections.insert(0, ("index", old.indexes, new.indexes))
    for object_type, members_before, members_after in sections:
        remaining = list(members_after.values())
        for key, member in members_before.items():
            if key in members_after or (object_type, key) in dropped or member in remaining:
                continue
            raw = before.raw_owner(old.name)
            owner_type = "table" if isinstance(old, Table) else "view"
            written = _as_written(raw, object_type, member, before.key)
            yield Loss(object_type, member.name, old.name, written, owner_type)


def _as_written(
    raw: Table | View | None, object_type: str, member: Index | Trigger, key: Callable[[str], str]
) -> dict[str, Any]:
    members: dict[str, Any] = {}
    if raw is not None:
        members = raw.indexes if object_type == "index" and isinstance(raw, Table) else raw.triggers
    found = next((m for name, m in members.items() if key(name) == key(member.name)), member)
    return {"name": found.name, **comparable(found)}


def explicit_drops(statements: list[str], key: Callable[[str], str]) -> frozenset[tuple[str, str]]:
    """``("index" | "trigger", keyed name)`` for each ``DROP INDEX``/``DROP TRIGGER`` statement."""
    dropped = set()
    for statement in statements:
        try:
            tokens = tokenize(statement)
        except SqlSyntaxError:
            continue  # not SQL that could drop anything; applying it succeeded regardless
        if len(tokens) < 3 or not tokens[0].is_word("DROP") or not tokens[1].is_word("INDEX", "TRIGGER"):
            continue
        rest = tokens[2:]
        if len(rest) >= 2 and rest[0].is_word("IF") and rest[1].is_word("EXISTS"):
            rest = rest[2:]
        if len(rest) >= 3 and rest[1].text == ".":
            rest = rest[2:]  # schema-qualified: main.idx
        if rest:
            dropped.add((tokens[1].upper.lower(), key(rest[0].name)))
    return frozenset(dropped)


def _statements(migration: Any) -> list[str]:
    """The SQL statements yoyo split the migration into (a Python step's callables have none)."""
    return [sql for step in migration.steps or () for sql in _step_sql(step)]


def _step_sql(step: Any) -> Iterator[str]:
    inner = getattr(step, "steps", None) or ([step.step] if hasattr(step, "step") else None)
    if inner:
        for child in inner:
            yield from _step_sql(child)
    elif isinstance(getattr(step, "_apply", None), str):
        yield step._apply


def _empty_state(dialect: Dialect) -> _State:
    empty = Schema(dialect.name, {dialect.default_namespace: Namespace(dialect.default_namespace)})
    return _State(Snapshot(empty, dialect.normalize(empty), dialect.name_key), {}, schema_version=-1)


def _read_state(dialect: Dialect, location: str, previous: _State) -> _State:
    """The scratch database now; its schema is read again only if the dialect says it changed."""
    version, raw, rows = dialect.review_state(location, previous.schema_version, previous.snapshot.raw)
    if raw is None:  # a data-only migration
        return _State(previous.snapshot, rows, version)
    return _State(Snapshot(raw, dialect.normalize(raw), dialect.name_key), rows, version)


def _row_changes(before: _State, after: _State) -> Iterator[RowCount]:
    key = after.snapshot.key
    old_by_key = {key(name): count for name, count in before.rows.items()}
    for name, count in after.rows.items():
        old = old_by_key.get(key(name), 0)
        if count != old:
            yield RowCount(name, old, count)
