"""Opening a SQLite database for inspection: read-only, never creating or touching the file."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from schemavet.errors import DatabaseError

BUSY_TIMEOUT_S = 5.0
_MAGIC = b"SQLite format 3\x00"


@contextmanager
def open_readonly(path: str) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing database file, checked to be a database."""
    if not os.path.exists(path):
        raise DatabaseError(f'Database file "{path}" does not exist')
    if not os.path.isfile(path):
        raise DatabaseError(f'Database path "{path}" is not a file')
    uri = "file:" + quote(os.path.abspath(path)) + "?mode=ro"
    try:
        wal = _is_wal(path)
    except OSError as e:
        raise DatabaseError(f'Cannot read database "{path}": {e.strerror}') from e
    if wal and not _has_wal_files(path):
        # Nobody has this WAL database open (an open one keeps its -wal and -shm files), and a
        # read-only open would create both and leave them behind: read it as immutable instead.
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise DatabaseError(f'Cannot open database "{path}": {e}') from e
    try:
        _probe(conn, path)
        yield conn
    finally:
        conn.close()


def _is_wal(path: str) -> bool:
    """True when the file's header says it is a SQLite database in WAL mode."""
    with open(path, "rb") as f:
        header = f.read(20)
    return header.startswith(_MAGIC) and header[18:20] == b"\x02\x02"


def _has_wal_files(path: str) -> bool:
    return os.path.exists(path + "-wal") or os.path.exists(path + "-shm")


def _probe(conn: sqlite3.Connection, path: str) -> None:
    """Read the schema header once, so a non-database or a locked file fails here, clearly."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except UnicodeDecodeError as e:
        raise DatabaseError(f'"{path}" is corrupt: its schema is not valid UTF-8') from e
    except sqlite3.DatabaseError as e:
        message = str(e)
        if "not a database" in message or "malformed" in message:
            raise DatabaseError(f'"{path}" is not a SQLite database, or it is corrupt ({message})') from e
        if "locked" in message or "busy" in message:
            raise DatabaseError(
                f'Database "{path}" is locked by another connection; gave up after {BUSY_TIMEOUT_S:g} s'
            ) from e
        if "readonly" in message and _has_hot_journal(path):
            raise DatabaseError(_HOT_JOURNAL.format(path=path)) from e
        raise DatabaseError(f'Cannot read database "{path}": {message}') from e


# A process killed in the middle of a write leaves its rollback journal; only a connection that
# may write rolls it back, and schemavet opens a database it inspects read-only.
_HOT_JOURNAL = (
    'Database "{path}" was left in the middle of a write (its journal "{path}-journal" is still there, '
    "from a process that stopped before it finished); open it once for writing to roll the write back "
    '(the next "schemavet apply" does), then read it again'
)


def roll_back_interrupted_write(path: str) -> None:
    """Roll back the write a process killed in the middle of it left in the journal of ``path``,
    as the first connection that may write does: for a caller about to write anyway."""
    if not _has_hot_journal(path):
        return
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise DatabaseError(f'Cannot open database "{path}" to roll back an interrupted write: {e}') from e
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        raise DatabaseError(f'Cannot roll back the interrupted write in "{path}": {e}') from e
    finally:
        conn.close()


def _has_hot_journal(path: str) -> bool:
    journal = path + "-journal"
    return os.path.exists(journal) and os.path.getsize(journal) > 0
