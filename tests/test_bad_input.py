"""Bad input: one sentence on stderr naming what and where, exit code 2, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from tests.conftest import RECRUITING_SPEC, digest


def _verify(db: str, spec: Path | str = RECRUITING_SPEC, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["verify", "--db", db, "--spec", str(spec), *extra])
    return result.exit_code, result.stdout, result.stderr


def _one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("schemavet: error: ")
    return lines[0]


@pytest.mark.parametrize("url", ["{dir}/missing.db", "sqlite:///{dir}/missing.db"])
def test_missing_database_is_not_created(tmp_path: Path, url: str) -> None:
    code, _, err = _verify(url.format(dir=tmp_path))
    assert code == 2
    assert "missing.db" in _one_sentence(err) and "does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is a text file, not a database\n" * 20)
    before = digest(path)
    code, _, err = _verify(str(path))
    assert code == 2
    assert "not a SQLite database" in _one_sentence(err)
    assert digest(path) == before


def test_directory_instead_of_database(tmp_path: Path) -> None:
    # a directory is a fleet of the files in it (docs/cli.md); one without any is bad input
    code, _, err = _verify(str(tmp_path))
    assert code == 2
    assert f'Directory "{tmp_path}" holds no files: no databases to verify' in _one_sentence(err)


def test_locked_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("schemavet.dialects.sqlite.connect.BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "busy.db"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO t VALUES (1)")
    try:
        code, _, err = _verify(str(path))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert code == 2
    assert "locked" in _one_sentence(err)


def test_missing_spec(recruiting_db: Path, tmp_path: Path) -> None:
    code, _, err = _verify(str(recruiting_db), tmp_path / "nope.yaml")
    assert code == 2
    assert "nope.yaml" in _one_sentence(err) and "does not exist" in err


@pytest.mark.parametrize(
    ("text", "needle", "line"),
    [
        ("tables:\n  t:\n    columns: {id: TEXT\n", "Malformed YAML", 4),
        ("tables:\n  t:\n    columns:\n      id: TEXT\n    colums: {}\n", 'Unknown key "colums"', 5),
        ("tables:\n  t:\n    columns:\n      id: TEXT\n      id: INTEGER\n", 'Duplicate key "id"', 5),
        ("tables:\n  t:\n    columns:\n      id: TEXT NOT NUL\n", 'Cannot read column "id"', 4),
        ("tables:\n  t:\n    columns:\n      id: {type: TEXT, nulable: true}\n", 'Unknown key "nulable"', 4),
        ("tables:\n  t:\n    columns: {id: TEXT}\n    without_rowid: maybe\n", "true or false", 4),
        ("schemavet: 7\ntables: {}\n", "Unsupported spec format version", 1),
        (
            "tables:\n  t: {columns: {id: TEXT}}\npolicies:\n  - rule: references\n    tables: [t]\n"
            "    table: nowhere\n",
            'names table "nowhere"',
            4,
        ),
        ("", "The spec is empty", 1),
        ("tables:\n  t:\n    columns: {a: INT}\n    checks: ['(((']\n", "unbalanced parentheses", 4),
        ("tables:\n  t:\n    columns: {a: INT}\n    checks: ['#']\n", "a check of", 4),
        ("tables:\n  t:\n    columns: {a: INT}\n    unique: [[]]\n", "names no columns", 4),
        (
            "tables:\n  t:\n    columns: {a: INT}\n    foreign_keys: ['a REFERENCES p ON DELETE EXPLODE']\n",
            "Unknown foreign key action",
            4,
        ),
        ("schemas:\n  main:\n    tables: {}\n", "is the default one", 2),
    ],
    ids=[
        "yaml-syntax",
        "unknown-table-key",
        "duplicate-key",
        "bad-column-sql",
        "unknown-column-key",
        "bad-boolean",
        "format-version",
        "policy-unknown-table",
        "empty",
        "unbalanced-check",
        "comment-only-check",
        "empty-unique",
        "unknown-action",
        "schemas-main",
    ],
)
def test_malformed_spec_names_its_line(
    recruiting_db: Path, tmp_path: Path, text: str, needle: str, line: int
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text)
    code, _, err = _verify(str(recruiting_db), spec)
    assert code == 2
    sentence = _one_sentence(err)
    assert needle in sentence
    assert sentence.endswith(f"({spec}:{line})")


def test_unknown_url_scheme(tmp_path: Path) -> None:
    code, _, err = _verify("mysql://localhost/app")
    assert code == 2
    assert 'Unknown database URL scheme "mysql"' in _one_sentence(err)


def test_verify_never_writes(recruiting_db: Path) -> None:
    before = digest(recruiting_db)
    siblings = sorted(p.name for p in recruiting_db.parent.iterdir())
    code, _, _ = _verify(str(recruiting_db))
    assert code == 0
    assert digest(recruiting_db) == before
    assert sorted(p.name for p in recruiting_db.parent.iterdir()) == siblings


def test_verify_leaves_a_wal_database_and_its_directory_alone(make_db, tmp_path: Path) -> None:
    path = make_db("PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY);")
    spec = tmp_path / "t.yaml"
    spec.write_text("tables:\n  t: {columns: {id: INTEGER PRIMARY KEY}}\n")
    before, siblings = digest(path), sorted(p.name for p in tmp_path.iterdir())
    code, out, _ = _verify(str(path), spec)
    assert code == 0, out
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(main, ["verify", "--db", "x.db"])
    assert result.exit_code == 2
    assert "--spec" in result.output


def test_deeply_nested_yaml_is_refused(recruiting_db: Path, tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text("tables: " + "[" * 50000 + "]" * 50000)
    code, _, err = _verify(str(recruiting_db), spec)
    assert code == 2
    assert "nested more than" in _one_sentence(err)


def test_spec_that_is_not_utf8(recruiting_db: Path, tmp_path: Path) -> None:
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(b"description: caf\xe9\ntables: {}\n")
    code, _, err = _verify(str(recruiting_db), spec)
    assert code == 2
    assert _one_sentence(err) == f"schemavet: error: The spec is not UTF-8 text (byte 16) ({spec}:1)"


def test_snapshot_refuses_to_overwrite_the_database(recruiting_db: Path) -> None:
    before = digest(recruiting_db)
    result = CliRunner().invoke(
        main, ["snapshot", "--db", f"sqlite:///{recruiting_db}", "-o", str(recruiting_db)]
    )
    assert result.exit_code == 2
    assert "Refusing" in _one_sentence(result.stderr)
    assert digest(recruiting_db) == before


def test_snapshot_into_a_missing_directory(recruiting_db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["snapshot", "--db", str(recruiting_db), "-o", str(tmp_path / "no" / "x.yaml")]
    )
    assert result.exit_code == 2
    assert "Cannot write" in _one_sentence(result.stderr)


def test_unreadable_database(recruiting_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("schemavet.dialects.sqlite.connect.open", deny, raising=False)
    code, _, err = _verify(str(recruiting_db))
    assert code == 2
    assert "Permission denied" in _one_sentence(err)


def test_spec_names_that_differ_only_in_case(recruiting_db: Path, tmp_path: Path) -> None:
    spec = tmp_path / "case.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      b: TEXT NOT NULL\n      B: TEXT\n")
    code, _, err = _verify(str(recruiting_db), spec)
    assert code == 2
    assert 'names "b" and "B" differ only in case' in _one_sentence(err)


@pytest.fixture
def latin1_names(tmp_path: Path) -> Path:
    """A database whose table and column names are Latin-1 bytes, not UTF-8 (as an old tool
    may have written them): the names are patched in the file, lengths unchanged."""
    path = tmp_path / "latin1.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE cafZ (id INTEGER PRIMARY KEY, nameZ TEXT)")
    conn.commit()
    conn.close()
    path.write_bytes(path.read_bytes().replace(b"cafZ", b"caf\xe9").replace(b"nameZ", b"name\xff"))
    return path


def test_names_that_are_not_utf8_are_read_byte_for_byte(latin1_names: Path) -> None:
    import schemavet

    (table,) = schemavet.inspect(str(latin1_names)).namespaces["main"].tables.values()
    assert (table.name, list(table.columns)) == ("caf\udce9", ["id", "name\udcff"])


def test_snapshot_of_names_that_are_not_utf8_is_one_sentence(latin1_names: Path) -> None:
    before = digest(latin1_names)
    result = CliRunner().invoke(main, ["snapshot", "--db", str(latin1_names)])
    assert result.exit_code == 2
    assert 'not valid UTF-8 (near "caf\\xe9")' in _one_sentence(result.stderr)
    assert digest(latin1_names) == before


def test_table_definition_it_cannot_read_is_one_sentence(make_db, monkeypatch) -> None:
    # every definition SQLite accepts is read (tests/test_sqlite_differential.py), so a reader
    # that fails is stood in for: its error comes back from the catalog reader as one sentence
    from schemavet.dialects.sqlite import inspect
    from schemavet.errors import SqlSyntaxError

    def unreadable(sql: str) -> None:
        raise SqlSyntaxError(f"Unexpected end of SQL in {sql[-12:]!r}")

    monkeypatch.setattr(inspect, "declared", unreadable)
    db = make_db("CREATE TABLE t (a INT CHECK (a > 0));")
    before = digest(db)
    code, _, err = _verify(str(db))
    assert code == 2
    assert 'Cannot read the definition of table "t"' in _one_sentence(err)
    assert digest(db) == before
