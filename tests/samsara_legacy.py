"""The Samsara desktop app's own database code before yoyo, as it ran: ``initDatabase()``.

Transcribed from the app's public source (github.com/King-Rizla/Samsara.app, file
src/main/database.ts at commit 34072a5e5996b85f354a0f358137bb00929234e2): the same pragmas, the
same SQL text statement by statement, the same ``PRAGMA table_info`` guards, the same bound
values for the Default Project, in the same order, stopping after the version block the app
release being simulated had (``last_version``). better-sqlite3's ``db.exec`` runs a script, its
``prepare(...).run(...)`` one statement with positional parameters; both are autocommit, which
is what sqlite3 in ``isolation_level=None`` mode does too. (Two long statements are broken
over two lines to fit the line length; SQLite stores the app's tables' text as written, and
the comparison does not depend on white space.)
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path


def _now() -> str:
    """``new Date().toISOString()``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def init_database(path: Path, last_version: int) -> None:
    """Open (or create) the app's database and run its migrations up to ``last_version``."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        _base_schema(db)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for target, block in _BLOCKS:
            if target <= last_version and version < target:
                block(db)
                db.execute(f"PRAGMA user_version = {target}")
        stmt = "INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)"
        db.execute(stmt, ("initialized_at", _now()))
    finally:
        db.close()


def _base_schema(db: sqlite3.Connection) -> None:
    db.executescript("""
      CREATE TABLE IF NOT EXISTS app_meta (
        key TEXT PRIMARY KEY,
        value TEXT
      );
    """)
    db.executescript("""
      CREATE TABLE IF NOT EXISTS cvs (
        id TEXT PRIMARY KEY,
        file_path TEXT NOT NULL,
        file_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- Contact fields with confidence
        contact_json TEXT NOT NULL,
        contact_confidence REAL NOT NULL,
        -- Structured data as JSON (for agent consumption)
        work_history_json TEXT,
        education_json TEXT,
        skills_json TEXT,
        certifications_json TEXT,
        languages_json TEXT,
        other_sections_json TEXT,
        -- Metadata
        raw_text TEXT,
        section_order_json TEXT,
        parse_confidence REAL NOT NULL,
        warnings_json TEXT,
        parse_time_ms INTEGER
      );
    """)
    db.executescript("""
      CREATE TABLE IF NOT EXISTS job_descriptions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        company TEXT,
        raw_text TEXT NOT NULL,
        required_skills_json TEXT,
        preferred_skills_json TEXT,
        experience_min INTEGER,
        experience_max INTEGER,
        education_level TEXT,
        certifications_json TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE IF NOT EXISTS cv_jd_matches (
        cv_id TEXT NOT NULL,
        jd_id TEXT NOT NULL,
        match_score INTEGER NOT NULL,
        matched_skills_json TEXT,
        missing_required_json TEXT,
        missing_preferred_json TEXT,
        calculated_at TEXT NOT NULL,
        PRIMARY KEY (cv_id, jd_id),
        FOREIGN KEY (cv_id) REFERENCES cvs(id) ON DELETE CASCADE,
        FOREIGN KEY (jd_id) REFERENCES job_descriptions(id) ON DELETE CASCADE
      );

      CREATE INDEX IF NOT EXISTS idx_matches_jd ON cv_jd_matches(jd_id);
      CREATE INDEX IF NOT EXISTS idx_matches_score ON cv_jd_matches(jd_id, match_score DESC);
    """)


def _version_1(db: sqlite3.Connection) -> None:
    db.executescript("""
        CREATE TABLE IF NOT EXISTS projects (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          client_name TEXT,
          description TEXT,
          is_archived INTEGER DEFAULT 0,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
      """)
    if "project_id" not in _columns(db, "cvs"):
        db.executescript("ALTER TABLE cvs ADD COLUMN project_id TEXT")
    if "project_id" not in _columns(db, "job_descriptions"):
        db.executescript("ALTER TABLE job_descriptions ADD COLUMN project_id TEXT")
    db.executescript("CREATE INDEX IF NOT EXISTS idx_cvs_project ON cvs(project_id)")
    db.executescript("CREATE INDEX IF NOT EXISTS idx_jds_project ON job_descriptions(project_id)")
    # Create Default Project for orphaned data
    default_project_id = "default-project"
    now = _now()
    db.execute(
        """
        INSERT OR IGNORE INTO projects (id, name, client_name, description, is_archived, created_at,
          updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
      """,
        (default_project_id, "Default Project", None, "Auto-created for existing CVs and JDs", 0, now, now),
    )
    # Migrate existing CVs/JDs to Default Project
    db.executescript("UPDATE cvs SET project_id = 'default-project' WHERE project_id IS NULL")
    db.executescript("UPDATE job_descriptions SET project_id = 'default-project' WHERE project_id IS NULL")


def _version_2(db: sqlite3.Connection) -> None:
    columns = _columns(db, "cvs")
    if "status" not in columns:
        db.executescript("ALTER TABLE cvs ADD COLUMN status TEXT NOT NULL DEFAULT 'completed'")
    if "error_message" not in columns:
        db.executescript("ALTER TABLE cvs ADD COLUMN error_message TEXT")
    if "processing_started_at" not in columns:
        db.executescript("ALTER TABLE cvs ADD COLUMN processing_started_at TEXT")
    db.executescript("CREATE INDEX IF NOT EXISTS idx_cvs_status ON cvs(status)")


def _version_3(db: sqlite3.Connection) -> None:
    db.executescript("""
        CREATE TABLE IF NOT EXISTS usage_events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          project_id TEXT NOT NULL,
          event_type TEXT NOT NULL,
          prompt_tokens INTEGER NOT NULL DEFAULT 0,
          completion_tokens INTEGER NOT NULL DEFAULT 0,
          total_tokens INTEGER NOT NULL DEFAULT 0,
          llm_mode TEXT NOT NULL,
          model TEXT,
          created_at TEXT NOT NULL,
          FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
        );
      """)
    db.executescript("""
        CREATE TABLE IF NOT EXISTS usage_daily (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          project_id TEXT NOT NULL,
          date TEXT NOT NULL,
          total_tokens INTEGER DEFAULT 0,
          request_count INTEGER DEFAULT 0,
          UNIQUE(project_id, date),
          FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
        );
      """)
    db.executescript("""
        CREATE TRIGGER IF NOT EXISTS update_daily_usage
        AFTER INSERT ON usage_events
        BEGIN
          INSERT INTO usage_daily (project_id, date, total_tokens, request_count)
          VALUES (NEW.project_id, DATE(NEW.created_at), NEW.total_tokens, 1)
          ON CONFLICT(project_id, date) DO UPDATE SET
            total_tokens = total_tokens + NEW.total_tokens,
            request_count = request_count + 1;
        END;
      """)
    db.executescript("CREATE INDEX IF NOT EXISTS idx_usage_events_project ON usage_events(project_id)")
    db.executescript(
        "CREATE INDEX IF NOT EXISTS idx_usage_daily_project_date ON usage_daily(project_id, date)"
    )
    columns = _columns(db, "projects")
    if "is_pinned" not in columns:
        db.executescript("ALTER TABLE projects ADD COLUMN is_pinned INTEGER NOT NULL DEFAULT 0")
    if "pin_order" not in columns:
        db.executescript("ALTER TABLE projects ADD COLUMN pin_order INTEGER NOT NULL DEFAULT 0")


def _version_4(db: sqlite3.Connection) -> None:
    if "matching_metadata_json" not in _columns(db, "job_descriptions"):
        db.executescript("ALTER TABLE job_descriptions ADD COLUMN matching_metadata_json TEXT")


_BLOCKS = [(1, _version_1), (2, _version_2), (3, _version_3), (4, _version_4)]
