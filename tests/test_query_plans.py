"""Query-plan checks: cases/plans.yaml, the recruiting fixture's declared
queries, and the spec section's errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from schemavet.compare.findings import PLAN
from schemavet.errors import SpecError
from schemavet.spec.load import load_spec, parse_spec
from tests.conftest import RECRUITING_SPEC, digest, run_sql

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "plans.yaml").read_text())


def _spec_with_queries(db: Path, queries: dict[str, Any], path: Path) -> Path:
    spec = yaml.safe_load(schemavet.snapshot(str(db)))
    spec["queries"] = queries
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_plan_case(case: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    run_sql(db, case["schema"])
    spec = _spec_with_queries(db, case["queries"], tmp_path / "spec.yaml")
    before = digest(db)

    report = schemavet.verify(str(db), spec)

    assert digest(db) == before, "planning must not write to the database"
    found = {f.object: f for f in report.findings}
    assert all(f.kind == PLAN for f in report.findings), [f.message for f in report.findings]
    assert sorted(found) == sorted(case["findings"]), [f.message for f in report.findings]
    for name, text in case["findings"].items():
        assert text in found[name].message, found[name].message
        assert found[name].message.startswith(f'Query "{name}" ')
        assert found[name].line is not None


def test_recruiting_queries_use_their_indexes(recruiting_db: Path) -> None:
    spec = load_spec(RECRUITING_SPEC)
    assert len(spec.queries) >= 16
    report = schemavet.verify(str(recruiting_db), spec)
    assert report.ok, [f.message for f in report.findings]


def test_dropping_the_queue_index_fails_its_query(recruiting_db: Path) -> None:
    run_sql(recruiting_db, "DROP INDEX idx_cvs_status_created_at;")
    code = CliRunner().invoke(main, ["verify", "--db", str(recruiting_db), "--spec", str(RECRUITING_SPEC)])
    assert code.exit_code == 1
    lines = code.output.splitlines()
    [plan] = [line for line in lines if line.startswith('Query "next_queued_cv"')]
    assert "sorts its rows in a temporary B-tree" in plan
    assert 'should use index "idx_cvs_status_created_at", its plan uses "idx_cvs_status"' in plan
    line = next(
        i for i, text in enumerate(RECRUITING_SPEC.read_text().splitlines(), 1) if "next_queued_cv:" in text
    )
    assert plan.endswith(f"({RECRUITING_SPEC}:{line})")


def test_dropping_an_outreach_index_fails_its_look_up(recruiting_db: Path) -> None:
    run_sql(recruiting_db, "DROP INDEX idx_messages_cv;")
    report = schemavet.verify(str(recruiting_db), RECRUITING_SPEC)
    plans = {f.object: f.message for f in report.findings if f.kind == PLAN}
    assert list(plans) == ["messages_of_cv"]
    assert 'scans table "messages" without an index' in plans["messages_of_cv"]


_TABLE = "tables:\n  t:\n    columns: {id: INTEGER PRIMARY KEY, x: TEXT}\n    indexes: {ix: [x]}\n"


@pytest.mark.parametrize(
    ("queries", "line", "message"),
    [
        (
            "queries:\n  q:\n    sql: SELECT 1\n    uses_index: ix\n",
            8,
            'Unknown key "uses_index" in query "q"',
        ),
        ("queries:\n  q:\n    uses: ix\n", 7, 'query "q" has no "sql"'),
        (
            "queries:\n  q: {sql: SELECT x FROM t, uses: nope}\n",
            6,
            'uses index "nope", which the spec does not',
        ),
        ("queries:\n  q: {sql: 'SELECT 1; SELECT 2'}\n", 6, "should be one statement"),
        (
            "queries:\n  q: {sql: SELECT 1, scan: never}\n",
            6,
            '"scan" of query "q" should be "allowed" or "forbidden"',
        ),
        ("queries:\n  q: {sql: 'SELECT (1'}\n", 6, "Cannot read the SQL of query"),
        ("queries: [SELECT 1]\n", 5, '"queries" should be a mapping'),
        ("queries:\n  q:\n    sql: {postgresql: SELECT 1}\n", 7, 'gives no statement for engine "sqlite"'),
    ],
)
def test_spec_errors_name_their_line(queries: str, line: int, message: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(_TABLE + queries, "spec.yaml")
    assert message in str(raised.value)
    assert raised.value.line == line


def test_trailing_semicolon_and_string_semicolons_are_one_statement() -> None:
    spec = parse_spec(_TABLE + "queries:\n  q: \"SELECT x FROM t WHERE x = ';' ;\"\n", "spec.yaml")
    assert spec.queries[0].sql == "SELECT x FROM t WHERE x = ';'"


def test_sql_per_engine() -> None:
    text = _TABLE + "queries:\n  q:\n    sql: {sqlite: SELECT x FROM t, postgresql: SELECT x FROM public.t}\n"
    assert parse_spec(text, "spec.yaml").queries[0].sql == "SELECT x FROM t"
