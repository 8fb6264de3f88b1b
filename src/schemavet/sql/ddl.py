"""Column definitions and table constraints as SQL writes them, parsed from tokens.

The core of the column language every dialect shares (NOT NULL, DEFAULT, CHECK, REFERENCES,
COLLATE, GENERATED …); each dialect adds its own clauses in a :class:`Grammar` of its own
(``dialects/<name>/grammar.py``): SQLite's conflict clauses and AUTOINCREMENT, PostgreSQL's
identity columns, casts in defaults and schema-qualified references. The same grammar serves
the ``CREATE TABLE`` text SQLite keeps in ``sqlite_master`` and the short column form of a
spec (``status: TEXT NOT NULL DEFAULT 'completed'``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from schemavet.errors import SqlSyntaxError
from schemavet.sql.tokens import Token, matching_paren, split_top_level, tokenize

_COLUMN_CONSTRAINT_START = frozenset(
    {
        "CONSTRAINT",
        "PRIMARY",
        "NOT",
        "NULL",
        "UNIQUE",
        "CHECK",
        "DEFAULT",
        "COLLATE",
        "REFERENCES",
        "GENERATED",
        "AS",
        "DEFERRABLE",
    }
)
_TABLE_CONSTRAINT_START = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})
_ACTIONS = {("SET", "NULL"): "SET NULL", ("SET", "DEFAULT"): "SET DEFAULT", ("NO", "ACTION"): "NO ACTION"}
ACTIONS = frozenset({"CASCADE", "RESTRICT", *_ACTIONS.values()})
CONFLICT_RESOLUTIONS = frozenset({"ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"})


@dataclass
class ForeignKeyDef:
    """``[FOREIGN KEY (columns)] REFERENCES [schema.]table [(columns)] [actions] [DEFERRABLE …]``."""

    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]
    schema: str | None = None
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferrable: str = "NOT DEFERRABLE"
    name: str | None = None
    match: str | None = None  # MATCH FULL/PARTIAL/SIMPLE, where the grammar keeps it


@dataclass
class ColumnDef:
    """One column definition with its column-level constraints, expressions as source text."""

    name: str
    type: str = ""
    not_null: bool = False
    default: str | None = None
    collation: str | None = None
    primary_key: bool = False
    primary_key_desc: bool = False
    autoincrement: bool = False
    unique: bool = False
    checks: list[tuple[str | None, str]] = field(default_factory=list)
    references: list[ForeignKeyDef] = field(default_factory=list)
    generated: str | None = None
    generated_stored: bool = False
    identity: str | None = None
    primary_key_name: str | None = None
    unique_name: str | None = None
    primary_key_on_conflict: str | None = None
    unique_on_conflict: str | None = None
    # A bare [NOT] DEFERRABLE before the column's first REFERENCES: SQLite applies it to the
    # table's last foreign key so far, which another column declared.
    deferrable_before: str | None = None
    # The constraint name in force after the definition: SQLite gives it to the table's first
    # table constraint too, when that comes before any CONSTRAINT of its own.
    name_in_force: str | None = None


@dataclass
class TableConstraintDef:
    """A table-level PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY constraint."""

    kind: str
    name: str | None = None
    columns: tuple[str, ...] = ()
    expression: str | None = None
    foreign_key: ForeignKeyDef | None = None
    autoincrement: bool = False
    on_conflict: str | None = None


Handler = Callable[["_Cursor", ColumnDef, "str | None"], None]


@dataclass(frozen=True, eq=False)
class Grammar:
    """One dialect's column language: the core handlers plus its own clauses.

    ``handlers`` maps a constraint's first word to the function that reads it; ``suffix``
    reads what a dialect allows after a key or NOT NULL (SQLite's ``ON CONFLICT``; ``kind`` is
    ``primary_key``, ``not_null``, ``null``, ``unique`` or ``table_key``); ``default`` reads a
    DEFAULT's value; ``qualified_references`` allows ``REFERENCES schema.table``; ``foreign_key_match``
    keeps a reference's MATCH type.
    """

    title: str
    handlers: Mapping[str, Handler]
    default: Callable[[_Cursor, ColumnDef], str]
    suffix: Callable[[_Cursor, ColumnDef, str], None] = lambda cursor, column, kind: None
    qualified_references: bool = False
    foreign_key_match: bool = False  # MATCH is part of the key (PostgreSQL), not read and dropped
    bare_defaults: bool = False  # DEFAULT takes an expression without parentheses (PostgreSQL)

    def extended(self, **changes: object) -> Grammar:
        """This grammar with some parts replaced (``handlers`` are merged, not replaced)."""
        from dataclasses import replace

        handlers = {**self.handlers, **changes.pop("handlers", {})}  # type: ignore[dict-item]
        return replace(self, handlers=handlers, **changes)  # type: ignore[arg-type]


class _Cursor:
    """A position in a token list with the few look-ahead helpers the grammar needs."""

    def __init__(self, tokens: list[Token], source: str, grammar: Grammar) -> None:
        self.tokens = tokens
        self.source = source
        self.grammar = grammar
        self.pos = 0

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def at(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.is_word(*words)

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise SqlSyntaxError(f"Unexpected end of SQL in {self.source!r}")
        self.pos += 1
        return token

    def expect(self, *words: str) -> Token:
        token = self.take()
        if not token.is_word(*words) and token.text not in words:
            raise SqlSyntaxError(f"Expected {' or '.join(words)}, found {token.text!r} in {self.source!r}")
        return token

    def take_group(self) -> list[Token]:
        """The tokens inside the parenthesised group at the cursor, consuming it."""
        if self.peek() is None or self.tokens[self.pos].text != "(":
            found = self.peek()
            raise SqlSyntaxError(f"Expected '(', found {found.text if found else 'end'!r} in {self.source!r}")
        close = matching_paren(self.tokens, self.pos)
        inner = self.tokens[self.pos + 1 : close]
        self.pos = close + 1
        return inner

    def text(self, tokens: list[Token]) -> str:
        """The source text the tokens span, spacing and case as written."""
        if not tokens:
            return ""
        last = tokens[-1]
        return self.source[tokens[0].start : last.start + len(last.text)]


def name_list(tokens: list[Token]) -> tuple[str, ...]:
    """``a, "b c", d DESC`` as the names (sort order and collation dropped)."""
    return tuple(part[0].name for part in split_top_level(tokens) if part)


def parse_column(tokens: list[Token], source: str, grammar: Grammar) -> ColumnDef:
    """A column definition: name, type words, then column constraints."""
    cursor = _Cursor(tokens, source, grammar)
    column = ColumnDef(name=cursor.take().name)
    type_tokens: list[Token] = []
    while cursor.peek() is not None and not _constraint_starts(cursor):
        if cursor.tokens[cursor.pos].text == "(":
            start = cursor.pos
            cursor.take_group()
            type_tokens.extend(cursor.tokens[start : cursor.pos])
        else:
            type_tokens.append(cursor.take())
    column.type = cursor.text(type_tokens)
    name = None
    while cursor.peek() is not None:
        # as in SQLite's parser, CONSTRAINT name is a constraint of its own: the name stays in
        # force for every constraint after it until the column ends, and names nothing if none does
        if cursor.at("CONSTRAINT"):
            name = _constraint_name(cursor)
        else:
            _column_constraint(cursor, column, name)
    column.name_in_force = name
    return column


def _constraint_starts(cursor: _Cursor) -> bool:
    """True at the first word of a column constraint; GENERATED is one only before ALWAYS
    (SQLite reads it as a name otherwise, so ``a GENERATED`` is a column of type GENERATED)."""
    if cursor.at("GENERATED"):  # PostgreSQL's GENERATED BY DEFAULT AS IDENTITY too
        return _next_is(cursor, "ALWAYS") or _next_is(cursor, "BY")
    return cursor.at(*_COLUMN_CONSTRAINT_START, *cursor.grammar.handlers)


@lru_cache(maxsize=4096)
def parse_column_constraints(sql: str, grammar: Grammar) -> ColumnDef:
    """A spec's short column form (``TEXT NOT NULL DEFAULT 0``), for a column not yet named.

    Parsed once per distinct text (specs repeat ``TEXT NOT NULL`` a great many times), so the
    result is shared: read it, never change it. Its name and reference columns are empty.
    """
    return parse_column([Token("quoted", '""', -1), *tokenize(sql)], sql, grammar)


def _constraint_name(cursor: _Cursor) -> str:
    cursor.expect("CONSTRAINT")
    return cursor.take().name


def _column_constraint(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    token = cursor.take()
    word = token.upper if token.kind == "word" else ""
    handler = cursor.grammar.handlers.get(word)
    if handler is None:
        raise SqlSyntaxError(f'Unexpected {token.text!r} in column "{column.name}" of {cursor.source!r}')
    handler(cursor, column, name)


def _primary_key(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    cursor.expect("KEY")
    column.primary_key, column.primary_key_name = True, name
    cursor.grammar.suffix(cursor, column, "primary_key")


def _not(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    if cursor.at("DEFERRABLE"):
        _deferrable(cursor, column, name, "NOT ")
        return
    cursor.expect("NULL")
    column.not_null = True
    cursor.grammar.suffix(cursor, column, "not_null")


def _deferrable(cursor: _Cursor, column: ColumnDef, name: str | None, prefix: str = "") -> None:
    """A bare ``[NOT] DEFERRABLE …``: it applies to the last foreign key declared so far."""
    if prefix:
        cursor.expect("DEFERRABLE")
    deferrable = prefix + "DEFERRABLE" + _initially(cursor)
    if column.references:
        column.references[-1].deferrable = deferrable
    else:
        column.deferrable_before = deferrable


def _null(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    cursor.grammar.suffix(cursor, column, "null")


def _unique(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    column.unique, column.unique_name = True, name
    cursor.grammar.suffix(cursor, column, "unique")


def _check(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    column.checks.append((name, cursor.text(cursor.take_group())))


def _default(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    column.default = cursor.grammar.default(cursor, column)


def default_term(cursor: _Cursor, column: ColumnDef) -> str:
    """A DEFAULT's value as SQLite writes it: one term, a signed number, or ``(expression)``."""
    token = cursor.peek()
    if token is not None and token.text == "(":
        # SQLite keeps what is inside the parentheses (its PRAGMAs report ``DEFAULT (1 + 2)``
        # as ``1 + 2``): read it the same way, so both sides mostly agree before normalizing
        start = cursor.pos
        cursor.take_group()
        default = cursor.text(cursor.tokens[start + 1 : cursor.pos - 1])
        if not default:
            raise SqlSyntaxError(f'Empty DEFAULT () in column "{column.name}" of {cursor.source!r}')
        return default
    if token is not None and token.text in ("-", "+"):
        return cursor.text([cursor.take(), cursor.take()])
    return cursor.take().text


def _collate(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    column.collation = cursor.take().name


def _references(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    column.references.append(_foreign_key_clause(cursor, (column.name,), name))


def _generated(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    cursor.expect("ALWAYS")
    cursor.expect("AS")
    if cursor.at("IDENTITY"):
        raise SqlSyntaxError(
            f"{cursor.grammar.title} has no identity columns (GENERATED … AS IDENTITY) in {cursor.source!r}"
        )
    generated_expression(cursor, column, name)


def generated_expression(cursor: _Cursor, column: ColumnDef, name: str | None) -> None:
    """``(expression) [STORED | VIRTUAL]`` after ``GENERATED ALWAYS AS``."""
    column.generated = cursor.text(cursor.take_group())
    if cursor.at("STORED", "VIRTUAL"):
        column.generated_stored = cursor.take().upper == "STORED"


#: The column constraints every dialect's grammar starts from.
CORE_HANDLERS: Mapping[str, Handler] = {
    "PRIMARY": _primary_key,
    "NOT": _not,
    "DEFERRABLE": _deferrable,
    "NULL": _null,
    "UNIQUE": _unique,
    "CHECK": _check,
    "DEFAULT": _default,
    "COLLATE": _collate,
    "REFERENCES": _references,
    "GENERATED": _generated,
}


def conflict_clause(cursor: _Cursor) -> str | None:
    """``ON CONFLICT resolution`` where one follows: the resolution, upper-cased."""
    if not (cursor.at("ON") and (nxt := cursor.peek(1)) is not None and nxt.is_word("CONFLICT")):
        return None
    cursor.pos += 2
    return cursor.expect(*CONFLICT_RESOLUTIONS).upper


def _foreign_key_clause(cursor: _Cursor, columns: tuple[str, ...], name: str | None) -> ForeignKeyDef:
    """What follows ``REFERENCES``: target, optional columns, actions, MATCH, deferrability."""
    table, schema = cursor.take().name, None
    if (dot := cursor.peek()) is not None and dot.text == ".":
        if not cursor.grammar.qualified_references:
            raise SqlSyntaxError(
                f"{cursor.grammar.title} foreign keys reference a table of the same database, "
                f"not one in schema {table!r}, in {cursor.source!r}"
            )
        cursor.take()
        table, schema = cursor.take().name, table
    ref_columns: tuple[str, ...] = ()
    if (nxt := cursor.peek()) is not None and nxt.text == "(":
        ref_columns = name_list(cursor.take_group())
    fk = ForeignKeyDef(columns=columns, table=table, ref_columns=ref_columns, name=name, schema=schema)
    while cursor.at("ON", "MATCH", "DEFERRABLE") or (cursor.at("NOT") and _next_is(cursor, "DEFERRABLE")):
        _foreign_key_option(cursor, fk)
    return fk


def _next_is(cursor: _Cursor, word: str) -> bool:
    """True when the token after the cursor is ``word`` (NOT DEFERRABLE, not NOT NULL)."""
    nxt = cursor.peek(1)
    return nxt is not None and nxt.is_word(word)


def _foreign_key_option(cursor: _Cursor, fk: ForeignKeyDef) -> None:
    word = cursor.take().upper
    if word == "MATCH":
        match = cursor.take().upper
        if cursor.grammar.foreign_key_match:
            if match not in ("SIMPLE", "FULL", "PARTIAL"):
                raise SqlSyntaxError(f"MATCH is SIMPLE, FULL or PARTIAL, not {match!r}, in {cursor.source!r}")
            fk.match = match
    elif word == "ON":
        event = cursor.expect("DELETE", "UPDATE", "INSERT").upper
        action = cursor.take().upper
        if action in ("SET", "NO"):
            action = _ACTIONS.get((action, cursor.take().upper), action)
        if action not in ACTIONS:
            raise SqlSyntaxError(
                f"Unknown foreign key action in {cursor.source!r}; expected one of: "
                + ", ".join(sorted(ACTIONS))
            )
        if event == "DELETE":
            fk.on_delete = action
        elif event == "UPDATE":
            fk.on_update = action  # SQLite accepts ON INSERT, and ignores it
    else:
        deferrable = "DEFERRABLE" if word == "DEFERRABLE" else "NOT " + cursor.expect("DEFERRABLE").upper
        fk.deferrable = deferrable + _initially(cursor)


def _initially(cursor: _Cursor) -> str:
    """`` INITIALLY DEFERRED|IMMEDIATE`` where it follows a DEFERRABLE, else nothing."""
    if not cursor.at("INITIALLY"):
        return ""
    cursor.take()
    return " INITIALLY " + cursor.expect("DEFERRED", "IMMEDIATE").upper


def parse_table_constraints(
    tokens: list[Token], source: str, grammar: Grammar, name: str | None = None
) -> list[TableConstraintDef]:
    """The table constraints of one item of ``CREATE TABLE (…)``.

    SQLite needs no comma between table constraints (``PRIMARY KEY (a) UNIQUE (b)``), and a
    ``CONSTRAINT name`` stays in force until the next comma, naming every constraint after it
    (or none, alone at the end). ``name`` is the one in force as the item starts.
    """
    cursor = _Cursor(tokens, source, grammar)
    constraints = []
    while cursor.peek() is not None:
        if cursor.at("CONSTRAINT"):
            name = _constraint_name(cursor)
        else:
            constraints.append(_table_constraint(cursor, name))
    return constraints


def _table_constraint(cursor: _Cursor, name: str | None) -> TableConstraintDef:
    word = cursor.expect("CHECK", "FOREIGN", "PRIMARY", "UNIQUE").upper
    if word == "CHECK":
        return TableConstraintDef("check", name, expression=cursor.text(cursor.take_group()))
    if word == "FOREIGN":
        cursor.expect("KEY")
        columns = name_list(cursor.take_group())
        cursor.expect("REFERENCES")
        fk = _foreign_key_clause(cursor, columns, name)
        return TableConstraintDef("foreign_key", name, columns, foreign_key=fk)
    if word == "PRIMARY":
        cursor.expect("KEY")
    group = cursor.take_group()
    # SQLite's PRIMARY KEY (id AUTOINCREMENT): the keyword inside the parentheses
    autoincrement = bool(group) and group[-1].is_word("AUTOINCREMENT")
    columns = name_list(group[:-1] if autoincrement else group)
    return TableConstraintDef(
        "primary_key" if word == "PRIMARY" else "unique",
        name,
        columns,
        autoincrement=autoincrement,
        on_conflict=conflict_clause(cursor),
    )


def is_table_constraint(tokens: list[Token]) -> bool:
    """True when a ``CREATE TABLE`` item is a table constraint rather than a column."""
    return bool(tokens) and tokens[0].kind == "word" and tokens[0].upper in _TABLE_CONSTRAINT_START


def parse_foreign_key(
    sql: str | list[Token], source: str, columns: tuple[str, ...], grammar: Grammar
) -> ForeignKeyDef:
    """A spec's ``[REFERENCES] table(columns) ON DELETE …`` text (or its tokens)."""
    tokens = tokenize(sql) if isinstance(sql, str) else sql
    cursor = _Cursor(tokens, source, grammar)
    if cursor.at("REFERENCES"):
        cursor.take()
    fk = _foreign_key_clause(cursor, columns, None)
    if cursor.peek() is not None:
        raise SqlSyntaxError(f"Unexpected {cursor.take().text!r} in reference {source!r}")
    return fk


_NAME = r"[A-Za-z_][A-Za-z0-9_$]*"
_ACTION = r"(?:CASCADE|RESTRICT|NO\s+ACTION|SET\s+NULL|SET\s+DEFAULT)"
# The shape nearly every foreign key of a spec has: an optional constraint name, one plain column,
# one target column, actions (a snapshot of PostgreSQL names every key).
_SIMPLE_REFERENCE = re.compile(
    rf"\s*(?:CONSTRAINT\s+({_NAME})\s+)?(?:FOREIGN\s+KEY(?=[\s(])\s*)?"
    rf"(?:({_NAME})\s+|\(\s*({_NAME})\s*\)\s*)REFERENCES\s+({_NAME})\s*\(\s*({_NAME})\s*\)"
    rf"(?:\s+ON\s+(DELETE|UPDATE)\s+({_ACTION}))?(?:\s+ON\s+(DELETE|UPDATE)\s+({_ACTION}))?\s*",
    re.IGNORECASE | re.ASCII,  # white space is ASCII in SQL: U+3000 would be part of a name
)


def parse_reference(text: str, grammar: Grammar) -> ForeignKeyDef:
    """A spec's foreign key written as one line of SQL:
    ``[CONSTRAINT n] [FOREIGN KEY] (a, b) REFERENCES t(x, y) …`` or ``a REFERENCES t …``."""
    return parse_simple_reference(text) or parse_reference_tokens(text, grammar)


def parse_simple_reference(text: str) -> ForeignKeyDef | None:
    """The common shape (one plain column to one plain column, actions, maybe a name) in one
    match; None otherwise.

    A fast path: anything else (composite keys, quoting, MATCH, DEFERRABLE …) goes through the
    token grammar (:func:`parse_reference_tokens`), which reads the same text the same way.
    """
    match = _SIMPLE_REFERENCE.fullmatch(text)
    if match is None:
        return None
    name, bare, enclosed, table, target, event1, action1, event2, action2 = match.groups()
    if any(word is not None and word.upper() in _CLAUSE_WORDS for word in match.groups()[:5]):
        return None  # a keyword as a name (``FOREIGN KEY REFERENCES …``): the grammar's to read
    fk = ForeignKeyDef(columns=(bare or enclosed,), table=table, ref_columns=(target,), name=name)
    for event, action in ((event1, action1), (event2, action2)):
        if event is not None:
            setattr(fk, f"on_{event.lower()}", " ".join(action.upper().split()))
    return fk


# words the clause itself is made of: as a name they take the grammar to tell what is meant
_CLAUSE_WORDS = frozenset(
    {"CONSTRAINT", "FOREIGN", "KEY", "REFERENCES", "ON", "DELETE", "UPDATE", "MATCH", "NOT", "DEFERRABLE"}
)


def parse_reference_tokens(text: str, grammar: Grammar) -> ForeignKeyDef:
    """:func:`parse_reference` through the token grammar (any shape the grammar reads)."""
    tokens = tokenize(text)
    at = next((i for i, t in enumerate(tokens) if t.is_word("REFERENCES")), None)
    if at is None:
        raise SqlSyntaxError('it should read "column REFERENCES table(column)"')
    head = tokens[:at]
    name = None
    if len(head) >= 2 and head[0].is_word("CONSTRAINT"):
        name, head = head[1].name, head[2:]
    if len(head) >= 2 and head[0].is_word("FOREIGN") and head[1].is_word("KEY"):
        head = head[2:]
    columns = tuple(t.name for t in head if t.kind in ("word", "quoted"))
    fk = parse_foreign_key(tokens[at + 1 :], text, columns, grammar)
    fk.name = name
    return fk
