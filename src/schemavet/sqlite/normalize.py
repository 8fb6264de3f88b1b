"""SQLite's normal form: every spelling SQLite treats alike is written one way.

Both sides of a comparison pass through here, the spec and the live database, so the diff
can compare with ``==``. What differs in meaning stays different: ``INTEGER PRIMARY KEY``
(a rowid alias) and ``INT PRIMARY KEY`` (not one) keep distinct primary keys.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from schemavet.model import (
    NOT_DEFERRABLE,
    Check,
    Column,
    ForeignKey,
    Index,
    Namespace,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from schemavet.sql.tokens import (
    canonical_expression,
    fold,
    quote_identifier,
    render,
    strip_outer_parens,
    tokenize,
)

# Exact synonyms: each pair has the same affinity, so SQLite stores and compares alike.
_TYPE_ALIASES = {
    "INT": "INTEGER",
    "BOOL": "BOOLEAN",
    "DEC": "DECIMAL",
    "CHARACTER VARYING": "VARCHAR",
    "DOUBLE": "DOUBLE PRECISION",
}
_BUILTIN_COLLATIONS = {"binary": "BINARY", "nocase": "NOCASE", "rtrim": "RTRIM"}
_LITERAL_KEYWORDS = {"TRUE": "1", "FALSE": "0"}
_DEFERRED = "DEFERRABLE INITIALLY DEFERRED"


def normalize_sqlite(schema: Schema) -> Schema:
    """The schema in SQLite's normal form, keyed by case-folded names."""
    namespaces = {fold(key): _namespace(ns) for key, ns in schema.namespaces.items()}
    return Schema(schema.engine, namespaces)


def _namespace(ns: Namespace) -> Namespace:
    primary_keys = {fold(name): _primary_key_columns(t) for name, t in ns.tables.items()}
    tables = {fold(name): _table(t, primary_keys) for name, t in ns.tables.items()}
    views = {fold(name): _view(v) for name, v in ns.views.items()}
    return replace(ns, tables=tables, views=views, enums=dict(ns.enums))


def _primary_key_columns(table: Table) -> tuple[str, ...]:
    return tuple(fold(c) for c in table.primary_key.columns) if table.primary_key else ()


def _table(table: Table, primary_keys: dict[str, tuple[str, ...]]) -> Table:
    primary_key = _primary_key(table)
    key_columns = set(primary_key.columns) if primary_key else set()
    not_null_key = table.without_rowid or bool(primary_key and primary_key.rowid_alias)
    # the sole key column's spelling decides SQLite's rowid alias: it keeps its own type name
    sole_key = next(iter(key_columns)) if len(key_columns) == 1 else None
    columns = {
        fold(name): _column(c, not_null_key and fold(name) in key_columns, aliases=fold(name) != sole_key)
        for name, c in table.columns.items()
    }
    collations = {name: c.collation or "BINARY" for name, c in columns.items()}
    return replace(
        table,
        columns=columns,
        primary_key=primary_key,
        foreign_keys=tuple(_foreign_key(fk, primary_keys) for fk in table.foreign_keys),
        uniques=tuple(Unique(tuple(fold(c) for c in u.columns), u.name, u.line) for u in table.uniques),
        checks=tuple(Check(canonical_expression(c.expression), c.name, c.line) for c in table.checks),
        indexes={fold(n): _index(ix, collations) for n, ix in table.indexes.items()},
        triggers=_triggers(table.triggers),
        virtual=canonical_expression(table.virtual) if table.virtual else None,
    )


def _column(column: Column, key_not_null: bool, aliases: bool) -> Column:
    generated = column.generated
    if generated is not None:
        generated = replace(generated, expression=canonical_expression(generated.expression))
    normal = (
        canonical_type(column.type, aliases),
        column.nullable and not key_not_null,
        canonical_default(column.default),
        canonical_collation(column.collation),
        generated,
    )
    if normal == (column.type, column.nullable, column.default, column.collation, column.generated):
        return column  # already normal: most columns, and no copy to make
    type_, nullable, default, collation, generated = normal
    return Column(column.name, type_, nullable, default, collation, generated, column.line)


def _primary_key(table: Table) -> PrimaryKey | None:
    pk = table.primary_key
    if pk is None:
        return None
    columns = tuple(fold(c) for c in pk.columns)
    rowid_alias = pk.rowid_alias
    if rowid_alias is None:  # a spec: derive it the way SQLite does
        by_name = {fold(name): c for name, c in table.columns.items()}
        declared = by_name.get(columns[0]) if len(columns) == 1 else None
        rowid_alias = (
            not table.without_rowid
            and declared is not None
            and " ".join(declared.type.upper().split()) == "INTEGER"
        )
    return replace(pk, columns=columns, rowid_alias=rowid_alias)


def _foreign_key(fk: ForeignKey, primary_keys: dict[str, tuple[str, ...]]) -> ForeignKey:
    target = fold(fk.ref_table)
    ref_columns = tuple(fold(c) for c in fk.ref_columns) or primary_keys.get(target, ())
    # SQLite enforces "DEFERRABLE INITIALLY IMMEDIATE" exactly like NOT DEFERRABLE
    deferrable = _DEFERRED if fk.deferrable == _DEFERRED else NOT_DEFERRABLE
    return replace(
        fk,
        columns=tuple(fold(c) for c in fk.columns),
        ref_table=target,
        ref_columns=ref_columns,
        on_delete=fk.on_delete.upper(),
        on_update=fk.on_update.upper(),
        deferrable=deferrable,
        ref_schema=None,
    )


def _index(index: Index, collations: dict[str, str]) -> Index:
    terms = tuple(canonical_index_term(term, collations) for term in index.columns)
    where = canonical_expression(index.where) if index.where else None
    return replace(index, columns=terms, where=where)


def _triggers(triggers: dict[str, Trigger]) -> dict[str, Trigger]:
    return {
        fold(name): replace(t, definition=canonical_expression(t.definition)) for name, t in triggers.items()
    }


def _view(view: View) -> View:
    return replace(
        view,
        query=canonical_expression(view.query),
        columns=tuple(fold(c) for c in view.columns),
        triggers=_triggers(view.triggers),
    )


@cache
def canonical_type(declared: str, aliases: bool = True) -> str:
    """``varchar ( 64 )`` → ``VARCHAR(64)``; with ``aliases``, exact synonyms become one name."""
    if not declared:
        return ""
    words, _, params = declared.partition("(")
    name = " ".join(words.upper().split())
    if aliases:
        name = _TYPE_ALIASES.get(name, name)
    if params:
        name += "(" + ",".join(p.strip() for p in params.rstrip(") ").split(",")) + ")"
    return name


@cache
def canonical_default(default: str | None) -> str | None:
    """A default as SQLite evaluates it: ``(0)`` is ``0``, ``"x"`` is ``'x'``, NULL is none."""
    if default is None:
        return None
    tokens = strip_outer_parens(tokenize(default))
    if len(tokens) == 1:
        token = tokens[0]
        if token.is_word("NULL"):
            return None
        if token.kind == "word" and token.upper in _LITERAL_KEYWORDS:
            return _LITERAL_KEYWORDS[token.upper]
        if token.kind == "quoted" and token.text[0] == '"':
            # SQLite reads a double-quoted DEFAULT as a string literal
            return "'" + token.name.replace("'", "''") + "'"
    return render(tokens)


def canonical_collation(collation: str | None) -> str | None:
    """Collation names fold case; BINARY is what no collation means."""
    if collation is None:
        return None
    name = _BUILTIN_COLLATIONS.get(collation.lower(), collation)
    return None if name == "BINARY" else name


def canonical_index_term(term: str, collations: dict[str, str]) -> str:
    """An index key term with its collation only where it differs from the column's own."""
    text, column, collation, descending = _index_term_parts(term)
    column_collation = collations.get(column, "BINARY") if column is not None else "BINARY"
    if collation is not None and collation != column_collation:
        text += f" COLLATE {collation}"
    return text + (" DESC" if descending else "")


@cache
def _index_term_parts(term: str) -> tuple[str, str | None, str | None, bool]:
    """(canonical expression, the column it names if it is one, collation, descending)."""
    tokens = tokenize(term)
    descending = bool(tokens) and tokens[-1].is_word("DESC")
    if tokens and tokens[-1].is_word("ASC", "DESC"):
        tokens = tokens[:-1]
    collation = None
    if len(tokens) >= 2 and tokens[-2].is_word("COLLATE"):
        collation = _BUILTIN_COLLATIONS.get(tokens[-1].name.lower(), tokens[-1].name)
        tokens = tokens[:-2]
    expression = strip_outer_parens(tokens)
    if len(expression) == 1 and expression[0].kind in ("word", "quoted"):
        column = fold(expression[0].name)
        return quote_identifier(column), column, collation, descending
    return render(expression), None, collation, descending
