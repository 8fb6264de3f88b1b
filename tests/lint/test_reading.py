"""Reading migrations exactly as yoyo does: the same statements, order and directives, each
statement located at its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemavet.lint.engine import read_directory
from schemavet.lint.source import read_migration_file
from schemavet.lint.statements import parse_statement
from tests.conftest import RECRUITING_MIGRATIONS

PITFALLS = Path(__file__).parent / "pitfalls"


@pytest.mark.parametrize("directory", [RECRUITING_MIGRATIONS, PITFALLS], ids=["recruiting", "pitfalls"])
def test_same_statements_and_order_as_yoyo(directory: Path) -> None:
    from yoyo import read_migrations
    from yoyo.migrations import topological_sort

    ours = read_directory(str(directory))
    theirs = list(topological_sort(read_migrations(str(directory))))
    assert [m.migration_id for m in ours] == [m.id for m in theirs]
    for mine, yoyos in zip(ours, theirs, strict=True):
        yoyos.load()
        assert [s.text for s in mine.statements] == [step._apply.strip() for step in _steps(yoyos)]
        assert mine.transactional == yoyos.use_transactions
        assert mine.depends == {d.id for d in yoyos.depends}


def _steps(migration: object) -> list[object]:
    return [getattr(step, "step", step) for step in migration.steps]  # type: ignore[attr-defined]


def test_each_statement_is_located_at_its_first_token(tmp_path: Path) -> None:
    path = tmp_path / "0001.x.sql"
    path.write_text(
        "-- leading comment\n"
        "-- depends:\n"
        "\n"
        "CREATE TABLE a (x INT);   CREATE TABLE \"b;c\" (y TEXT DEFAULT ';');\n"
        "/* a block\n   comment */\n"
        "  -- and a line comment\n"
        "    INSERT INTO a VALUES (1);\n"
    )
    migration = read_migration_file(str(path))
    located = [parse_statement(s, "sqlite") for s in migration.statements]
    assert [(s.line, s.column) for s in located] == [(4, 1), (4, 27), (8, 5)]


def test_a_comment_quoting_a_statement_is_not_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "0001.x.sql"
    path.write_text(
        "-- This used to say: DELETE FROM users;\n"
        "-- and: DROP TABLE t;\n"
        "DELETE FROM users;\n"
        "SELECT 1; /* DROP TABLE t; */ DROP TABLE t;\n"
        "SELECT '-- SELECT 2;', 3; -- SELECT 2;\n"
        "SELECT 2;\n"
    )
    migration = read_migration_file(str(path))
    located = [parse_statement(s, "sqlite") for s in migration.statements]
    assert [(s.text, s.line, s.column) for s in located] == [
        ("DELETE FROM users;", 3, 1),
        ("SELECT 1;", 4, 1),
        ("/* DROP TABLE t; */ DROP TABLE t;", 4, 31),
        ("SELECT '-- SELECT 2;', 3; -- SELECT 2;", 5, 1),
        ("SELECT 2;", 6, 1),
    ]


def test_windows_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "0001.x.sql"
    path.write_bytes(b"-- transactional: false\r\nCREATE TABLE a (x INT);\r\n\r\nDROP TABLE a;\r\n")
    migration = read_migration_file(str(path))
    assert not migration.transactional
    assert [(s.line, s.column) for s in migration.statements] == [(2, 1), (4, 1)]


def test_post_apply_runs_last_and_rollback_is_attached() -> None:
    migrations = read_directory(str(RECRUITING_MIGRATIONS))
    assert all(m.rollback is not None for m in migrations)
    assert migrations[0].rollback is not None and migrations[0].rollback.path.endswith(
        "0000.base.rollback.sql"
    )


def test_post_apply_file(tmp_path: Path) -> None:
    (tmp_path / "0001.a.sql").write_text("CREATE TABLE a (x INT);")
    (tmp_path / "post-apply.sql").write_text("DELETE FROM a;")
    from schemavet.lint import lint_paths

    migrations = read_directory(str(tmp_path))
    assert [m.migration_id for m in migrations] == ["0001.a", "post-apply"] and migrations[1].post_apply
    codes = {(Path(d.path).name, d.code) for d in lint_paths([str(tmp_path)])}
    assert ("post-apply.sql", "SV104") in codes and ("post-apply.sql", "SV504") not in codes


def test_python_migrations_are_replayed_by_yoyo(tmp_path: Path) -> None:
    from schemavet.lint import lint_paths

    (tmp_path / "0001.a.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);")
    (tmp_path / "0002.b.py").write_text(
        "from yoyo import step\n"
        "__depends__ = {'0001.a'}\n"
        "steps = [step('CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id))')]\n"
    )
    (tmp_path / "0003.c.sql").write_text("-- depends: 0002.b\nCREATE INDEX ix_b_a ON b(a_id);")
    assert [m.migration_id for m in read_directory(str(tmp_path))] == ["0001.a", "0002.b", "0003.c"]
    assert lint_paths([str(tmp_path)], select=["SV208", "SV501", "SV503"]) == []
    (tmp_path / "0002.b.py").write_text("from yoyo import step\nsteps = [step('CREATE TABLE a (x)')]\n")
    findings = lint_paths([str(tmp_path)], select=["SV208"])
    (finding,) = [f for f in findings if Path(f.path).name == "0002.b.py"]
    assert finding.line == 1
    assert "table a already exists" in finding.message
