"""Applying migrations to a real database, and checking what it was built from afterwards.

``apply`` is ``yoyo apply`` through yoyo's Python API, with each migration's content hash
recorded beside yoyo's row (see :mod:`schemavet.migrations.bookkeeping`). ``content_findings`` compares
those recorded hashes with the files as they are now.
"""

from __future__ import annotations

import os

from schemavet.compare.findings import Finding
from schemavet.compare.migration_findings import CONTENT, REMOVED, MigrationFinding
from schemavet.dialects.url import DatabaseURL, parse_db_url
from schemavet.errors import SchemavetError


def apply(db: str, migrations: str | os.PathLike[str], lock_timeout: float | None = None) -> list[str]:
    """Apply every pending migration to ``db``, recording content hashes; the ids applied.

    yoyo's migration lock is waited for ``lock_timeout`` seconds (yoyo's 10 by default); a lock
    still held then is a :class:`~schemavet.errors.DatabaseError` that names its holder.
    """
    from schemavet.migrations.bookkeeping import open_backend, yoyo_url
    from schemavet.migrations.runner import apply_pending, read_migration_dir

    url = parse_db_url(db)
    directory = os.fspath(migrations)
    listed = read_migration_dir(directory)
    refuse_unadopted(url, 'run "schemavet adopt" first', roll_back_interrupted=True)
    backend = open_backend(yoyo_url(url))
    try:
        return apply_pending(backend, listed, directory, lock_timeout)
    finally:
        backend.connection.close()


def refuse_unadopted(url: DatabaseURL, what_to_do: str, roll_back_interrupted: bool = False) -> None:
    """A SQLite database with a user_version but no migration yoyo recorded must be adopted first.

    Applying every migration to it would fail on the first table that already exists, after
    yoyo had created its own tables in it. yoyo's tables alone (an empty ``yoyo_lock``, which
    any yoyo command leaves) do not make a database adopted: rows in ``_yoyo_migration`` do.
    With ``roll_back_interrupted`` (a caller that writes), a write a killed process left in the
    journal is rolled back first, as yoyo's own connection would: read-only, it cannot be read.
    """
    if url.engine != "sqlite" or not os.path.isfile(url.location) or not os.path.getsize(url.location):
        return
    from schemavet.dialects.sqlite.bookkeeping import applied_migration_ids, user_version
    from schemavet.dialects.sqlite.connect import open_readonly, roll_back_interrupted_write

    if roll_back_interrupted:
        roll_back_interrupted_write(url.location)

    with open_readonly(url.location) as conn:
        version, applied = user_version(conn), applied_migration_ids(conn)
    if version and not applied:
        raise SchemavetError(
            f'"{url.location}" is at user_version {version} with no migration recorded by yoyo; '
            f"{what_to_do}, so its applied migrations are not applied twice"
        )


def recorded_hashes(url: DatabaseURL) -> dict[str, str]:
    """Migration id → content hash recorded in the database when it was applied."""
    readers = {"sqlite": _recorded_sqlite}
    reader = readers.get(url.engine)
    if reader is None:
        raise SchemavetError(f"schemavet cannot read recorded migration hashes from {url.engine} yet")
    return reader(url)


def _recorded_sqlite(url: DatabaseURL) -> dict[str, str]:
    from schemavet.dialects.sqlite.bookkeeping import recorded_hashes as read
    from schemavet.dialects.sqlite.connect import open_readonly

    with open_readonly(url.location) as conn:
        return read(conn)


def content_findings(db: str, migrations: str | os.PathLike[str]) -> list[Finding]:
    """A finding for each applied migration whose file now has other contents, or is gone."""
    from schemavet.migrations.bookkeeping import file_sha256
    from schemavet.migrations.runner import read_migration_dir

    directory = os.fspath(migrations)
    files = {m.id: m.path for m in read_migration_dir(directory)}
    findings: list[Finding] = []
    for migration_id, recorded in recorded_hashes(parse_db_url(db)).items():
        path = files.get(migration_id)
        if path is None:
            sentence = (
                f'Migration "{migration_id}" was applied to the database but is no longer in "{directory}"'
            )
            findings.append(
                MigrationFinding(REMOVED, "migration", migration_id, detail=sentence, path=directory)
            )
            continue
        current = file_sha256(path)
        if current != recorded:
            findings.append(_changed(migration_id, path, recorded, current))
    return findings


def _changed(migration_id: str, path: str, recorded: str, current: str) -> Finding:
    sentence = (
        f'Migration "{migration_id}" was applied from other contents than its file has now: '
        f"the database was built from different file contents "
        f"(recorded sha256 {recorded[:12]}…, file {current[:12]}…)"
    )
    return MigrationFinding(
        CONTENT, "migration", migration_id, "sha256", recorded, current, detail=sentence, path=path
    )
