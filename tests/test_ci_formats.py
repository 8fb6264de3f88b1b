"""verify and check speak the CI formats lint speaks, pointing at the spec's lines; review
shows each migration's lint findings beside its effect."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC

DROPPED = "idx_cvs_status"


def _spec_line(name: str) -> int:
    """The line of the recruiting spec that declares ``name``."""
    lines = RECRUITING_SPEC.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(name + ":"))


@pytest.fixture
def drifted(recruiting_db: Path) -> Path:
    conn = sqlite3.connect(recruiting_db)
    conn.execute(f"DROP INDEX {DROPPED}")
    conn.commit()
    conn.close()
    return recruiting_db


def _verify(db: Path, fmt: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["verify", "--db", str(db), "--spec", str(RECRUITING_SPEC), "--format", fmt]
    )
    return result.exit_code, result.stdout


def test_github_annotation_points_at_the_spec_line(drifted: Path) -> None:
    code, out = _verify(drifted, "github")
    assert code == 1
    assert out.splitlines() == [
        f"::error file={RECRUITING_SPEC},line={_spec_line(DROPPED)},title=verify/missing::"
        f'Index "cvs.{DROPPED}" is missing from the database%0A'
        "Create it in a migration, or remove it from the spec"
    ]


def test_sarif_result_points_at_the_spec_line(drifted: Path) -> None:
    code, out = _verify(drifted, "sarif")
    assert code == 1
    run = json.loads(out)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (result,) = run["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "verify/missing"
    assert rules[result["ruleIndex"]]["shortDescription"]["text"].startswith("An object the spec declares")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("fixtures/recruiting/spec.yaml")
    assert location["region"] == {"startLine": _spec_line(DROPPED)}


def test_clean_database_gives_no_annotations(recruiting_db: Path) -> None:
    code, out = _verify(recruiting_db, "github")
    assert (code, out) == (0, "")
    code, out = _verify(recruiting_db, "sarif")
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []


def test_check_speaks_sarif_too() -> None:
    app = ["--migrations", str(RECRUITING_MIGRATIONS), "--spec", str(RECRUITING_SPEC)]
    result = CliRunner().invoke(main, ["check", *app, "--format", "sarif"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["runs"][0]["results"] == []


def test_review_shows_each_files_lint_findings_beside_its_effect(tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "0001.a.sql").write_text("CREATE TABLE t (a INT);\n")
    (directory / "0001.a.rollback.sql").write_text("DROP TABLE t;\n")
    (directory / "0002.b.sql").write_text(
        "-- every row needs one\nALTER TABLE t ADD COLUMN b TEXT NOT NULL;\n"
    )
    (directory / "0002.b.rollback.sql").write_text("ALTER TABLE t DROP COLUMN b;\n")

    result = CliRunner().invoke(main, ["review", str(directory)])

    assert result.exit_code == 1, result.output  # SV201 is an error
    first, second = result.stdout.split("\n\n")[:2]
    assert "SV201" not in first
    assert f"{directory / '0002.b.sql'}:2:1 SV201" in second
    assert "+ column t.b TEXT NOT NULL" in second
