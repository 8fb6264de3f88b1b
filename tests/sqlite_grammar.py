"""Hypothesis strategies for SQLite's CREATE statements, written from its syntax diagrams.

https://www.sqlite.org/lang_createtable.html (column-def, column-constraint, table-constraint,
foreign-key-clause, conflict-clause, table-options), lang_createindex.html, lang_createview.html
and lang_createtrigger.html, checked against ``parse.y`` where the diagrams say less:

- a column constraint is any of ``CONSTRAINT name`` (alone, too), PRIMARY KEY, NOT NULL, NULL,
  UNIQUE, CHECK, DEFAULT, COLLATE, REFERENCES, ``[GENERATED ALWAYS] AS`` and a bare
  ``[NOT] DEFERRABLE …``, in any order and repeated; the bare DEFERRABLE applies to the table's
  last foreign key so far, which may be a column's before;
- table constraints follow the columns after a comma, and are separated by a comma or nothing;
- a constraint's name is SQLite's parser state: ``CONSTRAINT name`` sets it, a new column and a
  comma between table constraints clear it, and every constraint until then takes it (only a
  CHECK's is observable, in its error message);
- a foreign key's refargs are ON DELETE, ON UPDATE, ON INSERT (ignored) and MATCH, in any order,
  the last of each kind winning.

A schema is built as data first (:class:`Schema`), so a test knows what it asked for, and is
then written out with every spelling SQLite treats alike drawn at random: keyword case, the four
quoting styles, white space and comments between any two tokens.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st

# --- names ------------------------------------------------------------------------------------

PLAIN_NAMES = ("a", "b", "c", "id", "x1", "Name", "_u", "d$", "tbl", "col_2")
# keywords SQLite takes as names where a name is expected (its %fallback ID list), and some
# it does not (those are rejected and skipped)
KEYWORD_NAMES = (
    "key", "order", "check", "select", "default", "references", "primary", "unique", "constraint",
    "collate", "generated", "as", "rowid", "strict", "without", "deferrable", "not", "null", "on",
    "conflict", "replace", "action", "match", "desc", "asc", "table", "index", "foreign", "always",
    "stored", "virtual", "autoincrement", "abort", "cascade", "restrict", "set", "no", "initially",
    "deferred", "immediate", "insert", "fail", "ignore", "rollback", "oid", "_rowid_", "temp",
)  # fmt: skip
UNICODE_NAMES = (
    "é", "Été", "名前", "straße", "δx", "e\u0301", "😀", "ＡＢ", "a\u00a0b", "\u3000x", "x\u2028y",
    "ÀÉ", "àé", "ǅ",
)  # fmt: skip
ODD_NAMES = (
    "a b", 'say "hi"', "a]b", "a`b", "it's", "a,b", "f(x)", "--x", "/*x*/", "a.b", "1st", " lead",
    "CHECK (x)", "x)", "(", "CONSTRAINT", "x -- y", "[z]", "a;b",
)  # fmt: skip
ALL_NAMES = PLAIN_NAMES + KEYWORD_NAMES + UNICODE_NAMES + ODD_NAMES

# Keywords SQLite never takes as a bare name (see schemavet's NEVER_NAMES; tried on 3.40).
RESERVED = frozenset(
    """
    ADD ALL AND AS AUTOINCREMENT BETWEEN CASE CAST CHECK COLLATE CONSTRAINT CREATE CURRENT_DATE
    CURRENT_TIME CURRENT_TIMESTAMP DEFAULT DEFERRABLE DELETE DISTINCT DROP ELSE ESCAPE EXCEPT
    EXISTS FOREIGN FROM GROUP HAVING IN INDEX INSERT INTERSECT INTO IS ISNULL JOIN LIMIT NOT
    NOTHING NOTNULL NULL ON OR ORDER PRIMARY RAISE REFERENCES RETURNING SELECT SET TABLE THEN
    TO UNION UNIQUE UPDATE USING VALUES WHEN WHERE
    """.split()
)
_BARE = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*\Z")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """SQLite's name matching: ASCII letters ignore case, nothing else does."""
    return name.translate(_ASCII_LOWER)


def names(pool: Sequence[str] = ALL_NAMES) -> st.SearchStrategy[str]:
    """A name as SQLite stores it (the spelling of its declaration is drawn when it is written)."""
    return st.sampled_from(PLAIN_NAMES) | st.sampled_from(pool)


# --- the model ------------------------------------------------------------------------------

ACTIONS = ("CASCADE", "RESTRICT", "NO ACTION", "SET NULL", "SET DEFAULT")
CONFLICTS = ("ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE")
DEFER_FORMS = (
    "DEFERRABLE",
    "DEFERRABLE INITIALLY DEFERRED",
    "DEFERRABLE INITIALLY IMMEDIATE",
    "NOT DEFERRABLE",
    "NOT DEFERRABLE INITIALLY DEFERRED",
    "NOT DEFERRABLE INITIALLY IMMEDIATE",
)
COLLATIONS = ("BINARY", "NOCASE", "RTRIM")
C = object()  # where an expression template names a column
CS = object()  # ... spelled as a string: 'a' (an index takes it for the column, if there is one)

# expressions as token lists; C is a column of the table
EXPRESSIONS: tuple[tuple[Any, ...], ...] = (
    (C, ">", "0"),
    (C, "IS", "NOT", "NULL"),
    ("length", "(", C, ")", "<", "100"),
    (C, "IN", "(", "1", ",", "2", ",", "3", ")"),
    (C, "BETWEEN", "-1", "AND", "9"),
    (C, "<>", "'x,y)'"),
    ("(", C, "+", "1", ")", "*", "2", ">", "0"),
    (C, "COLLATE", "NOCASE", "<>", "'a'"),
    ("typeof", "(", C, ")", "!=", "'blob'"),
    ("CASE", "WHEN", C, "THEN", "1", "ELSE", "0", "END"),
    (C, "GLOB", "'*[)]*'"),
    ('"CHECK"', "<>", C),
    ("abs", "(", C, ")", ">=", "0"),
    (C, "=", C),
    ("(", "(", C, ")", ")", "!=", "'('"),
    ("NOT", C),
    ("coalesce", "(", C, ",", "0", ")", ">", "-5"),
    ("1",),
    (C, "->>", "'$.a'", "IS", "NULL"),
    (C, "NOT", "NULL"),
)
GENERATED_EXPRESSIONS: tuple[tuple[Any, ...], ...] = (
    (C, "*", "2"),
    ("upper", "(", C, ")"),
    (C, "||", "'x'"),
    ("coalesce", "(", C, ",", "0", ")"),
    ("1",),
    ("(", C, ")"),
)
INDEX_EXPRESSIONS: tuple[tuple[Any, ...], ...] = (
    ("lower", "(", C, ")"),
    (C, "+", "1"),
    ("(", C, ")"),
    ("abs", "(", C, ")"),
    ("+", C),
    (CS,),
    (C, "||", "'x'"),
)
DEFAULTS: tuple[tuple[str, ...], ...] = (
    ("0",), ("-", "1"), ("+", "1"), ("1.5",), ("1e3",), ("0x1F",), ("'text'",), ("'it''s'",), ("NULL",),
    ("TRUE",), ("false",), ("CURRENT_TIMESTAMP",), ("current_date",), ("(", "1", "+", "2", ")"),
    ("(", "'a'", "||", "'b'", ")"), ("X'00FF'",), ("abc",), ('"dq"',), ("[br]",), ("-", "0x10"),
    ("(", "-", "(", "1", ")", ")"), ("(", "abs", "(", "-2", ")", ")"), ("''",), ("'a,b)'",),
)  # fmt: skip
TYPES: tuple[tuple[str, ...], ...] = (
    (), ("INTEGER",), ("INT",), ("integer",), ("TEXT",), ("VARCHAR", "(", "20", ")"),
    ("DECIMAL", "(", "10", ",", "2", ")"), ("REAL",), ("BLOB",), ("NUMERIC",), ("UNSIGNED", "BIG", "INT"),
    ("DOUBLE", "PRECISION"), ("BOOLEAN",), ("DATETIME",), ('"my type"',), ("'str type'",), ("ANY",),
    ("Int",), ("INTEGER", "(", "5", ")"), ("key",), ("[sq]",), ("CHAR", "(", "+1", ")"),
)  # fmt: skip
STRICT_TYPES: tuple[tuple[str, ...], ...] = (
    ("INT",),
    ("INTEGER",),
    ("REAL",),
    ("TEXT",),
    ("BLOB",),
    ("ANY",),
    ("integer",),
    ("Text",),
)


@dataclass(frozen=True)
class Expression:
    """An expression template and the columns it names, in order."""

    template: tuple[Any, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """What follows REFERENCES: target, its columns, refargs and (table level) deferrability."""

    target: str
    ref_columns: tuple[str, ...] = ()
    args: tuple[tuple[str, str], ...] = ()  # (DELETE|UPDATE|INSERT|MATCH, action or name)
    defer: str | None = None

    def action(self, event: str) -> str:
        """The action SQLite keeps for ``event``: the last one written, else NO ACTION."""
        return next((a for e, a in reversed(self.args) if e == event), "NO ACTION")


@dataclass(frozen=True)
class Constraint:
    """A column or table constraint. ``kind`` says which; ``value`` what it holds.

    name: value is the name (``CONSTRAINT name`` alone); pk: (order, conflict, autoincrement)
    on a column, (terms, conflict, autoincrement) on a table, a term being (column, collation,
    order); notnull/null/unique: conflict (a table's unique: (terms, conflict)); check: an
    Expression; default: tokens; collate: collation; references: a Reference (on a table:
    (columns, Reference)); generated: (Expression, GENERATED ALWAYS written, STORED/VIRTUAL/None);
    defer: the deferrable form.
    """

    kind: str
    value: Any = None


@dataclass(frozen=True)
class Column:
    name: str
    type: tuple[str, ...]
    constraints: tuple[Constraint, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    commas: tuple[bool, ...] = ()  # between table constraints: a comma, or white space only
    options: tuple[str, ...] = ()  # WITHOUT ROWID, STRICT
    if_not_exists: bool = False
    qualified: bool = False  # main.name

    @property
    def strict(self) -> bool:
        return "STRICT" in self.options

    @property
    def without_rowid(self) -> bool:
        return "WITHOUT ROWID" in self.options

    def column_names(self, generated: bool = True) -> list[str]:
        return [c.name for c in self.columns if generated or not _generated(c)]


@dataclass(frozen=True)
class IndexDef:
    name: str
    table: str
    terms: tuple[Any, ...]  # (column, collation, order) or an Expression with (collation, order)
    unique: bool = False
    where: Expression | None = None
    if_not_exists: bool = False


@dataclass(frozen=True)
class ViewDef:
    name: str
    table: str
    selected: tuple[str, ...]
    columns: tuple[str, ...] = ()
    where: Expression | None = None


@dataclass(frozen=True)
class TriggerDef:
    name: str
    table: str
    timing: str
    event: str
    of_columns: tuple[str, ...] = ()
    for_each_row: bool = False
    when: Expression | None = None


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...]
    indexes: tuple[IndexDef, ...] = ()
    views: tuple[ViewDef, ...] = ()
    triggers: tuple[TriggerDef, ...] = ()

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def replace_table(self, table: Table) -> Schema:
        return replace(self, tables=tuple(table if t.name == table.name else t for t in self.tables))


def _generated(column: Column) -> bool:
    return any(c.kind == "generated" for c in column.constraints)


# --- what SQLite makes of it, beyond its PRAGMAs ----------------------------------------------


@dataclass
class ExpectedKey:
    """A foreign key as SQLite keeps it, in declaration order."""

    columns: tuple[str, ...]
    reference: Reference
    name: str | None
    deferred: bool = False


@dataclass
class Expected:
    """What a table's text says that no PRAGMA reports, by SQLite's rules."""

    foreign_keys: list[ExpectedKey] = field(default_factory=list)
    checks: list[tuple[str | None, Expression]] = field(default_factory=list)
    collations: dict[str, str] = field(default_factory=dict)  # folded column → last COLLATE


def deferred(form: str | None) -> bool:
    """True when the form defers the check to COMMIT (DEFERRABLE INITIALLY DEFERRED)."""
    return form is not None and form.split() == ["DEFERRABLE", "INITIALLY", "DEFERRED"]


def expected(table: Table) -> Expected:
    """Names, checks, foreign keys and collations as SQLite's parser gives them."""
    facts = Expected()
    name: str | None = None
    for column in table.columns:
        name = None  # a new column clears the name in force
        for constraint in column.constraints:
            name = _apply(facts, constraint, name, (column.name,))
            if constraint.kind == "collate":
                facts.collations[fold(column.name)] = constraint.value
    # the comma after the last column clears nothing; one between table constraints does
    for i, constraint in enumerate(table.constraints):
        if i > 0 and table.commas[i - 1]:
            name = None
        name = _apply(facts, constraint, name, ())
    return facts


def _apply(facts: Expected, constraint: Constraint, name: str | None, columns: tuple[str, ...]) -> str | None:
    kind, value = constraint.kind, constraint.value
    if kind == "name":
        return str(value)
    if kind == "check":
        facts.checks.append((name, value))
    elif kind == "references" and columns:
        facts.foreign_keys.append(ExpectedKey(columns, value, name))
    elif kind == "references":
        key_columns, reference = value
        facts.foreign_keys.append(ExpectedKey(key_columns, reference, name, deferred(reference.defer)))
    elif kind == "defer" and facts.foreign_keys:
        facts.foreign_keys[-1].deferred = deferred(value)
    return name


# --- writing SQL ----------------------------------------------------------------------------

GAPS = (" ",) * 14 + (
    "\n",
    "\t",
    "  ",
    "\n    ",
    " /* c */ ",
    "/* CHECK (a, b) */",
    " -- CONSTRAINT x, (\n",
    "--\n",
    "/**/",
    " /* é, ) ' \" */\n",
    "\r\n",
    "\f",
)
_PUNCT = "(),"


class Writer:
    """Writes the model as SQL, with a spelling for every keyword, name and gap.

    The spellings come from one seeded ``random.Random`` (a draw per token would cost more
    than the rest of an example); ``fancy`` off writes the plainest SQL, which is where a
    failing example shrinks to when its spellings are not the cause.
    """

    def __init__(self, rng: random.Random, fancy: bool = True) -> None:
        self.rng = rng
        self.fancy = fancy

    def gap(self, tight: bool = False) -> str:
        if not self.fancy:
            return " "
        gap = self.rng.choice(GAPS)
        return "" if tight and self.rng.random() < 0.5 else gap

    def join(self, parts: Sequence[str | None]) -> str:
        out = ""
        for part in parts:
            if part is None or part == "":
                continue
            if out:
                out += self.gap(tight=out[-1] in _PUNCT or part[0] in _PUNCT)
            out += part
        return out

    def word(self, keywords: str) -> str:
        """Keywords in a random case each, e.g. ``DEFERRABLE initially Deferred``."""
        return self.join([self._case(w) for w in keywords.split()])

    def _case(self, text: str) -> str:
        style = self.rng.choice(("upper", "same", "lower", "title")) if self.fancy else "upper"
        if style == "upper":
            return text.upper()
        if style == "lower":
            return text.lower()
        return text.title() if style == "title" else text

    def name(self, value: str, string_ok: bool = False) -> str:
        """``value`` bare (where it can be), "quoted", [bracketed], `ticked` or 'as a string'."""
        if not self.fancy:
            return '"' + value.replace('"', '""') + '"'
        styles = ["double", "backtick"]
        if _BARE.match(value) and value.upper() not in RESERVED:
            styles.insert(0, "bare")
        if "]" not in value:
            styles.append("bracket")
        if string_ok:
            styles.append("string")
        style = self.rng.choice(styles)
        if self.rng.random() < 0.25:  # SQLite matches ASCII letters in any case
            value = _swap_ascii_case(value)
        if style == "bare":
            return value
        if style == "bracket":
            return f"[{value}]"
        quote = {"double": '"', "backtick": "`", "string": "'"}[style]
        return quote + value.replace(quote, quote * 2) + quote

    def expression(self, expression: Expression) -> str:
        columns = iter(expression.columns)
        return self.join(
            [
                self.name(next(columns)) if t is C else self.string(next(columns)) if t is CS else t
                for t in expression.template
            ]
        )

    def string(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def names(self, values: Sequence[str], string_ok: bool = False) -> str:
        parts: list[str] = ["("]
        for i, value in enumerate(values):
            parts += [","] if i else []
            parts.append(self.name(value, string_ok))
        return self.join([*parts, ")"])

    # --- CREATE TABLE -----------------------------------------------------------------------

    def create_table(self, table: Table, name: str | None = None) -> str:
        items = [self.column(c) for c in table.columns]
        body = self.join(["(", self._items(items, table), ")"])
        options = []
        for i, option in enumerate(table.options):
            options += [","] if i else []
            options.append(self.word(option))
        return self.join(
            [
                self.word("CREATE TABLE"),
                self.word("IF NOT EXISTS") if table.if_not_exists else None,
                (self.name("main") + "." if table.qualified else "") + self.name(name or table.name, True),
                body,
                *options,
            ]
        )

    def _items(self, columns: list[str], table: Table) -> str:
        parts: list[str] = []
        for i, column in enumerate(columns):
            parts += [","] if i else []
            parts.append(column)
        for i, constraint in enumerate(table.constraints):
            if i == 0 or table.commas[i - 1]:
                parts.append(",")
            parts.append(self.table_constraint(constraint))
        return self.join(parts)

    def column(self, column: Column) -> str:
        return self.join(
            [
                self.name(column.name, string_ok=True),
                self.join(list(column.type)),
                *(self.column_constraint(c) for c in column.constraints),
            ]
        )

    def conflict(self, resolution: str | None) -> str | None:
        return self.word(f"ON CONFLICT {resolution}") if resolution else None

    def column_constraint(self, constraint: Constraint) -> str:
        kind, value = constraint.kind, constraint.value
        if kind == "pk":
            order, resolution, autoincrement = value
            return self.join(
                [
                    self.word("PRIMARY KEY"),
                    self.word(order) if order else None,
                    self.conflict(resolution),
                    self.word("AUTOINCREMENT") if autoincrement else None,
                ]
            )
        if kind == "notnull":
            return self.join([self.word("NOT NULL"), self.conflict(value)])
        if kind == "null":
            return self.join([self.word("NULL"), self.conflict(value)])
        if kind == "unique":
            return self.join([self.word("UNIQUE"), self.conflict(value)])
        if kind == "default":
            return self.join([self.word("DEFAULT"), self.join(list(value))])
        if kind == "generated":
            expression, always, storage = value
            return self.join(
                [
                    self.word("GENERATED ALWAYS") if always else None,
                    self.word("AS"),
                    self.join(["(", self.expression(expression), ")"]),
                    self.word(storage) if storage else None,
                ]
            )
        if kind == "references":
            return self.references(value)
        return self.shared_constraint(constraint)

    def shared_constraint(self, constraint: Constraint) -> str:
        kind, value = constraint.kind, constraint.value
        if kind == "name":
            return self.join([self.word("CONSTRAINT"), self.name(value, string_ok=True)])
        if kind == "check":
            return self.join([self.word("CHECK"), "(", self.expression(value), ")"])
        if kind == "collate":
            return self.join([self.word("COLLATE"), self.name(value, string_ok=True)])
        if kind == "defer":
            return self.word(value)
        raise AssertionError(kind)

    def references(self, reference: Reference) -> str:
        args = []
        for event, action in reference.args:
            if event == "MATCH":
                args.append(self.join([self.word("MATCH"), self.name(action)]))
            else:
                args.append(self.join([self.word(f"ON {event}"), self.word(action)]))
        return self.join(
            [
                self.word("REFERENCES"),
                self.name(reference.target, string_ok=True),
                self.names(reference.ref_columns, string_ok=True) if reference.ref_columns else None,
                *args,
                self.word(reference.defer) if reference.defer else None,
            ]
        )

    def table_constraint(self, constraint: Constraint) -> str:
        kind, value = constraint.kind, constraint.value
        if kind in ("pk", "unique"):
            terms, resolution, autoincrement = value if kind == "pk" else (*value, False)
            inner: list[str] = ["("]
            for i, (column, collation, order) in enumerate(terms):
                inner += [","] if i else []
                inner.append(
                    self.join(
                        [
                            self.name(column),
                            self.join([self.word("COLLATE"), self.name(collation)]) if collation else None,
                            self.word(order) if order else None,
                        ]
                    )
                )
            if autoincrement:
                inner.append(self.word("AUTOINCREMENT"))
            return self.join(
                [
                    self.word("PRIMARY KEY" if kind == "pk" else "UNIQUE"),
                    self.join([*inner, ")"]),
                    self.conflict(resolution),
                ]
            )
        if kind == "references":
            columns, reference = value
            return self.join(
                [self.word("FOREIGN KEY"), self.names(columns, True), self.references(reference)]
            )
        return self.shared_constraint(constraint)

    # --- the other statements ----------------------------------------------------------------

    def create_index(self, index: IndexDef) -> str:
        terms: list[str] = ["("]
        for i, term in enumerate(index.terms):
            terms += [","] if i else []
            terms.append(self.index_term(term))
        return self.join(
            [
                self.word("CREATE UNIQUE INDEX" if index.unique else "CREATE INDEX"),
                self.word("IF NOT EXISTS") if index.if_not_exists else None,
                self.name(index.name, string_ok=True),
                self.word("ON"),
                self.name(index.table, string_ok=True),
                self.join([*terms, ")"]),
                self.join([self.word("WHERE"), self.expression(index.where)]) if index.where else None,
            ]
        )

    def index_term(self, term: tuple[Any, str | None, str | None]) -> str:
        what, collation, order = term
        return self.join(
            [
                self.expression(what) if isinstance(what, Expression) else self.name(what),
                self.join([self.word("COLLATE"), self.name(collation)]) if collation else None,
                self.word(order) if order else None,
            ]
        )

    def create_view(self, view: ViewDef) -> str:
        selected: list[str] = []
        for i, column in enumerate(view.selected):
            selected += [","] if i else []
            selected.append(self.name(column))
        return self.join(
            [
                self.word("CREATE VIEW"),
                self.name(view.name, string_ok=True),
                self.names(view.columns) if view.columns else None,
                self.word("AS SELECT"),
                *selected,
                self.word("FROM"),
                self.name(view.table),
                self.join([self.word("WHERE"), self.expression(view.where)]) if view.where else None,
            ]
        )

    def create_trigger(self, trigger: TriggerDef) -> str:
        event = self.word(trigger.event)
        if trigger.of_columns:
            of: list[str] = [self.word("OF")]
            for i, column in enumerate(trigger.of_columns):
                of += [","] if i else []
                of.append(self.name(column))
            event = self.join([event, *of])
        return self.join(
            [
                self.word("CREATE TRIGGER"),
                self.name(trigger.name, string_ok=True),
                self.word(trigger.timing) if trigger.timing else None,
                event,
                self.word("ON"),
                self.name(trigger.table, string_ok=True),
                self.word("FOR EACH ROW") if trigger.for_each_row else None,
                self.join([self.word("WHEN"), self.expression(trigger.when)]) if trigger.when else None,
                self.word("BEGIN"),
                self.word("SELECT"),
                "1",
                ";",
                self.word("END"),
            ]
        )

    def statements(self, schema: Schema) -> list[str]:
        """Every CREATE statement of the schema, tables first."""
        return [
            *(self.create_table(t) for t in schema.tables),
            *(self.create_index(i) for i in schema.indexes),
            *(self.create_view(v) for v in schema.views),
            *(self.create_trigger(t) for t in schema.triggers),
        ]


def _swap_ascii_case(value: str) -> str:
    return "".join(ch.swapcase() if ch.isascii() else ch for ch in value)


# --- strategies -------------------------------------------------------------------------------
#
# What shapes a schema (how many columns and constraints, of which kinds, which names, where
# the primary key is) is drawn from Hypothesis, so a failing example shrinks to few objects;
# the values that fill it in (conflict clauses, collations, defaults, expressions …) come from
# a seeded ``random.Random``, like the spellings: a draw costs more than the rest of an example.

BOOL = st.booleans()
NAME = names()
OPTIONS = (
    (),
    (),
    (),
    ("WITHOUT ROWID",),
    ("STRICT",),
    ("WITHOUT ROWID", "STRICT"),
    ("STRICT", "WITHOUT ROWID"),
)
COLUMN_KINDS = (
    "notnull",
    "null",
    "unique",
    "check",
    "default",
    "collate",
    "references",
    "name",
    "defer",
    "name",
)
TABLE_KINDS = ("unique", "check", "references", "name", "check", "references")
EVENTS = ("DELETE", "UPDATE", "DELETE", "UPDATE", "INSERT", "MATCH")
MAYBE_COLLATION = (None, None, *COLLATIONS)
MAYBE_CONFLICT = (None, None, *CONFLICTS)
MAYBE_ORDER = (None, None, "ASC", "DESC")
MAYBE_DEFER = (None, *DEFER_FORMS)


class Source:
    """Where a strategy's choices come from: ``pick`` from Hypothesis, ``leaf`` from the rng."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.rng: random.Random = draw(st.randoms(use_true_random=True))

    def __call__(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.draw(strategy)

    def pick(self, options: Sequence[Any]) -> Any:
        """One of ``options`` (shrinking towards the first)."""
        return options[self.draw(st.integers(0, len(options) - 1))]

    def count(self, low: int, high: int) -> int:
        return int(self.draw(st.integers(low, high)))

    def picks(self, options: Sequence[Any], low: int, high: int, unique: bool = False) -> list[Any]:
        """``low`` to ``high`` of ``options``; with ``unique``, no two alike as SQLite matches names."""
        out: list[Any] = []
        for _ in range(self.count(low, high)):
            choice = self.pick(options)
            if not unique or all(fold(choice) != fold(o) for o in out):
                out.append(choice)
        return out if len(out) >= low else out + [o for o in options if o not in out][: low - len(out)]

    def leaf(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def one_in(self, n: int) -> bool:
        return self.rng.randrange(n) == 0

    def distinct(self, count: int, taken: set[str]) -> list[str]:
        """``count`` names, none equal to another (as SQLite matches names) or in ``taken``."""
        taken = set(taken)
        out: list[str] = []
        for _ in range(count):
            name = self.pick([n for n in ALL_NAMES if fold(n) not in taken])
            out.append(name)
            taken.add(fold(name))
        return out


def expression(
    s: Source, columns: Sequence[str], pool: Sequence[tuple[Any, ...]] = EXPRESSIONS
) -> Expression:
    template = s.leaf(pool)
    return Expression(template, tuple(s.leaf(columns) for t in template if t is C or t is CS))


def reference(s: Source, count: int, targets: dict[str, list[str]], table_level: bool) -> Reference:
    """A REFERENCES clause for ``count`` columns to one of ``targets`` (name → its columns)."""
    target = s.pick(sorted(targets))
    ref_columns: tuple[str, ...] = ()
    if targets[target] and (count > 1 or s.one_in(2)):
        ref_columns = tuple(s.leaf(targets[target]) for _ in range(count))
    args = [(s.leaf(EVENTS), s.leaf(ACTIONS)) for _ in range(s.rng.randrange(4))]
    args = [(e, "SIMPLE" if e == "MATCH" else a) for e, a in args]
    return Reference(target, ref_columns, tuple(args), s.leaf(MAYBE_DEFER) if table_level else None)


def column_constraints(s: Source, columns: list[str], targets: dict[str, list[str]]) -> list[Constraint]:
    """0–4 column constraints (no PRIMARY KEY, no generated column: the table places those)."""
    out = []
    for kind in s.picks(COLUMN_KINDS, 0, 4):
        if kind in ("notnull", "null", "unique"):
            value: Any = s.leaf(MAYBE_CONFLICT)
        elif kind == "check":
            value = expression(s, columns)
        elif kind == "default":
            value = s.leaf(DEFAULTS)
        elif kind == "collate":
            value = s.leaf((*COLLATIONS, "nocase", "Rtrim"))
        elif kind == "references":
            value = reference(s, 1, targets, table_level=False)
        else:
            value = s(NAME) if kind == "name" else s.leaf(DEFER_FORMS)
        out.append(Constraint(kind, value))
    return out


def table_constraints(s: Source, columns: list[str], targets: dict[str, list[str]]) -> list[Constraint]:
    out = []
    for kind in s.picks(TABLE_KINDS, 0, 4):
        if kind == "unique":
            value: Any = (constraint_terms(s, s.picks(columns, 1, 2, unique=True)), s.leaf(MAYBE_CONFLICT))
        elif kind == "check":
            value = expression(s, columns)
        elif kind == "references":
            key = s.picks(columns, 1, 2)
            value = (tuple(key), reference(s, len(key), targets, table_level=True))
        else:
            value = s(NAME)
        out.append(Constraint(kind, value))
    return out


def constraint_terms(s: Source, columns: list[str]) -> tuple[tuple[str, str | None, str | None], ...]:
    return tuple((column, s.leaf(MAYBE_COLLATION), s.leaf(MAYBE_ORDER)) for column in columns)


def insert(s: Source, items: Sequence[Constraint], item: Constraint) -> tuple[Constraint, ...]:
    at = s.count(0, len(items))
    return (*items[:at], item, *items[at:])


def _integer(column: Column) -> bool:
    """True when the column's type is INTEGER, the one a rowid alias (and AUTOINCREMENT) needs."""
    return [t.upper() for t in column.type] == ["INTEGER"]


def table(s: Source, name: str, targets: dict[str, list[str]]) -> Table:
    """A CREATE TABLE: 1–4 columns, 0–4 table constraints, options; ``targets`` for its keys."""
    column_names = s.distinct(s.count(1, 4), set())
    options = s.pick(OPTIONS)
    targets = {**targets, name: column_names, "ghost": ["g1", "g2"]}
    generated = (
        {s.pick(column_names)} if len(column_names) > 1 and s.pick((False, True, False, False)) else set()
    )
    strict = "STRICT" in options
    columns = [_column(s, column, column_names, generated, targets, strict) for column in column_names]
    table_items = table_constraints(s, column_names, targets)
    keyable = [c for c in column_names if c not in generated]
    where_pk = s.pick(("none", "column", "table", "table"))
    if where_pk == "column" or (where_pk == "none" and "WITHOUT ROWID" in options):
        at = column_names.index(s.pick(keyable))
        order = s.leaf(MAYBE_ORDER)
        integer = _integer(columns[at]) and order != "DESC" and "WITHOUT ROWID" not in options
        pk = Constraint("pk", (order, s.leaf(MAYBE_CONFLICT), integer and s.one_in(4)))
        columns[at] = replace(columns[at], constraints=insert(s, columns[at].constraints, pk))
    elif where_pk == "table":
        key = s.picks(keyable, 1, 3, unique=True)
        integer = len(key) == 1 and _integer(columns[column_names.index(key[0])])
        autoincrement = integer and "WITHOUT ROWID" not in options and s.one_in(4)
        pk = Constraint("pk", (constraint_terms(s, key), s.leaf(MAYBE_CONFLICT), autoincrement))
        table_items = list(insert(s, table_items, pk))
    commas = tuple(s(BOOL) for _ in table_items[1:])
    return Table(
        name,
        tuple(columns),
        tuple(table_items),
        commas,
        options,
        if_not_exists=s.one_in(6),
        qualified=s.one_in(8),
    )


def _column(
    s: Source, name: str, names: list[str], generated: set[str], targets: dict[str, list[str]], strict: bool
) -> Column:
    type_ = s.leaf(STRICT_TYPES if strict else TYPES)
    items = column_constraints(s, names, targets)
    if name in generated:
        items = [i for i in items if i.kind != "default"]
        plain = [c for c in names if c not in generated]
        value = (
            expression(s, plain, GENERATED_EXPRESSIONS),
            s.one_in(2),
            s.leaf((None, "STORED", "VIRTUAL")),
        )
        items = list(insert(s, items, Constraint("generated", value)))
    return Column(name, type_, tuple(items))


def index(s: Source, name: str, table: Table) -> IndexDef:
    columns = table.column_names()
    terms = []
    for _ in range(s.count(1, 3)):
        what: Any = s.leaf(columns)
        if s.one_in(4):
            what = expression(s, table.column_names(generated=False) or columns, INDEX_EXPRESSIONS)
        terms.append((what, s.leaf(MAYBE_COLLATION), s.leaf(MAYBE_ORDER)))
    where = expression(s, columns) if s.one_in(2) else None
    return IndexDef(name, table.name, tuple(terms), s.one_in(2), where, s.one_in(6))


def view(s: Source, name: str, source: Table) -> ViewDef:
    selected = tuple(s.leaf(source.column_names()) for _ in range(s.count(1, 3)))
    aliases = tuple(s.distinct(len(selected), set())) if s.one_in(2) else ()
    where = expression(s, source.column_names()) if s.one_in(2) else None
    return ViewDef(name, source.name, selected, aliases, where)


def trigger(s: Source, name: str, source: Table) -> TriggerDef:
    event = s.leaf(("INSERT", "DELETE", "UPDATE"))
    of = tuple(s.leaf(source.column_names()) for _ in range(s.rng.randrange(3))) if event == "UPDATE" else ()
    when = expression(s, source.column_names()) if s.one_in(2) else None
    return TriggerDef(name, source.name, s.leaf(("", "BEFORE", "AFTER")), event, of, s.one_in(2), when)


@st.composite
def schemas(draw: Any) -> Schema:
    """One or two tables (the second may reference the first), indexes, a view, a trigger."""
    s = Source(draw)
    count = s.count(1, 2)
    names = s.distinct(count + 4, {"ghost", "main"})
    built: list[Table] = []
    for name in names[:count]:
        built.append(table(s, name, {t.name: t.column_names() for t in built}))
    other = names[count:]
    indexes = [index(s, other[i], s.pick(built)) for i in range(s.count(0, 2))]
    views = [view(s, other[2], s.pick(built))] if s.pick((False, True, False, False)) else []
    triggers = [trigger(s, other[3], s.pick(built))] if s.pick((False, True, False, False)) else []
    return Schema(tuple(built), tuple(indexes), tuple(views), tuple(triggers))


writers = st.builds(Writer, st.randoms(use_true_random=True), BOOL)


@st.composite
def written(draw: Any, schema: Schema) -> list[str]:
    """The statements of ``schema``, every spelling drawn."""
    return draw(writers).statements(schema)


# --- mutations --------------------------------------------------------------------------------


def _keys(table: Table) -> list[tuple[str, int, int]]:
    """Where each foreign key is: ("column", column index, constraint index) or ("table", -1, i)."""
    found = []
    for ci, column in enumerate(table.columns):
        found += [("column", ci, i) for i, c in enumerate(column.constraints) if c.kind == "references"]
    found += [("table", -1, i) for i, c in enumerate(table.constraints) if c.kind == "references"]
    return found


@st.composite
def mutations(draw: Any, table: Table) -> tuple[str, Table]:
    """One change verify must report: a foreign-key action, a CHECK, a default or a collation."""
    s = Source(draw)
    kind = s.pick(["check", "default", "collation"] + (["action"] if _keys(table) else []))
    if kind == "action":
        return kind, _new_action(s, table)
    if kind == "check":
        return kind, _new_check(s, table)
    plain = [i for i, c in enumerate(table.columns) if not _generated(c)] if kind == "default" else []
    at = s.pick(plain or range(len(table.columns)))
    column = table.columns[at]
    if kind == "default" and plain:
        kept = [c for c in column.constraints if c.kind != "default"]
        column = replace(column, constraints=(*kept, Constraint("default", ("'mutated'",))))
    else:
        kind = "collation"
        now = next((c.value.upper() for c in reversed(column.constraints) if c.kind == "collate"), "BINARY")
        kept = [c for c in column.constraints if c.kind != "collate"]
        new = s.pick([c for c in COLLATIONS if c != now])
        column = replace(column, constraints=(*kept, Constraint("collate", new)))
    columns = list(table.columns)
    columns[at] = column
    return kind, replace(table, columns=tuple(columns))


def _new_action(s: Source, table: Table) -> Table:
    where, ci, i = s.pick(_keys(table))
    constraints = list(table.constraints if where == "table" else table.columns[ci].constraints)
    value = constraints[i].value
    reference: Reference = value[1] if where == "table" else value
    event = s.pick(("DELETE", "UPDATE"))
    action = s.pick([a for a in ACTIONS if a != reference.action(event)])
    reference = replace(reference, args=(*reference.args, (event, action)))  # the last one wins
    constraints[i] = Constraint("references", (value[0], reference) if where == "table" else reference)
    if where == "table":
        return replace(table, constraints=tuple(constraints))
    columns = list(table.columns)
    columns[ci] = replace(columns[ci], constraints=tuple(constraints))
    return replace(table, columns=tuple(columns))


def _new_check(s: Source, table: Table) -> Table:
    check = Constraint("check", Expression((C, ">", "-987654"), (s.pick(table.column_names()),)))
    constraints = list(table.constraints)
    checks = [i for i, c in enumerate(constraints) if c.kind == "check"]
    if checks and s(BOOL):
        constraints[s.pick(checks)] = check
        return replace(table, constraints=tuple(constraints))
    commas = (*table.commas, True) if constraints else ()
    return replace(table, constraints=(*constraints, check), commas=commas)


# --- tables whose names and deferral SQLite shows in its behaviour ----------------------------


@st.composite
def named_checks(draw: Any) -> Table:
    """A table whose CHECKs are ``v <> k``, a distinct k each, among names, commas and other
    constraints that cannot fail on an insert: each CHECK fails alone, with its name."""
    s = Source(draw)
    v, w = s.distinct(2, set())
    count = iter(range(1, 1000))

    def item(kind: str, table_level: bool) -> Constraint:
        if kind == "check":
            return Constraint("check", Expression((C, "<>", str(next(count))), (v,)))
        if kind == "name":
            return Constraint("name", s(NAME))
        if kind == "unique" and table_level:
            return Constraint("unique", (((w, None, None),), None))
        return Constraint(
            kind, {"collate": "NOCASE", "unique": None, "null": None, "defer": "DEFERRABLE"}[kind]
        )

    kinds = ("name", "check", "collate", "unique", "null", "name", "check", "defer")
    columns = tuple(Column(name, (), tuple(item(k, False) for k in s.picks(kinds, 0, 4))) for name in (v, w))
    constraints = tuple(item(k, True) for k in s.picks(("name", "check", "unique", "check"), 0, 4))
    return Table(s(NAME), columns, constraints, tuple(s(BOOL) for _ in constraints[1:]))


@st.composite
def deferred_keys(draw: Any, parent: str) -> Table:
    """A table whose foreign keys to ``parent`` are on a column each, written at column and
    table level with every deferrable form, bare DEFERRABLEs among the column constraints."""
    s = Source(draw)
    column_names = s.distinct(s.count(1, 4), {fold(parent)})
    target = Reference(parent)
    columns, free = [], []
    for name in column_names:
        kinds = s.picks(("defer", "name", "collate", "references", "defer"), 0, 4)
        if kinds.count("references") > 1:
            kinds = [k for k in kinds if k != "references"]
        items = []
        for kind in kinds:
            value: Any = {"collate": "RTRIM", "references": target}.get(kind)
            if kind == "defer":
                value = s.pick(DEFER_FORMS)
            elif kind == "name":
                value = s(NAME)
            items.append(Constraint(kind, value))
        columns.append(Column(name, (), tuple(items)))
        free += [name] if "references" not in kinds else []
    constraints = tuple(
        Constraint("references", ((name,), replace(target, defer=s.pick(MAYBE_DEFER))))
        for name in free
        if s(BOOL)
    )
    name = s.distinct(1, {fold(parent)})[0]
    return Table(name, tuple(columns), constraints, tuple(s(BOOL) for _ in constraints[1:]))
