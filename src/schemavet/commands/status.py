"""Which migrations a database has applied, which are pending, and whether each applied file
still has the contents it was applied with (the hashes ``schemavet apply`` records). Read-only."""

from __future__ import annotations

import os
from dataclasses import dataclass

from schemavet.dialect import registry
from schemavet.dialect.url import parse_db_url, without_password

APPLIED = "applied"  # and its file has the contents it was applied with
UNRECORDED = "applied, unhashed"  # applied by yoyo itself: no content hash to compare with
EDITED = "edited"  # applied, and its file has other contents now
REMOVED = "removed"  # applied, and its file is gone from the directory
PENDING = "pending"
#: The states that make ``status`` exit 1.
FAILING = frozenset({EDITED, REMOVED, PENDING})


@dataclass(frozen=True)
class MigrationState:
    """One migration: its id, its state, and its file (none once removed)."""

    id: str
    state: str
    path: str | None = None
    recorded: str | None = None  # sha256 recorded when it was applied
    current: str | None = None  # sha256 of the file now


@dataclass(frozen=True)
class Status:
    """The migration state of a database against a migrations directory."""

    db: str
    directory: str
    migrations: tuple[MigrationState, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is pending, edited or removed."""
        return not any(m.state in FAILING for m in self.migrations)

    def count(self, state: str) -> int:
        """How many migrations are in ``state``."""
        return sum(1 for m in self.migrations if m.state == state)


def status(db: str, migrations: str | os.PathLike[str]) -> Status:
    """The state of every migration of ``migrations`` in the database at ``db``, in yoyo order;
    then the applied ones whose files are gone. Never writes to the database."""
    from schemavet.migrations.directory import in_yoyo_order, read_migration_dir

    url = parse_db_url(db)
    dialect = registry.get(url.engine)
    dialect.check_supports("status")
    directory = os.fspath(migrations)
    files = in_yoyo_order(read_migration_dir(directory))
    applied = dialect.applied_migrations(url.location)
    applied_ids = set(applied)
    hashes = dialect.recorded_hashes(url.location)
    states = [_state(m.id, m.path, m.id in applied_ids, hashes.get(m.id)) for m in files]
    known = {m.id for m in files}
    states += [MigrationState(i, REMOVED, recorded=hashes.get(i)) for i in applied if i not in known]
    return Status(without_password(db), directory, tuple(states))


def _state(migration_id: str, path: str, applied: bool, recorded: str | None) -> MigrationState:
    from schemavet.migrations.bookkeeping import file_sha256

    if not applied:
        return MigrationState(migration_id, PENDING, path)
    if recorded is None:
        return MigrationState(migration_id, UNRECORDED, path)
    current = file_sha256(path)
    state = APPLIED if current == recorded else EDITED
    return MigrationState(migration_id, state, path, recorded, current)
