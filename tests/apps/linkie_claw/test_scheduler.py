"""The scheduler's and the settings page's statements on both engines, over the seeded data, and
their query-plan checks in schema/linkie_claw.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from linkie_claw import scheduler
from linkie_claw.db import postgres_parameters
from linkie_claw.seed import USER_ID, seed
from schemavet import verify
from schemavet.spec.load import load_spec
from tests.apps.linkie_claw.conftest import SPEC, app_database, apply_first
from tests.databases import Database, Databases

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def seeded(dialect: Databases) -> Iterator[tuple[Any, Database]]:
    """A migrated database of the engine with the seed data, and the app's connection to it."""
    database = dialect.make_db()
    apply_first(dialect, database, None)
    db = app_database(database, dialect.name)
    try:
        seed(db, NOW)
        yield db, database
    finally:
        db.conn.close()


def test_ready_to_publish_takes_due_posts_with_retries_left_oldest_first(
    seeded: tuple[Any, Database],
) -> None:
    db, _ = seeded
    assert scheduler.ready_to_publish(db, NOW) == ["post_due_oldest", "post_due"]
    assert scheduler.ready_to_publish(db, NOW, limit=1) == ["post_due_oldest"]
    assert scheduler.ready_to_publish(db, NOW + timedelta(hours=2)) == [
        "post_due_oldest",
        "post_due",
        "post_later",
    ]


def test_posts_stuck_publishing_for_five_minutes(seeded: tuple[Any, Database]) -> None:
    db, _ = seeded
    assert scheduler.stuck_publishing(db, NOW) == ["post_publishing_stuck"]
    assert scheduler.stuck_publishing(db, NOW + timedelta(minutes=7)) == [
        "post_publishing_now",
        "post_publishing_stuck",
    ]


def test_incrementing_retry_count_takes_a_post_out_of_the_queue(seeded: tuple[Any, Database]) -> None:
    db, _ = seeded
    assert scheduler.increment_retry(db, "post_due", NOW)
    assert not scheduler.increment_retry(db, "no_such_post", NOW)
    assert db.rows("SELECT retry_count FROM posts WHERE id = 'post_due'") == [(3,)]
    assert scheduler.ready_to_publish(db, NOW) == ["post_due_oldest"]


def test_get_and_upsert_settings(seeded: tuple[Any, Database]) -> None:
    db, _ = seeded
    settings = scheduler.get_settings(db, USER_ID)
    assert settings is not None and settings.connected and settings.oauth_status == "connected"
    assert scheduler.get_settings(db, "nobody") is None
    changed = scheduler.Settings(USER_ID, None, "urn:li:person:42", False, None, "disconnected")
    scheduler.upsert_settings(db, "unused_new_id", changed, NOW)
    assert scheduler.get_settings(db, USER_ID) == changed
    assert db.rows("SELECT count(*), min(id) FROM user_settings") == [(1, "settings_seed")]


def test_the_plan_checks_pass_on_the_seeded_database(seeded: tuple[Any, Database]) -> None:
    _, database = seeded
    report = verify(database.url, SPEC)
    assert report.ok, [f.message for f in report.findings]
    assert "5 query plans checked" in report.checked


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_the_spec_declares_the_app_s_statements_word_for_word(engine: str) -> None:
    declared = {q.name: q.sql for q in load_spec(SPEC, engine).queries}
    written = {
        name: sql if engine == "sqlite" else postgres_parameters(sql, "$")
        for name, sql in scheduler.QUERIES.items()
    }
    assert declared == written
