"""What the pending migrations of a rehearsal can reach, read from their statements.

A rehearsal measures the copy after the migrations: rows, references, ``foreign_key_check``,
``integrity_check``. A table no statement can reach has the rows, the b-tree and the checks'
answers it had before, so it is measured on the untouched copy while the migrations run, or
not at all. What each statement can reach:

- ``INSERT``/``REPLACE``/``UPDATE``/``DELETE``: the rows of its target, and of whatever the
  target's triggers name (their bodies may write there); ``UPDATE`` changes parent keys only
  when it sets a column some foreign key refers to (or the rowid); ``REPLACE``, ``OR REPLACE``,
  an upsert or a table whose constraints say ``ON CONFLICT REPLACE`` may delete rows;
- ``DROP TABLE``, ``ALTER TABLE … RENAME``/``DROP COLUMN``: the rows of the table(s) named;
- ``CREATE INDEX``, ``DROP INDEX``, ``ALTER TABLE … ADD COLUMN``: the table's schema, not its
  rows (SQLite checks an added column's NOT NULL and CHECK against every row itself); an added
  ``REFERENCES`` is a new foreign key in place, checked again;
- ``CREATE TRIGGER``: every name in it, as rows written (it may fire in any later statement);
- with a ``PRAGMA foreign_keys`` anywhere (a migration outside a transaction may turn them
  on), the tables with a foreign key to any table reached, as their rows may cascade.

Anything else — a Python migration, ``WITH``, ``REINDEX``, ``VACUUM``, ``ATTACH``, another
``PRAGMA``, a temporary or virtual table, ``sqlite_master`` or ``writable_schema`` named,
a statement that cannot be read — makes the reach unknown (None): everything is measured.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemavet.dialects.sqlite.names import fold
from schemavet.errors import SqlSyntaxError
from schemavet.sql.tokens import Token, split_top_level, tokenize

_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"})
_ROWID_NAMES = frozenset({"rowid", "_rowid_", "oid"})
_FOREIGN_KEY_PRAGMAS = frozenset({"foreign_keys", "defer_foreign_keys"})
_READ_PRAGMAS = frozenset(
    {"foreign_key_check", "foreign_key_list", "integrity_check", "quick_check", "table_info", "table_xinfo",
     "index_list", "index_info", "index_xinfo", "user_version", "application_id", "schema_version"}
)  # fmt: skip
_QUIET = frozenset({"BEGIN", "COMMIT", "END", "SAVEPOINT", "RELEASE", "ROLLBACK", "SELECT", "VALUES"})
_UPDATE_ENDS = frozenset({"FROM", "WHERE", "RETURNING", "ORDER", "LIMIT"})


class Unknown(Exception):
    """A statement whose reach cannot be told from its text."""


@dataclass(frozen=True)
class TableFacts:
    """What the reach needs of one table before the migrations (names folded)."""

    parents: frozenset[str]
    key_columns: frozenset[str]  # its columns some foreign key refers to
    trigger_names: frozenset[str]  # every name its triggers' SQL holds
    replaces: bool  # a constraint of it says ON CONFLICT REPLACE
    primary_key: frozenset[str] = frozenset()
    foreign_key_columns: frozenset[str] = frozenset()  # its own columns that refer to a parent
    indexed: frozenset[str] | None = None  # the columns its indexes hold (None: any, or unknown)
    generated: bool = False  # it has generated columns: an UPDATE of any column may change them


@dataclass(frozen=True)
class Catalog:
    """The tables (and views, for their triggers) and indexes before the migrations."""

    tables: dict[str, TableFacts]
    indexes: dict[str, str]  # index → its table


@dataclass(frozen=True)
class Write:
    """Rows of ``table`` written: ``deletes`` when rows may go (or any column be set); an
    UPDATE of known columns says which in ``sets``."""

    table: str
    deletes: bool
    sets: frozenset[str] = frozenset()
    kind: str = "write"  # or "insert", "update", "delete"


@dataclass
class Effects:
    writes: list[Write] = field(default_factory=list)
    altered: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)
    lineage: list[tuple[str, str, str]] = field(default_factory=list)  # ("create"|"drop"|"rename", a, b)
    dropped_indexes: set[str] = field(default_factory=set)
    foreign_key_pragma: bool = False
    triggers: bool = False
    child: bool = False  # a table created with a foreign key


@dataclass(frozen=True)
class Reach:
    """What the migrations may change (folded table names)."""

    written: frozenset[str]  # rows may have changed (dropped and renamed tables too)
    altered: frozenset[str]  # schema changed, rows as they were (not in ``written``)
    keys_changed: frozenset[str]  # rows may be gone or parent keys changed (within ``written``)
    new_references: frozenset[str]  # a foreign key added in place
    fresh: frozenset[str]  # tables (as named at the end) built by the migrations, every row theirs
    per_migration: tuple[frozenset[str], ...]  # rows written by each migration, in order
    rows_moved: frozenset[str] = frozenset()  # rows may come, go or change key (within ``written``)
    references_moved: frozenset[str] = frozenset()  # foreign-key values may change (within ``written``)
    touched_by: tuple[frozenset[str], ...] = ()  # rows or schema, by each migration, in order
    updated: dict[str, frozenset[str]] = field(default_factory=dict)  # columns UPDATEs set in place


def read_catalog(conn: sqlite3.Connection) -> Catalog:
    """The facts of every table and index of the database ``conn`` is open on."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    parents: dict[str, set[str]] = {}
    keys: dict[str, set[str]] = {}
    own: dict[str, set[str]] = {}
    indexed: dict[str, frozenset[str] | None] = {}
    generated: dict[str, bool] = {}
    primary: dict[str, frozenset[str]] = {}
    for kind, name, _, _ in rows:
        if kind != "table":
            continue
        parents[fold(name)], own[fold(name)] = set(), set()
        primary[fold(name)] = _primary_key(conn, name)
        generated[fold(name)] = _generated(conn, name)
        indexed[fold(name)] = None if generated[fold(name)] else _indexed(conn, name)
        for row in conn.execute('SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)', (name,)):
            parent = fold(str(row[0]))
            parents[fold(name)].add(parent)
            own[fold(name)].add(fold(str(row[1])))
            keys.setdefault(parent, set()).update(_referred(conn, str(row[0]), row[2]))
    triggers: dict[str, set[str]] = {}
    for kind, _, table, sql in rows:
        if kind == "trigger":
            triggers.setdefault(fold(table), set()).update(_names(str(sql or "")))
    names = {fold(n) for k, n, _, _ in rows if k in ("table", "view")}
    sql_of = {fold(n): str(s or "") for k, n, _, s in rows if k == "table"}
    tables = {
        name: TableFacts(
            frozenset(parents.get(name, ())),
            frozenset(keys.get(name, ())),
            frozenset(triggers.get(name, ())),
            _says_replace(sql_of.get(name, "")),
            primary.get(name, frozenset()),
            frozenset(own.get(name, ())),
            indexed.get(name),
            generated.get(name, False),
        )
        for name in names
    }
    indexes = {fold(n): fold(t) for k, n, t, _ in rows if k == "index"}
    return Catalog(tables, indexes)


def _referred(conn: sqlite3.Connection, parent: str, column: object) -> set[str]:
    if column is not None:
        return {fold(str(column))}
    return set(_primary_key(conn, parent) | _ROWID_NAMES)


def _generated(conn: sqlite3.Connection, table: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)", (table,)).fetchone()
        is not None
    )


def _indexed(conn: sqlite3.Connection, table: str) -> frozenset[str] | None:
    """The columns ``table``'s indexes hold; None when one is partial or holds an expression
    (an UPDATE of any column may change it)."""
    columns: set[str] = set()
    for index, partial in conn.execute("SELECT name, partial FROM pragma_index_list(?)", (table,)).fetchall():
        keys = conn.execute("SELECT cid, name FROM pragma_index_xinfo(?) WHERE key", (index,)).fetchall()
        if partial or any(cid == -2 for cid, _ in keys):
            return None
        columns.update(fold(str(name)) if cid >= 0 else "rowid" for cid, name in keys)
    return frozenset(columns)


def _primary_key(conn: sqlite3.Connection, table: str) -> frozenset[str]:
    return frozenset(
        fold(str(r[0])) for r in conn.execute("SELECT name FROM pragma_table_info(?) WHERE pk", (table,))
    )


def _says_replace(sql: str) -> bool:
    try:
        return any(t.is_word("REPLACE") for t in tokenize(sql))
    except SqlSyntaxError:
        return True


def _names(sql: str) -> set[str]:
    try:
        return {fold(t.name) for t in tokenize(sql) if t.kind in ("word", "quoted", "string")}
    except SqlSyntaxError:
        return set()


def migration_statements(migration: Any) -> list[str]:
    """The statements yoyo runs for a SQL migration; Unknown for any other kind."""
    from yoyo.migrations import read_sql_migration

    path = str(getattr(migration, "path", ""))
    if not path.endswith(".sql"):
        raise Unknown(f"{path} is not SQL")
    try:
        return read_sql_migration(path)[2]
    except (OSError, UnicodeDecodeError) as e:
        raise Unknown(str(e)) from e


def reach(migrations: Iterable[Any], catalog: Catalog) -> Reach | None:
    """What ``migrations`` (in the order they run) may change; None when it cannot be told."""
    try:
        effects = [_migration_effects(migration_statements(m)) for m in migrations]
    except Unknown:
        return None
    for e in effects:  # an index dropped: its table's children may no longer find a unique key
        e.writes += [Write(catalog.indexes[i], True) for i in e.dropped_indexes if i in catalog.indexes]
    pragma = any(e.foreign_key_pragma for e in effects)
    closures = [_closure(e.writes, catalog, pragma) for e in effects]
    lineage = [_lineage_names(e) for e in effects]
    written = set().union(*(c.written for c in closures), *lineage)
    keys = set().union(*(c.gone for c in closures))
    for kind, a, b in (step for e in effects for step in e.lineage):
        if kind in ("drop", "rename"):  # its rows went, its name may hold others
            keys.update(n for n in (a, b) if n)
    altered = set().union(*(e.altered for e in effects)) - written
    return Reach(
        frozenset(written),
        frozenset(altered),
        frozenset(keys),
        frozenset().union(*(e.references for e in effects)),
        _fresh(step for e in effects for step in e.lineage),
        tuple(
            frozenset(c.written) | names | e.references
            for c, names, e in zip(closures, lineage, effects, strict=True)
        ),
        frozenset().union(*(c.moved for c in closures), *lineage),
        frozenset().union(*(c.repointed for c in closures), *lineage, *(e.references for e in effects)),
        tuple(
            frozenset(c.written) | names | e.references | e.altered
            for c, names, e in zip(closures, lineage, effects, strict=True)
        ),
        _updated(closures),
    )


def _updated(closures: list[_Closure]) -> dict[str, frozenset[str]]:
    updated: dict[str, set[str]] = {}
    for closure in closures:
        for table, columns in closure.updated.items():
            updated.setdefault(table, set()).update(columns)
    return {table: frozenset(columns) for table, columns in updated.items()}


def _lineage_names(effects: Effects) -> frozenset[str]:
    return frozenset(n for _, a, b in effects.lineage for n in (a, b) if n)


@dataclass
class _Closure:
    written: set[str] = field(default_factory=set)  # rows may change
    gone: set[str] = field(default_factory=set)  # rows may go, parent keys change
    moved: set[str] = field(default_factory=set)  # rows may come, go or change key
    repointed: set[str] = field(default_factory=set)  # foreign-key values may change
    updated: dict[str, set[str]] = field(default_factory=dict)  # columns set by UPDATEs in place


def _closure(writes: list[Write], catalog: Catalog, cascades: bool) -> _Closure:
    """What ``writes`` reach, through triggers and, when foreign keys may be on, cascades to
    the tables referring to the tables they delete from."""
    found = _Closure()
    waiting = list(writes)
    while waiting:
        write = waiting.pop()
        facts = catalog.tables.get(write.table)
        deletes = write.deletes or (facts is not None and write_deletes(write, facts))
        _classify(write, facts, deletes, found)
        if write.table in found.written and (not deletes or write.table in found.gone):
            continue
        new = write.table not in found.written
        found.written.add(write.table)
        if deletes:
            found.gone.add(write.table)
        if facts is not None and new:
            waiting += [Write(name, True) for name in facts.trigger_names]
        if cascades and deletes:
            waiting += [Write(child, True) for child, f in catalog.tables.items() if write.table in f.parents]
    return found


def _classify(write: Write, facts: TableFacts | None, deletes: bool, found: _Closure) -> None:
    """An UPDATE of known columns that keeps every row's key (no REPLACE) moves no row: it may
    only change the foreign-key values it sets."""
    plain = write.kind == "update" and not deletes and facts is not None
    if not plain or write.sets & (facts.primary_key | _ROWID_NAMES):  # type: ignore[union-attr]
        found.moved.add(write.table)
        found.repointed.add(write.table)
    else:
        found.updated.setdefault(write.table, set()).update(write.sets)
        if facts.generated or write.sets & facts.foreign_key_columns:  # type: ignore[union-attr]
            found.repointed.add(write.table)


def write_deletes(write: Write, facts: TableFacts) -> bool:
    """An INSERT or UPDATE may delete rows (ON CONFLICT REPLACE), or an UPDATE set a key."""
    return facts.replaces or bool(write.sets & (facts.key_columns | _ROWID_NAMES))


def _fresh(lineage: Iterable[tuple[str, str, str]]) -> frozenset[str]:
    fresh: set[str] = set()
    for kind, a, b in lineage:
        if kind == "create":
            fresh.add(a)
        elif kind in ("drop", "maybe"):
            fresh.discard(a)
        elif a in fresh:
            fresh.discard(a)
            fresh.add(b)
        else:
            fresh.discard(b)
    return frozenset(fresh)


def _migration_effects(statements: list[str]) -> Effects:
    effects = Effects()
    for statement in statements:
        tokens = statement_tokens(statement)
        if tokens:
            _statement(tokens, effects)
    return effects


def _statement(tokens: list[Token], effects: Effects) -> None:
    first = tokens[0].upper
    if first in ("INSERT", "REPLACE"):
        _insert(tokens, effects)
    elif first == "UPDATE":
        _update(tokens, effects)
    elif first == "DELETE":
        effects.writes.append(Write(table_at(tokens, _after(tokens, "FROM"))[0], True, kind="delete"))
    elif first == "CREATE":
        _create(tokens, effects)
    elif first == "DROP":
        _drop(tokens, effects)
    elif first == "ALTER":
        _alter(tokens, effects)
    elif first == "PRAGMA":
        _pragma(tokens, effects)
    elif first not in _QUIET:
        raise Unknown(f"{first} statement")


def _after(tokens: list[Token], word: str) -> int:
    for i, token in enumerate(tokens):
        if token.is_word(word):
            return i + 1
    raise Unknown(f"no {word}")


def table_at(tokens: list[Token], at: int) -> tuple[str, int]:
    """The folded name of the table at ``tokens[at]`` (``main.`` allowed, no other schema), and
    the position after it."""
    if at + 2 < len(tokens) and tokens[at + 1].text == ".":
        if fold(tokens[at].name) != "main":
            raise Unknown("another schema")
        at += 2
    if at >= len(tokens) or tokens[at].kind not in ("word", "quoted", "string"):
        raise Unknown("no table name")
    return fold(tokens[at].name), at + 1


def _insert(tokens: list[Token], effects: Effects) -> None:
    replaces = tokens[0].is_word("REPLACE") or (
        len(tokens) > 2 and tokens[1].is_word("OR") and tokens[2].is_word("REPLACE")
    )
    table, _ = table_at(tokens, _after(tokens, "INTO"))
    upsert = any(t.is_word("CONFLICT") for t in tokens)  # ON CONFLICT … DO UPDATE may set any column
    effects.writes.append(Write(table, replaces or upsert, kind="insert"))


def _update(tokens: list[Token], effects: Effects) -> None:
    at = 3 if len(tokens) > 2 and tokens[1].is_word("OR") else 1
    table, _ = table_at(tokens, at)
    columns = _set_columns(tokens)
    or_replace = at == 3 and tokens[2].is_word("REPLACE")
    effects.writes.append(Write(table, or_replace or columns is None, columns or frozenset(), "update"))


def _set_columns(tokens: list[Token]) -> frozenset[str] | None:
    """The folded columns an UPDATE sets; None when they cannot be read."""
    try:
        start = _after(tokens, "SET")
    except Unknown:
        return None
    end = start
    depth = 0
    while end < len(tokens):
        token = tokens[end]
        depth += (token.text == "(") - (token.text == ")")
        if depth == 0 and token.kind == "word" and token.upper in _UPDATE_ENDS:
            break
        end += 1
    columns: set[str] = set()
    for part in split_top_level(tokens[start:end]):
        equals = next((i for i, t in enumerate(part) if t.text == "="), None)
        names = [t for t in part[:equals] if t.kind in ("word", "quoted", "string")] if equals else []
        if not names:
            return None
        columns.update(fold(t.name) for t in names)
    return frozenset(columns)


def _create(tokens: list[Token], effects: Effects) -> None:
    words = [t.upper for t in tokens[:4] if t.kind == "word"]
    if "TEMP" in words or "TEMPORARY" in words or "VIRTUAL" in words:
        raise Unknown("a temporary or virtual table")
    if "TRIGGER" in words:
        effects.triggers = True
        effects.writes += [Write(name, True) for name in _names_of(tokens)]
    elif "TABLE" in words:
        at = _after(tokens, "TABLE")
        maybe = at + 2 < len(tokens) and tokens[at].is_word("IF")
        table, _ = table_at(tokens, at + 3 if maybe else at)
        effects.lineage.append(("maybe" if maybe else "create", table, ""))  # IF NOT EXISTS: maybe an old one
        effects.child = any(t.is_word("REFERENCES") for t in tokens)
    elif "INDEX" in words:
        effects.altered.add(table_at(tokens, _after(tokens, "ON"))[0])
    elif "VIEW" not in words:
        raise Unknown("CREATE of another kind")


def _names_of(tokens: list[Token]) -> set[str]:
    return {fold(t.name) for t in tokens if t.kind in ("word", "quoted", "string")}


def _drop(tokens: list[Token], effects: Effects) -> None:
    kind = tokens[1].upper if len(tokens) > 1 else ""
    at = 4 if len(tokens) > 3 and tokens[2].is_word("IF") else 2
    if kind == "TABLE":
        effects.lineage.append(("drop", table_at(tokens, at)[0], ""))
    elif kind == "INDEX":
        effects.dropped_indexes.add(table_at(tokens, at)[0])
    elif kind not in ("VIEW", "TRIGGER"):
        raise Unknown(f"DROP {kind}")


def _alter(tokens: list[Token], effects: Effects) -> None:
    table, at = table_at(tokens, _after(tokens, "TABLE"))
    action = tokens[at].upper if at < len(tokens) and tokens[at].kind == "word" else ""
    if action == "RENAME" and at + 1 < len(tokens) and tokens[at + 1].is_word("TO"):
        effects.lineage.append(("rename", table, table_at(tokens, at + 2)[0]))
    elif action == "ADD":
        effects.altered.add(table)
        if any(t.is_word("REFERENCES") for t in tokens[at:]):
            effects.references.add(table)
    elif action in ("RENAME", "DROP"):  # a column renamed or dropped: every row rewritten
        effects.writes.append(Write(table, True))
    else:
        raise Unknown(f"ALTER TABLE {action}")


def _pragma(tokens: list[Token], effects: Effects) -> None:
    at = 3 if len(tokens) > 3 and tokens[2].text == "." else 1
    name = fold(tokens[at].name) if at < len(tokens) else ""
    if name in _FOREIGN_KEY_PRAGMAS:
        effects.foreign_key_pragma = True
    elif name not in _READ_PRAGMAS:
        raise Unknown(f"PRAGMA {name}")


def statement_tokens(statement: str) -> list[Token]:
    """The tokens of one statement, without its ``;``; Unknown when they cannot be read or name
    the schema table (or ``writable_schema``)."""
    try:
        tokens = tokenize(statement)
    except SqlSyntaxError as e:
        raise Unknown(str(e)) from e
    if any(fold(t.name) in _SCHEMA_TABLES or t.is_word("writable_schema") for t in tokens):
        raise Unknown("the schema table is named")
    return tokens[:-1] if tokens and tokens[-1].text == ";" else tokens


def statement_effects(tokens: list[Token]) -> Effects:
    """What one statement (its tokens) writes, alters, creates, drops and renames."""
    effects = Effects()
    if tokens:
        _statement(tokens, effects)
    return effects
