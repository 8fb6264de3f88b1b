"""The CLI contract: snapshot output, JSON findings, exit codes, python -m."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from schemavet.cli import main
from tests.conftest import RECRUITING_SPEC, run_sql


def test_snapshot_to_file_then_verify(recruiting_db: Path, tmp_path: Path) -> None:
    spec = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["snapshot", "--db", str(recruiting_db), "-o", str(spec)])
    assert result.exit_code == 0
    assert spec.read_text().splitlines()[1].startswith("# Written by schemavet snapshot")
    result = CliRunner().invoke(main, ["verify", "--db", str(recruiting_db), "--spec", str(spec)])
    assert result.exit_code == 0
    assert result.stdout.startswith("OK: ")


def test_snapshot_to_stdout(recruiting_db: Path) -> None:
    result = CliRunner().invoke(main, ["snapshot", "--db", f"sqlite:///{recruiting_db}"])
    assert result.exit_code == 0
    assert "  cvs:\n" in result.stdout


def test_json_findings(recruiting_db: Path) -> None:
    run_sql(recruiting_db, "DROP INDEX idx_cvs_status; ALTER TABLE cvs ADD COLUMN notes TEXT;")
    result = CliRunner().invoke(
        main, ["verify", "--db", str(recruiting_db), "--spec", str(RECRUITING_SPEC), "--format", "json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    by_object = {f["object"]: f for f in document["findings"]}
    index = by_object["cvs.idx_cvs_status"]
    assert index["kind"] == "missing" and index["object_type"] == "index"
    assert index["expected"] == {"columns": ["status"], "unique": False, "where": None, "using": None}
    assert index["actual"] is None and index["line"] > 0
    assert index["spec"] == str(RECRUITING_SPEC)
    assert index["message"] == 'Index "cvs.idx_cvs_status" is missing from the database'
    column = by_object["cvs.notes"]
    assert column["kind"] == "unexpected"
    assert column["actual"]["type"] == "TEXT" and column["actual"]["nullable"] is True
    assert set(index) == {
        "kind",
        "object_type",
        "object",
        "attribute",
        "expected",
        "actual",
        "message",
        "spec",
        "line",
    }


def test_python_dash_m(recruiting_db: Path) -> None:
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemavet",
            "verify",
            "--db",
            str(recruiting_db),
            "--spec",
            str(RECRUITING_SPEC),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("OK: ")


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "0.1.0" in result.output
