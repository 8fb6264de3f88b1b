"""Round trip on a real schema: Django's contrib apps migrated into SQLite.

The database is built once per module by running Django's own migrations in a subprocess
(Django settings are process-global), snapshotted to a spec, and then verified against that
spec: clean, and after one hand-made mutation per test on a fresh copy of the file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import schemavet

# django.contrib.messages has no models, so it adds no tables; it is installed to show that.
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.admin",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]

MIGRATE_SCRIPT = """
import sys
import django
from django.conf import settings
from django.core.management import call_command

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
    INSTALLED_APPS=sys.argv[2:],
    USE_TZ=True,
)
django.setup()
call_command("migrate", verbosity=0, interactive=False)
"""

DJANGO_TABLES = {
    "django_migrations",
    "django_content_type",
    "django_admin_log",
    "django_session",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "auth_user",
    "auth_user_groups",
    "auth_user_user_permissions",
}


# --- helpers -------------------------------------------------------------------------------


def run_django_migrate(db: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [sys.executable, "-c", MIGRATE_SCRIPT, str(db), *DJANGO_APPS],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, f"Django migrate failed:\n{proc.stdout}\n{proc.stderr}"


def connect(db: Path) -> sqlite3.Connection:
    """Autocommit, so PRAGMAs and explicit BEGIN/COMMIT in scripts behave as written."""
    return sqlite3.connect(db, isolation_level=None)


def table_names(db: Path) -> set[str]:
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return {name for (name,) in rows}


def index_on(conn: sqlite3.Connection, table: str, columns: list[str]) -> str:
    """The name of the CREATE INDEX index (not an autoindex) on exactly ``columns``."""
    names = [
        name
        for _, name, _, origin, _ in conn.execute(f'PRAGMA index_list("{table}")')
        if origin == "c" and [c for _, _, c in conn.execute(f'PRAGMA index_info("{name}")')] == columns
    ]
    assert len(names) == 1, f"expected one index on {table}{columns}, found {names}"
    return names[0]


def finding_tuples(report: schemavet.Report) -> list[tuple[object, ...]]:
    """What identifies each finding; values only where something changed."""
    return [
        (
            f.kind,
            f.object_type,
            f.object,
            f.attribute,
            *((f.expected, f.actual) if f.kind == "changed" else (None, None)),
        )
        for f in report.findings
    ]


def describe(report: schemavet.Report) -> str:
    return "\n".join(f"  {f!r}\n    -> {f.message}" for f in report.findings) or "  (none)"


def spec_line(spec: Path, table: str, needle: str | None = None) -> int:
    """1-based line of ``  table:`` in the spec, or of the first line after it holding needle."""
    lines = spec.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  {table}:")
    if needle is None:
        return start + 1
    for number, text in enumerate(lines[start + 1 :], start=start + 2):
        if not text.startswith("    "):
            break
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not found under table {table} in {spec}")


# --- mutations: each takes a connection to a fresh copy, returns the expected finding -------

Expected = tuple[tuple[object, ...], Callable[[Path], int]]


def drop_session_expire_date_index(conn: sqlite3.Connection) -> Expected:
    name = index_on(conn, "django_session", ["expire_date"])
    conn.execute(f'DROP INDEX "{name}"')
    return (
        ("missing", "index", f"django_session.{name}", None, None, None),
        lambda spec: spec_line(spec, "django_session", name),
    )


def add_column_to_auth_user(conn: sqlite3.Connection) -> Expected:
    conn.execute('ALTER TABLE "auth_user" ADD COLUMN "nickname" varchar(50) NULL')
    return (
        ("unexpected", "column", "auth_user.nickname", None, None, None),
        lambda spec: spec_line(spec, "auth_user"),
    )


def drop_admin_log_table(conn: sqlite3.Connection) -> Expected:
    conn.execute('DROP TABLE "django_admin_log"')
    return (
        ("missing", "table", "django_admin_log", None, None, None),
        lambda spec: spec_line(spec, "django_admin_log"),
    )


def cascade_auth_user_groups_user_fk(conn: sqlite3.Connection) -> Expected:
    """SQLite's 12-step table rebuild, changing only user_id's FK action to ON DELETE CASCADE."""
    (create_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'auth_user_groups'"
    ).fetchone()
    index_sqls = [
        sql
        for (sql,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'auth_user_groups' "
            "AND sql IS NOT NULL"
        )
    ]
    old_fk = '"user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED'
    new_fk = old_fk.replace('("id") ', '("id") ON DELETE CASCADE ')
    assert create_sql.count(old_fk) == 1, create_sql
    new_sql = create_sql.replace(old_fk, new_fk).replace(
        'CREATE TABLE "auth_user_groups"', 'CREATE TABLE "new__auth_user_groups"', 1
    )
    assert new_sql.startswith('CREATE TABLE "new__auth_user_groups"'), new_sql

    conn.execute("PRAGMA foreign_keys = OFF")
    conn.executescript(
        ";\n".join(
            [
                "BEGIN",
                new_sql,
                'INSERT INTO "new__auth_user_groups" ("id", "user_id", "group_id") '
                'SELECT "id", "user_id", "group_id" FROM "auth_user_groups"',
                'DROP TABLE "auth_user_groups"',
                'ALTER TABLE "new__auth_user_groups" RENAME TO "auth_user_groups"',
                *index_sqls,
                "COMMIT",
            ]
        )
        + ";"
    )
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.execute("PRAGMA foreign_keys = ON")

    rebuilt = {row[3]: row for row in conn.execute('PRAGMA foreign_key_list("auth_user_groups")')}
    assert rebuilt["user_id"][6] == "CASCADE" and rebuilt["group_id"][6] == "NO ACTION"
    return (
        ("changed", "foreign key", "auth_user_groups.user_id", "on_delete", "NO ACTION", "CASCADE"),
        lambda spec: spec_line(spec, "auth_user_groups", "- user_id REFERENCES auth_user"),
    )


MUTATIONS = [
    pytest.param(drop_session_expire_date_index, id="drop-index-django_session.expire_date"),
    pytest.param(add_column_to_auth_user, id="add-column-auth_user.nickname"),
    pytest.param(drop_admin_log_table, id="drop-table-django_admin_log"),
    pytest.param(
        cascade_auth_user_groups_user_fk, id="rebuild-auth_user_groups.user_id-fk-on-delete-cascade"
    ),
]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("django") / "django.sqlite3"
    run_django_migrate(db)
    assert table_names(db) == DJANGO_TABLES
    return db


@pytest.fixture(scope="module")
def spec(migrated_db: Path) -> Path:
    path = migrated_db.with_name("django.yaml")
    path.write_text(schemavet.snapshot(str(migrated_db)), encoding="utf-8")
    return path


@pytest.fixture
def fresh_db(migrated_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "mutated.sqlite3"
    shutil.copyfile(migrated_db, copy)
    return copy


def apply_mutation(mutate: Callable[[sqlite3.Connection], Expected], db: Path) -> Expected:
    conn = connect(db)
    try:
        return mutate(conn)
    finally:
        conn.close()


def mutate_and_verify(
    mutate: Callable[[sqlite3.Connection], Expected], db: Path, spec: Path
) -> tuple[schemavet.Report, Expected]:
    expected = apply_mutation(mutate, db)
    return schemavet.verify(str(db), spec), expected


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemavet", *args], capture_output=True, text=True, timeout=120
    )


# --- tests ---------------------------------------------------------------------------------


def test_snapshot_then_verify_finds_nothing(migrated_db: Path, spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    for table in DJANGO_TABLES:
        assert f"\n  {table}:\n" in text, f"table {table} missing from the snapshot"
    report = schemavet.verify(str(migrated_db), spec)
    assert report.ok and not report.findings, f"clean round trip found:\n{describe(report)}"


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_mutation_is_found(
    mutate: Callable[[sqlite3.Connection], Expected], fresh_db: Path, spec: Path
) -> None:
    report, (finding, _) = mutate_and_verify(mutate, fresh_db, spec)
    assert not report.ok
    assert finding_tuples(report) == [finding], f"expected exactly {finding}, got:\n{describe(report)}"


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_finding_points_at_declaring_spec_line(
    mutate: Callable[[sqlite3.Connection], Expected], fresh_db: Path, spec: Path
) -> None:
    report, (_, line_of) = mutate_and_verify(mutate, fresh_db, spec)
    assert len(report.findings) == 1, describe(report)
    assert report.findings[0].line == line_of(spec), describe(report)


def test_cli_verify_json(migrated_db: Path, fresh_db: Path, spec: Path) -> None:
    clean = run_cli("verify", "--db", f"sqlite:///{migrated_db}", "--spec", str(spec), "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    clean_doc = json.loads(clean.stdout)
    assert clean_doc["ok"] is True and clean_doc["findings"] == []

    apply_mutation(drop_admin_log_table, fresh_db)
    mutated = run_cli("verify", "--db", str(fresh_db), "--spec", str(spec), "--format", "json")
    assert mutated.returncode == 1, mutated.stdout + mutated.stderr
    doc = json.loads(mutated.stdout)
    assert doc["ok"] is False
    assert [(f["kind"], f["object_type"], f["object"]) for f in doc["findings"]] == [
        ("missing", "table", "django_admin_log")
    ], doc["findings"]
