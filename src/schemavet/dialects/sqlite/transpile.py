"""SQLite migrations translated to PostgreSQL, statement by statement, never by guessing.

Each migration is replayed into a scratch SQLite database as yoyo would apply it; after a
statement that makes a schema object, SQLite's own reading of the object (the inspector's) is
what gets written for PostgreSQL (:mod:`schemavet.dialects.sqlite.pg_render`), so a rowid alias,
an AUTOINCREMENT or a conflict clause is known, not inferred from text. Data statements (INSERT,
UPDATE, DELETE) go through sqlglot, with SQLite's traps rewritten first (``INSERT OR IGNORE``,
"now", 0/1 into a boolean, a number into a timestamp) and the ones sqlglot adds undone (``ON
CONFLICT (a NULLS FIRST)``). A rollback is translated against the schema its migration left.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemavet.dialect.base import Translated
from schemavet.dialects.sqlite.inspect import inspect_sqlite
from schemavet.dialects.sqlite.pg_render import (
    Place,
    TableText,
    Types,
    Untranslatable,
    convert,
    ident,
    is_boolean,
    is_timestamp,
    literal,
    render_index,
    render_table,
    translate_tree,
)
from schemavet.lint.source import MigrationFile, read_migration_file
from schemavet.model import Table

_LEADING_COMMENTS = re.compile(r"\A(\s*(--[^\n]*(\n|\Z)|/\*.*?\*/))*\s*", re.DOTALL)
_HEAD = re.compile(r"(\w+)(?:\s+(?:OR\s+\w+\s+|UNIQUE\s+|TEMP\s+|TEMPORARY\s+)*(\w+))?", re.IGNORECASE)


def transpile_to_postgres(paths: list[str], types: Types) -> list[Translated]:
    """Every migration (in yoyo's order) and its rollback, translated to PostgreSQL."""
    translated: list[Translated] = []
    with _replay() as replay:
        for path in paths:
            migration = read_migration_file(path)
            translated.append(_translate_file(migration, replay, types))
            if migration.rollback is not None:  # on the schema the migration left, in a copy
                with replay.copy() as copy:
                    translated.append(_translate_file(migration.rollback, copy, types))
    return translated


# --- the replay ---------------------------------------------------------------------------------


@dataclass
class _Replay:
    """A scratch SQLite database the migrations are applied to, with what each table became."""

    conn: sqlite3.Connection
    directory: str
    pg_types: dict[str, dict[str, str]] = field(default_factory=dict)  # folded table → column → type
    identities: dict[str, str] = field(default_factory=dict)  # folded table → identity column
    made_here: set[str] = field(default_factory=set)  # folded tables the file being read made
    existing: set[str] = field(default_factory=set)  # folded tables there before the file

    def tables(self) -> dict[str, Table]:
        """The tables as SQLite reads them now, by folded name."""
        namespace = inspect_sqlite(self.conn).namespaces["main"]
        return {name.lower(): table for name, table in namespace.tables.items()}

    def names(self, word: str) -> str:
        """The declared spelling of a table or column name SQLite would match ``word`` to."""
        return self._spellings().get(word.lower(), word)

    def _spellings(self) -> dict[str, str]:
        spellings: dict[str, str] = {}
        for table in self.tables().values():
            spellings.setdefault(table.name.lower(), table.name)
            for column in table.columns:
                spellings.setdefault(column.lower(), column)
        return spellings

    @contextlib.contextmanager
    def copy(self) -> Iterator[_Replay]:
        """A copy of the replay as it stands (to translate a rollback on), discarded afterwards."""
        conn = sqlite3.connect(os.path.join(self.directory, "rollback.db"), isolation_level=None)
        try:
            self.conn.backup(conn)
            pg_types = {table: dict(columns) for table, columns in self.pg_types.items()}
            yield _Replay(conn, self.directory, pg_types, dict(self.identities))
        finally:
            conn.close()
            os.remove(os.path.join(self.directory, "rollback.db"))

    def run(self, statement: str, place: Place) -> bool:
        """Apply a statement as SQLite would; a refusal of SQLite's is a finding."""
        try:
            self.conn.execute(statement)
        except sqlite3.Error as e:
            place.refuse("SVT210", f"SQLite refuses the statement: {e}", "Fix the migration first.")
            return False
        return True


@contextlib.contextmanager
def _replay() -> Iterator[_Replay]:
    with tempfile.TemporaryDirectory(prefix="schemavet-transpile-") as directory:
        conn = sqlite3.connect(os.path.join(directory, "replay.db"), isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")  # yoyo's connections leave them off
            yield _Replay(conn, directory)
        finally:
            conn.close()


# --- files --------------------------------------------------------------------------------------


_RENAME = re.compile(r'ALTER\s+TABLE\s+("?)([\w$]+)\1\s+RENAME\s+TO\s+("?)([\w$]+)\3', re.IGNORECASE)
_LOCK_TIMEOUT = (
    "-- This migration rewrites tables that exist: wait for a lock at most this long, then fail (and\n"
    "-- be retried) rather than queue every reader behind the migration.\n"
    "SET LOCAL lock_timeout = '5s';\n"
)
_NEW_TABLE_INDEX = (
    "-- schemavet: noqa SV601 the table was made by this migration and is not yet committed: "
    "no one else can see it\n"
)


def _translate_file(migration: MigrationFile, replay: _Replay, types: Types) -> Translated:
    renamed = {m.group(2).lower(): m.group(4) for m in _RENAME.finditer(migration.text)}
    types = Types(types.by_column, renamed)
    replay.made_here = set()
    existing = replay.existing = set(replay.tables())
    places: list[Place] = []
    blocks: list[str] = []
    for statement in migration.statements:
        place = Place(migration.path, statement.line, statement.text)
        places.append(place)
        comments, sql = _split_comments(statement.text)
        translated = _statement(sql, replay, types, place)
        blocks.append(comments + "".join(_marked(s, replay) + ";\n" for s in translated))
    rewrites = any(_locks(statement.text, existing) for statement in migration.statements)
    head = _header(migration) + ("\n" + _LOCK_TIMEOUT if rewrites and migration.transactional else "")
    blocks.insert(0, head)
    text = "\n".join(block for block in blocks if block).rstrip("\n") + "\n"
    diagnostics = tuple(d for place in places for d in place.diagnostics)
    return Translated(migration.path, os.path.basename(migration.path), text, diagnostics)


def _header(migration: MigrationFile) -> str:
    """The file's leading comments (yoyo's directives among them), and where it came from."""
    first = migration.statements[0].offset if migration.statements else len(migration.text)
    header = migration.text[:first].rstrip()
    origin = f"-- Written for PostgreSQL by schemavet transpile from {os.path.basename(migration.path)}."
    return (header + "\n" + origin if header else origin) + "\n"


_LOCKING = re.compile(r'(?:ALTER|DROP)\s+TABLE\s+(?:IF\s+EXISTS\s+)?("?)([\w$]+)\1', re.IGNORECASE)


def _locks(statement: str, existing: set[str]) -> bool:
    """Whether a statement takes an ACCESS EXCLUSIVE lock on a table that was there before."""
    match = _LOCKING.search(_split_comments(statement)[1])
    return match is not None and match.group(2).lower() in existing


def _marked(statement: str, replay: _Replay) -> str:
    """An index on a table this migration made says why it may lock it (lint's SV601)."""
    match = re.match(r'CREATE\s+(UNIQUE\s+)?INDEX\s+\S+\s+ON\s+("?)([\w$]+)\2', statement)
    if match and match.group(3).lower() in replay.made_here & replay.existing:
        return _NEW_TABLE_INDEX + statement
    return statement


def _split_comments(text: str) -> tuple[str, str]:
    match = _LEADING_COMMENTS.match(text)
    end = match.end() if match else 0
    comments = "\n".join(line.strip() for line in text[:end].strip().splitlines() if line.strip())
    return (comments + "\n" if comments else ""), text[end:].rstrip().rstrip(";").rstrip()


# --- statements ---------------------------------------------------------------------------------


def _statement(sql: str, replay: _Replay, types: Types, place: Place) -> list[str]:
    head = _HEAD.match(sql)
    verb = head.group(1).upper() if head else ""
    noun = (head.group(2) or "").upper() if head else ""
    if verb == "CREATE" and noun in ("TABLE", "VIRTUAL", "INDEX", "TRIGGER", "VIEW"):
        return _create("TABLE" if noun == "VIRTUAL" else noun, sql, replay, types, place)
    if verb == "ALTER":
        return _alter(sql, replay, types, place)
    if verb == "PRAGMA":
        replay.run(sql, place)
        place.note("SVT206", f"{sql.split(chr(10))[0]} has no meaning on PostgreSQL: dropped")
        return []
    if verb in ("INSERT", "REPLACE", "UPDATE", "DELETE", "DROP", "SELECT", "WITH"):
        before = replay.tables()
        if not replay.run(sql, place):
            return []
        return _data(sql, replay, before, types, place)
    replay.run(sql, place)
    place.refuse("SVT206", f"{verb} {noun} statements are not translated", "Write it for PostgreSQL by hand.")
    return []


def _create(noun: str, sql: str, replay: _Replay, types: Types, place: Place) -> list[str]:
    before = replay.tables()
    before_indexes = {(t, i) for t, table in before.items() for i in table.indexes}
    if not replay.run(sql, place):
        return []
    after = replay.tables()
    if noun == "TRIGGER":
        place.refuse(
            "SVT201",
            "A SQLite trigger is not translated (its body is SQLite's; sqlglot splits it at its inner ;)",
            "Write a PL/pgSQL function and a CREATE TRIGGER for it by hand.",
        )
        return []
    if noun == "VIEW":
        return [_generic(sql, replay, place)]
    if noun == "TABLE":
        return [s for name in after.keys() - before.keys() for s in _table(after[name], replay, types, place)]
    return [
        render_index(table.indexes[i], table.name, replay.names, place)
        for t, table in after.items()
        for i in table.indexes
        if (t, i) not in before_indexes
    ]


def _table(table: Table, replay: _Replay, types: Types, place: Place) -> list[str]:
    text: TableText = render_table(table, types, replay.names, place)
    replay.pg_types[table.name.lower()] = {c.lower(): t for c, t in text.types.items()}
    replay.made_here.add(table.name.lower())
    if text.identity is not None:
        replay.identities[table.name.lower()] = text.identity
    return [text.create, *text.after]


def _alter(sql: str, replay: _Replay, types: Types, place: Place) -> list[str]:
    before = replay.tables()
    if not replay.run(sql, place):
        return []
    after = replay.tables()
    renamed = [(old, new) for old in before.keys() - after.keys() for new in after.keys() - before.keys()]
    if len(renamed) == 1:
        return _rename(before[renamed[0][0]], after[renamed[0][1]], replay)
    for name, table in after.items():
        added = [c for c in table.columns if c not in before.get(name, table).columns]
        if name in before and added and len(table.columns) > len(before[name].columns):
            return _add_columns(table, added, replay, types, place)
    return [_generic(sql, replay, place)]


def _rename(old: Table, new: Table, replay: _Replay) -> list[str]:
    """``ALTER TABLE … RENAME TO``, and the constraints PostgreSQL named after the old name."""
    replay.pg_types[new.name.lower()] = replay.pg_types.pop(old.name.lower(), {})
    if old.name.lower() in replay.identities:
        replay.identities[new.name.lower()] = replay.identities.pop(old.name.lower())
    if old.name.lower() in replay.made_here:
        replay.made_here.add(new.name.lower())
    prefix = old.name + "_"
    return [
        f"ALTER TABLE {ident(old.name)} RENAME TO {ident(new.name)}",
        _RENAME_CONSTRAINTS.format(
            table=literal(new.name),
            prefix=literal(prefix),
            new=literal(new.name + "_"),
            old=old.name,
            name=new.name,
        ),
    ]


_RENAME_CONSTRAINTS = (
    '-- PostgreSQL named the constraints after "{old}": give them the names a table created as\n'
    '-- "{name}" has (a table rebuild on SQLite ends with this rename)\n'
    "DO $$\n"
    "DECLARE\n"
    "  c record;\n"
    "BEGIN\n"
    "  FOR c IN\n"
    "    SELECT conname FROM pg_constraint\n"
    "    WHERE conrelid = format('%I', {table})::regclass AND starts_with(conname, {prefix})\n"
    "  LOOP\n"
    "    EXECUTE format(\n"
    "      'ALTER TABLE %I RENAME CONSTRAINT %I TO %I',\n"
    "      {table}, c.conname, {new} || substr(c.conname, length({prefix}) + 1)\n"
    "    );\n"
    "  END LOOP;\n"
    "END\n"
    "$$"
)


def _add_columns(table: Table, added: list[str], replay: _Replay, types: Types, place: Place) -> list[str]:
    """``ALTER TABLE … ADD COLUMN``: the new column as the whole table's translation writes it."""
    text = render_table(table, types, replay.names, place)
    lines = text.create.split("\n")[1:-1]
    by_name = {ident(c): c for c in table.columns}
    statements = []
    for line in lines:
        definition = line.strip().rstrip(",")
        first = definition.split(" ")[0]
        if by_name.get(first) in added:
            statements.append(f"ALTER TABLE {ident(table.name)} ADD COLUMN {definition}")
    for fk in [f for f in table.foreign_keys if set(f.columns) <= set(added)]:
        statements[-1] += (
            " REFERENCES "
            + ident(fk.ref_table)
            + (f" ({', '.join(map(ident, fk.ref_columns))})" if fk.ref_columns else "")
        )
        if fk.on_delete != "NO ACTION":
            statements[-1] += f" ON DELETE {fk.on_delete}"
    replay.pg_types.setdefault(table.name.lower(), {}).update({c.lower(): text.types[c] for c in added})
    return statements


# --- data statements ----------------------------------------------------------------------------


def _data(sql: str, replay: _Replay, before: dict[str, Table], types: Types, place: Place) -> list[str]:
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError as e:
        place.refuse(
            "SVT205", f"sqlglot cannot read the statement: {str(e).splitlines()[0]}", "Write it by hand."
        )
        return []
    if isinstance(tree, exp.Insert):
        return _insert(tree, replay, place)
    return [_tree_sql(tree, replay, place, sql)]


def _insert(tree: exp.Insert, replay: _Replay, place: Place) -> list[str]:
    alternative = (tree.args.get("alternative") or "").upper()
    if alternative == "IGNORE":
        tree.set("alternative", None)
        tree.set("conflict", exp.OnConflict(action=exp.var("DO NOTHING")))
        place.note("SVT110", "INSERT OR IGNORE is written INSERT … ON CONFLICT DO NOTHING")
    elif alternative:
        place.refuse(
            "SVT203",
            f"INSERT OR {alternative} has no PostgreSQL form without naming the conflicting key",
            "Write INSERT … ON CONFLICT (key) DO UPDATE for PostgreSQL by hand.",
        )
        return []
    table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
    name = table.name.lower() if isinstance(table, exp.Table) else ""
    _qualify_upsert(tree, table)
    columns = [c.name for c in tree.this.expressions] if isinstance(tree.this, exp.Schema) else []
    _convert_values(tree, [replay.pg_types.get(name, {}).get(c.lower()) for c in columns])
    statements = [_tree_sql(tree, replay, place, tree.sql())]
    identity = replay.identities.get(name)
    if identity is not None and identity.lower() in (c.lower() for c in columns):
        statements.append(_advance_identity(replay.names(table.name), identity))
    return statements


def _qualify_upsert(tree: exp.Insert, table: exp.Expr) -> None:
    """A bare column in ``DO UPDATE SET … = <here>`` is the existing row's in SQLite; PostgreSQL
    finds it ambiguous, so it is written with its table's name."""
    conflict = tree.args.get("conflict")
    if not isinstance(conflict, exp.OnConflict) or not isinstance(table, exp.Table):
        return
    for assignment in conflict.expressions:
        for column in assignment.expression.find_all(exp.Column):
            if not column.table:
                column.set("table", exp.to_identifier(table.name, quoted=table.this.quoted))
    where = conflict.args.get("where")
    for column in where.find_all(exp.Column) if where is not None else ():
        if not column.table:
            column.set("table", exp.to_identifier(table.name, quoted=table.this.quoted))


def _convert_values(tree: exp.Insert, targets: list[str | None]) -> None:
    """0/1 into a boolean, a number or SQLite's "now" into a timestamp, by the column's position."""
    source = tree.expression
    rows = (
        source.expressions
        if isinstance(source, exp.Values)
        else [source]
        if isinstance(source, exp.Select)
        else []
    )
    for row in rows:
        for position, value in enumerate(row.expressions):
            target = targets[position] if position < len(targets) else None
            if target is not None and (is_boolean(target) or is_timestamp(target)):
                row.expressions[position] = convert(value, target)


def _advance_identity(table: str, column: str) -> str:
    """After rows with explicit ids go in, the identity must start past them (SQLite's rowid does)."""
    return (
        f"SELECT setval(pg_get_serial_sequence({literal(ident(table))}, {literal(column)}), "
        f"coalesce(max({ident(column)}), 0) + 1, false) FROM {ident(table)}"
    )


def _generic(sql: str, replay: _Replay, place: Place) -> str:
    try:
        return _tree_sql(sqlglot.parse_one(sql, read="sqlite"), replay, place, sql)
    except SqlglotError as e:
        place.refuse(
            "SVT205", f"sqlglot cannot read the statement: {str(e).splitlines()[0]}", "Write it by hand."
        )
        return sql


def _tree_sql(tree: exp.Expr, replay: _Replay, place: Place, original: str) -> str:
    """A statement sqlglot read, written for PostgreSQL with SQLite's functions refused."""
    for ordered in list(tree.find_all(exp.Ordered)):
        if isinstance(ordered.parent, exp.OnConflict) or ordered.find_ancestor(exp.OnConflict):
            ordered.replace(ordered.this)  # sqlglot adds NULLS FIRST, which PostgreSQL refuses there
    try:
        return translate_tree(tree, replay.names, pretty=True)
    except Untranslatable as e:
        place.refuse("SVT205", str(e), "Write the statement for PostgreSQL by hand.")
        return original
