"""The statements SQLite keeps in ``sqlite_master``, read for what no PRAGMA reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from schemavet.dialects.sqlite.expressions import fold
from schemavet.dialects.sqlite.grammar import GRAMMAR
from schemavet.errors import SqlSyntaxError
from schemavet.sql.ddl import (
    ColumnDef,
    ForeignKeyDef,
    TableConstraintDef,
    is_table_constraint,
    parse_column,
    parse_table_constraints,
)
from schemavet.sql.tokens import Token, matching_paren, split_top_level, tokenize


class Declared(NamedTuple):
    """What a table's ``CREATE TABLE`` says beyond the PRAGMAs, as plain data.

    Built where the catalog is read, possibly in another process, and sent as a plain tuple
    (``marshal`` takes no classes): names that SQLite matches case-insensitively are folded.
    """

    without_rowid: bool
    strict: bool
    collations: dict[str, str]  # column → the collation its definition declares
    generated: dict[str, str]  # column → its generation expression
    checks: list[tuple[str | None, str]]  # (name, expression) in the order of the text
    primary_key: tuple[str | None, bool, str | None] | None  # (name, autoincrement, on conflict)
    # (columns, target, target columns as written, on delete, on update, deferrable, name):
    # the first five are what the PRAGMA reports too, and tell a key from its neighbours
    foreign_keys: list[tuple[tuple[str, ...], str, tuple[str, ...], str, str, str, str | None]]
    uniques: dict[tuple[str, ...], tuple[str | None, str | None]]  # columns → (name, on conflict)


NOTHING_DECLARED = Declared(False, False, {}, {}, [], None, [], {})


class IndexParts(NamedTuple):
    """A parsed ``CREATE INDEX``: the source text of each key term and of its WHERE."""

    terms: list[str]
    where: str | None


def _skip_create_prefix(tokens: list[Token], kind: str) -> int:
    """Position of the object's name in ``CREATE [TEMP] [UNIQUE] kind [IF NOT EXISTS] name``."""
    pos = 0
    while not tokens[pos].is_word(kind):
        pos += 1
    pos += 1
    if tokens[pos].is_word("IF"):
        pos += 3
    if pos + 1 < len(tokens) and tokens[pos + 1].text == ".":
        pos += 2
    return pos


def _text(sql: str, tokens: list[Token]) -> str:
    last = tokens[-1]
    return sql[tokens[0].start : last.start + len(last.text)]


# What delimits the items of a column list: quoted text and comments are skipped whole.
_STRUCTURE = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|--[^\n]*|/\*.*?(?:\*/|\Z)|[(),]""",
    re.DOTALL,
)
# An item of a column list without one of these words says nothing the PRAGMAs have not
# said already; ROWID and STRICT are table options, after the list. SQLite's keywords are
# ASCII: with re.ASCII a word may match where it is only part of a name, never the reverse,
# and an item found for nothing is parsed for nothing, not misread.
_BEYOND_PRAGMAS = re.compile(
    r"\b(?:CHECK|COLLATE|AS|GENERATED|DEFERRABLE|CONSTRAINT|AUTOINCREMENT|CONFLICT|ROWID|STRICT)\b",
    re.IGNORECASE | re.ASCII,
)
# What a foreign key can say beyond the PRAGMA is its name and its deferrability: with either
# word in the text, every foreign key is read too (the PRAGMA's keys are matched to the
# declared ones by position, and a bare DEFERRABLE applies to the key declared before it).
# Without them every key is unnamed and NOT DEFERRABLE, as the PRAGMA's keys are taken alone.
_REFERENCES = re.compile(r"\bREFERENCES\b", re.IGNORECASE | re.ASCII)
_KEY_WORDS = frozenset({"CONSTRAINT", "DEFERRABLE"})

Item = ColumnDef | TableConstraintDef


def declared(sql: str) -> Declared | None:
    """What a ``CREATE TABLE`` says beyond the PRAGMAs; None when it says nothing more.

    Most tables of most schemas say nothing more. Of the others, only the items of the column
    list with a word from :data:`_BEYOND_PRAGMAS` are parsed, and with CONSTRAINT or DEFERRABLE
    among them, every REFERENCES too.
    """
    found = list(_BEYOND_PRAGMAS.finditer(sql))
    if not found:
        return None
    words = [match.start() for match in found]
    if any(match.group().upper() in _KEY_WORDS for match in found):
        words = sorted(words + [match.start() for match in _REFERENCES.finditer(sql)])
    spans, tail = _column_list_spans(sql)
    parsed: list[Item] = []
    names: dict[int, str | None] = {}  # span → the constraint name in force after a column
    for index, (start, end) in _spans_holding(spans, words):
        items = _parse_item(sql[start:end], names.get(index - 1))
        if items and isinstance(items[0], ColumnDef):
            names[index] = items[0].name_in_force
        parsed += items
    return _declared(parsed, sql[tail:])


def _spans_holding(
    spans: list[tuple[int, int]], positions: list[int]
) -> Iterator[tuple[int, tuple[int, int]]]:
    """The spans (in order, not overlapping) that hold at least one of the sorted positions,
    with their index."""
    i = 0
    for index, (start, end) in enumerate(spans):
        while i < len(positions) and positions[i] < start:
            i += 1
        if i == len(positions):
            return
        if positions[i] < end:
            yield index, (start, end)


def _column_list_spans(sql: str) -> tuple[list[tuple[int, int]], int]:
    """Where each item between the outer parentheses is, and where the text after them starts."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, -1
    for match in _STRUCTURE.finditer(sql):
        char = match.group()
        if char == "(":
            depth += 1
            if depth == 1:
                start = match.end()
        elif char == ")":
            depth -= 1
            if depth == 0:
                spans.append((start, match.start()))
                return spans, match.end()
        elif char == "," and depth == 1:
            spans.append((start, match.start()))
            start = match.end()
    raise SqlSyntaxError(f"Cannot read the column list of {sql[:80]!r}")


@lru_cache(maxsize=8192)
def _parse_item(text: str, name: str | None = None) -> tuple[Item, ...]:
    """One item of a column list: a column definition, or table constraints (one or more:
    SQLite needs no comma between them). ``name`` is the constraint name the column before
    left in force, which the first table constraints take (see :func:`parse_table_constraints`).

    Shared by every table that has the same item (it is cached): read it, never change it.
    """
    tokens = tokenize(text)
    if is_table_constraint(tokens):
        return tuple(parse_table_constraints(tokens, text, GRAMMAR, name))
    return (parse_column(tokens, text, GRAMMAR),)


def _foreign_keys(items: list[Item]) -> list[tuple[ForeignKeyDef, str]]:
    """Every foreign key in declaration order, with the deferrability SQLite gives it: a bare
    DEFERRABLE at the start of a column applies to the key declared before it."""
    keys: list[tuple[ForeignKeyDef, str]] = []
    for item in items:
        if isinstance(item, TableConstraintDef):
            keys += [(item.foreign_key, item.foreign_key.deferrable)] if item.foreign_key else []
            continue
        if item.deferrable_before is not None and keys:
            keys[-1] = (keys[-1][0], item.deferrable_before)
        keys += [(fk, fk.deferrable) for fk in item.references]
    return keys


def _checks(items: list[Item]) -> list[tuple[str | None, str]]:
    """(name, expression) of every CHECK in the order of the text, which is SQLite's (a column
    ALTER TABLE added comes after the table constraints)."""
    checks: list[tuple[str | None, str]] = []
    for item in items:
        if isinstance(item, ColumnDef):
            checks += item.checks
        elif item.kind == "check":
            checks.append((item.name, item.expression or ""))
    return checks


def _declared(items: list[Item], tail: str) -> Declared:
    columns = [item for item in items if isinstance(item, ColumnDef)]
    constraints = [item for item in items if isinstance(item, TableConstraintDef)]
    options = {token.upper for token in tokenize(tail) if token.kind == "word"}
    return Declared(
        without_rowid="ROWID" in options,
        strict="STRICT" in options,
        collations={fold(c.name): c.collation for c in columns if c.collation is not None},
        generated={fold(c.name): c.generated for c in columns if c.generated is not None},
        checks=_checks(items),
        primary_key=_declared_primary_key(columns, constraints),
        foreign_keys=[
            (
                tuple(fold(c) for c in fk.columns),
                fold(fk.table),
                tuple(fold(c) for c in fk.ref_columns),
                fk.on_delete,
                fk.on_update,
                deferrable,
                fk.name,
            )
            for fk, deferrable in _foreign_keys(items)
        ],
        uniques=_declared_uniques(columns, constraints),
    )


def _declared_primary_key(
    columns: list[ColumnDef], constraints: list[TableConstraintDef]
) -> tuple[str | None, bool, str | None] | None:
    table_level = next((c for c in constraints if c.kind == "primary_key"), None)
    if table_level is not None:
        return table_level.name, table_level.autoincrement, table_level.on_conflict
    column = next((c for c in columns if c.primary_key), None)
    if column is not None:
        return column.primary_key_name, column.autoincrement, column.primary_key_on_conflict
    return None


def _declared_uniques(
    columns: list[ColumnDef], constraints: list[TableConstraintDef]
) -> dict[tuple[str, ...], tuple[str | None, str | None]]:
    """Columns → (name, on conflict). SQLite keeps one index for UNIQUEs on the same columns,
    with the conflict clause any of them gives (two different ones are an error)."""
    declared: list[tuple[tuple[str, ...], str | None, str | None]] = [
        ((fold(c.name),), c.unique_name, c.unique_on_conflict) for c in columns if c.unique
    ]
    declared += [
        (tuple(fold(c) for c in u.columns), u.name, u.on_conflict) for u in constraints if u.kind == "unique"
    ]
    uniques: dict[tuple[str, ...], tuple[str | None, str | None]] = {}
    for key, name, on_conflict in declared:
        first_name, first_on_conflict = uniques.get(key, (None, None))
        uniques[key] = (first_name or name, first_on_conflict or on_conflict)
    return uniques


def parse_create_index(sql: str) -> IndexParts:
    """Key terms and WHERE clause of a ``CREATE INDEX`` statement, as source text."""
    tokens = tokenize(sql)
    open_at = _skip_create_prefix(tokens, "INDEX") + 3  # name ON table (
    close_at = matching_paren(tokens, open_at)
    terms = [_text(sql, part) for part in split_top_level(tokens[open_at + 1 : close_at]) if part]
    rest = tokens[close_at + 1 :]
    where = _text(sql, rest[1:]) if rest and rest[0].is_word("WHERE") else None
    return IndexParts(terms, where)


def view_parts(sql: str) -> tuple[tuple[str, ...], str]:
    """A ``CREATE VIEW`` statement's optional column names and its query text."""
    tokens = tokenize(sql)
    pos = _skip_create_prefix(tokens, "VIEW") + 1
    columns: tuple[str, ...] = ()
    if tokens[pos].text == "(":
        close = matching_paren(tokens, pos)
        columns = tuple(part[0].name for part in split_top_level(tokens[pos + 1 : close]) if part)
        pos = close + 1
    return columns, _text(sql, tokens[pos + 1 :])  # skip AS


def trigger_definition(sql: str) -> str:
    """A ``CREATE TRIGGER`` statement from after the trigger's name: timing, event, body."""
    tokens = tokenize(sql)
    return _text(sql, tokens[_skip_create_prefix(tokens, "TRIGGER") + 1 :])


def virtual_module(sql: str) -> str:
    """``USING module(args)`` of a ``CREATE VIRTUAL TABLE`` statement."""
    tokens = tokenize(sql)
    pos = next(i for i, token in enumerate(tokens) if token.is_word("USING"))
    return _text(sql, tokens[pos + 1 :])
