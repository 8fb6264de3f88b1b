"""Migration files read exactly as yoyo reads them, each statement mapped back to its place.

yoyo splits a file with sqlparse and strips the leading comment block (where its
``-- depends:`` and ``-- transactional:`` directives live) from the first statement; we call
the same function and then find each statement's text in the file, in order, to give it a
line and a column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from schemavet.errors import MigrationError
from schemavet.lint.comments import Comments

ROLLBACK_SUFFIX = ".rollback.sql"


@dataclass(frozen=True)
class Statement:
    """One statement as yoyo will execute it, with its 1-based line and column in the file."""

    index: int
    text: str
    offset: int
    line: int
    column: int


@dataclass
class MigrationFile:
    """A ``.sql`` migration (or its rollback) as yoyo sees it."""

    path: str
    migration_id: str
    text: str
    statements: list[Statement]
    transactional: bool = True
    depends: frozenset[str] = frozenset()
    post_apply: bool = False
    rollback: MigrationFile | None = None
    python: Any = None  # yoyo's Migration for a .py migration: replayed by yoyo, not linted

    @property
    def is_python(self) -> bool:
        """True for a Python migration (no SQL statements to lint)."""
        return self.python is not None

    @property
    def rollback_path(self) -> str:
        """Where yoyo looks for this migration's rollback file."""
        return os.path.splitext(self.path)[0] + ROLLBACK_SUFFIX


def python_migration(migration: Any) -> MigrationFile:
    """A ``.py`` migration: yoyo loads it (running its module, as ``yoyo apply`` does) for its
    dependencies; lint replays it through yoyo and has no statements of it to check."""
    from yoyo.exceptions import BadMigration

    try:
        depends = frozenset(d.id for d in migration.depends)
    except BadMigration as e:
        raise MigrationError(f'Python migration "{migration.path}" cannot be loaded: {e}') from e
    return MigrationFile(migration.path, migration.id, "", [], depends=depends, python=migration)


def read_migration_file(path: str) -> MigrationFile:
    """Read one ``.sql`` migration and its ``.rollback.sql`` (if any) with yoyo's own reader."""
    migration = _read(path)
    if os.path.exists(migration.rollback_path):
        migration.rollback = _read(migration.rollback_path)
    return migration


def _read(path: str) -> MigrationFile:
    from yoyo.migrations import read_sql_migration

    text = _read_text(path)
    try:
        directives, _, statements = read_sql_migration(path)
    except (OSError, UnicodeDecodeError) as e:  # pragma: no cover - _read_text reads first
        raise MigrationError(f'Cannot read migration "{path}": {e}') from e
    transactional = directives.get("transactional", "true").lower()
    if transactional not in ("true", "false"):  # yoyo itself fails to load such a file
        raise MigrationError(
            f'Migration "{path}" has "-- transactional: {transactional}"; yoyo accepts only true or false'
        )
    name = os.path.basename(path)
    return MigrationFile(
        path=path,
        migration_id=os.path.splitext(name)[0],
        text=text,
        statements=locate_statements(text, statements),
        transactional=transactional == "true",
        depends=frozenset(directives.get("depends", "").split()),
        post_apply=name.startswith("post-apply"),
    )


def _read_text(path: str) -> str:
    try:
        with open(path, encoding="UTF-8") as f:  # universal newlines, as yoyo opens it
            text = f.read()
    except FileNotFoundError as e:
        raise MigrationError(f'Migration file "{path}" does not exist') from e
    except UnicodeDecodeError as e:
        raise MigrationError(f'Migration file "{path}" is not UTF-8 text (byte {e.start})') from e
    except OSError as e:
        raise MigrationError(f'Cannot read migration file "{path}": {e.strerror}') from e
    nul = text.find("\x00")
    if nul >= 0:  # SQLite's API takes no statement with one: yoyo's apply would fail on it
        line = text.count("\n", 0, nul) + 1
        column = nul - text.rfind("\n", 0, nul)
        raise MigrationError(
            f'Migration file "{path}" holds a NUL byte at line {line}, column {column}:'
            " SQLite and PostgreSQL refuse a statement that holds one"
        )
    return text


def locate_statements(text: str, statements: list[str]) -> list[Statement]:
    """Each statement's offset, line and column: found in the file in order, after the last,
    outside comments (a comment that quotes a statement, ``-- was: DELETE FROM users;``, is
    not where it is)."""
    comments = Comments(text)
    located: list[Statement] = []
    cursor, line = 0, 1
    for index, statement in enumerate(statements):
        body = statement.strip()
        offset = _find_outside_comments(text, body, cursor, comments)
        line += text.count("\n", cursor, offset)
        line_start = text.rfind("\n", 0, offset) + 1
        located.append(Statement(index, body, offset, line, offset - line_start + 1))
        line += body.count("\n")
        cursor = offset + len(body)
    return located


def _find_outside_comments(text: str, body: str, cursor: int, comments: Comments) -> int:
    offset = text.find(body, cursor)
    while offset >= 0 and body:
        comment = comments.around(offset)
        if comment is None or comment.start == offset:  # sqlparse keeps a statement's leading comments
            return offset
        offset = text.find(body, comment.end)
    return offset if offset >= 0 else cursor  # sqlparse hands text back verbatim: only a safety net
