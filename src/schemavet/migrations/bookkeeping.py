"""What schemavet records beside yoyo's bookkeeping: the content hash of each applied migration.

yoyo's ``_yoyo_migration`` table keeps a hash of each migration's *name*, so a database cannot
tell which contents of a file built it. schemavet adds a ``_schemavet_migration_hash`` table
(named like yoyo's own, ``_`` first, and ignored by introspection like them): one row per applied
migration with the SHA-256 of the text yoyo loaded from its file (:func:`loaded_sha256`). The
row is written by yoyo's ``mark_one`` — in the very transaction where yoyo records the migration
as applied — and deleted by ``unmark_one``, so the two tables never disagree. Nothing else
about yoyo changes: ``yoyo apply`` keeps working on the same database (it just leaves no
content hash for what it applies).
"""

from __future__ import annotations

import hashlib
import locale
from datetime import UTC, datetime
from typing import Any, cast

from schemavet.dialect.url import DatabaseURL, without_password
from schemavet.errors import SchemavetError

HASH_TABLE = "_schemavet_migration_hash"

_CREATE = (
    "CREATE TABLE IF NOT EXISTS {table} ("
    "{migration_hash} VARCHAR(64) NOT NULL PRIMARY KEY, "
    "{migration_id} VARCHAR(255) NOT NULL, "
    "{content_sha256} VARCHAR(64) NOT NULL, "
    "{recorded_at_utc} VARCHAR(32) NOT NULL)"
)
_DELETE = "DELETE FROM {table} WHERE {migration_hash} = :migration_hash"
_INSERT = (
    "INSERT INTO {table} ({migration_hash}, {migration_id}, {content_sha256}, {recorded_at_utc}) "
    "VALUES (:migration_hash, :migration_id, :content_sha256, :recorded_at_utc)"
)
_COLUMNS = ("migration_hash", "migration_id", "content_sha256", "recorded_at_utc")


class RecordContentHashes:
    """A yoyo backend mix-in: marking a migration applied also records its content hash."""

    def mark_one(self, migration: Any, log: bool = True) -> None:
        """yoyo's mark, then this migration's content hash, in the caller's transaction."""
        cast(Any, super()).mark_one(migration, log=log)
        self._execute_sql(_CREATE)
        self._execute_sql(_DELETE, migration_hash=migration.hash)
        self._execute_sql(
            _INSERT,
            migration_hash=migration.hash,
            migration_id=migration.id,
            content_sha256=loaded_sha256(migration),
            recorded_at_utc=datetime.now(UTC).replace(tzinfo=None).isoformat(),
        )

    def unmark_one(self, migration: Any, log: bool = True) -> None:
        """yoyo's unmark, then the content hash goes too."""
        cast(Any, super()).unmark_one(migration, log=log)
        self._execute_sql(_CREATE)
        self._execute_sql(_DELETE, migration_hash=migration.hash)

    def _execute_sql(self, template: str, **params: Any) -> None:
        backend = cast(Any, self)
        names = {column: backend.quote_identifier(column) for column in _COLUMNS}
        backend.execute(template.format(table=backend.quote_identifier(HASH_TABLE), **names), params)


class ApplyAtomically:
    """A yoyo backend mix-in: a migration's statements and the rows that record it commit together.

    yoyo runs a migration's steps in a transaction of their own and commits, then records the
    migration (``_yoyo_migration``, ``_yoyo_log``, and here its content hash) in another. A
    process killed in between leaves a database one migration ahead of its records, and the
    next apply fails on the migration it takes to be pending (``tests/test_crash_safety.py``
    found it). Here the records are written in the migration's own transaction, before it
    commits. A migration that runs outside a transaction (``-- transactional: false``), or a
    database without transactional DDL, is applied as yoyo applies it.
    """

    def apply_one(self, migration: Any, force: bool = False, mark: bool = True) -> None:
        """Apply ``migration`` and record it (unless ``mark`` is false) in one transaction."""
        backend = cast(Any, self)
        migration.load()
        if not migration.use_transactions or not backend.has_transactional_ddl:
            cast(Any, super()).apply_one(migration, force=force, mark=mark)
            return
        backend.ensure_internal_schema_updated()
        with backend.copy() as migration_backend, migration_backend.transaction():
            migration.process_steps(migration_backend, "apply", force=force)  # a savepoint in it
            migration_backend.log_migration(migration, "apply")
            if mark:
                migration_backend.mark_one(migration, log=False)


def loaded_sha256(migration: Any) -> str:
    """SHA-256 of the text yoyo loaded for ``migration`` — the text its steps were built from.

    yoyo keeps that text as ``migration.source`` (read in text mode: the locale's encoding,
    line endings read as LF). Hashing it, not the file at marking time, records what ran even
    when the file is edited while the migrations apply. A migration yoyo never loaded is hashed
    from its file, read the same way.
    """
    source = getattr(migration, "source", None)
    if source is None:
        return file_sha256(migration.path)
    return _text_sha256(source)


def file_sha256(path: str) -> str:
    """SHA-256 of a migration file as yoyo reads it (see :func:`loaded_sha256`).

    For a UTF-8 file this is :func:`schemavet.migrations.sums.content_sha256` (CRLF read as LF).
    """
    with open(path, encoding=locale.getpreferredencoding(False), errors="surrogateescape") as f:
        return _text_sha256(f.read())


def _text_sha256(text: str) -> str:
    encoded = text.encode(locale.getpreferredencoding(False), errors="surrogateescape")
    return hashlib.sha256(encoded).hexdigest()


class InOneTransaction:
    """A yoyo backend mix-in for writing yoyo's bookkeeping inside one transaction of the caller.

    The outermost ``backend.transaction()`` begins with ``BEGIN IMMEDIATE`` — the database's
    write lock, taken before anything is read, so what the caller checks inside it cannot change
    before the commit — and everything yoyo does within it (creating or upgrading its own tables,
    ``mark_migrations``) runs in savepoints of that transaction: a rollback leaves no trace.
    yoyo's own ``ensure_internal_schema_updated`` would take its ``yoyo_lock`` row and commit on
    its own; here the upgrade of yoyo's tables joins the caller's transaction instead.
    """

    def begin(self) -> None:
        """yoyo's ``begin``, taking the write lock at once."""
        backend = cast(Any, self)
        backend._in_transaction = True
        backend.execute(getattr(backend, "begin_statement", "BEGIN IMMEDIATE"))

    def ensure_internal_schema_updated(self) -> None:
        """Create or upgrade yoyo's tables in the open transaction, without a commit."""
        from yoyo import internalmigrations

        if internalmigrations.needs_upgrading(self):
            internalmigrations.upgrade(self)


def yoyo_url(url: DatabaseURL) -> str:
    """The URL yoyo understands for a database schemavet was given as a URL or a path."""
    from schemavet.dialect import registry

    return registry.get(url.engine).yoyo_url(url.location, url.url)


def open_backend(
    url: str, mixins: tuple[type, ...] = (), prepare: bool = True, record_hashes: bool = True
) -> Any:
    """A yoyo backend for ``url`` that records content hashes, with extra mix-ins first.

    ``prepare`` runs yoyo's ``init_database`` (which creates ``yoyo_lock`` at once, committed);
    a caller that writes only inside :class:`InOneTransaction` passes False. Without
    ``record_hashes`` it is yoyo's own backend: adopt marks migrations that the application's
    own code ran, whose file contents never ran on the database, so it records no hash for them.
    """
    from yoyo.backends.base import get_backend_class
    from yoyo.connections import parse_uri
    from yoyo.migrations import default_migration_table

    parsed = parse_uri(url)
    try:
        base = get_backend_class(parsed.scheme.lower())
    except KeyError as e:
        raise SchemavetError(f'yoyo has no backend for "{parsed.scheme}" ({without_password(url)})') from e
    recording = (RecordContentHashes,) if record_hashes else ()
    backend_class = type(f"Schemavet{base.__name__}", (*mixins, ApplyAtomically, *recording, base), {})
    try:
        backend = backend_class(parsed, default_migration_table)
        if prepare:
            backend.init_database()
    except Exception as e:  # the driver's own errors: unreachable, locked, not a database
        shown = without_password(url)
        raise SchemavetError(f'Cannot open "{shown}" for migrating: {without_password(str(e))}') from e
    return backend
