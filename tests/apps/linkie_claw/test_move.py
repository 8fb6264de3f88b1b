"""A rehearsal of moving linkie-claw's rows from SQLite into migrations/linkie_claw_pg on a
scratch PostgreSQL: a planted bad row of each kind is reported with its reason, the rest is
copied, and the SQLite file is never written."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.commands.move import rehearse_move
from schemavet.migrations.runner import apply_all
from tests.apps.linkie_claw.conftest import MIGRATIONS
from tests.databases import Databases

POSTGRES = pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)

_ROWS = """
INSERT INTO users (id, name, email, "emailVerified", created_at) VALUES
  ('u_ok', 'Ada', 'ada@example.org', 1767139200, 1767139200),
  ('u_text_time', 'Bob', 'bob@example.org', NULL, '2026-01-01 10:00:00'),
  ('u_bad_time', 'Cy', 'cy@example.org', NULL, 'last tuesday');
INSERT INTO posts (id, user_id, title, content, status, scheduled_at, retry_count, created_at,
  updated_at) VALUES
  ('p_ok', 'u_ok', 'Hello', 'First', 'scheduled', 1767225600, 0, 1767139200, 1767139200),
  ('p_orphan', 'u_gone', 'Lost', 'Owner deleted with foreign keys off', 'draft', NULL, 0, 1, 1),
  ('p_not_a_number', 'u_ok', 'Odd', 'A retry count that is text', 'draft', NULL, 'twice', 1, 1);
INSERT INTO generations (id, user_id, idea, text_variations_json, images_json, created_at) VALUES
  ('g_ok', 'u_ok', 'An idea', '[]', '[]', 1767139200);
INSERT INTO user_settings (id, user_id, linkedin_connected, linkedin_oauth_status, created_at,
  updated_at) VALUES
  ('s_ok', 'u_ok', 1, 'connected', 1767139200, 1767139200);
PRAGMA ignore_check_constraints = ON;
INSERT INTO user_settings (id, user_id, linkedin_connected, created_at, updated_at) VALUES
  ('s_two', 'u_text_time', 2, 1767139200, 1767139200);
"""


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A linkie-claw SQLite database with good rows and one bad row of each kind."""
    path = tmp_path / "linkie.db"
    apply_all(f"sqlite:///{path}", str(MIGRATIONS["sqlite"]))
    conn = sqlite3.connect(path)
    conn.executescript(_ROWS)  # foreign keys off, as the app's older builds ran
    conn.close()
    return path


@POSTGRES
def test_each_bad_row_is_reported_and_the_rest_copied(dialect: Databases, legacy: Path) -> None:
    before = hashlib.sha256(legacy.read_bytes()).hexdigest()
    moves = {m.table: m for m in rehearse_move(str(legacy), str(MIGRATIONS["postgresql"]), "postgresql")}
    assert hashlib.sha256(legacy.read_bytes()).hexdigest() == before  # never written
    users, posts, settings = moves["users"], moves["posts"], moves["user_settings"]
    assert (users.source_rows, users.copied, users.rows_after) == (3, 2, 2)
    assert _reasons(users) == {
        '"created_at" holds text that does not parse as a timestamp': ["id='u_bad_time': 'last tuesday'"]
    }
    assert (settings.source_rows, settings.copied, settings.rows_after) == (2, 1, 1)
    assert _reasons(settings) == {
        '"linkedin_connected" holds a value that is not 0 or 1 (boolean on PostgreSQL)': ["id='s_two': 2"]
    }
    assert (posts.source_rows, posts.copied, posts.rows_after) == (3, 1, 1)
    reasons = _reasons(posts)
    assert reasons[
        'insert or update on table "posts" violates foreign key constraint "posts_user_id_fkey"'
    ] == ["id='p_orphan'"]
    assert any("invalid input syntax for type bigint" in r for r in reasons), reasons
    assert (moves["generations"].copied, moves["accounts"].source_rows) == (1, 0)


@POSTGRES
def test_the_command_exits_1_when_rows_would_not_go_in(dialect: Databases, legacy: Path) -> None:
    args = [
        "rehearse-move",
        "--db",
        str(legacy),
        "--migrations",
        str(MIGRATIONS["postgresql"]),
        "--to",
        "postgresql",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert '"users": 3 rows before, 2 copied, 1 rejected, 2 after' in result.stdout
    assert "5 rows copied, 4 would not go in" in result.stdout


def _reasons(move: object) -> dict[str, list[str]]:
    return {r.reason: r.examples for r in move.rejected.values()}  # type: ignore[attr-defined]
