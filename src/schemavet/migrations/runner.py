"""Applying migration directories with yoyo's own Python API."""

from __future__ import annotations

import contextlib
import datetime
import io
from collections.abc import Callable, Iterator
from typing import Any

from schemavet.dialect import registry
from schemavet.dialect.url import parse_db_url
from schemavet.errors import DatabaseError, MigrationError
from schemavet.migrations.directory import read_migration_dir

#: Seconds to wait for yoyo's migration lock (a row in ``yoyo_lock``) before giving up: yoyo's own.
LOCK_TIMEOUT = 10.0


def apply_all(url: str, directory: str, scratch: bool = False) -> list[str]:
    """Apply every pending migration of ``directory`` to ``url``; the ids applied, in order.

    Unlike ``yoyo apply`` (which skips a migration it cannot load), any failure stops here
    with the migration named: a gate must not pass on a partly built schema. ``scratch``
    says the database is thrown away afterwards (see :func:`_backend`).
    """
    migrations = read_migration_dir(directory)
    backend = _backend(url, scratch)
    try:
        return apply_pending(backend, migrations, directory)
    finally:
        backend.connection.close()


def apply_pending(
    backend: Any,
    migrations: Any,
    directory: str = "",
    lock_timeout: float | None = None,
    after_each: Callable[[Any], None] | None = None,
    say_what_stays: bool = False,
) -> list[str]:
    """Apply what ``backend`` has not applied yet, then the post-apply hooks; the ids applied.

    Each migration commits on its own: with ``say_what_stays`` (a database that is kept), the
    error of a failing one says which ones before it were applied and committed, and whether
    it was rolled back. ``after_each`` is called with each migration once it is committed (a
    rehearsal measures the database then).
    """
    committed: list[str] = []
    with locked(backend, lock_timeout):
        pending = _in_order(backend, migrations, directory)
        for migration in pending:
            try:
                apply_one(backend, migration, mark=True)
            except MigrationError as e:
                if not say_what_stays:
                    raise
                raise MigrationError(f"{e}; {_what_stays(migration, committed)}") from e
            committed.append(migration.id)
            if after_each is not None:
                after_each(migration)
        for hook in migrations.post_apply:
            apply_one(backend, hook, mark=False)
    return committed


def _what_stays(failed: Any, committed: list[str]) -> str:
    """What a failed apply leaves in the database: the migrations committed before the failure."""
    if getattr(failed, "use_transactions", True):
        outcome = f'"{failed.id}" was rolled back'
    else:
        outcome = f'"{failed.id}" runs without a transaction: its statements before the failing one stay'
    if not committed:
        return f"{outcome}; no migration was committed"
    names = ", ".join(f'"{m}"' for m in committed)
    verb, stay = ("was", "stays") if len(committed) == 1 else ("were", "stay")
    return f"{outcome}; {names} {verb} applied and committed before it, and {stay} applied"


@contextlib.contextmanager
def locked(backend: Any, timeout: float | None = None) -> Iterator[None]:
    """yoyo's migration lock on ``backend``, waited for ``timeout`` seconds (default :data:`LOCK_TIMEOUT`).

    A lock still held then — by a running migration, or left by one that was killed — is a
    :class:`~schemavet.errors.DatabaseError` naming the database and the lock's holder, not
    yoyo's ``LockTimeout``.
    """
    from yoyo.exceptions import LockTimeout

    wait = LOCK_TIMEOUT if timeout is None else timeout
    if wait <= 0:  # yoyo would wait for ever
        raise ValueError(f"lock timeout must be above 0 seconds, not {wait}")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(backend.lock(timeout=wait))
        except LockTimeout as e:
            raise DatabaseError(_lock_problem(backend)) from e
        yield


def _lock_problem(backend: Any) -> str:
    try:
        query = f"SELECT pid, ctime FROM {backend.lock_table_quoted}"
        row = backend.execute(query).fetchone()
    except backend.DatabaseError:  # the database itself is locked, or the table is unreadable
        row = None
    where = registry.get(_dialect_of(backend)).backend_place(backend)
    if row is None:
        return (
            f'"{where}" stayed locked for the whole wait: another connection holds its write lock; '
            f"nothing was applied"
        )
    return locked_sentence(where, row[0], row[1], "nothing was applied")


def locked_sentence(where: str, pid: object, taken: object, outcome: str) -> str:
    """One sentence for a database whose ``yoyo_lock`` holds a row: who holds it, what to do."""
    if isinstance(taken, datetime.datetime):
        taken = taken.replace(microsecond=0)
    elif isinstance(taken, str):
        taken = taken.split(".")[0]
    return (
        f'"{where}" is locked by yoyo (yoyo_lock holds the lock of process {pid}, taken at {taken}); '
        f'{outcome}: if no migration is running on it, remove the stale lock with "yoyo break-lock"'
    )


def _dialect_of(backend: Any) -> str:
    """The dialect of a yoyo backend, from its URL's scheme."""
    dialect = registry.for_scheme(backend.uri.scheme)
    return dialect.name if dialect is not None else registry.default_name()


def quiet() -> contextlib.AbstractContextManager[Any]:
    """Keep yoyo's printing off standard output, where schemavet's report goes.

    yoyo prints the rows any statement returns (``PRAGMA journal_mode = WAL`` prints "wal").
    """
    return contextlib.redirect_stdout(io.StringIO())


def apply_one(backend: Any, migration: Any, mark: bool) -> None:
    """Apply one migration (marking it applied unless it is a post-apply hook), failures named."""
    try:
        with quiet():
            backend.apply_one(migration, mark=mark)
    except Exception as e:  # yoyo raises the driver's own errors, and BadMigration
        problem = registry.get(_dialect_of(backend)).explain_error(str(e))
        raise MigrationError(
            f'Migration "{migration.id}" failed to apply: {problem} ({migration.path})'
        ) from e


def _in_order(backend: Any, migrations: Any, directory: str) -> list[Any]:
    """The pending migrations in dependency order; loading them reads every file."""
    try:
        return list(backend.to_apply(migrations))
    except Exception as e:  # BadMigration (unknown depends), yoyo's CycleError, unreadable files
        where = f' in "{directory}"' if directory else ""
        raise MigrationError(f"Cannot read the migrations{where}: {_load_problem(e)}") from e


def _load_problem(error: Exception) -> str:
    """yoyo's reason, in words: its CycleError carries the migrations of the cycle, not a sentence."""
    from yoyo.topologicalsort import CycleError

    if isinstance(error, CycleError) and len(error.args) > 1:
        ids = sorted(getattr(m, "id", str(m)) for m in error.args[1])
        return "circular dependencies among migrations " + ", ".join(ids)
    return str(error)


def _backend(url: str, scratch: bool) -> Any:
    """yoyo's backend for ``url``; for a scratch database, the one its dialect keeps for
    databases schemavet throws away (SQLite's does not fsync, and confines the migrations)."""
    from yoyo import get_backend

    if scratch:
        return registry.get(parse_db_url(url).engine).scratch_backend(url)
    return get_backend(url)
