"""The CV processing queue: CVs wait as ``queued``, a worker takes the oldest, parses it, done.

Statuses: ``queued`` → ``processing`` (with ``processing_started_at``) → ``completed``, or
``failed`` with an ``error_message``. A CV left ``processing`` when the app stopped is put back
in the queue at start-up. Every function takes an open ``sqlite3`` connection and commits
nothing: the caller owns the transaction (``with conn:``).

The SQL is in module constants, and ``schema/samsara.yaml`` declares the same statements as
query-plan checks, so ``schemavet verify`` proves each one is served by an index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

QUEUED, PROCESSING, COMPLETED, FAILED = "queued", "processing", "completed", "failed"
STATUSES = (QUEUED, PROCESSING, COMPLETED, FAILED)

_ITEM_COLUMNS = (
    "id, project_id, file_path, file_name, status, error_message, processing_started_at, "
    "created_at, updated_at"
)

INSERT_QUEUED = (
    "INSERT INTO cvs (id, project_id, file_path, file_name, status, contact_json, "
    "contact_confidence, parse_confidence, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, 'queued', '{}', 0, 0, ?, ?)"
)
UPDATE_STATUS = (
    "UPDATE cvs SET status = ?, error_message = ?, processing_started_at = ?, updated_at = ? WHERE id = ?"
)
COMPLETE_PROCESSING = (
    "UPDATE cvs SET status = 'completed', error_message = NULL, processing_started_at = NULL, "
    "contact_json = ?, contact_confidence = ?, work_history_json = ?, education_json = ?, "
    "skills_json = ?, certifications_json = ?, languages_json = ?, other_sections_json = ?, "
    "raw_text = ?, section_order_json = ?, parse_confidence = ?, warnings_json = ?, "
    "parse_time_ms = ?, updated_at = ? WHERE id = ?"
)
NEXT_QUEUED = f"SELECT {_ITEM_COLUMNS} FROM cvs WHERE status = 'queued' ORDER BY created_at ASC LIMIT 1"
QUEUED_AND_PROCESSING = (
    f"SELECT {_ITEM_COLUMNS} FROM cvs "
    "WHERE project_id = ? AND status IN ('queued', 'processing') ORDER BY created_at"
)
RESET_STUCK = "UPDATE cvs SET status = 'queued', processing_started_at = NULL WHERE status = 'processing'"

Clock = Callable[[], str]


def now() -> str:
    """The time as the app writes it: ISO 8601 in UTC with milliseconds (``toISOString()``)."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class QueuedCV:
    """A CV as the queue sees it."""

    id: str
    project_id: str | None
    file_path: str
    file_name: str
    status: str
    error_message: str | None
    processing_started_at: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class ParsedCV:
    """What parsing a CV produced; the ``*_json`` fields are JSON text."""

    contact_json: str
    contact_confidence: float
    parse_confidence: float
    work_history_json: str | None = None
    education_json: str | None = None
    skills_json: str | None = None
    certifications_json: str | None = None
    languages_json: str | None = None
    other_sections_json: str | None = None
    raw_text: str | None = None
    section_order_json: str | None = None
    warnings_json: str | None = None
    parse_time_ms: int | None = None


class UnknownCV(LookupError):
    """No CV has the given id."""


def insert_queued_cv(
    conn: sqlite3.Connection, cv_id: str, project_id: str, file_path: str, file_name: str, clock: Clock = now
) -> None:
    """Put a new CV in the queue; its parsed fields stay empty until processing completes."""
    stamp = clock()
    conn.execute(INSERT_QUEUED, (cv_id, project_id, file_path, file_name, stamp, stamp))


def update_cv_status(
    conn: sqlite3.Connection,
    cv_id: str,
    status: str,
    error_message: str | None = None,
    processing_started_at: str | None = None,
    clock: Clock = now,
) -> None:
    """Set a CV's status, with the error (for ``failed``) and the start time (for ``processing``)."""
    if status not in STATUSES:
        raise ValueError(f"unknown CV status {status!r}; expected one of {', '.join(STATUSES)}")
    cursor = conn.execute(UPDATE_STATUS, (status, error_message, processing_started_at, clock(), cv_id))
    _one_row(cursor, cv_id)


def complete_processing(conn: sqlite3.Connection, cv_id: str, parsed: ParsedCV, clock: Clock = now) -> None:
    """Store the parsed data and mark the CV ``completed`` (clearing error and start time)."""
    cursor = conn.execute(
        COMPLETE_PROCESSING,
        (
            parsed.contact_json,
            parsed.contact_confidence,
            parsed.work_history_json,
            parsed.education_json,
            parsed.skills_json,
            parsed.certifications_json,
            parsed.languages_json,
            parsed.other_sections_json,
            parsed.raw_text,
            parsed.section_order_json,
            parsed.parse_confidence,
            parsed.warnings_json,
            parsed.parse_time_ms,
            clock(),
            cv_id,
        ),
    )
    _one_row(cursor, cv_id)


def next_queued_cv(conn: sqlite3.Connection) -> QueuedCV | None:
    """The queued CV that arrived first, or None when the queue is empty."""
    row = conn.execute(NEXT_QUEUED).fetchone()
    return _item(row) if row is not None else None


def queued_and_processing_cvs(conn: sqlite3.Connection, project_id: str) -> list[QueuedCV]:
    """A project's CVs still in the queue or being processed, in arrival order."""
    return [_item(row) for row in conn.execute(QUEUED_AND_PROCESSING, (project_id,))]


def reset_stuck_cvs(conn: sqlite3.Connection) -> int:
    """At start-up, put every CV left ``processing`` back in the queue; how many there were."""
    return conn.execute(RESET_STUCK).rowcount


def _item(row: Any) -> QueuedCV:
    return QueuedCV(*row)


def _one_row(cursor: sqlite3.Cursor, cv_id: str) -> None:
    if cursor.rowcount != 1:
        raise UnknownCV(f'no CV has id "{cv_id}"')
