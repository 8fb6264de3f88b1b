"""adopt takes over a linkie-claw database the app's own Drizzle migrations made (no yoyo, no
user_version, Drizzle's __drizzle_migrations beside it): it finds the prefix of
migrations/linkie_claw whose schema the database has, marks exactly it, and apply goes on from
there; a drifted database is refused and left byte for byte as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet import check, verify
from schemavet.cli import main
from schemavet.commands.adopt import adopt
from tests.apps.linkie_claw.conftest import MIGRATIONS, SPEC

DRIZZLE_SQL = Path(__file__).with_name("drizzle_0000_pre_multi_user.sql")


@pytest.fixture
def drizzle_db(tmp_path: Path) -> Path:
    """The pre-multi-user database as the app's Drizzle migration made it, with one post."""
    path = tmp_path / "linkie.db"
    conn = sqlite3.connect(path)
    conn.executescript(DRIZZLE_SQL.read_text().replace("--> statement-breakpoint", ""))
    conn.close()
    return path


def test_a_drizzle_database_is_adopted_at_the_prefix_its_schema_has(drizzle_db: Path) -> None:
    adoption = adopt(str(drizzle_db), MIGRATIONS["sqlite"])
    assert (adoption.marked, adoption.pending, adoption.found_by) == (
        ("0000.base",),
        ("0001.multi-user",),
        "schema",
    )
    result = CliRunner().invoke(
        main, ["apply", "--db", str(drizzle_db), "--migrations", str(MIGRATIONS["sqlite"])]
    )
    assert result.exit_code == 0, result.output
    report = verify(str(drizzle_db), SPEC)  # Drizzle's records stay, as migration bookkeeping
    assert report.ok, [f.message for f in report.findings]
    conn = sqlite3.connect(drizzle_db)
    assert conn.execute("SELECT id, user_id FROM posts").fetchall() == [("p1", "legacy_owner")]
    assert conn.execute("SELECT count(*) FROM __drizzle_migrations").fetchone() == (1,)  # left as it was


@pytest.mark.parametrize(
    "drift",
    [
        "ALTER TABLE posts ADD COLUMN pinned INTEGER",
        "DROP TABLE generations",
        "CREATE INDEX posts_by_title ON posts (title)",
    ],
)
def test_a_drifted_database_is_refused_and_left_byte_for_byte(drizzle_db: Path, drift: str) -> None:
    conn = sqlite3.connect(drizzle_db)
    conn.execute(drift)
    conn.close()
    before = hashlib.sha256(drizzle_db.read_bytes()).hexdigest()
    result = CliRunner().invoke(
        main, ["adopt", "--db", str(drizzle_db), "--migrations", str(MIGRATIONS["sqlite"])]
    )
    assert result.exit_code == 2, result.output
    assert "no prefix of the migrations" in result.stderr and "nothing was marked" in result.stderr
    assert hashlib.sha256(drizzle_db.read_bytes()).hexdigest() == before


def test_the_linkie_claw_migrations_still_check() -> None:
    assert check(MIGRATIONS["sqlite"], SPEC, prove_actions=False, engine="sqlite").ok
