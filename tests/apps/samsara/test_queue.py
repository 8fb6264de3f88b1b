"""The CV queue's data access, against a database migrated from migrations/samsara."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from samsara import queue
from schemavet.spec.load import load_spec
from schemavet.sql.tokens import tokenize
from tests.apps.samsara.conftest import SPEC


@pytest.fixture
def conn(samsara_db: Path) -> Iterator[sqlite3.Connection]:
    """A connection as the app opens one: foreign keys on."""
    connection = sqlite3.connect(samsara_db)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute(
        "INSERT INTO projects (id, name, created_at, updated_at) VALUES "
        "('p1', 'Backend hires', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'), "
        "('p2', 'Sales', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')"
    )
    yield connection
    connection.close()


def _clock() -> queue.Clock:
    ticks = itertools.count(1)
    return lambda: f"2025-03-01T10:00:{next(ticks):02d}.000Z"


def _statuses(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT id, status FROM cvs ORDER BY id"))


def test_insert_queued_cv(conn: sqlite3.Connection) -> None:
    queue.insert_queued_cv(conn, "cv1", "p1", "/cvs/ada.pdf", "ada.pdf", clock=_clock())
    row = conn.execute(
        "SELECT status, project_id, file_path, file_name, created_at, updated_at, contact_json, "
        "error_message, processing_started_at FROM cvs WHERE id = 'cv1'"
    ).fetchone()
    assert row == (
        "queued",
        "p1",
        "/cvs/ada.pdf",
        "ada.pdf",
        "2025-03-01T10:00:01.000Z",
        "2025-03-01T10:00:01.000Z",
        "{}",
        None,
        None,
    )


def test_the_schema_does_not_check_the_project(conn: sqlite3.Connection) -> None:
    # cvs.project_id carries no foreign key (SQLite cannot add one with ALTER TABLE), so the
    # schema accepts it: the function does not pretend otherwise
    queue.insert_queued_cv(conn, "cv1", "nope", "/x.pdf", "x.pdf")
    assert _statuses(conn) == {"cv1": "queued"}


def test_next_queued_cv_is_the_oldest_queued(conn: sqlite3.Connection) -> None:
    clock = _clock()
    assert queue.next_queued_cv(conn) is None
    for cv in ("cv1", "cv2", "cv3"):
        queue.insert_queued_cv(conn, cv, "p1", f"/{cv}.pdf", f"{cv}.pdf", clock=clock)
    queue.update_cv_status(conn, "cv1", queue.PROCESSING, processing_started_at="2025-03-01T10:01:00Z")
    found = queue.next_queued_cv(conn)
    assert found is not None and found.id == "cv2" and found.status == "queued"
    assert found.created_at == "2025-03-01T10:00:02.000Z"


def test_update_status_with_error_and_start_time(conn: sqlite3.Connection) -> None:
    clock = _clock()
    queue.insert_queued_cv(conn, "cv1", "p1", "/a.pdf", "a.pdf", clock=clock)
    queue.update_cv_status(
        conn, "cv1", queue.PROCESSING, processing_started_at="2025-03-01T11:00:00Z", clock=clock
    )
    row = conn.execute("SELECT status, processing_started_at, updated_at FROM cvs").fetchone()
    assert row == ("processing", "2025-03-01T11:00:00Z", "2025-03-01T10:00:02.000Z")
    queue.update_cv_status(conn, "cv1", queue.FAILED, error_message="PDF is encrypted", clock=clock)
    row = conn.execute("SELECT status, error_message, processing_started_at FROM cvs").fetchone()
    assert row == ("failed", "PDF is encrypted", None)


def test_update_status_refuses_unknown_status_and_cv(conn: sqlite3.Connection) -> None:
    queue.insert_queued_cv(conn, "cv1", "p1", "/a.pdf", "a.pdf")
    with pytest.raises(ValueError, match="unknown CV status 'done'"):
        queue.update_cv_status(conn, "cv1", "done")
    with pytest.raises(queue.UnknownCV, match='no CV has id "cv9"'):
        queue.update_cv_status(conn, "cv9", queue.PROCESSING)
    assert _statuses(conn) == {"cv1": "queued"}


def test_complete_processing_stores_the_parsed_data(conn: sqlite3.Connection) -> None:
    clock = _clock()
    queue.insert_queued_cv(conn, "cv1", "p1", "/a.pdf", "a.pdf", clock=clock)
    queue.update_cv_status(conn, "cv1", queue.PROCESSING, processing_started_at="t0", clock=clock)
    parsed = queue.ParsedCV(
        contact_json='{"name": "Ada"}',
        contact_confidence=0.9,
        parse_confidence=0.8,
        skills_json='["SQL"]',
        raw_text="Ada Lovelace",
        parse_time_ms=120,
    )
    queue.complete_processing(conn, "cv1", parsed, clock=clock)
    row = conn.execute(
        "SELECT status, error_message, processing_started_at, contact_json, contact_confidence, "
        "parse_confidence, skills_json, raw_text, parse_time_ms, work_history_json, updated_at FROM cvs"
    ).fetchone()
    assert row == (
        "completed",
        None,
        None,
        '{"name": "Ada"}',
        0.9,
        0.8,
        '["SQL"]',
        "Ada Lovelace",
        120,
        None,
        "2025-03-01T10:00:03.000Z",
    )
    with pytest.raises(queue.UnknownCV):
        queue.complete_processing(conn, "cv9", parsed)


def test_queued_and_processing_cvs_of_a_project(conn: sqlite3.Connection) -> None:
    clock = _clock()
    for cv, project in (("a", "p1"), ("b", "p2"), ("c", "p1"), ("d", "p1"), ("e", "p1")):
        queue.insert_queued_cv(conn, cv, project, f"/{cv}.pdf", f"{cv}.pdf", clock=clock)
    queue.update_cv_status(conn, "c", queue.PROCESSING, processing_started_at="t")
    queue.complete_processing(conn, "d", queue.ParsedCV("{}", 1.0, 1.0))
    queue.update_cv_status(conn, "e", queue.FAILED, error_message="bad file")
    items = queue.queued_and_processing_cvs(conn, "p1")
    assert [(i.id, i.status) for i in items] == [("a", "queued"), ("c", "processing")]
    assert queue.queued_and_processing_cvs(conn, "nobody") == []


def test_reset_stuck_cvs_at_start_up(conn: sqlite3.Connection) -> None:
    for cv in ("a", "b", "c"):
        queue.insert_queued_cv(conn, cv, "p1", f"/{cv}.pdf", f"{cv}.pdf")
    queue.update_cv_status(conn, "a", queue.PROCESSING, processing_started_at="t")
    queue.update_cv_status(conn, "b", queue.PROCESSING, processing_started_at="t")
    assert queue.reset_stuck_cvs(conn) == 2
    assert _statuses(conn) == {"a": "queued", "b": "queued", "c": "queued"}
    assert conn.execute("SELECT count(*) FROM cvs WHERE processing_started_at IS NOT NULL").fetchone()[0] == 0
    assert queue.reset_stuck_cvs(conn) == 0


def test_existing_cvs_read_as_completed(conn: sqlite3.Connection) -> None:
    # CVs that predate the queue (inserted without a status) are completed, never queued
    conn.execute(
        "INSERT INTO cvs (id, file_path, file_name, created_at, updated_at, contact_json, "
        "contact_confidence, parse_confidence) VALUES ('old', '/o.pdf', 'o.pdf', 't', 't', '{}', 1, 1)"
    )
    assert queue.next_queued_cv(conn) is None
    assert queue.reset_stuck_cvs(conn) == 0


def test_now_is_the_apps_iso_format() -> None:
    stamp = queue.now()
    assert len(stamp) == 24 and stamp[10] == "T" and stamp.endswith("Z") and stamp[19] == "."


def _words(sql: str) -> list[str]:
    return [t.text for t in tokenize(sql)]


@pytest.mark.parametrize(
    ("name", "sql"),
    [
        ("next_queued_cv", queue.NEXT_QUEUED),
        ("queued_and_processing_cvs_of_project", queue.QUEUED_AND_PROCESSING),
        ("reset_stuck_cvs", queue.RESET_STUCK),
        ("update_cv_status", queue.UPDATE_STATUS),
        ("complete_cv_processing", queue.COMPLETE_PROCESSING),
    ],
)
def test_the_spec_checks_the_plans_of_the_queries_the_queue_runs(name: str, sql: str) -> None:
    declared = {q.name: q.sql for q in load_spec(SPEC).queries}
    assert _words(declared[name]) == _words(sql)
