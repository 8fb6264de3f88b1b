"""The spec checked against itself, once it is read: every name it uses must be one it declares.

An index, key, UNIQUE or CHECK on a column the table does not declare, or a foreign key to a
table the spec neither declares nor lists under ``external:``, is a mistake in the spec, not a
difference with the database: it is reported as one, at its line, before anything is compared
(so a misspelt column is not reported as an index "missing from the database", nor a key on
it three times over). Each table's column names are keyed once, so the check is linear in the
size of the spec. Index terms that are expressions (``lower(email)``) are not column names and
are not checked; CHECK expressions are parsed with sqlglot, and one it cannot parse is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache, lru_cache

from schemavet.dialect.base import Dialect
from schemavet.errors import SpecError, SqlSyntaxError
from schemavet.model import ForeignKey, Namespace, Schema, Table
from schemavet.sql.tokens import KEYWORDS, Token, tokenize

# an index term that is a column: a name, bare or double-quoted, then its order or collation
_COLUMN_TERM = re.compile(
    r'^\s*(?:"(?P<quoted>(?:[^"]|"")+)"|(?P<bare>[A-Za-z_][\w$]*))'
    r"(?:\s+COLLATE\s+\S+)?(?:\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?\s*$",
    re.IGNORECASE,
)

Problem = tuple[int | None, str]


def check_consistency(path: str, schema: Schema, dialect: Dialect, external: Iterable[str] = ()) -> None:
    """Raise :class:`SpecError` at the first name the spec uses but does not declare."""
    key = cache(dialect.name_key)  # a schema's names repeat (id, created_at …): each keyed once
    _refuse_same_names(path, schema, dialect, key)
    tables = _declared_tables(schema, key)
    outside = {key(name) for name in external}
    problems: list[Problem] = []
    for namespace in schema.namespaces.values():
        for table in namespace.tables.values():
            columns = _keyed_columns(path, table, dialect, key)
            problems += _table_problems(table, columns, namespace, key, tables, outside, dialect)
    if problems:
        problems.sort(key=lambda problem: problem[0] or 0)
        line, message = problems[0]
        more = len(problems) - 1
        suffix = f"; {more} more problem{'s' * (more != 1)} of this kind in the spec" if more else ""
        raise SpecError(f"The spec is inconsistent: {message}{suffix}", path, line)


def _refuse_same_names(path: str, schema: Schema, dialect: Dialect, key: Callable[[str], str]) -> None:
    """Two names the engine cannot tell apart (SQLite: ``Authors`` and ``authors``) are an error."""
    for namespace in schema.namespaces.values():
        _same_names(path, namespace.tables, "table", dialect, key)
        _same_names(path, namespace.views, "view", dialect, key)
        for table in namespace.tables.values():
            _same_names(path, table.indexes, "index", dialect, key)


def _keyed_columns(path: str, table: Table, dialect: Dialect, key: Callable[[str], str]) -> set[str]:
    """The table's column names as the engine matches them, refusing two it cannot tell apart."""
    columns = set(map(key, table.columns))
    if len(columns) != len(table.columns):
        _same_names(path, table.columns, "column", dialect, key)
    return columns


def _same_names(
    path: str, objects: Mapping[str, object], kind: str, dialect: Dialect, key: Callable[[str], str]
) -> None:
    seen: dict[str, str] = {}
    for name, obj in objects.items():
        first = seen.setdefault(key(name), name)
        if first != name:
            raise SpecError(
                f'{kind.capitalize()} names "{first}" and "{name}" differ only in case, '
                f"which {dialect.title} does not distinguish",
                path,
                getattr(obj, "line", None),
            )


def _declared_tables(schema: Schema, key: Callable[[str], str]) -> dict[str, Table]:
    """Every table by its keyed name, bare and qualified by its schema."""
    tables: dict[str, Table] = {}
    for namespace in schema.namespaces.values():
        for name, table in namespace.tables.items():
            tables[f"{key(namespace.name)}.{key(name)}"] = table
    return tables


def _table_problems(
    table: Table,
    columns: set[str],
    namespace: Namespace,
    key: Callable[[str], str],
    tables: dict[str, Table],
    outside: set[str],
    dialect: Dialect,
) -> Iterator[Problem]:
    if not table.columns:  # a table the spec states only in part: nothing to check against
        return
    name = table.name
    declared = table.columns

    def unknown(
        used: Iterable[str], what: str, line: int | None, known: set[str] = columns
    ) -> Iterator[Problem]:
        for column in used:  # most are written as declared: no key to compute
            if column not in declared and key(column) not in known:
                yield line, f'{what} names column "{column}", which table "{name}" does not declare'

    if not _written_as_declared(table):  # else no key, UNIQUE, index or foreign key can miss
        if table.primary_key is not None:
            yield from unknown(
                table.primary_key.columns, f'The primary key of "{name}"', table.primary_key.line
            )
        for unique in table.uniques:
            yield from unknown(unique.columns, f'A UNIQUE constraint of "{name}"', unique.line)
        for index_name, index in table.indexes.items():
            named = (
                term if term in declared or key(term) in columns else _term_column(term)
                for term in index.columns
            )
            terms = [column for column in named if column is not None]
            yield from unknown(terms, f'Index "{index_name}"', index.line)
        for fk in table.foreign_keys:
            yield from unknown(fk.columns, f'A foreign key of "{name}"', fk.line)
    readable = columns | dialect.implicit_columns
    for check in table.checks:
        used = _check_columns(check.expression, dialect, lambda names: {key(n) for n in names} <= readable)
        yield from unknown(used, f'A CHECK of "{name}"', check.line, readable)
    yield from _targets_problems(table, namespace, key, tables, outside)


def _targets_problems(
    table: Table, namespace: Namespace, key: Callable[[str], str], tables: dict[str, Table], outside: set[str]
) -> Iterator[Problem]:
    """The foreign keys of ``table`` whose target table the spec does not declare."""
    for fk in table.foreign_keys:
        if fk.ref_schema is None and fk.ref_table in namespace.tables:
            continue  # a table of its own namespace, named as declared (the common case)
        yield from _target_problems(fk, table.name, namespace.name, key, tables, outside)


def _written_as_declared(table: Table) -> bool:
    """Whether every column name the table's key, UNIQUEs, indexes and foreign keys use is
    written exactly as a declared column (the common case, told by one set comparison)."""
    used = set(table.primary_key.columns) if table.primary_key is not None else set()
    for unique in table.uniques:
        used.update(unique.columns)
    for index in table.indexes.values():
        used.update(index.columns)
    for fk in table.foreign_keys:
        used.update(fk.columns)
    return used <= table.columns.keys()


def _target_problems(
    fk: ForeignKey,
    name: str,
    namespace: str,
    key: Callable[[str], str],
    tables: dict[str, Table],
    outside: set[str],
) -> Iterator[Problem]:
    ref_table, ref_schema, line = fk.ref_table, fk.ref_schema, fk.line
    schema = key(ref_schema) if ref_schema else key(namespace)
    qualified = f"{schema}.{key(ref_table)}"
    if key(ref_table) in outside or qualified in outside:
        return
    target = tables.get(qualified)
    if target is None:
        shown = f"{ref_schema}.{ref_table}" if ref_schema else ref_table
        yield (
            line,
            (
                f'A foreign key of "{name}" references table "{shown}", which the spec does not declare '
                f'(list it under "external:" if another application owns it)'
            ),
        )
        return


def _term_column(term: str) -> str | None:
    """The column an index term names, or None for an expression."""
    match = _COLUMN_TERM.match(term)
    if match is None:
        return None
    if match.group("quoted") is not None:
        return match.group("quoted").replace('""', '"')
    bare = match.group("bare")
    # a constant keyword is no column
    return None if bare.upper() in {"NULL", "TRUE", "FALSE", "CURRENT_TIMESTAMP", "CURRENT_DATE"} else bare


def _check_columns(expression: str, dialect: Dialect, all_known: Callable[[set[str]], bool]) -> list[str]:
    """The columns a CHECK expression reads: names sqlglot parses as columns that are also bare
    names to SQL's own tokens (so a function, a type after AS, a name beyond ASCII white space
    or a double-quoted string SQLite would take for text is never one); none when either
    cannot read it. sqlglot is asked only when a bare name is not ``all_known`` (the common
    case needs no parse, nor sqlglot's import)."""
    if all_known(_words(expression)):
        return []  # every word outside quotes is a known name: so is every bare name among them
    try:
        bare = _bare_names(tokenize(expression))
    except (SqlSyntaxError, ValueError):
        return []
    if all_known(bare):
        return []
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(expression, read=dialect.sqlglot_dialect or None)
    except (SqlglotError, ValueError):
        return []
    parsed = {column.name for column in tree.find_all(exp.Column) if not column.table}
    return sorted(parsed & bare)


# a quoted string or name, or a word: the words are a superset of an expression's bare names
_WORD_OR_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|([A-Za-z_][\w$]*)")


# the words after the first of a type's name (``double precision``, ``timestamp with time zone``)
_TYPE_WORDS = frozenset({"PRECISION", "VARYING", "WITH", "WITHOUT", "TIME", "ZONE"})


@lru_cache(maxsize=4096)
def _words(expression: str) -> frozenset[str]:
    """Every word outside quotes but keywords, a function's name (before ``(``) and a type's
    (after ``::`` or ``AS``): a quick first look, never missing a name sqlglot reads as a column."""
    words = set()
    after_as = in_type = False
    for match in _WORD_OR_QUOTED.finditer(expression):
        word = match.group(1)
        if word is None:
            after_as = in_type = False
            continue
        upper = word.upper()
        before = expression[: match.start()].rstrip()
        in_type = (
            (in_type and upper in _TYPE_WORDS and before[-1:].isalnum()) or after_as or before.endswith("::")
        )
        typed = in_type
        called = expression[match.end() :].lstrip().startswith("(") or upper == "ARRAY"  # ARRAY[…]
        after_as = upper == "AS"
        if upper not in KEYWORDS and not typed and not called:
            words.add(word)
    return frozenset(words)


def _bare_names(tokens: list[Token]) -> set[str]:
    """Bare words that stand alone: no keyword, no function's name, no qualified or typed name."""
    names = set()
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind != "word" or token.upper in KEYWORDS:
            continue
        if before is not None and (before.text == "." or before.is_word("AS", "COLLATE")):
            continue
        if after is not None and after.text in ("(", "."):
            continue
        names.add(token.text)
    return names
