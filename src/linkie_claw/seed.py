"""Seed data for a migrated linkie-claw database, on either engine: a test user with posts in
every state the scheduler cares about, a generation, and LinkedIn settings.

    python -m linkie_claw.seed sqlite:///linkie.db
    python -m linkie_claw.seed postgresql://user@host/linkie
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from linkie_claw.db import Database

USER_ID = "ckseeduser0000000000000001"  # a cuid2-shaped id, as the app makes them
USER_EMAIL = "seed@linkie-claw.test"

_POSTS = (
    # id, status, scheduled (minutes from now), updated (minutes from now), retry_count
    ("post_due_oldest", "scheduled", -120, -130, 0),
    ("post_due", "scheduled", -5, -60, 2),
    ("post_due_out_of_retries", "scheduled", -30, -40, 3),
    ("post_later", "scheduled", 60, -60, 0),
    ("post_publishing_stuck", "publishing", -20, -10, 1),
    ("post_publishing_now", "publishing", -2, -1, 0),
    ("post_draft", "draft", None, -300, 0),
    ("post_published", "published", -1440, -1430, 0),
)


@dataclass(frozen=True)
class Seeded:
    """What :func:`seed` made."""

    user_id: str
    post_ids: tuple[str, ...]
    generation_id: str
    settings_id: str


def seed(db: Database, now: datetime) -> Seeded:
    """Insert the seed user and their posts, generation and settings, as of ``now``."""
    stamp = db.timestamp
    db.run(
        "INSERT INTO users (id, name, email, created_at) VALUES (?, ?, ?, ?)",
        (USER_ID, "Seed User", USER_EMAIL, stamp(now - timedelta(days=30))),
    )
    for post_id, status, scheduled, updated, retries in _POSTS:
        db.run(
            "INSERT INTO posts (id, user_id, title, content, status, scheduled_at, retry_count, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                post_id,
                USER_ID,
                post_id.replace("_", " ").capitalize(),
                f"Content of {post_id}",
                status,
                None if scheduled is None else stamp(now + timedelta(minutes=scheduled)),
                retries,
                stamp(now - timedelta(days=1)),
                stamp(now + timedelta(minutes=updated)),
            ),
        )
    db.run(
        "INSERT INTO generations (id, user_id, idea, text_variations_json, images_json, "
        "selected_text_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("gen_seed", USER_ID, "Why boring tech wins", '[{"id": "t1", "text": "…"}]', "[]", "t1", stamp(now)),
    )
    db.run(
        "INSERT INTO user_settings (id, user_id, linkedin_profile_url, linkedin_connected, "
        "linkedin_oauth_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            "settings_seed",
            USER_ID,
            "https://www.linkedin.com/in/seed",
            True,
            "connected",
            stamp(now),
            stamp(now),
        ),
    )
    return Seeded(USER_ID, tuple(p[0] for p in _POSTS), "gen_seed", "settings_seed")


def main(argv: list[str]) -> int:
    """Seed the database at the URL given (``sqlite:///path`` or ``postgresql://…``)."""
    if len(argv) != 1:
        print("usage: python -m linkie_claw.seed URL", file=sys.stderr)
        return 2
    from datetime import UTC

    url = argv[0]
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA foreign_keys = ON")
            seed(Database(conn, "sqlite"), datetime.now(UTC))
        return 0
    import psycopg

    with psycopg.connect(url) as conn:
        seed(Database(conn, "postgresql"), datetime.now(UTC))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
