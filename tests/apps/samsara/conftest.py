"""The Samsara app as it is now: migrations/samsara, schema/samsara.yaml and its database.

Only the app's own tests read these; the tool's tests use the frozen copy in
tests/fixtures/recruiting, so the app can change its schema without breaking them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.databases import Engines

ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = ROOT / "migrations" / "samsara"
SPEC = ROOT / "schema" / "samsara.yaml"


@pytest.fixture(scope="session")
def samsara_template(engines: Engines) -> Path:
    """The Samsara schema built by yoyo from migrations/samsara, once per session."""
    return engines.sqlite.template(MIGRATIONS)


@pytest.fixture
def samsara_db(samsara_template: Path, tmp_path: Path) -> Path:
    """A private copy of the migrated Samsara database."""
    path = tmp_path / "samsara.db"
    shutil.copyfile(samsara_template, path)
    return path
