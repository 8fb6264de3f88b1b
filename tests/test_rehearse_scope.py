"""``rehearse`` measures only what the pending migrations can reach: the same findings as
measuring the whole database.

Each case is rehearsed twice, once as ``rehearse`` does it (the migrations read for what they
can reach, :mod:`schemavet.dialects.sqlite.reach`) and once with that reading refused, so every
table is counted, matched and checked and foreign keys on are rehearsed whole. Both must say the
same, and each case also says what it must find, so a shortcut that skips a check fails here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemavet.dialects.sqlite.rehearse as rehearse_module
from schemavet import rehearse
from schemavet.dialects.sqlite.keycheck import foreign_key_violations
from schemavet.dialects.sqlite.reach import Catalog, reach, read_catalog
from schemavet.errors import SchemavetError
from schemavet.migrations.runner import apply_all

_BASE = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT);
CREATE TABLE projects (id INTEGER PRIMARY KEY,
  owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE, title TEXT);
CREATE TABLE items (id INTEGER PRIMARY KEY,
  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL, body TEXT);
CREATE INDEX ix_items_project ON items(project_id);
CREATE TABLE tags (item_id INTEGER REFERENCES items(id) ON DELETE CASCADE, label TEXT);
CREATE TABLE plain (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TRIGGER notes_audit AFTER INSERT ON notes BEGIN DELETE FROM audit WHERE id = NEW.id; END;
CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT);
CREATE TABLE uses (id INTEGER PRIMARY KEY, code TEXT REFERENCES codes(code));
CREATE TABLE gen (id INTEGER PRIMARY KEY, base INTEGER,
  ref INTEGER GENERATED ALWAYS AS (base + 0) STORED REFERENCES users(id) ON DELETE CASCADE);
CREATE TABLE kinds (name TEXT);
CREATE UNIQUE INDEX ux_kinds ON kinds(name);
CREATE TABLE things (id INTEGER PRIMARY KEY, kind TEXT REFERENCES kinds(name));
INSERT INTO users VALUES (1, 'a@x', 'A'), (2, 'b@x', 'B'), (3, 'c@x', 'C');
INSERT INTO projects VALUES (1, 1, 'one'), (2, 2, 'two'), (3, 2, 'three');
INSERT INTO items VALUES (1, 1, 2, 'i1'), (2, 2, 3, 'i2'), (3, 3, NULL, 'i3'), (4, 1, 1, 'i4');
INSERT INTO tags VALUES (1, 'a'), (2, 'a'), (4, 'b');
INSERT INTO audit VALUES (1, 'x'), (2, 'y');
INSERT INTO plain VALUES (1, 'p'), (2, 'q');
INSERT INTO notes VALUES (5, 'n');
INSERT INTO codes VALUES ('aa', 'A');
INSERT INTO uses VALUES (1, 'aa'), (2, 'zz');
INSERT INTO gen (id, base) VALUES (1, 1);
INSERT INTO kinds VALUES ('k');
INSERT INTO things VALUES (1, 'k');
"""

_PRE_EXISTING = 'Table "uses" row 2 refers to a row of "codes" that does not exist (foreign_key_check)'
_FAIL_ON = "If foreign keys are on, the migrations fail"
_DANGLING_CHILD = (
    "CREATE TABLE items2 (id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES projects(id));\n"
    "INSERT INTO items2 VALUES (1, 999);\n"
)

# case → (pending migrations in order, what the findings and warnings must hold)
_CASES: dict[str, tuple[list[str], list[str]]] = {
    "nothing written: the violation the database had is still reported": (["SELECT 1;"], [_PRE_EXISTING]),
    "a parent's rows deleted: its children, named nowhere, now refer to nothing": (
        ["DELETE FROM projects WHERE id = 1;"],
        [
            'Table "items" row 1 refers to a row of "projects"',
            'Table "items" row 4 refers to a row of "projects"',
            'Table "items" would lose 2 of 4 rows through ON DELETE CASCADE if foreign keys are on '
            "(migration 0002.m1)",
            'Table "tags" would lose 2 of 3 rows',
            _PRE_EXISTING,
        ],
    ),  # fmt: skip
    "a parent's key updated": (
        ["UPDATE users SET id = id + 100 WHERE id = 2;"],
        [
            'Table "projects" row 2 refers to a row of "users"',
            'Table "items" row 1 refers to a row of "users"',
        ],
    ),
    "a parent row added where a child referred to nothing": (["INSERT INTO codes VALUES ('zz', 'Z');"], []),
    "a trigger deletes rows of a table the migration does not name": (
        ["INSERT INTO notes VALUES (1, 'x');"],
        ['Table "audit" lost 1 of its 2 rows (now 1)'],
    ),
    "a child row that refers to nothing, foreign keys on refuse it": (
        [_DANGLING_CHILD + "DROP VIEW IF EXISTS v0;"],
        [_FAIL_ON, 'Table "items2" row 1 refers to a row of "projects"'],
    ),
    "a child row that refers to nothing until a later statement adds the parent": (
        [_DANGLING_CHILD + "INSERT INTO projects VALUES (999, 1, 'late');\nDROP VIEW IF EXISTS v0;"],
        [_FAIL_ON],
    ),
    "a child row that refers to nothing until the table, renamed on the way, loses it": (
        [
            _DANGLING_CHILD + "ALTER TABLE items2 RENAME TO items3;\nDELETE FROM items3;\n"
            "ALTER TABLE items3 RENAME TO items4;\nDROP VIEW IF EXISTS v0;"
        ],
        [_FAIL_ON],
    ),
    "a child row that refers to nothing until a REPLACE takes its place": (
        [_DANGLING_CHILD + "INSERT OR REPLACE INTO items2 VALUES (1, 1);\nDROP VIEW IF EXISTS v0;"],
        [_FAIL_ON],
    ),
    "a child row that refers to nothing until a later migration adds the parent": (
        [_DANGLING_CHILD, "INSERT INTO projects VALUES (999, 1, 'late');\nDROP VIEW IF EXISTS v0;"],
        [_FAIL_ON],
    ),
    "a child row that refers to nothing until a later migration deletes it": (
        [_DANGLING_CHILD, "DELETE FROM items2;"],
        [_FAIL_ON],
    ),
    "a clean child copy, then a cascading rebuild in a later migration": (
        [
            "CREATE TABLE items_copy (id INTEGER PRIMARY KEY,\n"
            "  project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE);\n"
            "INSERT INTO items_copy SELECT id, project_id FROM items;\nUPDATE audit SET what = 'w';",
            "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT);\n"
            "INSERT INTO users_new SELECT * FROM users;\nDROP TABLE users;\n"
            "ALTER TABLE users_new RENAME TO users;",
        ],
        [
            'Table "projects" would lose 3 of 3 rows through ON DELETE CASCADE if foreign keys are on '
            "(migration 0003.m2)",
            'Table "items" would lose 4 of 4 rows',
        ],
    ),  # fmt: skip
    "a parent renamed, then its rows deleted": (
        ["ALTER TABLE users RENAME TO people;\nDELETE FROM people WHERE id = 1;"],
        ['Table "projects" row 1 refers to a row of "people"', 'Table "projects" would lose 1 of 3 rows'],
    ),
    "a child rebuilt with a foreign key, then given a row that refers to nothing by its old name": (
        [
            "CREATE TABLE plain_new (id INTEGER PRIMARY KEY, v TEXT, user_id INTEGER REFERENCES users(id));\n"
            "INSERT INTO plain_new (id, v) SELECT id, v FROM plain;\nDROP TABLE plain;\n"
            "ALTER TABLE plain_new RENAME TO plain;",
            "INSERT INTO plain VALUES (3, 'r', 999);\nDELETE FROM plain WHERE id = 3;\n"
            "DROP VIEW IF EXISTS v0;",
        ],
        [_FAIL_ON],
    ),
    "a parent key column renamed": (["ALTER TABLE codes RENAME COLUMN code TO k;"], [_PRE_EXISTING]),
    "a column added with a reference and a default that refers to nothing": (
        [
            "ALTER TABLE notes ADD COLUMN owner INTEGER REFERENCES users(id) DEFAULT 999;\n"
            "DROP VIEW IF EXISTS v0;"
        ],
        ['Table "notes" row 5 refers to a row of "users"', _FAIL_ON],
    ),
    "REPLACE deletes the parent a unique value collides with": (
        ["REPLACE INTO users (id, email, name) VALUES (9, 'a@x', 'dup');"],
        ['Table "projects" row 1 refers to a row of "users"', 'Table "projects" would lose 1 of 3 rows'],
    ),
    "an UPDATE sets a child's reference to nothing": (
        ["UPDATE items SET assignee_id = 777 WHERE id = 1;\nDROP VIEW IF EXISTS v0;"],
        ['Table "items" row 1 refers to a row of "users"', _FAIL_ON],
    ),
    "an UPDATE of a column a generated reference is made of": (
        ["UPDATE gen SET base = 77;\nDROP VIEW IF EXISTS v0;"],
        ['Table "gen" row 1 refers to a row of "users"', _FAIL_ON],
    ),
    "an UPDATE sets references to NULL": (
        ["UPDATE items SET assignee_id = NULL WHERE id = 2;"],
        ['Column "items.assignee_id" lost 1 of its 3 references'],
    ),
    "rows of a table without a key deleted": (
        ["DELETE FROM tags WHERE label = 'a';"],
        ['Table "tags" lost 2 of its 3 rows (now 1)'],
    ),
    "rows updated in place, a column added and an index made elsewhere": (
        [
            "UPDATE projects SET title = upper(title);\nALTER TABLE items ADD COLUMN note TEXT;\n"
            "CREATE INDEX ix_items_body ON items(body);"
        ],
        [_PRE_EXISTING],
    ),  # fmt: skip
    "a table rebuilt, its rows copied by key": (
        [
            "CREATE TABLE plain_new (id INTEGER PRIMARY KEY, v TEXT, extra TEXT);\n"
            "INSERT INTO plain_new (id, v) SELECT id, v FROM plain WHERE id = 1;\n"
            "DROP TABLE plain;\nALTER TABLE plain_new RENAME TO plain;"
        ],
        ['Table "plain" lost 1 of its 2 rows (now 1)'],
    ),  # fmt: skip
}


def _database(tmp_path: Path, migrations: list[str]) -> tuple[Path, Path]:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001.base.sql").write_text(_BASE)
    db = tmp_path / "app.db"
    apply_all(f"sqlite:///{db}", str(directory))
    previous = "0001.base"
    for number, sql in enumerate(migrations, start=2):
        name = f"000{number}.m{number - 1}"
        (directory / f"{name}.sql").write_text(f"-- depends: {previous}\n{sql}\n")
        previous = name
    return db, directory


def _said(db: Path, directory: Path) -> Any:
    try:
        rehearsal = rehearse(str(db), directory)
    except SchemavetError as e:
        return str(e)
    findings = [(f.message, f.path) for f in rehearsal.findings]
    tables = [(t.table, t.before, t.after, t.lost, t.renamed_to) for t in rehearsal.tables]
    return findings, list(rehearsal.warnings), tables, rehearsal.applied


def _said_whole(db: Path, directory: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patched:
        patched.setattr(rehearse_module, "scope_of", lambda *_: None)
        return _said(db, directory)


@pytest.mark.parametrize("case", sorted(_CASES))
def test_the_scoped_rehearsal_says_what_the_whole_one_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    migrations, expected = _CASES[case]
    db, directory = _database(tmp_path, migrations)
    scopes: list[Any] = []
    real_scope_of = rehearse_module.scope_of
    monkeypatch.setattr(
        rehearse_module, "scope_of", lambda *a: scopes.append(real_scope_of(*a)) or scopes[-1]
    )
    scoped = _said(db, directory)
    assert scopes and scopes[0] is not None, "the migrations were meant to be read, not measured whole"
    assert scoped == _said_whole(db, directory, monkeypatch)
    findings, warnings, _, _ = scoped
    said = "\n".join([message for message, _ in findings] + warnings)
    for words in expected:
        assert words in said, said
    # the violation the database had stays, unless the migrations add the row it refers to
    assert (_PRE_EXISTING in said) == ("parent row added" not in case)


def test_the_report_says_which_tables_were_checked(tmp_path: Path) -> None:
    db, directory = _database(
        tmp_path, ["UPDATE projects SET title = 't';\nDELETE FROM tags;\nUPDATE items SET project_id = 2;"]
    )
    rehearsal = rehearse(str(db), directory)
    assert rehearsal.checked == (
        "foreign_key_check of every table; integrity of the 3 tables the migrations wrote "
        '(integrity_check "items", "tags"; quick_check "projects")'
    )  # projects: a column no index holds updated in place, its indexes as they were
    python = directory / "0003.py.py"
    python.write_text('__depends__ = {"0002.m1"}\nfrom yoyo import step\nsteps = [step("SELECT 1")]\n')
    assert (
        rehearse(str(db), directory).checked == "integrity_check and foreign_key_check of the whole database"
    )


def test_a_dropped_parent_index_is_the_same_input_error_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, directory = _database(tmp_path, ["DROP INDEX ux_kinds;"])
    said = _said(db, directory)
    assert isinstance(said, str) and "foreign key mismatch" in said
    assert said == _said_whole(db, directory, monkeypatch)


def test_damage_in_a_table_the_migrations_write_is_found(tmp_path: Path) -> None:
    """An index that no longer matches its table (made here through writable_schema) is found
    by the integrity check of a table the migrations write."""
    db, directory = _database(tmp_path, ["INSERT INTO items VALUES (5, 1, 1, 'i5');"])
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_items_project ON items(assignee_id)' "
        "WHERE name = 'ix_items_project'"
    )
    conn.commit()
    conn.close()
    rehearsal = rehearse(str(db), directory)
    assert any(f.message.startswith("integrity_check: ") for f in rehearsal.findings)
    assert "items" in rehearsal.checked


# What the statements reach, read without running them.


def _catalog(tmp_path: Path) -> Catalog:
    db, _ = _database(tmp_path, [])
    conn = sqlite3.connect(db)
    try:
        return read_catalog(conn)
    finally:
        conn.close()


class _Migration:
    def __init__(self, path: Path) -> None:
        self.path = str(path)


def _reach_of(tmp_path: Path, catalog: Catalog, *sql: str) -> Any:
    migrations = []
    for number, text in enumerate(sql):
        path = tmp_path / f"m{number}.sql"
        path.write_text(text)
        migrations.append(_Migration(path))
    return reach(migrations, catalog)


@pytest.mark.parametrize(
    "sql",
    [
        "PRAGMA writable_schema = ON;",
        "UPDATE sqlite_master SET sql = 'x';",
        "WITH x AS (SELECT 1) DELETE FROM audit;",
        "REINDEX;",
        "VACUUM;",
        "CREATE TEMP TABLE t (a);",
        "CREATE VIRTUAL TABLE f USING fts5(body);",
        "ATTACH DATABASE 'x.db' AS x;",
        "DELETE FROM other.audit;",
        "PRAGMA legacy_alter_table = ON;",
        "SELECT 'unterminated",
    ],
)
def test_a_statement_whose_reach_cannot_be_told_makes_it_unknown(tmp_path: Path, sql: str) -> None:
    assert _reach_of(tmp_path, _catalog(tmp_path), sql) is None


def test_what_statements_reach(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    found = _reach_of(
        tmp_path,
        catalog,
        "UPDATE projects SET title = 'x';\nCREATE INDEX ix ON users(name);\n"
        "ALTER TABLE \"Items\" ADD COLUMN note TEXT;\nINSERT INTO notes VALUES (1, 'n');",
    )
    assert found.written & set(catalog.tables) == {"projects", "notes", "audit"}  # audit: by the trigger
    assert found.altered == {"users", "items"}
    # the trigger deletes (its text names notes too); an UPDATE of a title changes no key
    assert found.keys_changed & set(catalog.tables) == {"audit", "notes"}
    assert found.rows_moved & set(catalog.tables) == {"notes", "audit"}
    keys = _reach_of(
        tmp_path, catalog, "UPDATE users SET id = 7 WHERE id = 1;", "UPDATE OR REPLACE codes SET label = 'y';"
    )
    assert keys.keys_changed == {"users", "codes"}
    cascades = _reach_of(tmp_path, catalog, "PRAGMA foreign_keys = ON;\nDELETE FROM users;")
    assert cascades.written == {"users", "projects", "items", "tags", "gen"}  # and no other table
    rebuilt = _reach_of(
        tmp_path,
        catalog,
        "CREATE TABLE a2 (id INTEGER PRIMARY KEY);\nDROP TABLE audit;\nALTER TABLE a2 RENAME TO audit;",
    )
    assert rebuilt.fresh == {"audit"} and rebuilt.written == {"a2", "audit"}


# The query that proves a table clean says what the pragma says.

_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-3, max_value=6),
    st.sampled_from([1.0, 2.5, "1", "x", " 2", b"\x01", "", 2**62]),
)


@settings(max_examples=60, deadline=None)
@given(
    parent_key=st.sampled_from(
        ["id INTEGER PRIMARY KEY", "id INTEGER PRIMARY KEY DESC", "id INT PRIMARY KEY", "id TEXT PRIMARY KEY"]
    ),
    child_type=st.sampled_from(["INTEGER", "INT", "TEXT", "", "REAL", "NUMERIC"]),
    parents=st.lists(st.integers(min_value=0, max_value=6), max_size=5, unique=True),
    children=st.lists(_VALUES, max_size=8),
)
def test_the_proof_of_a_clean_table_agrees_with_the_pragma(
    parent_key: str, child_type: str, parents: list[int], children: list[object]
) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE p ({parent_key}, label TEXT)")
    conn.execute(f"CREATE TABLE c (id INTEGER PRIMARY KEY, ref {child_type} REFERENCES p(id))")
    conn.executemany("INSERT INTO p (id) VALUES (?)", [(v,) for v in parents])
    conn.executemany("INSERT INTO c (ref) VALUES (?)", [(v,) for v in children])
    expected = [
        (str(t), rowid, str(parent)) for t, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check(c)")
    ]
    assert foreign_key_violations(conn, "c") == expected


def _passes_with_foreign_keys_on(
    db: Path, directory: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, ...]]:
    """The migrations each rehearsal with foreign keys on applied."""
    import schemavet.dialects.sqlite.steps as steps

    passes: list[tuple[str, ...]] = []
    real = steps.apply_measured

    def spy(*args: Any, **kwargs: Any) -> Any:
        applied = real(*args, **kwargs)
        if kwargs.get("foreign_keys"):
            passes.append(tuple(step.migration for step in applied))
        return applied

    monkeypatch.setattr(steps, "apply_measured", spy)
    rehearse(str(db), directory)
    return passes


def test_foreign_keys_on_are_rehearsed_only_where_they_can_change_something(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, directory = _database(
        tmp_path,
        [
            "ALTER TABLE items ADD COLUMN note TEXT;\nCREATE INDEX ix_items_body ON items(body);",
            # a child rebuilt (nothing refers to it) and a parent's other column updated
            "CREATE TABLE tags_new (item_id INTEGER REFERENCES items(id) ON DELETE CASCADE, label TEXT);\n"
            "INSERT INTO tags_new SELECT * FROM tags;\nDROP TABLE tags;\n"
            "ALTER TABLE tags_new RENAME TO tags;\n"
            "UPDATE projects SET title = 'x' WHERE id = 2;",
        ],
    )
    assert _passes_with_foreign_keys_on(db, directory, monkeypatch) == []
    (directory / "0004.m3.sql").write_text("-- depends: 0003.m2\nDELETE FROM users WHERE id = 3;\n")
    # resumed from a copy saved after 0003: only 0004 is applied again
    assert _passes_with_foreign_keys_on(db, directory, monkeypatch) == [("0004.m3",)]


# Random migrations from statements that write, key, cascade, rebuild and rename: both ways alike.

_STATEMENTS = [
    "DELETE FROM projects WHERE id = 2;",
    "DELETE FROM users WHERE id = 3;",
    "DELETE FROM tags WHERE label = 'a';",
    "UPDATE users SET id = id + 10 WHERE id = 1;",
    "UPDATE items SET assignee_id = NULL WHERE id = 1;",
    "UPDATE items SET project_id = 99 WHERE id = 2;",
    "UPDATE projects SET title = 'z';",
    "UPDATE codes SET label = 'q';",
    "INSERT INTO codes VALUES ('zz', 'Z');",
    "INSERT INTO projects VALUES (99, 1, 'late');",
    "INSERT INTO items VALUES (9, 98, 1, 'x');",
    "INSERT INTO notes VALUES (2, 'n2');",
    "INSERT OR REPLACE INTO users VALUES (2, 'c@x', 'dup');",
    "ALTER TABLE audit RENAME TO audit2;",
    "ALTER TABLE items ADD COLUMN extra TEXT;",
    "CREATE INDEX ix_projects_title ON projects(title);",
    "CREATE TABLE plain_new (id INTEGER PRIMARY KEY, v TEXT);\n"
    "INSERT INTO plain_new SELECT id, v FROM plain WHERE id > 1;\nDROP TABLE plain;\n"
    "ALTER TABLE plain_new RENAME TO plain;",
    "CREATE TABLE projects_new (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id) "
    "ON DELETE CASCADE, title TEXT);\nINSERT INTO projects_new SELECT * FROM projects;\n"
    "DROP TABLE projects;\nALTER TABLE projects_new RENAME TO projects;",
    "DROP VIEW IF EXISTS v0;",
    "SELECT 1;",
]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_STATEMENTS), min_size=1, max_size=3), min_size=1, max_size=3))
def test_random_migrations_are_rehearsed_alike_both_ways(migrations: list[list[str]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as monkeypatch:
        db, directory = _database(Path(scratch), ["\n".join(statements) for statements in migrations])
        assert _said(db, directory) == _said_whole(db, directory, monkeypatch)


def test_only_a_copy_that_is_thrown_away_skips_syncing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import schemavet.migrations.bookkeeping as bookkeeping
    from schemavet.dialects.sqlite.rehearsal import Throwaway

    db, directory = _database(tmp_path, ["UPDATE projects SET title = 't';"])
    synced: list[bool] = []
    real = bookkeeping.open_backend

    def spy(url: str, mixins: tuple[type, ...] = (), **kwargs: Any) -> Any:
        backend = real(url, mixins=mixins, **kwargs)
        synced.append(backend.connection.execute("PRAGMA synchronous").fetchone()[0] != 0)
        assert (Throwaway in mixins) == (not synced[-1])
        return backend

    monkeypatch.setattr(bookkeeping, "open_backend", spy)
    rehearse(str(db), directory)
    rehearse(str(db), directory, keep=str(tmp_path / "kept.db"))
    assert synced == [False, True]


def test_the_cli_says_what_was_checked(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from schemavet.cli import main

    db, directory = _database(tmp_path, ["DELETE FROM tags WHERE label = 'b';"])
    result = CliRunner().invoke(main, ["rehearse", "--db", str(db), "--migrations", str(directory)])
    checked = "Checked: foreign_key_check of every table; integrity of the table the migrations wrote "
    assert checked + '(integrity_check "tags")' in result.stdout
    result = CliRunner().invoke(
        main, ["rehearse", "--db", str(db), "--migrations", str(directory), "--format", "json"]
    )
    assert json.loads(result.stdout)["checked"].startswith("foreign_key_check of every table")


@pytest.mark.parametrize(
    "hook", ["DELETE FROM audit WHERE id = 2;", "INSERT INTO items VALUES (9, 98, 1, 'x');", "SELECT 1;"]
)
def test_a_post_apply_hook_is_reached_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: str) -> None:
    db, directory = _database(tmp_path, ["UPDATE plain SET v = 'w';\nDROP VIEW IF EXISTS v0;"])
    (directory / "post-apply.sql").write_text(hook + "\n")
    scoped = _said(db, directory)
    assert scoped == _said_whole(db, directory, monkeypatch)
    said = "\n".join([message for message, _ in scoped[0]] + scoped[1])
    if "audit" in hook:
        assert 'Table "audit" lost 1 of its 2 rows' in said
    if "items" in hook:
        assert 'Table "items" row 9 refers to a row of "projects"' in said
