"""migrations/samsara and schema/samsara.yaml agree: check passes (through the project's own
configuration too), the committed sum is current, lint finds nothing, and the spec is exactly
what the migrations build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import schemavet
from schemavet import check
from schemavet.cli import main
from schemavet.dialects.sqlite.normalize import normalize_sqlite
from schemavet.migrations.sums import check_sum
from tests.apps.samsara.conftest import MIGRATIONS, ROOT, SPEC


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_samsara_passes() -> None:
    report = check(MIGRATIONS, SPEC)
    assert report.ok, [f.message for f in report.findings]


def test_configured_apps_from_pyproject(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "schema")  # found by walking up to the project's pyproject.toml
    code, out, _ = _run("check", "--format", "json")
    assert code == 0, out
    document = json.loads(out)
    assert document["ok"] is True
    assert {"samsara", "dripiq"} <= {r["app"] for r in document["reports"]}


def test_the_committed_samsara_sum_is_current() -> None:
    assert check_sum(str(MIGRATIONS)) == []


def test_the_migrations_lint_clean() -> None:
    code, out, _ = _run("lint", str(MIGRATIONS))
    assert (code, out.strip()) == (0, "No findings.")


def test_samsara_snapshot_equals_the_canonical_spec(samsara_db: Path, tmp_path: Path) -> None:
    spec = tmp_path / "snapshot.yaml"
    spec.write_text(schemavet.snapshot(str(samsara_db)))
    expected = normalize_sqlite(schemavet.load_spec(SPEC).schema)
    assert normalize_sqlite(schemavet.load_spec(spec).schema) == expected
