"""migrations/dripiq lints clean, as PostgreSQL migrations (the project's pyproject.toml says so)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from tests.apps.dripiq.conftest import MIGRATIONS


def test_the_migrations_lint_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MIGRATIONS.parents[1])  # [tool.schemavet.lint.dialects] in the project's pyproject
    result = CliRunner().invoke(main, ["lint", str(MIGRATIONS)])
    assert (result.exit_code, result.stdout.strip()) == (0, "No findings.")
