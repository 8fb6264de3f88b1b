"""Every drift in cases/drift.yaml is reported, exactly, with exit code 1 from the CLI, on each
dialect the case names (``dialect:``; SQLite when it names none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC, by_dialect
from tests.databases import Database, Databases

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "drift.yaml").read_text())
_COMPARED = ("kind", "object_type", "object", "attribute", "expected", "actual")


def _build(case: dict[str, Any], dialect: Databases, tmp_path: Path) -> tuple[Database, Path]:
    """The case's database before its drift, and the spec it matches."""
    if case.get("base") == "recruiting":
        return dialect.migrated(RECRUITING_MIGRATIONS), RECRUITING_SPEC
    spec = tmp_path / "case.yaml"
    spec.write_text(case["spec"])
    return dialect.make_db(case["schema"]), spec


def _shape(finding: dict[str, Any]) -> dict[str, Any]:
    return {key: finding.get(key) for key in _COMPARED if key in finding or finding["kind"] == "changed"}


@pytest.mark.parametrize(("case", "dialect"), by_dialect(CASES), indirect=["dialect"])
def test_drift_is_reported(case: dict[str, Any], dialect: Databases, tmp_path: Path) -> None:
    db, spec = _build(case, dialect, tmp_path)
    assert schemavet.verify(db.url, spec).ok, "the case's database must match before its drift"
    db.run(case["drift"])

    report = schemavet.verify(db.url, spec)

    found = [
        _shape(
            {
                k: v
                for k, v in f.as_dict().items()
                if k in _COMPARED and (k in ("kind", "object_type", "object") or f.kind == "changed")
            }
        )
        for f in report.findings
    ]
    expected = [_shape(f) for f in case["findings"]]
    assert sorted(map(repr, found)) == sorted(map(repr, expected)), [f.message for f in report.findings]
    assert all(f.line for f in report.findings if f.kind in ("missing", "changed", "policy"))


@pytest.mark.parametrize(("case", "dialect"), by_dialect(CASES[:3]), indirect=["dialect"])
def test_cli_exit_code_is_1_and_names_the_object(
    case: dict[str, Any], dialect: Databases, tmp_path: Path
) -> None:
    db, spec = _build(case, dialect, tmp_path)
    db.run(case["drift"])

    result = CliRunner().invoke(main, ["verify", "--db", db.url, "--spec", str(spec)])

    assert result.exit_code == 1, result.output
    assert f'"{case["findings"][0]["object"]}"' in result.output
    assert f"{spec}:" in result.output
