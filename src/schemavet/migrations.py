"""Applying migration directories with yoyo's own Python API."""

from __future__ import annotations

import os
from typing import Any

from schemavet.errors import MigrationError


def read_migration_dir(directory: str) -> Any:
    """yoyo's MigrationList for a directory, refusing a directory that is missing or empty."""
    from yoyo import read_migrations

    if not os.path.isdir(directory):
        raise MigrationError(f'Migrations directory "{directory}" does not exist')
    migrations = read_migrations(directory)
    if not migrations and not migrations.post_apply:
        raise MigrationError(f'Migrations directory "{directory}" holds no migration files')
    return migrations


def apply_all(url: str, directory: str) -> list[str]:
    """Apply every pending migration of ``directory`` to ``url``; the ids applied, in order.

    Unlike ``yoyo apply`` (which skips a migration it cannot load), any failure stops here
    with the migration named: a gate must not pass on a partly built schema.
    """
    from yoyo import get_backend

    migrations = read_migration_dir(directory)
    backend = get_backend(url)
    try:
        return apply_pending(backend, migrations)
    finally:
        backend.connection.close()


def apply_pending(backend: Any, migrations: Any) -> list[str]:
    """Apply what ``backend`` has not applied yet, then the post-apply hooks; the ids applied."""
    with backend.lock():
        pending = backend.to_apply(migrations)
        for migration in pending:
            apply_one(backend, migration, mark=True)
        for hook in migrations.post_apply:
            apply_one(backend, hook, mark=False)
    return [m.id for m in pending]


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


def apply_one(backend: Any, migration: Any, mark: bool) -> None:
    """Apply one migration (marking it applied unless it is a post-apply hook), failures named."""
    try:
        backend.apply_one(migration, mark=mark)
    except Exception as e:  # yoyo raises the driver's own errors, and BadMigration
        raise MigrationError(f'Migration "{migration.id}" failed to apply: {e} ({migration.path})') from e
