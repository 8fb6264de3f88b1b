"""The SQLite reader, proven against SQLite itself.

Hypothesis writes CREATE TABLE / INDEX / VIEW / TRIGGER statements from SQLite's grammar
(:mod:`tests.sqlite_grammar`), SQLite runs them (what it rejects is skipped), and then:

- every statement SQLite accepts is read without an error;
- every fact a PRAGMA reports (table_xinfo, table_list, foreign_key_list, index_list,
  index_xinfo, and the collation an index on a column takes) equals what ``schemavet.inspect``
  read;
- what no PRAGMA reports is checked against SQLite's behaviour where it shows (a CHECK's name in
  its error message, a foreign key's deferral in when it fails) and against SQLite's grammar
  rules where it does not (constraint names, which key a bare DEFERRABLE applies to);
- ``snapshot`` then ``verify`` of the result reports nothing;
- one mutation (a foreign-key action, a CHECK, a default, a collation) applied by rebuilding
  the table is reported by ``verify`` against the snapshot taken before.

The number of examples comes from a profile chosen by ``SCHEMAVET_HYPOTHESIS``: ``ci`` (the
default, about 2,400 examples in all, well under a minute) or ``long`` (100,000)::

    SCHEMAVET_HYPOTHESIS=long PYTHONPATH=src python -m pytest -q tests/test_sqlite_differential.py

A disagreement found once stays found: each is pinned below as an ``@example`` or a plain case.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import schemavet
from schemavet.dialects.sqlite import background
from schemavet.dialects.sqlite.expressions import canonical_expression
from schemavet.dialects.sqlite.normalize import canonical_index_term, is_operand
from schemavet.dialects.sqlite.options import key_options, table_options
from schemavet.model import Schema as Model
from schemavet.model import Table as ModelTable
from schemavet.sql.tokens import strip_outer_parens, tokenize
from tests import sqlite_grammar as g

PROFILE = os.environ.get("SCHEMAVET_HYPOTHESIS", "ci")
TOTAL = {"ci": 2_400, "long": 100_000}[PROFILE]


def budget(share: float) -> Any:
    """Settings giving a test its share of the profile's examples."""
    return settings(
        max_examples=max(1, int(TOTAL * share)),
        deadline=None,
        database=None if PROFILE == "long" else settings.default.database,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A directory for the examples' databases (in memory where the machine has /dev/shm)."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    path = Path(tempfile.mkdtemp(prefix="schemavet-diff-", dir=base))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True, scope="module")
def read_in_process() -> Iterator[None]:
    """Read catalogs in this process: a fork per example costs more than the example.

    The forked reader sends the same catalog through marshal; test_the_forked_reader_agrees
    keeps that path honest.
    """
    saved = background._can_fork
    background._can_fork = lambda: False
    yield
    background._can_fork = saved


# --- building databases -----------------------------------------------------------------------


def build(path: Path, statements: list[str]) -> list[str]:
    """A new database at ``path`` from the statements SQLite accepts; the accepted ones."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    accepted = []
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        for statement in statements:
            try:
                conn.execute(statement)
            except sqlite3.Error:
                continue
            accepted.append(statement)
    finally:
        conn.close()
    return accepted


def accepted_schema(schema: g.Schema, statements: list[str], accepted: list[str]) -> g.Schema:
    """The part of the model whose statements SQLite accepted."""
    ok = {i for i, s in enumerate(statements) if s in accepted}
    counts = [len(schema.tables), len(schema.indexes), len(schema.views), len(schema.triggers)]
    starts = [sum(counts[:k]) for k in range(4)]
    pick = [
        tuple(x for j, x in enumerate(objects) if starts[k] + j in ok)
        for k, objects in enumerate((schema.tables, schema.indexes, schema.views, schema.triggers))
    ]
    return g.Schema(*pick)


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def table_names(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return [row[0] for row in rows]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def by_fold(mapping: dict[str, Any], name: str) -> Any:
    return next(value for key, value in mapping.items() if g.fold(key) == g.fold(name))


# --- what the PRAGMAs say, and what schemavet read -------------------------------------------


def check_columns(conn: sqlite3.Connection, name: str, table: ModelTable) -> None:
    rows = conn.execute(
        'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid',
        (name,),
    ).fetchall()
    pragma = [(n, t, bool(nn), d, {2: "virtual", 3: "stored"}.get(h)) for n, t, nn, d, _, h in rows if h != 1]
    read = [
        (
            c.name,
            c.type,
            not c.nullable,
            c.default,
            None if c.generated is None else ("stored" if c.generated.stored else "virtual"),
        )
        for c in table.columns.values()
    ]
    assert read == pragma
    key = [n for n, *_ in sorted((r for r in rows if r[4]), key=lambda r: r[4])]
    assert list(table.primary_key.columns if table.primary_key else ()) == key
    wr, strict = conn.execute(
        "SELECT wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = ?", (name,)
    ).fetchone()
    options = table_options(table)
    assert (options.without_rowid, options.strict) == (bool(wr), bool(strict))


def column_collation(conn: sqlite3.Connection, table: str, column: str) -> str:
    """The collation SQLite gives an index on the column: the column's own."""
    conn.execute("SAVEPOINT probe")
    try:
        conn.execute(f'CREATE INDEX "__probe" ON {quoted(table)} ({quoted(column)})')
        (collation,) = conn.execute("SELECT coll FROM pragma_index_xinfo('__probe') WHERE key = 1").fetchone()
    finally:
        conn.execute("ROLLBACK TO probe")
        conn.execute("RELEASE probe")
    return str(collation)


def check_collations(conn: sqlite3.Connection, name: str, table: ModelTable) -> None:
    for column in table.columns.values():
        assert (column.collation or "BINARY").upper() == column_collation(conn, name, column.name).upper()


def check_foreign_keys(conn: sqlite3.Connection, name: str, table: ModelTable) -> None:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for fk_id, _, target, source, to, on_update, on_delete in conn.execute(
        'SELECT id, seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) '
        "ORDER BY id DESC, seq",
        (name,),
    ):
        grouped[fk_id].append((target, source, to, on_update, on_delete))
    pragma = [
        (
            tuple(r[1] for r in rows),
            rows[0][0],
            tuple(r[2] for r in rows) if rows[0][2] is not None else (),
            rows[0][3],
            rows[0][4],
        )
        for rows in grouped.values()
    ]
    read = [
        (fk.columns, fk.ref_table, fk.ref_columns, fk.on_update, fk.on_delete) for fk in table.foreign_keys
    ]
    assert read == pragma  # in declaration order: PRAGMA ids count from the last declared


def index_term(term: str) -> tuple[str | None, str | None, bool]:
    """(column named, collation of the whole term, descending) of a key term as text."""
    tokens = tokenize(term)
    descending = tokens[-1].is_word("DESC")
    if tokens[-1].is_word("ASC", "DESC"):
        tokens = tokens[:-1]
    collation = None
    if len(tokens) >= 2 and tokens[-2].is_word("COLLATE") and is_operand(tokens[:-2]):
        collation, tokens = tokens[-1].name, tokens[:-2]
    tokens = strip_outer_parens(tokens)
    column = tokens[0].name if len(tokens) == 1 and tokens[0].kind in ("word", "quoted") else None
    return column, collation, descending


def check_indexes(conn: sqlite3.Connection, name: str, table: ModelTable) -> None:
    uniques = []
    explicit = set()
    for index, unique, origin, partial in conn.execute(
        'SELECT name, "unique", origin, partial FROM pragma_index_list(?)', (name,)
    ).fetchall():
        keys = conn.execute(
            'SELECT cid, name, "desc", coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno', (index,)
        ).fetchall()
        if origin == "u":
            uniques.append(tuple(g.fold(k[1]) for k in keys))
        elif origin == "c":
            explicit.add(index)
            check_index(table, table.indexes[index], keys, bool(unique), bool(partial))
    assert sorted(uniques) == sorted(tuple(g.fold(c) for c in u.columns) for u in table.uniques)
    assert set(table.indexes) == explicit


def check_index(table: ModelTable, index: Any, keys: list[Any], unique: bool, partial: bool) -> None:
    assert (index.unique, index.where is not None, len(index.columns)) == (unique, partial, len(keys))
    collations = {g.fold(n): c.collation or "BINARY" for n, c in table.columns.items()}
    names = frozenset(collations)
    for term, (cid, column, desc, coll) in zip(index.columns, keys, strict=True):
        # as read, and in normal form: each says the order and collation SQLite reports
        for text in (term, canonical_index_term(term, collations, names)):
            named, collation, descending = index_term(text)
            assert descending == bool(desc), text
            if cid >= 0:
                assert named is not None and g.fold(named) == g.fold(column), text
                collation = collation or collations[g.fold(column)]
            assert (collation or "BINARY").upper() == coll.upper(), text


def check_catalog(path: Path, read: Model) -> None:
    """Every fact the PRAGMAs report about the database at ``path`` equals what was read."""
    main = read.namespaces["main"]
    conn = connect(path)
    try:
        names = table_names(conn)
        assert sorted(main.tables) == sorted(names)
        for name in names:
            table = main.tables[name]
            check_columns(conn, name, table)
            check_collations(conn, name, table)
            check_foreign_keys(conn, name, table)
            check_indexes(conn, name, table)
        autoincrement = any(key_options(t.primary_key).autoincrement for t in main.tables.values())
        sequence = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone()
        assert autoincrement == bool(sequence[0])
        views = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
        assert sorted(main.views) == sorted(views)
        triggers = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
        owners = [*main.tables.values(), *main.views.values()]
        assert sorted(t for owner in owners for t in owner.triggers) == sorted(triggers)
    finally:
        conn.close()


# --- what SQLite's grammar says beyond the PRAGMAs --------------------------------------------


def check_declared(schema: g.Schema, read: Model) -> None:
    """Names, deferral and CHECKs as SQLite's parser assigns them (see sqlite_grammar)."""
    tables = read.namespaces["main"].tables
    for model in schema.tables:
        table = by_fold(tables, model.name)
        facts = g.expected(model)
        assert len(table.foreign_keys) == len(facts.foreign_keys)
        for fk, want in zip(table.foreign_keys, facts.foreign_keys, strict=True):
            assert _fold(fk.name) == _fold(want.name), fk
            assert (fk.deferrable.split() == ["DEFERRABLE", "INITIALLY", "DEFERRED"]) == want.deferred, fk
        columns = frozenset(g.fold(c) for c in table.columns)
        read_checks = [(_fold(c.name), canonical_expression(c.expression, columns)) for c in table.checks]
        want_checks = [(_fold(n), canonical_expression(_plain(e), columns)) for n, e in facts.checks]
        assert read_checks == want_checks


def _fold(name: str | None) -> str | None:
    return None if name is None else g.fold(name)


def _plain(expression: g.Expression) -> str:
    columns = iter(expression.columns)
    return " ".join(quoted(next(columns)) if t in (g.C, g.CS) else t for t in expression.template)


# --- snapshot, verify, mutate ----------------------------------------------------------------


def snapshot_verifies(path: Path) -> Path:
    """Snapshot the database, verify it against the snapshot: nothing to report."""
    spec = path.with_suffix(".yaml")
    spec.write_text(schemavet.snapshot(str(path)), encoding="utf-8")
    report = schemavet.verify(str(path), spec)
    findings = [f.message for f in report.findings]
    assert findings == [], "\n".join([*findings, spec.read_text(encoding="utf-8")])
    return spec


def differential(path: Path, schema: g.Schema, statements: list[str]) -> tuple[g.Schema, Path]:
    """Build, read and compare; the accepted part of the schema and its snapshot."""
    accepted = build(path, statements)
    model = accepted_schema(schema, statements, accepted)
    assume(model.tables)
    read = schemavet.inspect(str(path))
    check_catalog(path, read)
    check_declared(model, read)
    return model, snapshot_verifies(path)


@given(data=st.data())
@budget(0.45)
def test_sqlite_and_schemavet_agree(scratch: Path, data: st.DataObject) -> None:
    schema = data.draw(g.schemas(), label="schema")
    statements = data.draw(g.written(schema), label="statements")
    differential(scratch / "agree.db", schema, statements)


def rebuild(path: Path, table: g.Table, statement: str) -> None:
    """Rebuild ``table`` as ``statement`` (named ``__rebuild``) the way SQLite's docs say to."""
    conn = connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA legacy_alter_table = ON")
        (stored,) = [n for n in table_names(conn) if g.fold(n) == g.fold(table.name)]
        others = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') "
            "OR (type = 'index' AND tbl_name = ? AND sql IS NOT NULL) ORDER BY rowid",
            (stored,),
        ).fetchall()
        conn.execute("BEGIN")
        for kind, name, _ in others:
            if kind != "index":
                conn.execute(f"DROP {kind} {quoted(name)}")
        conn.execute(statement)
        conn.execute(f"DROP TABLE {quoted(stored)}")
        conn.execute(f'ALTER TABLE "__rebuild" RENAME TO {quoted(stored)}')
        for _, _, sql in others:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()


@given(data=st.data())
@budget(0.25)
def test_a_rebuilt_table_that_changed_is_reported(scratch: Path, data: st.DataObject) -> None:
    schema = data.draw(g.schemas(), label="schema")
    path = scratch / "mutate.db"
    model, spec = differential(path, schema, data.draw(g.written(schema), label="statements"))
    table = data.draw(st.sampled_from(model.tables), label="table")
    what, mutated = data.draw(g.mutations(table), label="mutation")
    statement = data.draw(g.writers, label="writer").create_table(mutated, name="__rebuild")
    try:
        rebuild(path, mutated, statement)
    except sqlite3.Error:
        assume(False)
    findings = schemavet.verify(str(path), spec).findings
    assert findings, f"{what} went unreported: {statement}"


# --- what SQLite's behaviour shows: a CHECK's name, a foreign key's deferral ------------------


def failed_check(conn: sqlite3.Connection, table: str, column: str, value: int) -> str:
    """What SQLite names in the error of an insert that fails one CHECK."""
    with pytest.raises(sqlite3.IntegrityError) as failure:
        conn.execute(f"INSERT INTO {quoted(table)} ({quoted(column)}) VALUES (?)", (value,))
    message = str(failure.value)
    assert message.startswith("CHECK constraint failed: "), message
    return message.removeprefix("CHECK constraint failed: ")


@given(data=st.data())
@budget(0.15)
def test_a_check_has_the_name_sqlite_gives_it(scratch: Path, data: st.DataObject) -> None:
    table = data.draw(g.named_checks(), label="table")
    statement = data.draw(g.written(g.Schema((table,))), label="statements")[0]
    path = scratch / "checks.db"
    assume(build(path, [statement]))
    (read,) = schemavet.inspect(str(path)).namespaces["main"].tables.values()
    conn = connect(path)
    try:
        for check in read.checks:
            named = failed_check(
                conn, read.name, table.columns[0].name, int(tokenize(check.expression)[-1].text)
            )
            assert named == (check.name or unnamed_check(named, check.expression, read))
    finally:
        conn.close()


def unnamed_check(named: str, expression: str, table: ModelTable) -> str:
    """``named`` if it names the CHECK without a name, as SQLite does: its text, white space
    trimmed, and dequoted (so ``"x" <> 1`` comes out as ``x``)."""
    columns = frozenset(map(g.fold, table.columns))
    first = tokenize(expression)[0]
    if first.kind == "quoted" and named == first.name:
        return named
    assert canonical_expression(named, columns) == canonical_expression(expression, columns)
    return named


def is_deferred(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """True when a row with no parent fails at COMMIT rather than at its INSERT."""
    conn.execute("BEGIN")
    try:
        conn.execute(f"INSERT INTO {quoted(table)} ({quoted(column)}) VALUES (-1)")
    except sqlite3.IntegrityError:
        return False
    finally:
        conn.execute("ROLLBACK")
    return True


@given(data=st.data())
@budget(0.15)
def test_a_foreign_key_is_deferred_as_sqlite_defers_it(scratch: Path, data: st.DataObject) -> None:
    table = data.draw(g.deferred_keys("p"), label="table")
    statement = data.draw(g.written(g.Schema((table,))), label="statements")[0]
    path = scratch / "deferred.db"
    assume(len(build(path, ["CREATE TABLE p (id INTEGER PRIMARY KEY)", statement])) == 2)
    read = by_fold(schemavet.inspect(str(path)).namespaces["main"].tables, table.name)
    conn = connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        for fk in read.foreign_keys:
            deferred = fk.deferrable.split() == ["DEFERRABLE", "INITIALLY", "DEFERRED"]
            assert deferred == is_deferred(conn, read.name, fk.columns[0]), fk
    finally:
        conn.close()
