"""The statements SQLite keeps in ``sqlite_master``, read for what no PRAGMA reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from schemavet.errors import SqlSyntaxError
from schemavet.sql.ddl import (
    ColumnDef,
    TableConstraintDef,
    is_table_constraint,
    parse_column,
    parse_table_constraint,
)
from schemavet.sql.tokens import Token, matching_paren, split_top_level, tokenize
from schemavet.sqlite.expressions import fold


@dataclass
class TableDDL:
    """A parsed ``CREATE TABLE``: its columns by name and its table constraints."""

    columns: dict[str, ColumnDef] = field(default_factory=dict)
    constraints: list[TableConstraintDef] = field(default_factory=list)
    without_rowid: bool = False
    strict: bool = False


@dataclass
class IndexDDL:
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
_TABLE_OPTIONS = re.compile(r"\b(?:ROWID|STRICT)\b", re.IGNORECASE)
# A column definition without these words says nothing the PRAGMAs have not said already.
_BEYOND_PRAGMAS = re.compile(
    r"\b(?:CHECK|COLLATE|AS|GENERATED|DEFERRABLE|CONSTRAINT|AUTOINCREMENT|CONFLICT)\b", re.IGNORECASE
)


# Where an item of a column list is a table constraint; a leading comment needs the tokenizer.
_CONSTRAINT_START = re.compile(r"\s*(?:CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b", re.IGNORECASE)
_COMMENT_START = re.compile(r"\s*(?:--|/\*)")

# The parts of a CREATE TABLE worth parsing: the items that say more than the PRAGMAs, and
# the text after the column list (WITHOUT ROWID, STRICT).
TableItems = tuple[list[str], str]


def table_items(sql: str) -> TableItems | None:
    """The items of a ``CREATE TABLE`` that say more than the PRAGMAs, and the text after them.

    None when nothing does (most tables of most schemas). Plain text, cheap to send between
    processes; the split into items is one pass of a small regular expression.
    """
    if not _BEYOND_PRAGMAS.search(sql) and not _TABLE_OPTIONS.search(sql):
        return None
    items, tail = _column_list_items(sql)
    return [item for item in items if _says_more(item)], tail


def _says_more(item: str) -> bool:
    if _BEYOND_PRAGMAS.search(item) or _CONSTRAINT_START.match(item):
        return True
    return _COMMENT_START.match(item) is not None and is_table_constraint(tokenize(item))


def table_ddl(parts: TableItems | None) -> TableDDL:
    """What :func:`table_items` found, parsed."""
    table = TableDDL()
    if parts is None:
        return table
    items, tail = parts
    for item in items:
        parsed = _parse_item(item)
        if isinstance(parsed, TableConstraintDef):
            table.constraints.append(parsed)
        elif parsed is not None:
            table.columns[fold(parsed.name)] = parsed
    options = {token.upper for token in tokenize(tail) if token.kind == "word"}
    table.without_rowid = "ROWID" in options
    table.strict = "STRICT" in options
    return table


def _column_list_items(sql: str) -> tuple[list[str], str]:
    """The text of each item between the outer parentheses, and the text after them."""
    items: list[str] = []
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
                items.append(sql[start : match.start()])
                return [item for item in items if item.strip()], sql[match.end() :]
        elif char == "," and depth == 1:
            items.append(sql[start : match.start()])
            start = match.end()
    raise SqlSyntaxError(f"Cannot read the column list of {sql[:80]!r}")


@lru_cache(maxsize=8192)
def _parse_item(text: str) -> ColumnDef | TableConstraintDef | None:
    """One item of a column list; None for a plain column the PRAGMAs describe fully."""
    tokens = tokenize(text)
    if is_table_constraint(tokens):
        return parse_table_constraint(tokens, text)
    if not _BEYOND_PRAGMAS.search(text):
        return None
    return parse_column(tokens, text)


def parse_create_index(sql: str) -> IndexDDL:
    """Key terms and WHERE clause of a ``CREATE INDEX`` statement, as source text."""
    tokens = tokenize(sql)
    open_at = _skip_create_prefix(tokens, "INDEX") + 3  # name ON table (
    close_at = matching_paren(tokens, open_at)
    terms = [_text(sql, part) for part in split_top_level(tokens[open_at + 1 : close_at]) if part]
    rest = tokens[close_at + 1 :]
    where = _text(sql, rest[1:]) if rest and rest[0].is_word("WHERE") else None
    return IndexDDL(terms, where)


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
