"""``check``: migrations applied with yoyo to a scratch database, then verified."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet import check
from schemavet.cli import main
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _migrations(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


def test_recruiting_passes() -> None:
    report = check(RECRUITING_MIGRATIONS, RECRUITING_SPEC)
    assert report.ok, [f.message for f in report.findings]


def test_configured_apps_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.schemavet.apps.recruiting]\n"
        f'migrations = "{RECRUITING_MIGRATIONS}"\nspec = "{RECRUITING_SPEC}"\n'
    )
    (tmp_path / "schema").mkdir()
    monkeypatch.chdir(tmp_path / "schema")  # found by walking up to the project's pyproject.toml
    code, out, _ = _run("check", "--format", "json")
    assert code == 0, out
    document = json.loads(out)
    assert document["ok"] is True
    assert [r["app"] for r in document["reports"]] == ["recruiting"]


@pytest.mark.parametrize(
    ("engine", "message"),
    [
        ("mysql", 'is "mysql"; expected sqlite or postgres'),
        ("postgres", 'The spec does not describe engine "postgresql"'),
    ],
)
def test_an_app_s_engine_is_one_its_spec_names(
    engine: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.schemavet.apps.app]\n"
        f'migrations = "{RECRUITING_MIGRATIONS}"\nspec = "{RECRUITING_SPEC}"\nengine = "{engine}"\n'
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = _run("check")
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_engine_goes_with_migrations_and_spec() -> None:
    code, _, err = _run("check", "--engine", "sqlite")
    assert code == 2 and "--engine goes with --migrations and --spec" in err


def test_spec_that_the_migrations_do_not_build(tmp_path: Path) -> None:
    migrations = _migrations(tmp_path, {"0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);"})
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      id: INTEGER PRIMARY KEY\n      name: TEXT\n")
    code, out, _ = _run("check", "--migrations", str(migrations), "--spec", str(spec))
    assert code == 1
    assert f'Column "t.name" is missing from the database ({spec}:5)' in out


def test_failing_migration_is_named(tmp_path: Path) -> None:
    migrations = _migrations(
        tmp_path,
        {
            "0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            "0002.broken.sql": "-- depends: 0001.t\nALTER TABLE missing ADD COLUMN x TEXT;",
        },
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables: {}\n")
    code, _, err = _run("check", "--migrations", str(migrations), "--spec", str(spec))
    assert code == 2
    assert 'Migration "0002.broken" failed to apply' in err and "no such table: missing" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_migrations_directory(tmp_path: Path) -> None:
    code, _, err = _run("check", "--migrations", str(tmp_path / "nope"), "--spec", str(RECRUITING_SPEC))
    assert code == 2
    assert "does not exist" in err


def test_migrations_without_spec_is_a_usage_error() -> None:
    code, _, err = _run("check", "--migrations", str(RECRUITING_MIGRATIONS))
    assert code == 2
    assert "go together" in err


def test_no_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = _run("check")
    assert code == 2
    assert "[tool.schemavet.apps.NAME]" in err


def test_scratch_database_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    check(RECRUITING_MIGRATIONS, RECRUITING_SPEC)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{out}' AS evil;\nCREATE TABLE evil.t (x);\n",
        "-- transactional: false\nCREATE TABLE t (x);\nVACUUM INTO '{out}';\n",
    ],
    ids=["attach", "vacuum into"],
)
def test_migrations_cannot_write_files_from_the_scratch_database(tmp_path: Path, sql: str) -> None:
    import schemavet

    out = tmp_path / "written.db"
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "0001.a.sql").write_text(sql.format(out=out))
    schemavet.write_sum(str(directory))
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      x: ''\n")

    code, _, err = _run("check", "--migrations", str(directory), "--spec", str(spec))

    assert code == 2
    assert "ATTACH and VACUUM INTO write database files" in err and "0001.a" in err
    assert not out.exists()
