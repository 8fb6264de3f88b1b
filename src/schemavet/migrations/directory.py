"""A yoyo migrations directory, read and ordered in one place for every command.

``check``, ``review``, ``lint``, ``sum``, ``adopt``, ``apply`` and ``rehearse`` all ask this
module which migrations a directory holds and in which order yoyo applies them, so they agree,
and a directory that cannot be read gets the same sentence whichever command read it.
"""

from __future__ import annotations

import functools
import glob
import os
import sys
from collections.abc import Callable
from typing import Any

from schemavet.errors import MigrationError


def read_migration_dir(directory: str) -> Any:
    """yoyo's MigrationList for a directory, refusing a directory that is missing or empty."""
    from yoyo import read_migrations

    if not os.path.isdir(directory):
        raise MigrationError(f'Migrations directory "{directory}" does not exist')
    migrations = read_migrations(glob.escape(directory))  # yoyo globs its sources: "[1]" is literal here
    if not migrations and not migrations.post_apply:
        raise MigrationError(f'Migrations directory "{directory}" holds no migration files')
    for migration in (*migrations, *migrations.post_apply):
        migration.load = _without_bytecode(migration.load)  # every load, ours and yoyo's own
    return migrations


def _without_bytecode(load: Callable[[], None]) -> Callable[[], None]:
    """``load``, with Python writing no bytecode meanwhile.

    yoyo imports a Python migration as a module, and Python would cache its bytecode in a
    ``__pycache__`` beside it: a directory schemavet only reads would have one more entry, also
    after a migration that fails to load.
    """

    @functools.wraps(load)
    def without_bytecode() -> None:
        writes, sys.dont_write_bytecode = sys.dont_write_bytecode, True
        try:
            load()
        finally:
            sys.dont_write_bytecode = writes

    return without_bytecode


def in_yoyo_order(migrations: Any) -> list[Any]:
    """The migrations in the order yoyo applies them: by file name, then by ``depends``."""
    from yoyo.migrations import topological_sort

    try:
        return list(topological_sort(migrations))
    except Exception as e:  # BadMigration: a cycle, or a dependency that does not exist
        raise MigrationError(f"Cannot order the migrations: {e}") from e


def rollback_path(migration: Any) -> str | None:
    """The ``.rollback.sql`` file beside an SQL migration, if there is one."""
    if not migration.path.endswith(".sql"):
        return None
    path = os.path.splitext(migration.path)[0] + ".rollback.sql"
    return path if os.path.isfile(path) else None


def migration_directories(path: str) -> list[str]:
    """``path`` if it holds .sql migrations, else each directory below it that does (one yoyo source each)."""
    found = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        if any(f.endswith(".sql") for f in files):
            found.append(root)
            dirs.clear()  # a migrations directory's subdirectories are not part of it (yoyo ignores them)
    if not found:
        raise MigrationError(f'"{path}" holds no .sql migration files')
    return found


def order_by_depends(files: dict[str, Any], known: set[str]) -> list[str]:
    """Migration ids in yoyo's order: by name, then each after what it ``depends`` on.

    ``files`` maps each id to a migration with ``path`` and ``depends``; ``known`` is every id
    of the directory (a dependency outside it is an error naming the file).
    """
    from yoyo.topologicalsort import CycleError, topological_sort

    for migration in files.values():
        missing = sorted(migration.depends - known)
        if missing:
            raise MigrationError(
                f'Migration "{migration.path}" depends on "{missing[0]}", which does not exist'
            )
    graph = {i: set(m.depends) & set(files) for i, m in files.items()}
    try:
        return list(topological_sort(list(files), graph))
    except CycleError as e:
        raise MigrationError(
            "Circular dependencies among migrations " + ", ".join(map(str, e.args[1]))
        ) from e
