"""migrations/linkie_claw (SQLite) and migrations/linkie_claw_pg (PostgreSQL) both build
schema/linkie_claw.yaml: check passes on each engine, the sums are current, lint finds nothing,
and the multi-user rebuild keeps the posts and generations that were there."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from schemavet import check
from schemavet.cli import main
from schemavet.migrations.sums import check_sum
from tests.apps.linkie_claw.conftest import MIGRATIONS, ROOT, SPEC, apply_first, fetch
from tests.databases import Databases

#: a post and a generation from before accounts existed, per engine (timestamps differ in type)
_LEGACY_ROWS = {
    "sqlite": (
        "INSERT INTO posts (id, title, content, status, scheduled_at, created_at, updated_at) VALUES "
        "('p1', 'Hello', 'First post', 'scheduled', 1767225600, 1767139200, 1767139200);"
        "INSERT INTO generations (id, idea, text_variations_json, images_json, created_at) VALUES "
        "('g1', 'An idea', '[]', '[]', 1767139200)"
    ),
    "postgresql": (
        "INSERT INTO posts (id, title, content, status, scheduled_at, created_at, updated_at) VALUES "
        "('p1', 'Hello', 'First post', 'scheduled', to_timestamp(1767225600), to_timestamp(1767139200), "
        "to_timestamp(1767139200));"
        "INSERT INTO generations (id, idea, text_variations_json, images_json, created_at) VALUES "
        "('g1', 'An idea', '[]', '[]', to_timestamp(1767139200))"
    ),
}


def test_each_engine_builds_the_one_spec(dialect: Databases) -> None:
    report = check(MIGRATIONS[dialect.name], SPEC, engine=dialect.name)
    assert report.ok, [f.message for f in report.findings]
    assert check_sum(str(MIGRATIONS[dialect.name])) == []


def test_the_migrations_lint_clean(dialect: Databases) -> None:
    result = CliRunner().invoke(main, ["lint", str(MIGRATIONS[dialect.name])])
    assert (result.exit_code, result.stdout.strip()) == (0, "No findings."), result.output


def test_the_rebuild_gives_existing_rows_to_a_seeded_owner(dialect: Databases) -> None:
    database = dialect.make_db()
    apply_first(dialect, database, 1)
    database.run(_LEGACY_ROWS[dialect.name])
    apply_first(dialect, database, None)
    assert fetch(database, "SELECT id, email FROM users") == [("legacy_owner", "owner@linkie-claw.invalid")]
    assert fetch(database, "SELECT id, user_id, title, status, retry_count FROM posts") == [
        ("p1", "legacy_owner", "Hello", "scheduled", 0)
    ]
    assert fetch(database, "SELECT id, user_id, idea FROM generations") == [("g1", "legacy_owner", "An idea")]


def test_an_empty_database_gets_no_owner(dialect: Databases) -> None:
    database = dialect.make_db()
    apply_first(dialect, database, None)
    assert fetch(database, "SELECT count(*) FROM users") == [(0,)]


def test_check_without_arguments_covers_both_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "--format", "json", "--no-prove-actions"])
    document = json.loads(result.stdout)
    reports = {r["app"]: r for r in document["reports"]}
    assert {"linkie_claw", "linkie_claw_pg"} <= set(reports)
    assert reports["linkie_claw"]["ok"] and reports["linkie_claw_pg"]["ok"], result.stdout
