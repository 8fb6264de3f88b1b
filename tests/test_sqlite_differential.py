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
default, 2,000 examples in all, well under a minute) or ``long`` (100,000)::

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
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import schemavet
from schemavet.dialects.sqlite import background
from schemavet.dialects.sqlite.expressions import canonical_expression
from schemavet.dialects.sqlite.normalize import canonical_index_term, ends_in_order, is_operand
from schemavet.dialects.sqlite.options import key_options, table_options
from schemavet.model import Schema as Model
from schemavet.model import Table as ModelTable
from schemavet.sql.tokens import strip_outer_parens, tokenize
from tests import sqlite_grammar as g

PROFILE = os.environ.get("SCHEMAVET_HYPOTHESIS", "ci")
TOTAL = {"ci": 2_000, "long": 100_000}[PROFILE]


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


def accepted_schema(
    schema: g.Schema, statements: list[str], accepted: list[str]
) -> tuple[g.Schema, set[str]]:
    """The part of the model whose statements SQLite accepted, with the columns ALTER TABLE
    added; and the tables whose columns it renamed or dropped (their model is stale)."""
    ok = iter([s in accepted for s in statements])
    tables, indexes, views, triggers, copies, alterations = (
        tuple(x for x in group if next(ok)) for group in schema.groups()
    )
    stale = set()
    for alteration in alterations:
        (target,) = [t for t in tables if t.name == alteration.table]
        if alteration.kind == "add":
            added = replace(target, added=(*target.added, alteration.column))
            tables = tuple(added if t is target else t for t in tables)
        else:
            stale.add(alteration.table)
    return g.Schema(tables, indexes, views, triggers, copies), stale


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
    descending = ends_in_order(tokens) and tokens[-1].is_word("DESC")
    if ends_in_order(tokens):
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
    model, stale = accepted_schema(schema, statements, accepted)
    assume(model.tables)
    read = schemavet.inspect(str(path))
    check_catalog(path, read)
    check_declared(g.Schema(tuple(t for t in model.tables if t.name not in stale)), read)
    return model, snapshot_verifies(path)


@given(data=st.data())
@budget(0.5)
def test_sqlite_and_schemavet_agree(scratch: Path, data: st.DataObject) -> None:
    schema = data.draw(g.schemas(alter=True), label="schema")
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
@budget(0.2)
def test_a_rebuilt_table_that_changed_is_reported(scratch: Path, data: st.DataObject) -> None:
    # the snapshot verifying clean, and the reading, are test_sqlite_and_schemavet_agree's
    schema = data.draw(g.schemas(), label="schema")
    path = scratch / "mutate.db"
    statements = data.draw(g.written(schema), label="statements")
    model, _ = accepted_schema(schema, statements, build(path, statements))
    assume(model.tables)
    spec = path.with_suffix(".yaml")
    spec.write_text(schemavet.snapshot(str(path)), encoding="utf-8")
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


# --- the disagreements found, each pinned ---------------------------------------------------


def agreed(path: Path, script: str) -> dict[str, ModelTable]:
    """The tables read from a database built by ``script``, checked as every example is."""
    conn = connect(path)
    conn.executescript(script)
    conn.close()
    read = schemavet.inspect(str(path))
    check_catalog(path, read)
    snapshot_verifies(path)
    return read.namespaces["main"].tables


def reported(path: Path, spec: Path, script: str) -> list[str]:
    """What verify reports once ``script`` has changed the database ``spec`` was taken from."""
    conn = connect(path)
    conn.executescript("PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON;" + script)
    conn.close()
    return [f.message for f in schemavet.verify(str(path), spec).findings]


def test_table_constraints_without_commas_are_all_read(tmp_path: Path) -> None:
    # (a) everything after the first of them was lost, a changed CHECK among them unseen
    path = tmp_path / "t.db"
    table = agreed(path, "CREATE TABLE t (a INT, b INT, c INT, PRIMARY KEY (a) UNIQUE (b) CHECK (c > 0))")[
        "t"
    ]
    assert [c.expression for c in table.checks] == ["c > 0"]
    assert [u.columns for u in table.uniques] == [("b",)]
    spec = path.with_suffix(".yaml")
    rebuilt = """CREATE TABLE t2 (a INT, b INT, c INT, PRIMARY KEY (a) UNIQUE (b) CHECK (c > 1));
        DROP TABLE t; ALTER TABLE t2 RENAME TO t;"""
    assert reported(path, spec, rebuilt) != []


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE t (a INT CONSTRAINT nada)",
        "CREATE TABLE t (a INT, CHECK (a > 0) CONSTRAINT nada)",
        "CREATE TABLE t (a INT, CONSTRAINT one CONSTRAINT two)",
        "CREATE TABLE t (a INT CONSTRAINT one NOT NULL CONSTRAINT two)",
    ],
)
def test_a_constraint_name_alone_is_read(tmp_path: Path, script: str) -> None:
    # (b) SQLite accepts CONSTRAINT name with no constraint after it; schemavet refused the table
    assert "t" in agreed(tmp_path / "t.db", script)


def test_not_null_between_references_and_deferrable(tmp_path: Path) -> None:
    # (b) REFERENCES p NOT NULL DEFERRABLE …: the DEFERRABLE is the key's (SQLite applies a bare
    # one to the last key so far), the NOT NULL the column's
    path = tmp_path / "t.db"
    script = """CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE t (a INT REFERENCES p NOT NULL DEFERRABLE INITIALLY DEFERRED, b INT);"""
    table = agreed(path, script)["t"]
    (fk,) = table.foreign_keys
    assert not table.columns["a"].nullable and fk.deferrable == "DEFERRABLE INITIALLY DEFERRED"
    conn = connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    assert is_deferred(conn, "t", "a")
    conn.close()


@pytest.mark.parametrize(
    "column",
    [
        "id INTEGER CONSTRAINT pk PRIMARY KEY DESC",
        "id INTEGER PRIMARY KEY DESC ON CONFLICT REPLACE",
        "id INTEGER CONSTRAINT pk PRIMARY KEY DESC ON CONFLICT IGNORE",
    ],
)
def test_integer_primary_key_desc_is_no_rowid_alias_in_a_snapshot(tmp_path: Path, column: str) -> None:
    # (c) the snapshot of a named one could not say "not a rowid alias": it verified as none
    path = tmp_path / "t.db"
    table = agreed(path, f"CREATE TABLE t ({column}, x TEXT)")["t"]
    assert table.primary_key is not None and key_options(table.primary_key).rowid_alias is False
    spec = path.with_suffix(".yaml")
    if "CONSTRAINT" in column:
        assert "rowid_alias: false" in spec.read_text(encoding="utf-8")
    rebuilt = f"""CREATE TABLE t2 ({column.replace(" DESC", "")}, x TEXT);
        DROP TABLE t; ALTER TABLE t2 RENAME TO t;"""
    assert any("rowid alias" in message for message in reported(path, spec, rebuilt))


def test_rowid_alias_false_in_a_spec(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    agreed(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT)")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "tables:\n  t:\n    columns: {id: INTEGER, x: TEXT}\n"
        "    primary_key: {columns: [id], rowid_alias: false}\n"
    )
    messages = [f.message for f in schemavet.verify(str(path), spec).findings]
    assert any("rowid alias" in message for message in messages)


@pytest.mark.parametrize("first", ["", "DEFERRABLE INITIALLY DEFERRED"])
def test_foreign_keys_alike_but_for_name_and_deferral_keep_their_own(tmp_path: Path, first: str) -> None:
    # (d) the first declared key gave its name and deferrability to the second as well
    second = "DEFERRABLE INITIALLY DEFERRED" if not first else ""
    path = tmp_path / "t.db"
    script = f"""CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE t (a INT, CONSTRAINT f1 FOREIGN KEY (a) REFERENCES p {first},
                        CONSTRAINT f2 FOREIGN KEY (a) REFERENCES p {second});"""
    keys = agreed(path, script)["t"].foreign_keys
    deferred = "DEFERRABLE INITIALLY DEFERRED"
    assert [(fk.name, fk.deferrable) for fk in keys] == [
        ("f1", first or "NOT DEFERRABLE"),
        ("f2", second or "NOT DEFERRABLE"),
    ]
    assert deferred in (first, second)


@pytest.mark.parametrize(
    ("script", "value", "name"),
    [
        # a name stays in force until the next column, past the comma after the last one
        ("CREATE TABLE t (v INT, w INT CONSTRAINT x NULL, CHECK (v <> 1))", 1, "x"),
        # ... and past table constraints written without a comma between them
        ("CREATE TABLE t (v INT, w INT, CONSTRAINT x UNIQUE (w) CHECK (v <> 1))", 1, "x"),
        ("CREATE TABLE t (v INT CONSTRAINT x CHECK (v <> 0) CHECK (v <> 1))", 1, "x"),
        # a comma between table constraints clears it, a new column too
        ("CREATE TABLE t (v INT, CONSTRAINT x UNIQUE (v), CHECK (v <> 1))", 1, None),
        ("CREATE TABLE t (v INT CONSTRAINT x, w INT CHECK (v <> 1))", 1, None),
        # a column ALTER TABLE adds comes after the last column, and clears it too
        ("CREATE TABLE t (v INT CONSTRAINT x, CHECK (v <> 1)); ALTER TABLE t ADD COLUMN w INT", 1, None),
    ],
)
def test_a_check_takes_the_name_in_force(tmp_path: Path, script: str, value: int, name: str | None) -> None:
    path = tmp_path / "t.db"
    (check,) = [c for c in agreed(path, script)["t"].checks if c.expression.endswith(str(value))]
    assert check.name == name
    conn = connect(path)
    assert failed_check(conn, "t", "v", value) == (name or "v <> 1")
    conn.close()


def test_a_bare_deferrable_applies_to_the_key_before_it(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    script = """CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE t (a INT REFERENCES p, b INT DEFERRABLE INITIALLY DEFERRED REFERENCES p);"""
    keys = {fk.columns: fk.deferrable for fk in agreed(path, script)["t"].foreign_keys}
    assert keys == {("a",): "DEFERRABLE INITIALLY DEFERRED", ("b",): "NOT DEFERRABLE"}
    conn = connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    assert is_deferred(conn, "t", "a") and not is_deferred(conn, "t", "b")
    conn.close()


def test_on_insert_and_several_references_on_a_column(tmp_path: Path) -> None:
    script = """CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE q (id INTEGER PRIMARY KEY);
        CREATE TABLE t (a INT REFERENCES p ON INSERT CASCADE ON DELETE SET NULL
                        REFERENCES q CONSTRAINT n REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED);"""
    keys = agreed(tmp_path / "t.db", script)["t"].foreign_keys
    assert [(fk.ref_table, fk.on_delete, fk.name, fk.deferrable) for fk in keys] == [
        ("p", "SET NULL", None, "NOT DEFERRABLE"),
        ("q", "NO ACTION", None, "NOT DEFERRABLE"),
        ("p", "NO ACTION", "n", "DEFERRABLE INITIALLY DEFERRED"),
    ]


def test_non_ascii_spaces_are_part_of_a_name(tmp_path: Path) -> None:
    # SQLite's white space is ASCII: U+3000 and U+00A0 belong to the bare names here
    script = "CREATE TABLE t (\u3000x TEXT COLLATE NOCASE, a\u00a0b INT CHECK (a\u00a0b > 0))"
    table = agreed(tmp_path / "t.db", script)["t"]
    assert table.columns["\u3000x"].collation == "NOCASE"
    assert [c.expression for c in table.checks] == ["a\u00a0b > 0"]


@pytest.mark.parametrize(
    ("term", "collation"),
    [
        ("b || 'x' COLLATE NOCASE", "BINARY"),
        ("(b || 'x') COLLATE NOCASE", "NOCASE"),
        ("+b COLLATE RTRIM", "RTRIM"),
    ],
)
def test_an_index_term_s_collate_binds_to_one_operand(tmp_path: Path, term: str, collation: str) -> None:
    path = tmp_path / "t.db"
    agreed(path, f"CREATE TABLE t (b TEXT); CREATE INDEX i ON t ({term})")  # compares index_xinfo
    text = canonical_index_term(term, {"b": "BINARY"}, frozenset({"b"}))
    assert (index_term(text)[1] or "BINARY").upper() == collation


@pytest.mark.parametrize(
    "script",
    [
        # found by the 100,000-example profile: SQLite writes a column renamed to desc unquoted
        "CREATE TABLE a (always TEXT, b INT); CREATE UNIQUE INDEX b ON a (+ always); "
        "ALTER TABLE a RENAME always TO desc",
        'CREATE TABLE a ("desc" TEXT, b INT); CREATE INDEX i ON a (- desc DESC, b || desc)',
        'CREATE TABLE a ("desc" TEXT); CREATE INDEX i ON a (desc)',
    ],
)
def test_asc_and_desc_after_an_operator_or_alone_are_names(tmp_path: Path, script: str) -> None:
    assert "a" in agreed(tmp_path / "t.db", script)


def test_operand_collations_that_differ_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    agreed(path, "CREATE TABLE t (b TEXT); CREATE INDEX i ON t ((b || 'x') COLLATE NOCASE)")
    rebuilt = "DROP INDEX i; CREATE INDEX i ON t (b || 'x' COLLATE NOCASE);"
    assert reported(path, path.with_suffix(".yaml"), rebuilt) != []


def test_null_is_no_column_named_null(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    agreed(
        path, 'CREATE TABLE t ("null" INT, v INT CHECK (v IS NULL), "virtual" INT CHECK ("virtual" + 1 > 0))'
    )
    rebuilt = """CREATE TABLE t2 ("null" INT, v INT CHECK (v IS "null"),
            "virtual" INT CHECK (VIRTUAL +1 > 0));
        DROP TABLE t; ALTER TABLE t2 RENAME TO t;"""
    messages = reported(path, path.with_suffix(".yaml"), rebuilt)
    assert messages and all("v IS" in message for message in messages), messages  # not "virtual" + 1


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE t (a INT DEFAULT (1 + 2 -- two\n))",
        "CREATE TABLE t (a INT DEFAULT (--\n(1) -- one\n) COLLATE NOCASE)",
    ],
)
def test_a_default_ending_in_a_line_comment_is_snapshot(tmp_path: Path, script: str) -> None:
    agreed(tmp_path / "t.db", script)


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE t (a GENERATED PRIMARY KEY ON CONFLICT REPLACE, b INT GENERATED ALWAYS AS (a))",
        "CREATE TABLE t (a INT GENERATED /* a type word */ CONSTRAINT k PRIMARY KEY ON CONFLICT IGNORE)",
    ],
)
def test_generated_is_a_type_word_unless_always_follows(tmp_path: Path, script: str) -> None:
    # a type the short form cannot hold is written long, with its key's name and conflict clause
    table = agreed(tmp_path / "t.db", script)["t"]
    assert table.primary_key is not None and key_options(table.primary_key).on_conflict in (
        "REPLACE",
        "IGNORE",
    )


def test_the_forked_reader_agrees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the examples read in-process; the forked child sends the same catalog through marshal
    script = """CREATE TABLE p (id INTEGER PRIMARY KEY);
        CREATE TABLE t (a INT CONSTRAINT c REFERENCES p DEFERRABLE INITIALLY DEFERRED,
                        b TEXT COLLATE NOCASE, PRIMARY KEY (a) CHECK (a > 0) UNIQUE (b));"""
    path = tmp_path / "t.db"
    here = agreed(path, script)
    monkeypatch.setattr(background, "_can_fork", lambda: True)
    assert schemavet.inspect(str(path)).namespaces["main"].tables == here
