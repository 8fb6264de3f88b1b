"""Copying a SQLite database with SQLite's online backup API, the source opened read-only."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from schemavet.dialects.sqlite.connect import open_readonly
from schemavet.errors import DatabaseError

# Pages copied per step: with 4 KiB pages, progress is reported every 4 MiB.
PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]


def backup_copy(
    source: str, target: str, progress: Progress | None = None, pages_per_step: int = PAGES_PER_STEP
) -> None:
    """Copy the database at ``source`` to a new file ``target``; ``progress(copied, total)`` per step.

    The source is opened read-only (see :func:`open_readonly`), so its bytes cannot change.
    """

    def report(status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    with open_readonly(source) as src:
        try:
            dst = sqlite3.connect(target, isolation_level=None)
        except sqlite3.Error as e:
            raise DatabaseError(f'Cannot create the copy "{target}": {e}') from e
        try:
            src.backup(dst, pages=pages_per_step, progress=report)
        except sqlite3.Error as e:
            raise DatabaseError(f'Cannot copy "{source}" to "{target}": {e}') from e
        finally:
            dst.close()
