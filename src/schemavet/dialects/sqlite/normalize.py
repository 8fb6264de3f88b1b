"""SQLite's normal form: every spelling SQLite treats alike is written one way.

Both sides of a comparison pass through here, the spec and the live database, so the diff
can compare with ``==``. What differs in meaning stays different: ``INTEGER PRIMARY KEY``
(a rowid alias) and ``INT PRIMARY KEY`` (not one) keep distinct primary keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from functools import cache
from operator import attrgetter
from typing import Any, TypeVar

from schemavet.dialects.sqlite.expressions import NO_COLUMNS, canonical_expression, fold, render
from schemavet.dialects.sqlite.options import (
    TableOptions,
    key_options,
    key_options_of,
    table_options,
    table_options_of,
    unique_options,
    unique_options_of,
)
from schemavet.errors import SchemavetError
from schemavet.model import (
    NOT_DEFERRABLE,
    Column,
    ForeignKey,
    Index,
    Namespace,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    View,
    replace,
)
from schemavet.sql.tokens import (
    Token,
    is_plain_identifier,
    matching_paren,
    quote_identifier,
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
_LITERAL_KEYWORDS = {
    "TRUE": "1",
    "FALSE": "0",
    "CURRENT_TIME": "CURRENT_TIME",
    "CURRENT_DATE": "CURRENT_DATE",
    "CURRENT_TIMESTAMP": "CURRENT_TIMESTAMP",
}
_DEFERRED = "DEFERRABLE INITIALLY DEFERRED"
_DEFAULT_CONFLICT = "ABORT"
_T = TypeVar("_T")


def normalize_sqlite(schema: Schema) -> Schema:
    """The schema in SQLite's normal form, keyed by case-folded names."""
    namespaces = {key: _namespace(ns) for key, ns in _folded(schema.namespaces, "schema").items()}
    return Schema(schema.engine, namespaces)


def normalize_sqlite_pair(expected: Schema, actual: Schema, whole: bool = True) -> tuple[Schema, Schema]:
    """Both sides of a comparison in normal form, each table written alike on both sides
    normalized once and shared (the usual case: a spec that matches its database).

    Equal before normalizing means equal after it, since normalizing a table reads only the
    table and the primary keys of the tables its foreign keys name without columns. So a
    comparison needs no normal form of such a table at all: with ``whole`` false it is shared
    as the database states it, not normalized, and only the tables that differ are.
    """
    exp_namespaces = _folded(expected.namespaces, "schema")
    act_namespaces = _folded(actual.namespaces, "schema")
    exp_normal, act_normal = {}, {}
    for key, ns in exp_namespaces.items():
        other = act_namespaces.get(key)
        if other is None:
            exp_normal[key] = _namespace(ns)
        else:
            exp_normal[key], act_normal[key] = _namespace_pair(ns, other, whole)
    for key, ns in act_namespaces.items():
        if key not in exp_normal:
            act_normal[key] = _namespace(ns)
    return Schema(expected.engine, exp_normal), Schema(actual.engine, act_normal)


def _namespace_pair(expected: Namespace, actual: Namespace, whole: bool) -> tuple[Namespace, Namespace]:
    exp_tables, act_tables = _folded(expected.tables, "table"), _folded(actual.tables, "table")
    exp_keys = {name: _primary_key_columns(t) for name, t in exp_tables.items()}
    act_keys = {name: _primary_key_columns(t) for name, t in act_tables.items()}
    exp_normal, act_normal = {}, {}
    for name, table in exp_tables.items():
        other = act_tables.get(name)
        if other is not None and _written_alike(table, other, exp_keys, act_keys):
            exp_normal[name] = act_normal[name] = _table(table, exp_keys) if whole else other
        else:
            exp_normal[name] = _table(table, exp_keys)
    act_normal = {
        name: act_normal[name] if name in act_normal else _table(table, act_keys)
        for name, table in act_tables.items()
    }
    return _namespace(expected, exp_normal), _namespace(actual, act_normal)


# What decides a table's normal form, the primary key aside (a spec may leave its rowid alias
# to be derived, where the database states it): two tables equal in these are written alike.
_WRITTEN = attrgetter(*(f.name for f in fields(Table) if f.compare and f.name != "primary_key"))


def _written_alike(
    expected: Table,
    actual: Table,
    exp_keys: dict[str, tuple[str, ...]],
    act_keys: dict[str, tuple[str, ...]],
) -> bool:
    """True when normalizing ``expected`` gives what normalizing ``actual`` would give."""
    if expected.name != actual.name or _WRITTEN(expected) != _WRITTEN(actual):
        return False
    if list(expected.columns) != list(actual.columns):
        return False
    if expected.primary_key != actual.primary_key and _primary_key(expected) != _primary_key(actual):
        return False
    targets = {fold(fk.ref_table) for fk in expected.foreign_keys if not fk.ref_columns}
    return all(exp_keys.get(t) == act_keys.get(t) for t in targets)


def _folded(objects: dict[str, _T], kind: str) -> dict[str, _T]:
    """``objects`` keyed by folded name; two names SQLite cannot tell apart are an error."""
    names = "".join(objects)
    if fold(names) == names:
        return objects  # folded already (the usual case), so no two can collide
    folded: dict[str, _T] = {}
    for name, obj in objects.items():
        key = fold(name)
        if key in folded:
            first = next(n for n in objects if fold(n) == key)
            line = getattr(obj, "line", None)
            where = f" (line {line})" if line else ""
            raise SchemavetError(
                f'{kind.capitalize()} names "{first}" and "{name}" differ only in case, which SQLite '
                f"does not distinguish{where}"
            )
        folded[key] = obj
    return folded


def _namespace(ns: Namespace, tables: dict[str, Table] | None = None) -> Namespace:
    """``ns`` in normal form; ``tables`` when its tables are normalized already."""
    if tables is None:
        folded = _folded(ns.tables, "table")
        primary_keys = {name: _primary_key_columns(t) for name, t in folded.items()}
        tables = {name: _table(t, primary_keys) for name, t in folded.items()}
    return replace(
        ns,
        tables=tables,
        views={name: _view(v) for name, v in _folded(ns.views, "view").items()},
        enums=dict(ns.enums),
    )


def _primary_key_columns(table: Table) -> tuple[str, ...]:
    return tuple(fold(c) for c in table.primary_key.columns) if table.primary_key else ()


def _table(table: Table, primary_keys: dict[str, tuple[str, ...]]) -> Table:
    primary_key = _primary_key(table)
    key_columns = set(primary_key.columns) if primary_key else set()
    options = table_options(table)
    not_null_key = options.without_rowid or key_options(primary_key).rowid_alias is True
    # on a rowid table the sole key column's spelling decides the rowid alias: keep its type name
    sole_key = next(iter(key_columns)) if len(key_columns) == 1 and not options.without_rowid else None
    columns = {}
    for key, column in _folded(table.columns, f'column of table "{table.name}"').items():
        columns[key] = _column(column, not_null_key and key in key_columns, aliases=key != sole_key)
    names = frozenset(columns)
    collations = {name: c.collation or "BINARY" for name, c in columns.items()}
    return _with(
        table,
        columns=columns,
        primary_key=primary_key,
        foreign_keys=tuple(_foreign_key(fk, primary_keys) for fk in table.foreign_keys),
        uniques=tuple(
            _with(
                u,
                columns=tuple(fold(c) for c in u.columns),
                name=_name(u.name),
                options=unique_options_of(_conflict(unique_options(u).on_conflict)),
            )
            for u in table.uniques
        ),
        checks=tuple(
            _with(c, expression=canonical_expression(c.expression, names), name=_name(c.name))
            for c in table.checks
        ),
        indexes={
            key: _index(ix, collations, names)
            for key, ix in _folded(table.indexes, f'index of table "{table.name}"').items()
        },
        triggers=_triggers(table.triggers),
        options=_table_options(options),
    )


def _table_options(options: TableOptions) -> TableOptions:
    if not options.virtual:
        return options
    return table_options_of(options.without_rowid, options.strict, canonical_expression(options.virtual))


def _with(obj: _T, **values: Any) -> _T:
    """``obj`` with ``values``, or ``obj`` itself when it already has them (the common case)."""
    names = tuple(values)
    getter = _GETTERS.get(names) or _GETTERS.setdefault(names, attrgetter(*names))
    current = getter(obj)
    if (current if len(names) > 1 else (current,)) == tuple(values.values()):
        return obj
    return replace(obj, **values)


_GETTERS: dict[tuple[str, ...], Callable[[Any], Any]] = {}


def _name(name: str | None) -> str | None:
    return fold(name) if name is not None else None


def _conflict(resolution: str | None) -> str | None:
    """A conflict resolution; ABORT is what none means."""
    resolution = resolution.upper() if resolution else None
    return None if resolution == _DEFAULT_CONFLICT else resolution


def _column(column: Column, key_not_null: bool, aliases: bool) -> Column:
    generated = column.generated
    if generated is not None:
        generated = _with(generated, expression=canonical_expression(generated.expression))
    normal = (
        canonical_type(column.type, aliases),
        column.nullable and not key_not_null,
        canonical_default(column.default),
        canonical_collation(column.collation),
        generated,
    )
    # the hottest path of a large schema: a tuple compare, not _with's keyword loop
    if normal == (column.type, column.nullable, column.default, column.collation, column.generated):
        return column
    return Column(column.name, *normal, line=column.line)


def _primary_key(table: Table) -> PrimaryKey | None:
    pk = table.primary_key
    if pk is None:
        return None
    columns = tuple(fold(c) for c in pk.columns)
    options = key_options(pk)
    rowid_alias = options.rowid_alias
    if rowid_alias is None:  # a spec: derive it the way SQLite does
        declared = _column_named(table, pk.columns[0]) if len(columns) == 1 else None
        rowid_alias = (
            not table_options(table).without_rowid
            and declared is not None
            and " ".join(declared.type.upper().split()) == "INTEGER"
        )
    normal = key_options_of(options.autoincrement, rowid_alias, _conflict(options.on_conflict))
    return _with(pk, columns=columns, name=_name(pk.name), options=normal)


def _column_named(table: Table, name: str) -> Column | None:
    """The column SQLite would take ``name`` to mean: names match case-insensitively."""
    column = table.columns.get(name)
    if column is None:
        key = fold(name)
        column = next((c for n, c in table.columns.items() if fold(n) == key), None)
    return column


def _foreign_key(fk: ForeignKey, primary_keys: dict[str, tuple[str, ...]]) -> ForeignKey:
    target = fold(fk.ref_table)
    ref_columns = tuple(fold(c) for c in fk.ref_columns) or primary_keys.get(target, ())
    # SQLite enforces "DEFERRABLE INITIALLY IMMEDIATE" exactly like NOT DEFERRABLE
    deferrable = _DEFERRED if " ".join(fk.deferrable.upper().split()) == _DEFERRED else NOT_DEFERRABLE
    return _with(
        fk,
        columns=tuple(fold(c) for c in fk.columns),
        ref_table=target,
        ref_columns=ref_columns,
        on_delete=_action(fk.on_delete),
        on_update=_action(fk.on_update),
        deferrable=deferrable,
        name=_name(fk.name),
        ref_schema=None,
    )


def _action(action: str) -> str:
    return " ".join(action.upper().split())


def _index(index: Index, collations: dict[str, str], columns: frozenset[str]) -> Index:
    terms = tuple(canonical_index_term(term, collations, columns) for term in index.columns)
    where = canonical_expression(index.where, columns) if index.where else None
    return _with(index, columns=terms, where=where)


def _triggers(triggers: dict[str, Trigger]) -> dict[str, Trigger]:
    return {
        key: _with(t, definition=canonical_trigger(t.definition))
        for key, t in _folded(triggers, "trigger").items()
    }


def _view(view: View) -> View:
    return _with(
        view,
        query=canonical_expression(_without_semicolons(view.query)),
        columns=tuple(fold(c) for c in view.columns),
        triggers=_triggers(view.triggers),
    )


def _without_semicolons(sql: str) -> str:
    return sql.rstrip().rstrip(";").rstrip()


@cache
def canonical_trigger(definition: str) -> str:
    """A trigger from after its name; FOR EACH ROW is said or not (SQLite has only row triggers)."""
    tokens = tokenize(definition)
    kept = [t for i, t in enumerate(tokens) if not _in_for_each_row(tokens, i)]
    return render(kept)


def _in_for_each_row(tokens: list[Any], i: int) -> bool:
    for start in range(max(0, i - 2), i + 1):
        window = tokens[start : start + 3]
        if len(window) == 3 and [t.upper for t in window] == ["FOR", "EACH", "ROW"]:
            return True
    return False


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
    if len(tokens) == 2 and tokens[0].text == "+" and tokens[1].kind == "number":
        tokens = tokens[1:]  # +1 is 1
    if len(tokens) == 1:
        token = tokens[0]
        if token.is_word("NULL"):
            return None
        if token.kind == "word" and token.upper in _LITERAL_KEYWORDS:
            return _LITERAL_KEYWORDS[token.upper]
        if token.kind in ("word", "quoted") and token.text[0] != "[":
            # SQLite reads a bare word or a double-quoted word in DEFAULT as a string literal
            return "'" + token.name.replace("'", "''") + "'"
    return render(tokens, NO_COLUMNS)


def canonical_collation(collation: str | None) -> str | None:
    """Collation names fold case; BINARY is what no collation means."""
    if collation is None:
        return None
    name = _BUILTIN_COLLATIONS.get(collation.lower(), collation)
    return None if name == "BINARY" else name


def canonical_index_term(term: str, collations: dict[str, str], columns: frozenset[str]) -> str:
    """An index key term with its collation only where it differs from the column's own."""
    if is_plain_identifier(term):  # most terms: a bare column name, with nothing to canonicalize
        return fold(term)
    text, column, collation, descending = _index_term_parts(term, columns)
    column_collation = collations.get(column, "BINARY") if column is not None else "BINARY"
    if collation is not None and collation != column_collation:
        # the term's collation, not its last operand's: (a || b) COLLATE x
        text = text if is_operand(tokenize(text)) else f"({text})"
        text += f" COLLATE {collation}"
    return text + (" DESC" if descending else "")


@cache
def _index_term_parts(term: str, columns: frozenset[str]) -> tuple[str, str | None, str | None, bool]:
    """(canonical expression, the column it names if it is one, collation, descending)."""
    tokens = tokenize(term)
    descending = ends_in_order(tokens) and tokens[-1].is_word("DESC")
    if ends_in_order(tokens):
        tokens = tokens[:-1]
    collation = None
    if len(tokens) >= 2 and tokens[-2].is_word("COLLATE") and is_operand(tokens[:-2]):
        collation = _BUILTIN_COLLATIONS.get(tokens[-1].name.lower(), tokens[-1].name)
        tokens = tokens[:-2]
    expression = strip_outer_parens(tokens)
    if len(expression) == 1 and expression[0].kind in ("word", "quoted"):
        column = fold(expression[0].name)
        return quote_identifier(column), column, collation, descending
    return render(expression, columns), None, collation, descending


_OPERATOR_WORDS = frozenset(
    "AND OR NOT IS IN LIKE GLOB MATCH REGEXP BETWEEN ESCAPE COLLATE CASE WHEN THEN ELSE".split()
)


def ends_in_order(tokens: list[Token]) -> bool:
    """True when a key term's last word is its sort order, not an operand: ASC or DESC after a
    whole expression. After an operator (``+ desc``, which SQLite writes when it renames a
    column to ``desc``) or alone, the word is a column's name."""
    if len(tokens) < 2 or not tokens[-1].is_word("ASC", "DESC"):
        return False
    before = tokens[-2]
    if before.kind == "op" and before.text != ")":
        return False
    return not before.is_word(*_OPERATOR_WORDS)


def is_operand(tokens: list[Token]) -> bool:
    """True when the tokens are one operand, which a COLLATE after them applies to whole.

    COLLATE binds tighter than any binary operator: in ``a || b COLLATE NOCASE`` it is ``b``'s,
    and the term's collation is still its default, as SQLite's index_xinfo reports. Only the
    unary ``+ - ~`` bind tighter (parse.y's precedence): ``-a COLLATE NOCASE`` is ``(-a)``'s.
    """
    while len(tokens) >= 3 and tokens[-2].is_word("COLLATE"):
        tokens = tokens[:-2]
    while len(tokens) > 1 and tokens[0].kind == "op" and tokens[0].text in "+-~":
        tokens = tokens[1:]
    if len(tokens) == 1 or (len(tokens) == 3 and tokens[1].text == "."):
        return True
    call = len(tokens) > 1 and tokens[0].kind in ("word", "quoted") and not tokens[0].is_word("NOT")
    start = 1 if call and tokens[1].text == "(" else 0  # a function call, CAST (…), EXISTS (…)
    if tokens and tokens[start].text == "(":
        return matching_paren(tokens, start) == len(tokens) - 1
    return bool(tokens) and tokens[0].is_word("CASE") and _case_end(tokens) == len(tokens) - 1


def _case_end(tokens: list[Token]) -> int:
    """Index of the END that closes the CASE the tokens start with."""
    depth = 0
    for i, token in enumerate(tokens):
        depth += token.is_word("CASE") - token.is_word("END")
        if depth == 0:
            return i
    return -1
