"""SQLite's schema objects written as PostgreSQL DDL, each trap of the move handled on purpose.

The objects come from SQLite itself (a migration replayed into a scratch database and read
back by the inspector), so this module never guesses what a ``CREATE TABLE`` means: it knows
which key is the rowid alias, which column has AUTOINCREMENT, which constraint a conflict
clause, as SQLite does. What it writes for each trap:

- the rowid alias (``INTEGER PRIMARY KEY``, with or without AUTOINCREMENT): ``bigint GENERATED
  BY DEFAULT AS IDENTITY`` (64-bit like the rowid; explicit ids still go in, as in SQLite);
- a column the target spec gives as ``boolean``: its 0/1 default as ``false``/``true``, its
  ``IN (0, 1)`` CHECK dropped (a boolean is one);
- a column the spec gives as a timestamp: SQLite's "now" (``unixepoch()``, ``strftime('%s',
  'now')``, ``datetime('now')``, ``CURRENT_TIMESTAMP``) as ``now()``;
- ``COLLATE NOCASE`` on a UNIQUE column: a unique index on ``lower(column)``; on another column,
  ``citext`` when the spec says so, else a finding;
- STRICT and WITHOUT ROWID: dropped (PostgreSQL's columns are strictly typed; it has no rowid),
  noted; a VIRTUAL generated column stays VIRTUAL (PostgreSQL 18);
- a conflict clause other than ABORT (REPLACE deletes rows, IGNORE skips them): a finding.

Every note and finding is a :class:`Diagnostic` at the file and line of the statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemavet.diagnostics import ERROR, WARNING, Diagnostic
from schemavet.dialects.sqlite.options import key_options, table_options, unique_options
from schemavet.model import Column, ForeignKey, Index, Table

_SIMPLE = re.compile(r"[a-z_][a-z0-9_$]*\Z")
# PostgreSQL's reserved key words (SQL Key Words, appendix C): a name spelt so needs quotes
_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization binary both case cast check
    collate collation column concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign freeze from full grant group having ilike in
    initially inner intersect into is isnull join lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
    references returning right select session_user similar some symmetric system_user table tablesample
    then to trailing true union unique user using variadic verbose when where window with""".split()
)
_TIMESTAMPS = ("timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone", "date")
_DEFAULT_TYPES = {
    "INTEGER": "bigint",
    "INT": "bigint",
    "TEXT": "text",
    "REAL": "double precision",
    "BLOB": "bytea",
    "NUMERIC": "numeric",
    "BOOLEAN": "boolean",
}
_SAFE_CONFLICT = (None, "ABORT")


def ident(name: str) -> str:
    """A name as PostgreSQL must be given it to keep its spelling: quoted unless plain lower case."""
    if _SIMPLE.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A PostgreSQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Place:
    """Where a statement is, and the notes and findings about it."""

    path: str
    line: int
    text: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def at(self, name: str) -> int:
        """The line of the statement where ``name`` first stands as a word (its own line if nowhere)."""
        match = re.search(r'(?<![\w$])"?' + re.escape(name) + r'"?(?![\w$])', self.text, re.IGNORECASE)
        return self.line + (self.text.count("\n", 0, match.start()) if match else 0)

    def note(self, code: str, message: str, line: int | None = None) -> None:
        """A trap handled on purpose: written so the reviewer can check the choice."""
        self.diagnostics.append(Diagnostic(self.path, line or self.line, None, code, WARNING, message))

    def refuse(self, code: str, message: str, hint: str, line: int | None = None) -> None:
        """What has no faithful translation: nothing is written while one stands."""
        self.diagnostics.append(Diagnostic(self.path, line or self.line, None, code, ERROR, message, hint))


@dataclass(frozen=True)
class Types:
    """The PostgreSQL type the target spec gives each column (by folded table and column name)."""

    by_column: dict[tuple[str, str], str] = field(default_factory=dict)
    renamed: dict[str, str] = field(default_factory=dict)  # folded table → the name it will get

    def of(self, table: str, column: str) -> str | None:
        """The spec's type for ``table.column``, lower case; None when the spec does not say.

        A table a migration builds under another name and then renames (SQLite's rebuild) is
        looked up by the name it ends with.
        """
        table = self.renamed.get(table.lower(), table).lower()
        return self.by_column.get((table, column.lower()))


def is_timestamp(pg_type: str | None) -> bool:
    """True for a PostgreSQL date/time type."""
    return pg_type is not None and pg_type.lower().startswith(_TIMESTAMPS)


def is_boolean(pg_type: str | None) -> bool:
    """True for PostgreSQL's boolean."""
    return pg_type is not None and pg_type.lower() in ("boolean", "bool")


# --- expressions --------------------------------------------------------------------------------


class Untranslatable(Exception):
    """An expression with no faithful PostgreSQL form: the message says what."""


_NOW_FUNCTIONS = frozenset({"UNIXEPOCH", "DATETIME", "DATE", "TIME", "JULIANDAY"})


def _is_sqlite_now(node: exp.Expr) -> bool:
    """``unixepoch()``, ``strftime('%s', 'now')``, ``datetime('now')``, ``CURRENT_TIMESTAMP``."""
    if isinstance(node, exp.CurrentTimestamp):
        return True
    if isinstance(node, exp.TimeToStr):
        return _is_now_literal(node.this) and node.args.get("format") is not None
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in ("UNIXEPOCH", "DATETIME"):
        args = node.expressions
        return not args or (len(args) == 1 and _is_now_literal(args[0]))
    return False


def _is_now_literal(node: exp.Expr | None) -> bool:
    while isinstance(node, (exp.TsOrDsToTimestamp, exp.TsOrDsToDate, exp.StrToTime)):
        node = node.this
    return isinstance(node, exp.Literal) and node.is_string and node.this.lower() == "now"


def _is_sqlite_time_function(node: exp.Expr) -> bool:
    if isinstance(node, (exp.TimeToStr, exp.TsOrDsToTimestamp, exp.TsOrDsToDate)):
        return True
    return isinstance(node, exp.Anonymous) and str(node.this).upper() in _NOW_FUNCTIONS


def translate_expression(text: str, names: Callable[[str], str], target_type: str | None = None) -> str:
    """A SQLite expression as PostgreSQL text; :class:`Untranslatable` when it has none.

    ``target_type`` is the PostgreSQL type of the value's column (a DEFAULT, a value inserted):
    SQLite's "now" becomes ``now()`` for a timestamp and ``extract(epoch …)`` for a number; 0/1
    become false/true for a boolean. ``names`` gives each identifier its declared spelling.
    """
    try:
        tree = sqlglot.parse_one(text, read="sqlite")
    except SqlglotError as e:
        raise Untranslatable(f"sqlglot cannot read {text!r}: {str(e).splitlines()[0]}") from e
    return translate_tree(tree, names, target_type, text)


def translate_tree(
    tree: exp.Expr,
    names: Callable[[str], str],
    target_type: str | None = None,
    text: str | None = None,
    pretty: bool = False,
) -> str:
    """A SQLite expression or statement sqlglot read, as PostgreSQL text (see translate_expression)."""
    tree = convert(tree, target_type)
    _check_translated(tree, text or tree.sql(dialect="sqlite"))
    _spell_names(tree, names)
    return tree.sql(dialect="postgres", pretty=pretty)


def convert(tree: exp.Expr, target_type: str | None) -> exp.Expr:
    """SQLite's "now", and 0/1 or numbers where a boolean or a timestamp goes, rewritten."""
    return tree.transform(lambda node: _rewrite(node, target_type))


_EPOCH_NOW = "CAST(EXTRACT(epoch FROM now()) AS BIGINT)"
_TEXT_NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"


def _rewrite(node: exp.Expr, target_type: str | None) -> exp.Expr:
    if _is_sqlite_now(node):
        if is_timestamp(target_type):
            return exp.Anonymous(this="now")
        # unixepoch() and strftime('%s', …) are numbers; datetime('now') and CURRENT_TIMESTAMP text
        number = isinstance(node, exp.TimeToStr) or str(node.this).upper() == "UNIXEPOCH"
        if isinstance(node, exp.CurrentTimestamp):
            number = False
        return sqlglot.parse_one(_EPOCH_NOW if number else _TEXT_NOW, read="postgres")
    if (
        isinstance(node, exp.Literal)
        and not node.is_string
        and is_boolean(target_type)
        and node.this in ("0", "1")
    ):
        return exp.Boolean(this=node.this == "1")
    if isinstance(node, exp.Literal) and not node.is_string and is_timestamp(target_type):
        return exp.Anonymous(this="to_timestamp", expressions=[node.copy()])
    return node


def _check_translated(tree: exp.Expr, text: str) -> None:
    for node in tree.walk():
        if _is_sqlite_time_function(node):
            raise Untranslatable(f"SQLite's date and time function in {text!r} has no PostgreSQL twin here")
        if isinstance(node, exp.Collate) and str(node.expression).upper().strip('"') == "NOCASE":
            raise Untranslatable(f"COLLATE NOCASE in {text!r} has no PostgreSQL collation")


def _spell_names(tree: exp.Expr, names: Callable[[str], str]) -> None:
    for node in tree.find_all(exp.Identifier):
        declared = names(node.name)
        node.set("this", declared)
        node.set("quoted", ident(declared) != declared)


# --- tables -------------------------------------------------------------------------------------


@dataclass
class TableText:
    """A translated table: its CREATE TABLE and the statements that must follow it."""

    create: str
    after: list[str]
    types: dict[str, str]  # column → PostgreSQL type
    identity: str | None  # the identity column, if any


def render_table(table: Table, types: Types, names: Callable[[str], str], place: Place) -> TableText:
    """``CREATE TABLE`` for PostgreSQL from a table SQLite read back."""
    _note_table_options(table, place)
    identity = _identity_column(table, place)
    column_types = {
        name: _column_type(table, column, identity, types, place) for name, column in table.columns.items()
    }
    lines = [
        _render_column(table, c, column_types[c.name], c.name == identity, names, place)
        for c in table.columns.values()
    ]
    lines += _render_constraints(table, column_types, names, place)
    after = _nocase_indexes(table, place)
    create = f"CREATE TABLE {ident(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"
    return TableText(create, after, column_types, identity)


def _note_table_options(table: Table, place: Place) -> None:
    options = table_options(table)
    if options.is_virtual:
        place.refuse(
            "SVT209",
            f'Virtual table "{table.name}" (USING {options.virtual}) has no PostgreSQL form',
            "Write the PostgreSQL table (a tsvector column and a GIN index, for FTS) by hand.",
        )
    if options.strict:
        place.note(
            "SVT107", f'Table "{table.name}" is STRICT: dropped, PostgreSQL checks every column\'s type'
        )
    if options.without_rowid:
        place.note(
            "SVT108", f'Table "{table.name}" is WITHOUT ROWID: dropped, PostgreSQL tables have no rowid'
        )


def _identity_column(table: Table, place: Place) -> str | None:
    key = table.primary_key
    if key is None or not key_options(key).rowid_alias:
        return None
    column = key.columns[0]
    if key_options(key).autoincrement:
        place.note(
            "SVT102",
            f'"{table.name}.{column}" is INTEGER PRIMARY KEY AUTOINCREMENT: written bigint '
            "GENERATED BY DEFAULT "
            "AS IDENTITY (64-bit; sqlglot writes a 32-bit identity that overflows at 2^31)",
        )
    else:
        place.note(
            "SVT101",
            f'"{table.name}.{column}" is the rowid alias (INTEGER PRIMARY KEY): written bigint GENERATED BY '
            "DEFAULT AS IDENTITY, so an insert without an id is numbered as in SQLite",
        )
    return column


def _column_type(table: Table, column: Column, identity: str | None, types: Types, place: Place) -> str:
    wanted = types.of(table.name, column.name)
    declared = column.type.upper()
    if column.name == identity:
        return wanted if wanted in ("bigint", "int8") else "bigint"
    if wanted is not None:
        if is_boolean(wanted) or is_timestamp(wanted):
            _note_conversion(table, column, wanted, place)
        return wanted
    base = declared.split("(")[0].strip()
    if base in _DEFAULT_TYPES:
        return _DEFAULT_TYPES[base]
    if not declared:
        place.refuse(
            "SVT207",
            f'Column "{table.name}.{column.name}" has no type (SQLite stores anything in it)',
            "Give the column a type in the spec for postgresql, or in the migration.",
            place.at(column.name),
        )
        return "text"
    try:
        return exp.DataType.build(column.type, dialect="sqlite").sql(dialect="postgres").lower()
    except SqlglotError:
        place.refuse(
            "SVT207",
            f'Column "{table.name}.{column.name}" has type {column.type!r}, which has no '
            "PostgreSQL translation",
            "Give the column a type in the spec for postgresql.",
        )
        return "text"


def _note_conversion(table: Table, column: Column, wanted: str, place: Place) -> None:
    what = "a 0/1 flag" if is_boolean(wanted) else "a timestamp"
    code = "SVT103" if is_boolean(wanted) else "SVT104"
    place.note(
        code,
        f'"{table.name}.{column.name}" is {what} stored as {column.type or "untyped"} on SQLite: '
        f"written {wanted}, as the spec says",
        place.at(column.name),
    )


def _render_column(
    table: Table, column: Column, pg_type: str, identity: bool, names: Callable[[str], str], place: Place
) -> str:
    parts = [ident(column.name), pg_type]
    if identity:
        parts.append("GENERATED BY DEFAULT AS IDENTITY")
    if column.generated is not None:
        expression = _expression(
            column.generated.expression, names, None, place, f'"{table.name}.{column.name}"'
        )
        kind = "STORED" if column.generated.stored else "VIRTUAL"
        if not column.generated.stored:
            place.note(
                "SVT109",
                f'"{table.name}.{column.name}" is a VIRTUAL generated column: kept VIRTUAL (PostgreSQL 18)',
                place.at(column.name),
            )
        parts.append(f"GENERATED ALWAYS AS ({expression}) {kind}")
    if column.default is not None:
        default = _expression(
            column.default, names, pg_type, place, f'the default of "{table.name}.{column.name}"'
        )
        if default != column.default:
            place.note(
                "SVT105",
                f'The default of "{table.name}.{column.name}" is written {default} (SQLite: '
                f"{column.default})",
                place.at(column.name),
            )
        parts.append(f"DEFAULT {default}")
    if not column.nullable or (table.primary_key is not None and column.name in table.primary_key.columns):
        parts.append("NOT NULL")
    if column.collation is not None:
        _collation(table, column, pg_type, place)
    return " ".join(parts)


def _collation(table: Table, column: Column, pg_type: str, place: Place) -> None:
    collation = (column.collation or "BINARY").upper()
    if collation == "BINARY" or pg_type == "citext":
        return
    unique = any(u.columns == (column.name,) for u in table.uniques)
    if collation == "NOCASE" and unique:
        return  # its unique index on lower() follows the table (_nocase_indexes)
    place.refuse(
        "SVT204",
        f'"{table.name}.{column.name}" has COLLATE {column.collation}, which PostgreSQL has no collation for',
        "Give the column the type citext in the spec for postgresql, or drop the collation.",
        place.at(column.name),
    )


def _nocase_indexes(table: Table, place: Place) -> list[str]:
    statements = []
    for unique in table.uniques:
        column = table.columns.get(unique.columns[0]) if len(unique.columns) == 1 else None
        if column is None or (column.collation or "").upper() != "NOCASE":
            continue
        name = f"{table.name}_{column.name}_lower_key"
        statements.append(
            f"CREATE UNIQUE INDEX {ident(name)} ON {ident(table.name)} (lower({ident(column.name)}))"
        )
        place.note(
            "SVT106",
            f'"{table.name}.{column.name}" is UNIQUE COLLATE NOCASE: written as unique index '
            f'"{name}" on lower()',
        )
    return statements


def _render_constraints(
    table: Table, column_types: dict[str, str], names: Callable[[str], str], place: Place
) -> list[str]:
    lines = []
    if table.primary_key is not None:
        _conflict(table, "its primary key", key_options(table.primary_key).on_conflict, place)
        lines.append(f"PRIMARY KEY ({_columns(table.primary_key.columns)})")
    for unique in table.uniques:
        _conflict(table, f"UNIQUE ({', '.join(unique.columns)})", unique_options(unique).on_conflict, place)
        nocase = (
            len(unique.columns) == 1
            and (table.columns[unique.columns[0]].collation or "").upper() == "NOCASE"
        )
        if not nocase:
            lines.append(f"UNIQUE ({_columns(unique.columns)})")
    lines += [_foreign_key(fk) for fk in table.foreign_keys]
    booleans = frozenset(c.lower() for c, t in column_types.items() if is_boolean(t))
    for check in table.checks:
        text = _check(table, check.expression, booleans, names, place)
        if text is not None:
            prefix = f"CONSTRAINT {ident(check.name)} " if check.name else ""
            lines.append(f"{prefix}CHECK ({text})")
    return lines


def _conflict(table: Table, what: str, resolution: str | None, place: Place) -> None:
    if resolution not in _SAFE_CONFLICT:
        place.refuse(
            "SVT202",
            f'{what.capitalize() if what[0].islower() else what} of "{table.name}" is ON CONFLICT '
            f"{resolution}: "
            "PostgreSQL has no conflict clause on a constraint",
            "Drop the clause and write the ON CONFLICT on the INSERTs that relied on it.",
        )


def _columns(columns: tuple[str, ...]) -> str:
    return ", ".join(ident(c) for c in columns)


def _foreign_key(fk: ForeignKey) -> str:
    text = f"FOREIGN KEY ({_columns(fk.columns)}) REFERENCES {ident(fk.ref_table)}"
    if fk.ref_columns:
        text += f" ({_columns(fk.ref_columns)})"
    if fk.on_delete != "NO ACTION":
        text += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        text += f" ON UPDATE {fk.on_update}"
    if fk.deferrable != "NOT DEFERRABLE":
        text += f" {fk.deferrable}"
    return text


_ZERO_ONE = re.compile(r"\(?\s*\"?(\w+)\"?\s+IN\s*\(\s*0\s*,\s*1\s*\)\s*\)?\Z", re.IGNORECASE)


def _check(
    table: Table, expression: str, booleans: frozenset[str], names: Callable[[str], str], place: Place
) -> str | None:
    match = _ZERO_ONE.match(expression.strip())
    if match and match.group(1).lower() in booleans:
        place.note("SVT103", f'CHECK ({expression}) of "{table.name}" dropped: the column is boolean')
        return None
    mentioned = {word.lower() for word in re.findall(r"\w+", expression)}
    if mentioned & booleans:
        place.refuse(
            "SVT208",
            f'CHECK ({expression}) of "{table.name}" reads a 0/1 column that is boolean on PostgreSQL',
            "Write the check for PostgreSQL by hand (true/false), or keep the column an integer in the spec.",
        )
        return None
    return _expression(expression, names, None, place, f'CHECK ({expression}) of "{table.name}"')


def _expression(text: str, names: Callable[[str], str], pg_type: str | None, place: Place, what: str) -> str:
    try:
        return translate_expression(text, names, pg_type)
    except Untranslatable as e:
        place.refuse("SVT205", f"{what}: {e}", "Write the PostgreSQL expression by hand.")
        return text


# --- indexes ------------------------------------------------------------------------------------


def render_index(index: Index, table: str, names: Callable[[str], str], place: Place) -> str:
    """``CREATE INDEX`` for PostgreSQL from an index SQLite read back."""
    terms = [_index_term(term, index, names, place) for term in index.columns]
    unique = "UNIQUE " if index.unique else ""
    text = f"CREATE {unique}INDEX {ident(index.name)} ON {ident(table)} ({', '.join(terms)})"
    if index.where is not None:
        text += " WHERE " + _expression(index.where, names, None, place, f'the WHERE of index "{index.name}"')
    return text


_NOCASE_TERM = re.compile(r"(.*?)\s+COLLATE\s+\"?NOCASE\"?(\s+(ASC|DESC))?\s*\Z", re.IGNORECASE | re.DOTALL)


def _index_term(term: str, index: Index, names: Callable[[str], str], place: Place) -> str:
    match = _NOCASE_TERM.match(term)
    if match:
        place.note("SVT106", f'Index "{index.name}": {term} is written lower({match.group(1)})')
        inner = _expression(match.group(1), names, None, place, f'index "{index.name}"')
        return f"lower({inner}){match.group(2) or ''}"
    order = re.search(r"\s+(ASC|DESC)\s*\Z", term, re.IGNORECASE)
    body = term[: order.start()] if order else term
    translated = _expression(body, names, None, place, f'index "{index.name}"')
    if not re.fullmatch(r'"?[\w$]+"?', translated):
        translated = f"({translated})"
    return translated + (f" {order.group(1).upper()}" if order else "")
