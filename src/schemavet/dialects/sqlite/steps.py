"""A rehearsal's migrations applied one at a time, the rows counted after each.

The rehearsal applies the migrations as ``apply`` does — yoyo's SQLite connections, foreign
keys off — and counts every table's rows and every foreign-key column's values after each
migration (those a migration can write, when what it can write is known; the others carried
over), so a loss names the migration behind it. A second pass on another copy, with foreign
keys on, tells what they would have done had the application turned them on (a table
rebuild's ``DROP TABLE`` deleting the children of an ``ON DELETE CASCADE`` key): skipped when
nothing can differ, begun where something may (:class:`ForeignKeysStart`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemavet.errors import MigrationError


@dataclass(frozen=True)
class Step:
    """One migration applied, and what the database held once it was committed."""

    migration: str
    path: str
    rows: dict[str, int]
    references: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Counts:
    """Rows per table and non-NULL values per foreign-key column, before any migration."""

    rows: dict[str, int]
    references: dict[tuple[str, str], int]


def apply_measured(
    copy: str,
    listed: Any,
    foreign_keys: bool = False,
    scope: Any = None,
    start: Any = None,
    base: Callable[[], dict[tuple[str, str], int]] | None = None,
    rows_before: dict[str, int] | None = None,
    durable: bool = True,
    also: Callable[[str, int], None] | None = None,
) -> list[Step]:
    """Apply the pending migrations to ``copy`` as ``apply`` does (or with foreign keys on).

    With a ``scope`` (:class:`schemavet.dialects.sqlite.scope.Scope`), only the references of
    the tables each migration can write are counted again, the others carried over from the
    step before (from ``base()``, the counts before any migration, for the first), and so are
    the rows of the tables it cannot write (from ``rows_before`` for the first), and
    ``start`` (a :class:`ForeignKeysStart`) learns where a rehearsal with foreign keys on must
    begin. A copy that is not kept (not ``durable``) is not synced to the disk. ``also`` is
    called like ``start.after`` once a migration is counted.
    """
    from schemavet.dialects.sqlite.rehearsal import ForeignKeysOn, Throwaway
    from schemavet.migrations.bookkeeping import open_backend
    from schemavet.migrations.runner import apply_pending

    counted: list[tuple[Any, Counts]] = []

    def measure(migration: Any) -> None:
        written = scope.written_by(migration.id) if scope is not None else None
        known = frozenset(scope.catalog.tables) if scope is not None else frozenset()
        rows = counted[-1][1].rows if counted else rows_before
        counted.append((migration, count(copy, written, known, rows)))
        if start is not None:
            start.after(migration.id, len(counted))
        if also is not None:
            also(migration.id, len(counted))

    mixins = ((ForeignKeysOn,) if foreign_keys else ()) + (() if durable else (Throwaway,))
    backend = open_backend("sqlite:///" + copy, mixins=mixins)
    try:
        apply_pending(backend, listed, after_each=measure)
    finally:
        backend.connection.close()
    return _carried(counted, base)


def _carried(
    counted: list[tuple[Any, Counts]], base: Callable[[], dict[tuple[str, str], int]] | None
) -> list[Step]:
    """The steps, each reference not counted again carried over from the step before."""
    steps: list[Step] = []
    previous: dict[tuple[str, str], int] | None = None
    for migration, counts in counted:
        if previous is None and any(v is None for v in counts.references.values()):
            previous = base() if base is not None else {}
        carried = {
            pair: previous[pair] if value is None else value for pair, value in counts.references.items()
        }  # type: ignore[index]
        steps.append(Step(migration.id, migration.path, counts.rows, carried))
        previous = carried
    return steps


def count(
    path: str,
    written: frozenset[str] | None = None,
    known: frozenset[str] = frozenset(),
    rows_before: dict[str, int] | None = None,
) -> Counts:
    """Rows of every table and values of every foreign-key column of the database at ``path``;
    with ``written`` (folded names), a table neither in it nor new (not in ``known``) keeps its
    rows from ``rows_before`` and its foreign-key columns are not counted: their value is None,
    to be carried over."""
    from schemavet.dialects.sqlite import bookkeeping
    from schemavet.dialects.sqlite.names import fold

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if written is None:
            return Counts(bookkeeping.row_counts(conn), bookkeeping.reference_counts(conn))
        same = frozenset(
            t for t in bookkeeping.app_tables(conn) if fold(t) not in written and fold(t) in known
        )
        rows = bookkeeping.row_counts(conn, rows_before, same)
        marker: dict[tuple[str, str], int] = {}
        references = bookkeeping.reference_counts(conn, marker, same, missing=True)
        return Counts(rows, references)  # type: ignore[arg-type]
    finally:
        conn.close()


class ForeignKeysStart:
    """Where the rehearsal with foreign keys on begins, learnt while the migrations are applied
    with them off (see :func:`schemavet.dialects.sqlite.fkplan.foreign_key_plans`).

    Until the first migration that may behave otherwise with foreign keys on, both rehearsals
    are the same: the copy is saved right before it (``path``, after ``index`` migrations), and
    the rehearsal with foreign keys on resumes from there. A migration before it that writes
    rows of a table with a foreign key is the same too unless such a row refers to nothing once
    it is done: ``foreign_key_check`` of that table tells, right after the migration — or, when
    no later migration touches the table or the tables it refers to, after the last one, with
    the rehearsal's own check (:meth:`settle`). If a row refers to nothing, foreign keys on
    would have refused it: the rehearsal with them on is done whole (``whole``). With no such
    migration at all, ``needed`` is False.

    With a ``beside`` thread (a copy that is thrown away, whose writer waits for readers), the
    check of a table nothing later touches starts at once, beside the migrations that follow:
    whatever state of the copy it reads, the table and its parents are as they end.
    """

    def __init__(
        self,
        copy: str,
        before_path: str,
        scratch: str,
        plans: list[Any],
        order: list[str],
        touched_by: tuple[frozenset[str], ...],
        beside: Any = None,
    ) -> None:
        self.copy, self.scratch, self.plans, self.order, self.touched_by = (
            copy,
            scratch,
            plans,
            order,
            touched_by,
        )
        self.first = next((i for i, plan in enumerate(plans) if plan.differs), None)
        self.path: str | None = before_path if self.first == 0 else None
        self.index = 0
        self.whole = False
        self.clean: dict[str, int] = {}  # folded table → the migration after which it had no violation
        self.deferred: set[str] = set()  # folded tables whose check after the last migration tells
        self.beside = beside
        self.early: dict[str, tuple[int, Any]] = {}  # deferred table → (migration, its check begun)

    @property
    def needed(self) -> bool:
        """False when foreign keys on would change nothing."""
        return self.whole or self.first is not None

    def after(self, migration: str, applied: int) -> None:
        """Called once the ``applied``-th migration (``migration``) is committed."""
        k = applied - 1
        if k >= len(self.order) or self.order[k] != migration:
            self.whole = True  # not the migrations planned for
            return
        before_first = self.first is None or k < self.first
        if before_first and self.plans[k].children:
            self._check(k)
        if self.first is not None and k + 1 == self.first and not self.whole:
            self.path, self.index = os.path.join(self.scratch, "foreign-keys-start.db"), applied
            self._save(self.path)

    def _save(self, path: str) -> None:
        """The copy as it is now, at ``path``, without the lock yoyo holds on it meanwhile."""
        from schemavet.dialects.sqlite.rehearsal import release_copied_lock

        shutil.copyfile(self.copy, path)
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            release_copied_lock(conn)
        finally:
            conn.close()

    def _check(self, k: int) -> None:
        from schemavet.dialects.sqlite.fkplan import children_written, refers_to_nothing

        conn = sqlite3.connect(self.copy, isolation_level=None)
        try:
            children = children_written(conn, self.plans[k])
            if children is None:
                self.whole = True
                return
            for table, parents in children.items():
                if not any(names & (parents | {table}) for names in self.touched_by[k + 1 :]):
                    self.deferred.add(table)
                    if self.beside is not None:
                        self.early[table] = (k, self.beside.submit(_violations_beside, self.copy, table))
                elif refers_to_nothing(conn, table):
                    self.whole = True
                else:
                    self.clean[table] = k
        finally:
            conn.close()

    def gather(self) -> None:
        """The checks begun beside the migrations: a table found clean is clean at the end."""
        for table, (k, check) in self.early.items():
            if check.result() is False:
                self.deferred.discard(table)
                self.clean[table] = k

    def settle(self, violations: list[tuple[str, int | None, str]]) -> None:
        """The rehearsed copy's ``foreign_key_check`` after the last migration: a deferred table
        with a violation makes the rehearsal with foreign keys on whole."""
        from schemavet.dialects.sqlite.names import fold

        if any(fold(table) in self.deferred for table, _, _ in violations):
            self.whole = True


def _violations_beside(copy: str, table: str) -> bool:
    """True when a row of ``table`` refers to nothing (or that cannot be told), read while yoyo
    may be writing the copy (its commit waits for this read; this read waits for its commit)."""
    from schemavet.dialects.sqlite.fkplan import refers_to_nothing

    conn = sqlite3.connect(copy, isolation_level=None, timeout=_WAIT)
    try:
        conn.execute(f"PRAGMA cache_size = -{min(os.path.getsize(copy) // 1024 + 1024, 512 * 1024)}")
        return refers_to_nothing(conn, table)
    finally:
        conn.close()


_WAIT = 24 * 3600.0  # seconds: a reader of the copy waits for yoyo's commit, however long


def table_culprit(before: Counts, steps: list[Step], table: str) -> Step | None:
    """The first migration after which ``table`` had fewer rows than before it, or was gone."""
    previous = before.rows.get(table)
    for step in steps:
        now = step.rows.get(table)
        if previous is not None and (now is None or now < previous):
            return step
        previous = now
    return None


def column_culprit(before: Counts, steps: list[Step], column: tuple[str, str]) -> Step | None:
    """The first migration after which ``column`` held fewer non-NULL values than before it."""
    previous = before.references.get(column)
    for step in steps:
        now = step.references.get(column)
        if previous is not None and now is not None and now < previous:
            return step
        previous = now if now is not None else previous
    return None


def foreign_key_warnings(
    before_path: str,
    before: Counts,
    listed: Any,
    off: list[Step],
    scratch: str,
    start: ForeignKeysStart | None = None,
) -> list[str]:
    """What the migrations would have done with foreign keys on, beyond what they did with them
    off: rows deleted and references set to NULL by foreign-key actions, or a migration failing.

    With a ``start``, the rehearsal with foreign keys on is skipped when it cannot differ, or
    begins where it may (the migrations before it did the same).
    """
    if not before.references and not any(step.references for step in off):
        return []  # no foreign key anywhere: turning them on changes nothing
    paths = [step.path for step in off] + [hook.path for hook in getattr(listed, "post_apply", ())]
    if not any(_may_fire_actions(path) for path in paths):
        return []  # no statement deletes, drops, updates or replaces a row: no action can fire
    if start is not None and not start.needed:
        return []
    before, off = with_counts(before_path, before, off)
    resume = start is not None and not start.whole and start.path is not None
    origin, done = (start.path, start.index) if resume and start is not None else (before_path, 0)
    copy = os.path.join(scratch, "foreign-keys-on.db")
    shutil.copyfile(str(origin), copy)
    try:
        on = off[:done] + apply_measured(copy, listed, foreign_keys=True, durable=False)
    except MigrationError as e:
        return [f"If foreign keys are on, the migrations fail: {e}"]
    finally:
        os.remove(copy)
    return _row_warnings(before, off, on) + _reference_warnings(before, off, on)


def with_counts(before_path: str, before: Counts, off: list[Step]) -> tuple[Counts, list[Step]]:
    """``before`` and ``off`` with the references left uncounted (None: of tables no migration
    changed) counted on the untouched copy at ``before_path``: the same before and after."""
    if not any(v is None for counts in [before, *off] for v in counts.references.values()):
        return before, off
    from schemavet.dialects.sqlite import bookkeeping

    conn = sqlite3.connect(before_path, isolation_level=None)
    try:
        full = bookkeeping.reference_counts(conn)
    finally:
        conn.close()

    def filled(references: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        return {pair: full[pair] if value is None else value for pair, value in references.items()}

    steps = [Step(s.migration, s.path, s.rows, filled(s.references)) for s in off]
    return Counts(before.rows, filled(before.references)), steps


_ACTION_WORDS = frozenset({"DELETE", "DROP", "UPDATE", "REPLACE"})


def _may_fire_actions(path: str) -> bool:
    """True unless the migration file is SQL without a word that may fire a foreign-key action
    (a Python migration, or a file that cannot be read as tokens, may do anything)."""
    from schemavet.errors import SqlSyntaxError
    from schemavet.sql.tokens import tokenize

    if not path.endswith(".sql"):
        return True
    try:
        with open(path, encoding="utf-8") as f:
            tokens = tokenize(f.read())
    except (OSError, UnicodeDecodeError, SqlSyntaxError):
        return True
    return any(token.kind == "word" and token.upper in _ACTION_WORDS for token in tokens)


def _row_warnings(before: Counts, off: list[Step], on: list[Step]) -> list[str]:
    warnings = []
    last_off, last_on = (off[-1].rows if off else before.rows), (on[-1].rows if on else before.rows)
    for table, had in before.rows.items():
        now_off, now_on = last_off.get(table), last_on.get(table)
        if now_off is None or now_on is None or now_on >= now_off:
            continue
        lost = max(0, had - now_on)
        step = table_culprit(before, on, table)
        warnings.append(
            f'Table "{table}" would lose {lost} of {had} rows through ON DELETE CASCADE '
            f"if foreign keys are on{_in(step)}"
        )
    return warnings


def _reference_warnings(before: Counts, off: list[Step], on: list[Step]) -> list[str]:
    warnings = []
    last_off = off[-1].references if off else before.references
    last_on = on[-1].references if on else before.references
    rows_off = off[-1].rows if off else before.rows
    rows_on = on[-1].rows if on else before.rows
    for (table, column), had in before.references.items():
        now_off, now_on = last_off.get((table, column)), last_on.get((table, column))
        if now_off is None or now_on is None:
            continue
        # references that went with their rows are the cascade's, said once by _row_warnings
        deleted = max(0, rows_off.get(table, 0) - rows_on.get(table, 0))
        nulled = now_off - now_on - deleted
        if nulled <= 0:
            continue
        step = column_culprit(before, on, (table, column))
        # counted, not matched by key: where rows went too, the deleted ones' values are
        # taken to be non-NULL, so the number is a floor
        how_many = f"at least {nulled}" if deleted else str(nulled)
        warnings.append(
            f'Column "{table}.{column}" would lose {how_many} of its {had} references '
            f"through ON DELETE SET NULL if foreign keys are on{_in(step)}"
        )
    return warnings


def _in(step: Step | None) -> str:
    return f" (migration {step.migration})" if step is not None else ""
