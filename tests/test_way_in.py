"""A newcomer's way in (issue 11): init, snapshot --migrations, status, ignore patterns, sum's
advice. Each test names the stumble it pins."""

from __future__ import annotations

import os
import sqlite3
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import schemavet
from schemavet.cli import main
from schemavet.dialect.url import parse_db_url
from tests.databases import Databases

CUSTOMERS = "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n"
ORDERS = (
    "CREATE TABLE orders (id INTEGER PRIMARY KEY,\n"
    "  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE);\n"
    "CREATE INDEX idx_orders_customer ON orders(customer_id);\n"
)
NOT_NULL_WITHOUT_DEFAULT = "ALTER TABLE customers ADD COLUMN name TEXT NOT NULL;\n"  # SV201


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _project(root: Path, *migrations: str) -> Path:
    directory = root / "migrations" / "shop"
    directory.mkdir(parents=True)
    for number, sql in enumerate(migrations, 1):
        (directory / f"000{number}.step.sql").write_text(sql)
    return directory


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path, CUSTOMERS, ORDERS)
    return tmp_path


# --- init -------------------------------------------------------------------------------------


def test_init_scaffolds_a_project_whose_check_and_lint_pass(project: Path) -> None:
    (project / "pyproject.toml").write_text('# mine\n[project]\nname = "shop"  # kept')  # no final newline
    result = _run("init", "--migrations", "migrations/shop")
    assert result.exit_code == 0, result.output
    text = (project / "pyproject.toml").read_text()
    assert text.startswith('# mine\n[project]\nname = "shop"  # kept\n')  # added to, not rewritten
    assert tomllib.loads(text)["tool"]["schemavet"]["apps"]["shop"] == {
        "migrations": "migrations/shop",
        "spec": os.path.join("schema", "shop.yaml"),
    }
    spec = (project / "schema" / "shop.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=")
    assert (project / "migrations" / "shop" / "schemavet.sum").is_file()
    assert "id: schemavet-lint" in (project / ".pre-commit-config.yaml").read_text()
    workflow = (project / ".github" / "workflows" / "schemavet.yml").read_text()
    assert "schemavet check --format github" in workflow and "schemavet lint" in workflow
    assert _run("check").exit_code == 0
    assert _run("lint", "migrations/shop").exit_code == 0


def test_a_second_init_changes_nothing(project: Path) -> None:
    assert _run("init", "--migrations", "migrations/shop").exit_code == 0
    before = _tree(project)
    again = _run("init", "--migrations", "migrations/shop")
    assert again.exit_code == 0, again.output
    assert _tree(project) == before
    assert "Kept schema" in again.stderr


def test_init_overwrites_no_file(project: Path) -> None:
    (project / "schema").mkdir()
    (project / "schema" / "shop.yaml").write_text("hand: written\n")
    (project / ".pre-commit-config.yaml").write_text("repos: []\n")
    assert _run("init", "--migrations", "migrations/shop").exit_code == 0
    assert (project / "schema" / "shop.yaml").read_text() == "hand: written\n"
    assert (project / ".pre-commit-config.yaml").read_text() == "repos: []\n"


def test_init_refuses_an_app_configured_otherwise_and_writes_nothing(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.schemavet.apps.shop]\nmigrations = "m"\nspec = "s.yaml"\n')
    before = _tree(project)
    result = _run("init", "--migrations", "migrations/shop")
    assert result.exit_code == 2
    assert "[tool.schemavet.apps.shop]" in result.stderr and "Traceback" not in result.output
    assert _tree(project) == before


def test_init_refuses_what_it_cannot_append_and_writes_nothing(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.schemavet]\napps = {shop = {migrations = "m", spec = "s"}}\n'
    )
    result = _run("init", "--migrations", "migrations/shop", "--app", "other")
    assert result.exit_code == 2 and "add these lines by hand" in result.stderr
    assert not (project / "schema").exists()


def test_init_refuses_migrations_with_lint_errors(project: Path) -> None:
    (project / "migrations" / "shop" / "0003.step.sql").write_text(NOT_NULL_WITHOUT_DEFAULT)
    result = _run("init", "--migrations", "migrations/shop")
    assert result.exit_code == 2 and "SV201" in result.stderr
    assert not (project / "pyproject.toml").exists()


# --- snapshot --------------------------------------------------------------------------------


def test_snapshot_from_migrations_verifies_clean(project: Path) -> None:
    result = _run("snapshot", "--migrations", "migrations/shop", "-o", "spec.yaml")
    assert result.exit_code == 0, result.output
    assert "idx_orders_customer" in (project / "spec.yaml").read_text()
    report = schemavet.check(project / "migrations" / "shop", project / "spec.yaml")
    assert [f for f in report.findings if f.kind not in ("unrecorded",)] == []


def test_snapshot_refuses_migrations_with_lint_errors_unless_told(project: Path) -> None:
    (project / "migrations" / "shop" / "0003.step.sql").write_text(NOT_NULL_WITHOUT_DEFAULT)
    refused = _run("snapshot", "--migrations", "migrations/shop", "-o", "spec.yaml")
    assert refused.exit_code == 2
    assert "SV201" in refused.stderr and "--allow-lint-errors" in refused.stderr
    assert not (project / "spec.yaml").exists()
    allowed = _run("snapshot", "--migrations", "migrations/shop", "--allow-lint-errors")
    assert allowed.exit_code == 0 and "name: TEXT NOT NULL" in allowed.stdout


def test_snapshot_output_refuses_an_existing_file_unless_forced(project: Path) -> None:
    (project / "spec.yaml").write_text("# edited by hand\n")
    refused = _run("snapshot", "--migrations", "migrations/shop", "-o", "spec.yaml")
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (project / "spec.yaml").read_text() == "# edited by hand\n"
    forced = _run("snapshot", "--migrations", "migrations/shop", "-o", "spec.yaml", "--force")
    assert forced.exit_code == 0
    assert "customers" in (project / "spec.yaml").read_text()


def test_snapshot_needs_one_source(project: Path) -> None:
    for args in ([], ["--db", "x.db", "--migrations", "migrations/shop"]):
        result = _run("snapshot", *args)
        assert result.exit_code == 2 and "one of --db and --migrations" in result.stderr


# --- status ----------------------------------------------------------------------------------


def test_status_lists_applied_pending_and_edited(project: Path) -> None:
    directory = project / "migrations" / "shop"
    assert _run("apply", "--db", "shop.db", "--migrations", str(directory)).exit_code == 0
    clean = _run("status", "--db", "shop.db", "--migrations", str(directory))
    assert clean.exit_code == 0, clean.output
    assert clean.stdout.count("Applied") == 2
    (directory / "0001.step.sql").write_text(CUSTOMERS + "-- edited after it was applied\n")
    (directory / "0003.step.sql").write_text("CREATE TABLE notes (id INTEGER PRIMARY KEY);\n")
    before = (project / "shop.db").read_bytes()
    result = _run("status", "--db", "shop.db", "--migrations", str(directory), "--format", "json")
    assert result.exit_code == 1
    import json

    states = {m["id"]: m["state"] for m in json.loads(result.stdout)["migrations"]}
    assert states == {"0001.step": "edited", "0002.step": "applied", "0003.step": "pending"}
    assert (project / "shop.db").read_bytes() == before  # read-only


def test_status_of_a_database_yoyo_applied_says_no_hash_was_recorded(project: Path) -> None:
    from yoyo import get_backend, read_migrations

    backend = get_backend(f"sqlite:///{project / 'shop.db'}")
    with backend.lock():
        backend.apply_migrations(backend.to_apply(read_migrations(str(project / "migrations" / "shop"))))
    backend.connection.close()
    result = _run("status", "--db", "shop.db", "--migrations", "migrations/shop")
    assert result.exit_code == 0
    assert "no content hash recorded" in result.stdout


def test_status_bad_input_exits_2(project: Path) -> None:
    missing = _run("status", "--db", "nowhere.db", "--migrations", "migrations/shop")
    assert missing.exit_code == 2 and "nowhere.db" in missing.stderr
    assert not (project / "nowhere.db").exists()
    assert _run("status", "--db", "x.db").exit_code == 2  # no pyproject: pass --migrations


# --- ignore patterns -------------------------------------------------------------------------


FRAMEWORK_TABLES = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY);"
    "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT);"
    "CREATE TABLE alembic_version (version_num TEXT);"
    "CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY);"
    "CREATE TABLE audit_2024 (id INTEGER);"
    "CREATE TABLE Audit_2025 (id INTEGER);"
)
SPEC = "tables:\n  customers:\n    columns: {id: INTEGER PRIMARY KEY}\n"


def _db(path: Path, sql: str) -> str:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.close()
    return str(path)


def _unexpected(report: schemavet.Report) -> set[str]:
    return {f.object for f in report.findings if f.kind == "unexpected"}


def test_framework_bookkeeping_tables_are_never_unexpected(tmp_path: Path) -> None:
    db = _db(tmp_path / "app.db", FRAMEWORK_TABLES)
    (tmp_path / "spec.yaml").write_text(SPEC)
    assert _unexpected(schemavet.verify(db, tmp_path / "spec.yaml")) == {"audit_2024", "Audit_2025"}


def test_ignore_patterns_in_the_spec(tmp_path: Path) -> None:
    db = _db(tmp_path / "app.db", FRAMEWORK_TABLES)
    (tmp_path / "spec.yaml").write_text('ignore: ["audit_*"]\n' + SPEC)
    assert schemavet.verify(db, tmp_path / "spec.yaml").ok  # SQLite names match without case


def test_ignore_patterns_in_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _db(tmp_path / "app.db", FRAMEWORK_TABLES)
    (tmp_path / "spec.yaml").write_text(SPEC)
    (tmp_path / "pyproject.toml").write_text('[tool.schemavet]\nignore = ["audit_202?"]\n')
    assert _run("verify", "--db", "app.db", "--spec", "spec.yaml").exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.schemavet]\nignore = "audit_*"\n')
    result = _run("verify", "--db", "app.db", "--spec", "spec.yaml")
    assert result.exit_code == 2 and "list of strings" in result.stderr


def test_an_ignored_name_the_spec_declares_is_still_compared(tmp_path: Path) -> None:
    db = _db(tmp_path / "app.db", "CREATE TABLE customers (id INTEGER PRIMARY KEY);")
    spec = "ignore: [customers, alembic_version]\n" + SPEC + "  alembic_version:\n    columns: {v: TEXT}\n"
    (tmp_path / "spec.yaml").write_text(spec)
    report = schemavet.verify(db, tmp_path / "spec.yaml")
    assert {(f.kind, f.object) for f in report.findings} == {("missing", "alembic_version")}
    _db(tmp_path / "app.db", "DROP TABLE customers; CREATE TABLE customers (id TEXT PRIMARY KEY);")
    assert not schemavet.verify(db, tmp_path / "spec.yaml").ok


# --- sum ---------------------------------------------------------------------------------------


def test_sum_without_a_pyproject_names_an_option_it_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("sum")
    assert result.exit_code == 2
    advice = result.stderr
    assert "--migrations" in advice and "--spec" not in advice
    assert _run("sum", "--help").exit_code == 0


def test_ignore_patterns_on_every_engine(dialect: Databases, tmp_path: Path) -> None:
    """The matching lives in compare/, for every dialect; a pattern with a dot is schema.table."""
    db = dialect.make_db(
        "CREATE TABLE customers (id INTEGER NOT NULL PRIMARY KEY);"
        "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT);"
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
        "CREATE TABLE tmp_load (id INTEGER);"
    )
    spec = tmp_path / "spec.yaml"
    body = f"engine: {dialect.dialect.name}\n" + SPEC
    spec.write_text(body)
    assert _unexpected(schemavet.verify(db.url, spec)) == {"tmp_load"}
    spec.write_text(f'ignore: ["{dialect.dialect.default_namespace}.tmp_*"]\n' + body)
    assert schemavet.verify(db.url, spec).ok


_DRIZZLE = {
    # SQLite has no schemas: Drizzle keeps its table beside the app's
    "sqlite": "CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash text NOT NULL);",
    "postgresql": "CREATE SCHEMA drizzle;"
    "CREATE TABLE drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL);",
}


def test_drizzles_own_table_is_not_unexpected(dialect: Databases, tmp_path: Path) -> None:
    db = dialect.make_db(
        "CREATE TABLE customers (id INTEGER NOT NULL PRIMARY KEY);" + _DRIZZLE[dialect.dialect.name]
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"engine: {dialect.dialect.name}\n" + SPEC)
    report = schemavet.verify(db.url, spec)
    assert report.ok, [f.message for f in report.findings]


def test_init_for_a_postgresql_app_configures_lint_and_installs_the_extra(tmp_path: Path) -> None:
    from schemavet.commands import scaffold

    (tmp_path / "db" / "crm").mkdir(parents=True)
    (tmp_path / "db" / "crm" / "0001.a.sql").write_text("CREATE TABLE a (id integer PRIMARY KEY);\n")
    project = scaffold.Project(str(tmp_path), "crm", "db/crm", "schema/crm.yaml", "postgresql", "0.1.0")
    planned = {p.path: p.text for p in scaffold.plan(project, lambda: "engine: postgresql\n")}
    config = tomllib.loads(planned["pyproject.toml"] or "")
    assert config["tool"]["schemavet"]["lint"]["dialects"] == {"db/crm": "postgresql"}
    assert 'pip install "schemavet[postgres] @' in (planned[scaffold.WORKFLOW] or "")


def test_status_on_every_engine(dialect: Databases, tmp_path: Path) -> None:
    """yoyo's records read read-only, on SQLite and on PostgreSQL: applied (without a hash where
    yoyo itself applied) and pending."""
    from yoyo import get_backend, read_migrations

    directory = _project(tmp_path, CUSTOMERS, ORDERS)
    db = dialect.make_db()
    location = parse_db_url(db.url).location
    backend = get_backend(dialect.dialect.yoyo_url(location, db.url))
    first = read_migrations(str(directory)).filter(lambda m: m.id == "0001.step")
    with backend.lock():
        backend.apply_migrations(backend.to_apply(first))
    backend.connection.close()
    result = _run("status", "--db", db.url, "--migrations", str(directory), "--format", "json")
    assert result.exit_code == 1, result.output
    import json

    states = {m["id"]: m["state"] for m in json.loads(result.stdout)["migrations"]}
    assert states == {"0001.step": "applied, unhashed", "0002.step": "pending"}
