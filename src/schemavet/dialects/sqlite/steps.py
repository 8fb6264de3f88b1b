"""A rehearsal's migrations applied one at a time, the rows counted after each.

The rehearsal applies the migrations as ``apply`` does — yoyo's SQLite connections, foreign
keys off — and counts every table's rows and every foreign-key column's values after each
migration, so a loss names the migration behind it. A second pass on another copy, with
foreign keys on, tells what they would have done had the application turned them on (a table
rebuild's ``DROP TABLE`` deleting the children of an ``ON DELETE CASCADE`` key).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
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


def apply_measured(copy: str, listed: Any, foreign_keys: bool = False) -> list[Step]:
    """Apply the pending migrations to ``copy`` as ``apply`` does (or with foreign keys on)."""
    from schemavet.dialects.sqlite.rehearsal import ForeignKeysOn
    from schemavet.migrations.bookkeeping import open_backend
    from schemavet.migrations.runner import apply_pending

    steps: list[Step] = []

    def measure(migration: Any) -> None:
        counts = count(copy)
        steps.append(Step(migration.id, migration.path, counts.rows, counts.references))

    backend = open_backend("sqlite:///" + copy, mixins=(ForeignKeysOn,) if foreign_keys else ())
    try:
        apply_pending(backend, listed, after_each=measure)
    finally:
        backend.connection.close()
    return steps


def count(path: str) -> Counts:
    """Rows of every table and values of every foreign-key column of the database at ``path``."""
    from schemavet.dialects.sqlite import bookkeeping

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return Counts(bookkeeping.row_counts(conn), bookkeeping.reference_counts(conn))
    finally:
        conn.close()


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
    before_path: str, before: Counts, listed: Any, off: list[Step], scratch: str
) -> list[str]:
    """What the migrations would have done with foreign keys on, beyond what they did with them
    off: rows deleted and references set to NULL by foreign-key actions, or a migration failing."""
    if not before.references and not any(step.references for step in off):
        return []  # no foreign key anywhere: turning them on changes nothing
    paths = [step.path for step in off] + [hook.path for hook in getattr(listed, "post_apply", ())]
    if not any(_may_fire_actions(path) for path in paths):
        return []  # no statement deletes, drops, updates or replaces a row: no action can fire
    copy = os.path.join(scratch, "foreign-keys-on.db")
    shutil.copyfile(before_path, copy)
    try:
        on = apply_measured(copy, listed, foreign_keys=True)
    except MigrationError as e:
        return [f"If foreign keys are on, the migrations fail: {e}"]
    finally:
        os.remove(copy)
    return _row_warnings(before, off, on) + _reference_warnings(before, off, on)


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
