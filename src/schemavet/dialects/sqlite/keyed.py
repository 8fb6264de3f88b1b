"""Inspecting a fleet of SQLite files: a key per file that says when two files read alike.

SQLite builds everything its catalog PRAGMAs report (columns, keys, foreign keys, indexes,
shadow tables) by parsing the ``CREATE`` texts in ``sqlite_master``, and plans a query from that
schema and the statistics in ``sqlite_stat1``/``sqlite_stat4``. So two files whose
``sqlite_master`` rows and schema format are equal inspect alike (the schema key), and if their
statistics are equal too they plan alike in one process (the plans key): a fleet verification
compares such a file's catalog once, and plans its queries once. Reading the key costs one query on
the connection the full inspection would use anyway, and the file is read on that one
connection, so the key always belongs to the schema read.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
from collections.abc import Callable
from typing import Any

from schemavet.dialect.base import Keys
from schemavet.dialects.sqlite.connect import open_readonly
from schemavet.dialects.sqlite.inspect import build_schema, read_catalog
from schemavet.errors import DatabaseError
from schemavet.model import Schema

# every row, statistics tables included (their presence changes plans); rootpage is where the
# b-tree lives in this file, which changes nothing a schema says
_MASTER = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
_STATISTICS = ("sqlite_stat1", "sqlite_stat4")
# the header's schema format number (format 1 ignores DESC in indexes) and text encoding
_FORMAT, _ENCODING = slice(44, 48), slice(56, 60)


def inspect_keyed(path: str, known: Callable[[bytes], bool]) -> tuple[Keys, Schema | None]:
    """The file's keys and, unless ``known(keys.schema)``, its schema (read on the same connection)."""
    with open_readonly(path) as conn:
        try:
            keys = _keys(conn, _header(path))
        except (sqlite3.Error, OSError) as e:
            raise DatabaseError(f'Cannot read the schema of "{path}": {e}') from e
        if known(keys.schema):
            return keys, None
        return keys, build_schema(read_catalog(conn))


def _keys(conn: sqlite3.Connection, header: bytes) -> Keys:
    try:
        rows = conn.execute(_MASTER).fetchall()
    except sqlite3.OperationalError as e:
        if "decode" not in str(e):
            raise
        conn.text_factory = bytes  # names or SQL that are not UTF-8: keyed byte for byte
        rows = conn.execute(_MASTER).fetchall()
        conn.text_factory = str
    names = {row[1] for row in rows if row[0] in ("table", b"table")}
    statistics = [conn.execute(f"SELECT * FROM {t}").fetchall() for t in _STATISTICS if t in names]
    schema = _digest((rows, header[_FORMAT], header[_ENCODING]))
    return Keys(schema, _digest((schema, statistics)))


def _digest(data: Any) -> bytes:
    return hashlib.blake2b(marshal.dumps(data), digest_size=20).digest()


def _header(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read(100)
