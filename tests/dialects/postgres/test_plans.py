"""Query-plan checks on PostgreSQL: with sequential scans discouraged, the plan says whether an
index can serve a query, even on an empty table; an error names the query; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemavet import verify
from tests.databases import Databases

POSTGRES = pytest.mark.parametrize("dialect", ["postgresql"], indirect=True)
_TABLE = "CREATE TABLE jobs (id bigint PRIMARY KEY, state text NOT NULL, due timestamptz);"
_SPEC = """engine: postgresql
tables:
  jobs:
    columns:
      id: bigint PRIMARY KEY
      state: text NOT NULL
      due: timestamptz
    indexes: {INDEXES}
queries:
  due_jobs:
    sql: SELECT id FROM jobs WHERE state = $1 ORDER BY due LIMIT 10
    uses: jobs_state_idx
  one_job:
    sql: UPDATE jobs SET state = 'done' WHERE id = $1
    uses: primary key
"""


def _spec(tmp_path: Path, indexes: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(_SPEC.replace("{INDEXES}", indexes))
    return str(path)


@POSTGRES
def test_an_index_that_can_serve_the_query_passes_on_an_empty_table(
    dialect: Databases, tmp_path: Path
) -> None:
    db = dialect.make_db(_TABLE + "CREATE INDEX jobs_state_idx ON jobs (state);")
    report = verify(db.url, _spec(tmp_path, "{jobs_state_idx: [state]}"))
    assert report.ok, [f.message for f in report.findings]


@POSTGRES
def test_a_query_no_index_serves_is_a_finding(dialect: Databases, tmp_path: Path) -> None:
    db = dialect.make_db(_TABLE + "CREATE INDEX jobs_state_idx ON jobs (due);")
    report = verify(db.url, _spec(tmp_path, "{jobs_state_idx: [due]}"))
    messages = [f.message for f in report.findings]
    assert len(messages) == 1 and 'Query "due_jobs"' in messages[0], messages
    assert 'scans table "jobs" without an index' in messages[0]


@POSTGRES
def test_a_query_the_server_refuses_is_named(dialect: Databases, tmp_path: Path) -> None:
    db = dialect.make_db(_TABLE + "CREATE INDEX jobs_state_idx ON jobs (state);")
    spec = _spec(tmp_path, "{jobs_state_idx: [state]}")
    Path(spec).write_text(Path(spec).read_text().replace("WHERE id = $1", "WHERE nope = $1"))
    report = verify(db.url, spec)
    assert [f.object for f in report.findings] == ["one_job"]
    assert 'column "nope" does not exist' in report.findings[0].message
