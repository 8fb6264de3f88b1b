"""What each migration of a directory really does, step by step, for a reviewer.

One scratch database of the dialect is carried forward: yoyo applies the migrations one at a time in
its own order (then the post-apply hooks), and after each one the schema is read, so the
state before migration N is the state after N−1 and the directory is replayed once. Each
reading inspects only the tables and views the step touched, the rest is shared with the
previous one object for object (SQLite's ``dialects/sqlite/tracking.py``), and only what is not shared
is compared: a review grows with the steps and what they touch, not steps × tables. Each step
reports the typed schema changes it made (:mod:`schemavet.compare.changes`), the indexes and triggers it
lost without dropping them (a table rebuilt — create new, copy, drop old, rename — drops the old
table's indexes and triggers with it), the row counts it changed, and its lint findings.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from typing import Any

from schemavet.compare.changes import REMOVED, Change, Snapshot, schema_changes
from schemavet.compare.outcomes import Loss, RowCount, StepEffect
from schemavet.diagnostics import Diagnostic
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect, ReviewReading
from schemavet.errors import MigrationError, SqlSyntaxError
from schemavet.model import Index, Namespace, Schema, Table, Trigger, View, comparable
from schemavet.sql.tokens import tokenize

Lint = Callable[[str], list[Diagnostic]]
# a step yoyo applied: its position, the migration, the error if it failed, yoyo's connection
_Step = tuple[int, Any, str | None, Any]


@dataclass(frozen=True)
class _State:
    snapshot: Snapshot
    rows: dict[str, int]
    reading: ReviewReading | None  # what the snapshot was read from (None: nothing read yet)


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
    with (
        engine.scratch_database() as scratch,
        closing(_apply_one_at_a_time(engine, scratch, migrations, os.fspath(directory))) as steps,
    ):  # the steps close before the scratch database goes, even when a step's lint raises
        return _effects(engine, steps, first, lint)


def _effects(engine: Dialect, steps: Iterator[_Step], first: int, lint: Lint | None) -> list[StepEffect]:
    """The effect of each step from position ``first`` on (and of a step that failed before)."""
    effects: list[StepEffect] = []
    before = _empty_state(engine)
    tracker: Any = None
    for position, migration, error, conn in steps:
        if position < first - 1 and error is None:
            continue  # the state after it is not the state before a reported step
        tracker = tracker or engine.review_reader(conn)
        if error is not None and position < first:
            # it failed before the window, whose states were not read: what yoyo rolled it
            # back to is all that is known, so the step shows its error and no changes
            before = _read_state(tracker, before, None)
        after = _read_state(tracker, before, _sql_statements(migration) if error is None else None)
        if position >= first or error is not None:
            effects.append(_effect(migration, before, after, lint, error))
        before = after
    return effects


def _apply_one_at_a_time(
    dialect: Dialect, url: str, migrations: Any, directory: str
) -> Generator[_Step, None, None]:
    """Apply the migrations (then the post-apply hooks) to the scratch database at ``url`` one
    at a time, yielding each with its position, the error if it failed (then stopping), and
    yoyo's own connection to read the database with.

    The backend is the dialect's for a scratch database (SQLite's is confined and does not
    fsync: the migrations' SQL cannot write files through ATTACH or VACUUM INTO; yoyo opens its
    connections in shared cache mode, so its own connection sees each migration's schema
    without parsing it again, as another connection would after every change).
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
                    problem = dialect.explain_error(str(cause)) or type(cause).__name__
                    yield position, migration, problem, backend.connection
                    return
                yield position, migration, None, backend.connection
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

    key = after.snapshot.key
    dropped = explicit_drops(_statements(migration), key)
    old, new = _narrowed(before, after)
    losses = implicit_losses(old, new, dropped)
    lost = {(loss.object_type, key(loss.table), key(loss.name)) for loss in losses}
    changes = [c for c in schema_changes(old, new) if _identity(c, key) not in lost]
    return StepEffect(
        migration=migration.id,
        path=migration.path,
        post_apply=isinstance(migration, PostApplyHookMigration),
        changes=tuple(changes),
        losses=tuple(losses),
        rows=tuple(_row_changes(before.rows, after.rows, key)),
        diagnostics=tuple(lint(migration.path)) if lint is not None else (),
        error=error,
        before=old.raw,
        after=new.raw,
    )


def _narrowed(before: _State, after: _State) -> tuple[Snapshot, Snapshot]:
    """Both snapshots with only the tables and views whose normal forms are not the very same
    objects in both.

    A table or view read again gets new objects; one shared with the last reading
    (``dialects/sqlite/tracking.py``) has no change and lost nothing, so comparing the rest
    reports exactly what comparing all of them would, in the same order.
    """
    old, new = before.snapshot, after.snapshot
    keys = {
        key
        for old_owners, new_owners in ((old.tables, new.tables), (old.views, new.views))
        for key in old_owners.keys() | new_owners.keys()
        if old_owners.get(key) is not new_owners.get(key)
    }
    return _only(old, keys, _names(before, keys)), _only(new, keys, _names(after, keys))


def _names(state: _State, keys: set[str]) -> set[str]:
    """The names, as written, of the tables and views ``keys`` names (folded)."""
    owners = state.reading.owners if state.reading is not None else {}
    return {owners[key].name for key in keys if key in owners}


def _only(snapshot: Snapshot, keys: set[str], names: set[str]) -> Snapshot:
    return Snapshot(_owners_in(snapshot.raw, names), _owners_in(snapshot.normal, keys), snapshot.key)


def _owners_in(schema: Schema, keys: set[str]) -> Schema:
    """``schema`` with the tables and views whose keys are in ``keys``, in their order."""
    namespaces = {
        name: replace(
            ns,
            tables={k: t for k, t in ns.tables.items() if k in keys},
            views={k: v for k, v in ns.views.items() if k in keys},
        )
        for name, ns in schema.namespaces.items()
    }
    return Schema(schema.engine, namespaces)


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


def _sql_statements(migration: Any) -> list[str] | None:
    """The migration's SQL statements; None when a step of it is Python, which may do anything."""
    leaves = list(_leaf_steps(migration.steps or ()))
    if not all(isinstance(getattr(step, "_apply", None), str) for step in leaves):
        return None
    return [step._apply for step in leaves]


def _leaf_steps(steps: Any) -> Iterator[Any]:
    for step in steps:
        inner = getattr(step, "steps", None) or ([step.step] if hasattr(step, "step") else None)
        if inner:
            yield from _leaf_steps(inner)
        else:
            yield step


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
    return _State(Snapshot(empty, dialect.normalize(empty), dialect.name_key), {}, reading=None)


def _read_state(tracker: Any, previous: _State, statements: list[str] | None) -> _State:
    """The scratch database after a step that ran ``statements`` (None: unknown): the dialect's
    reader reads again only what changed, and counts only the tables the step may have written."""
    reading, rows = tracker.read(previous.reading, previous.rows, statements)
    if reading is previous.reading:  # a data-only migration
        return _State(previous.snapshot, rows, reading)
    return _State(Snapshot(reading.raw, reading.normal, previous.snapshot.key), rows, reading)


def _row_changes(
    before: dict[str, int], after: dict[str, int], key: Callable[[str], str]
) -> Iterator[RowCount]:
    old_by_key: dict[str, int] | None = None  # for a name written in another case, seldom needed
    for name, count in after.items():
        old = before.get(name)
        if old is None:
            old_by_key = old_by_key or {key(n): c for n, c in before.items()}
            old = old_by_key.get(key(name), 0)
        if count != old:
            yield RowCount(name, old, count)
