"""Applying migrations to a real database, and checking what it was built from afterwards.

``apply`` is ``yoyo apply`` through yoyo's Python API, with each migration's content hash
recorded beside yoyo's row (see :mod:`schemavet.migrations.bookkeeping`). ``content_findings`` compares
those recorded hashes with the files as they are now.
"""

from __future__ import annotations

import os

from schemavet.compare.findings import Finding
from schemavet.compare.migration_findings import CONTENT, REMOVED, MigrationFinding
from schemavet.dialect import registry
from schemavet.dialect.url import DatabaseURL, parse_db_url


def apply(db: str, migrations: str | os.PathLike[str], lock_timeout: float | None = None) -> list[str]:
    """Apply every pending migration to ``db``, recording content hashes; the ids applied.

    yoyo's migration lock is waited for ``lock_timeout`` seconds (yoyo's 10 by default); a lock
    still held then is a :class:`~schemavet.errors.DatabaseError` that names its holder.
    """
    from schemavet.migrations.bookkeeping import open_backend, yoyo_url
    from schemavet.migrations.directory import read_migration_dir
    from schemavet.migrations.runner import apply_pending

    url = parse_db_url(db)
    registry.get(url.engine).check_supports("apply")
    directory = os.fspath(migrations)
    listed = read_migration_dir(directory)
    refuse_unadopted(url, 'run "schemavet adopt" first', roll_back_interrupted=True)
    backend = open_backend(yoyo_url(url))
    try:
        return apply_pending(backend, listed, directory, lock_timeout, say_what_stays=True)
    finally:
        backend.connection.close()


def refuse_unadopted(url: DatabaseURL, what_to_do: str, roll_back_interrupted: bool = False) -> None:
    """A database its app migrated by other means must be adopted before yoyo applies anything.

    With ``roll_back_interrupted`` (a caller that writes), a write a killed process left behind
    is rolled back first, as yoyo's own connection would.
    """
    registry.get(url.engine).refuse_unadopted(url.location, what_to_do, roll_back_interrupted)


def recorded_hashes(url: DatabaseURL) -> dict[str, str]:
    """Migration id → content hash recorded in the database when it was applied."""
    return registry.get(url.engine).recorded_hashes(url.location)


def content_findings(db: str, migrations: str | os.PathLike[str]) -> list[Finding]:
    """A finding for each applied migration whose file now has other contents, or is gone."""
    from schemavet.migrations.bookkeeping import file_sha256
    from schemavet.migrations.directory import read_migration_dir

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
