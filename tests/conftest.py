"""Shared fixtures: the Samsara database built once from its migrations, copied per test."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from schemavet.migrations.runner import apply_all

ROOT = Path(__file__).resolve().parents[1]
SAMSARA_MIGRATIONS = ROOT / "migrations" / "samsara"
SAMSARA_SPEC = ROOT / "schema" / "samsara.yaml"


@pytest.fixture(scope="session")
def samsara_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Samsara schema built by yoyo from migrations/samsara, once per session."""
    path = tmp_path_factory.mktemp("samsara") / "samsara.db"
    apply_all(f"sqlite:///{path}", str(SAMSARA_MIGRATIONS))
    return path


@pytest.fixture
def samsara_db(samsara_template: Path, tmp_path: Path) -> Path:
    """A private copy of the migrated Samsara database."""
    path = tmp_path / "samsara.db"
    shutil.copyfile(samsara_template, path)
    return path


@pytest.fixture
def make_db(tmp_path: Path) -> Callable[[str, str], Path]:
    """Build a database from an SQL script: ``make_db(sql, name="test.db")``."""

    def make(sql: str, name: str = "test.db") -> Path:
        path = tmp_path / name
        run_sql(path, sql)
        return path

    return make


def run_sql(path: Path, sql: str) -> None:
    """Run a script in autocommit mode with foreign keys off, as a table rebuild needs."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.executescript(sql)
    finally:
        conn.close()


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
