"""Table rebuilds: the SQLite way to change what ALTER TABLE cannot.

Two spellings are recognised: create a new table, copy, ``DROP TABLE old``, ``ALTER TABLE new
RENAME TO old`` (the one SQLite's documentation gives); and ``ALTER TABLE old RENAME TO
old_tmp``, ``CREATE TABLE old``, copy, ``DROP TABLE old_tmp``.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemavet.lint.sql import created_table, dropped, renames
from schemavet.lint.statements import ParsedStatement
from schemavet.sqlite.expressions import fold


@dataclass(frozen=True)
class Rebuild:
    """One rebuild: ``table`` ends up replaced by ``copy``; ``source`` is what was dropped."""

    table: str
    source: str
    copy: str
    drop: ParsedStatement


def find_rebuilds(statements: list[ParsedStatement]) -> list[Rebuild]:
    """Every rebuild in a file's statements, in order."""
    found = []
    for index, statement in enumerate(statements):
        for name in dropped(statement, "TABLE"):
            rebuild = _renamed_in(name, statement, statements[index + 1 :]) or _renamed_away(
                name, statement, statements[:index]
            )
            if rebuild is not None:
                found.append(rebuild)
    return found


def _renamed_in(name: str, drop: ParsedStatement, later: list[ParsedStatement]) -> Rebuild | None:
    for statement in later:
        for old, new in renames(statement):
            if fold(new) == fold(name):
                return Rebuild(new, name, old, drop)
    return None


def _renamed_away(name: str, drop: ParsedStatement, earlier: list[ParsedStatement]) -> Rebuild | None:
    for index, statement in enumerate(earlier):
        for old, new in renames(statement):
            recreated = any(fold(created_table(s) or "") == fold(old) for s in earlier[index + 1 :])
            if fold(new) == fold(name) and recreated:
                return Rebuild(old, name, old, drop)
    return None


def is_rebuild_drop(statement: ParsedStatement, statements: list[ParsedStatement]) -> bool:
    """True when this DROP TABLE is the drop step of a rebuild."""
    return any(r.drop is statement for r in find_rebuilds(statements))
