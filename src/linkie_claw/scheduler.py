"""The publisher's scheduler and the settings page: the statements schema/linkie_claw.yaml's
query-plan checks declare, word for word (with ``$1``… for PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from linkie_claw.db import Database

#: A post that failed this many times is left for the user to look at.
MAX_RETRIES = 3
#: A post "publishing" for longer than this was dropped by a worker that died.
STUCK_AFTER = timedelta(minutes=5)

READY_TO_PUBLISH = (
    "SELECT id, user_id, title, content, image_url, scheduled_at, retry_count FROM posts "
    "WHERE status = 'scheduled' AND scheduled_at <= ? AND retry_count < ? "
    "ORDER BY scheduled_at ASC LIMIT ?"
)
STUCK_PUBLISHING = (
    "SELECT id, user_id, retry_count FROM posts WHERE status = 'publishing' AND updated_at < ? ORDER BY id"
)
INCREMENT_RETRY = "UPDATE posts SET retry_count = retry_count + 1, updated_at = ? WHERE id = ?"
GET_SETTINGS = (
    "SELECT user_id, linkedin_profile_url, linkedin_person_urn, linkedin_connected, "
    "linkedin_token_expires_at, linkedin_oauth_status FROM user_settings WHERE user_id = ?"
)
UPSERT_SETTINGS = (
    "INSERT INTO user_settings (id, user_id, linkedin_profile_url, linkedin_person_urn, "
    "linkedin_connected, linkedin_oauth_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET linkedin_profile_url = excluded.linkedin_profile_url, "
    "linkedin_person_urn = excluded.linkedin_person_urn, linkedin_connected = excluded.linkedin_connected, "
    "linkedin_oauth_status = excluded.linkedin_oauth_status, updated_at = excluded.updated_at"
)

#: every statement, by the name of its query-plan check in the spec
QUERIES = {
    "posts_ready_to_publish": READY_TO_PUBLISH,
    "posts_stuck_publishing": STUCK_PUBLISHING,
    "increment_retry_count": INCREMENT_RETRY,
    "get_user_settings": GET_SETTINGS,
    "upsert_user_settings": UPSERT_SETTINGS,
}


@dataclass(frozen=True)
class Settings:
    """A user's LinkedIn settings."""

    user_id: str
    profile_url: str | None
    person_urn: str | None
    connected: bool
    token_expires_at: datetime | None
    oauth_status: str | None


def ready_to_publish(db: Database, now: datetime, limit: int = 10) -> list[str]:
    """Ids of scheduled posts that are due and have retries left, the longest-waiting first."""
    return [row[0] for row in db.rows(READY_TO_PUBLISH, (db.timestamp(now), MAX_RETRIES, limit))]


def stuck_publishing(db: Database, now: datetime) -> list[str]:
    """Ids of posts left "publishing" for longer than :data:`STUCK_AFTER`."""
    return [row[0] for row in db.rows(STUCK_PUBLISHING, (db.timestamp(now - STUCK_AFTER),))]


def increment_retry(db: Database, post_id: str, now: datetime) -> bool:
    """Count one more failed attempt at publishing ``post_id``; False when there is no such post."""
    return db.run(INCREMENT_RETRY, (db.timestamp(now), post_id)) == 1


def get_settings(db: Database, user_id: str) -> Settings | None:
    """The user's settings, or None before the user saved any."""
    rows = db.rows(GET_SETTINGS, (user_id,))
    if not rows:
        return None
    user, url, urn, connected, expires, status = rows[0]
    return Settings(user, url, urn, bool(connected), db.moment(expires), status)


def upsert_settings(db: Database, settings_id: str, settings: Settings, now: datetime) -> None:
    """Save the user's settings: a new row, or the user's one row updated (``settings_id`` unused then)."""
    db.run(
        UPSERT_SETTINGS,
        (
            settings_id,
            settings.user_id,
            settings.profile_url,
            settings.person_urn,
            settings.connected,
            settings.oauth_status,
            db.timestamp(now),
            db.timestamp(now),
        ),
    )
