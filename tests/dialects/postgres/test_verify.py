"""Verifying a PostgreSQL database against a spec, end to end on the embedded server."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemavet
import schemavet.cli
from schemavet.errors import DatabaseError
from tests.dialects.postgres.conftest import Database

SCHEMA = """
CREATE TABLE tenants (id text PRIMARY KEY);
CREATE TABLE jobs (
  id serial PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants ON DELETE CASCADE,
  status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  run_at timestamptz NOT NULL DEFAULT now(),
  payload jsonb DEFAULT '{}'
);
CREATE INDEX jobs_pending ON jobs (status, run_at) WHERE status = 'pending';
CREATE INDEX jobs_payload ON jobs USING gin (payload);
"""

SPEC = """
engine: postgresql
tables:
  tenants:
    columns:
      id: text PRIMARY KEY
  jobs:
    columns:
      id: SERIAL PRIMARY KEY
      tenant_id: TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE
      status: VARCHAR(10) NOT NULL DEFAULT 'pending' CHECK (status in ('pending', 'done'))
      run_at: TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
      payload: JSONB DEFAULT '{}'
    indexes:
      jobs_pending: {columns: [status, run_at], where: "status = 'pending'"}
      jobs_payload: {columns: [payload], using: gin}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_a_database_built_as_specified_verifies_clean(pg_database: Database, spec: Path) -> None:
    pg_database.run(SCHEMA)
    report = schemavet.verify(pg_database.url, spec)
    messages = [f"{f.kind} {f.object} {f.attribute}: {f.expected!r} / {f.actual!r}" for f in report.findings]
    # the serial's sequence is the spec side's own (normalizing made it), so nothing is unexpected
    assert messages == []


def test_a_snapshot_verifies_without_a_server_to_print_expressions(
    pg_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot leaves the names PostgreSQL gives out: the text forms already agree, so no
    server is started to print both sides (that costs seconds)."""
    pg_database.run(SCHEMA + "ALTER TABLE jobs ADD CONSTRAINT jobs_status_unique UNIQUE (tenant_id, status);")
    written = tmp_path / "snapshot.yaml"
    schemavet.cli.main(["snapshot", "--db", pg_database.url, "-o", str(written)], standalone_mode=False)
    assert "_pkey" not in written.read_text() and "_fkey" not in written.read_text()

    def no_server() -> None:
        raise AssertionError("a clean verify started a server to print expressions")

    monkeypatch.setattr("schemavet.dialects.postgres.server.shared_postgres_server", no_server)
    report = schemavet.verify(pg_database.url, written)
    assert report.findings == ()


@pytest.mark.parametrize(
    ("drift", "kind", "object_"),
    [
        (
            "ALTER TABLE jobs DROP CONSTRAINT jobs_tenant_id_fkey, "
            "ADD FOREIGN KEY (tenant_id) REFERENCES tenants",
            "changed",
            "jobs.tenant_id",
        ),
        (
            "DROP INDEX jobs_pending; "
            "CREATE INDEX jobs_pending ON jobs (status, run_at) WHERE status = 'done'",
            "changed",
            "jobs.jobs_pending",
        ),
        (
            "DROP INDEX jobs_payload; CREATE INDEX jobs_payload ON jobs (payload)",
            "changed",
            "jobs.jobs_payload",
        ),
        ("ALTER TABLE jobs ALTER COLUMN run_at TYPE timestamp", "changed", "jobs.run_at"),
        ("ALTER TABLE jobs ALTER COLUMN status SET DEFAULT 'done'", "changed", "jobs.status"),
        ("ALTER TABLE jobs ALTER COLUMN run_at DROP NOT NULL", "changed", "jobs.run_at"),
    ],
)
def test_drift_is_a_finding(pg_database: Database, spec: Path, drift: str, kind: str, object_: str) -> None:
    pg_database.run(SCHEMA + drift)
    findings = schemavet.verify(pg_database.url, spec).findings
    assert [(f.kind, f.object) for f in findings] == [(kind, object_)]


def test_an_index_left_invalid_by_a_failed_concurrent_build_is_a_finding(
    pg_database: Database, spec: Path
) -> None:
    pg_database.run(SCHEMA + "DROP INDEX jobs_pending; INSERT INTO tenants VALUES ('a');")
    pg_database.run("INSERT INTO jobs (tenant_id) VALUES ('a'), ('a')")
    with pytest.raises(Exception, match="could not create unique index"):
        pg_database.run(
            "CREATE UNIQUE INDEX CONCURRENTLY jobs_pending ON jobs (status, run_at) WHERE status = 'pending'"
        )
    index = schemavet.inspect(pg_database.url).namespaces["public"].tables["jobs"].indexes["jobs_pending"]
    assert (index.valid, index.unique) == (False, True)
    findings = schemavet.verify(pg_database.url, spec).findings
    assert {(f.object, f.attribute, f.expected, f.actual) for f in findings} >= {
        ("jobs.jobs_pending", "valid", True, False)
    }


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://sv:s3cret-pw@127.0.0.1:1/db",
        "postgresql+psycopg://sv:s3cret-pw@nohost.invalid/db",
        "postgres://sv:s3cret-pw@/no_such_db?host={host}",
        "postgresql://no_such_role:s3cret-pw@/postgres?host={host}",
    ],
)
def test_connection_failures_are_one_sentence_without_the_password(pg_database: Database, url: str) -> None:
    host = pg_database.url.split("host=", 1)[1]
    with pytest.raises(DatabaseError) as raised:
        schemavet.inspect(url.format(host=host))
    message = str(raised.value)
    assert "s3cret-pw" not in message and "***" in message
    assert "\n" not in message and message.startswith("Cannot connect to")


def test_a_report_never_shows_the_password(pg_database: Database, spec: Path) -> None:
    pg_database.run(SCHEMA + "ALTER TABLE jobs ALTER COLUMN status SET DEFAULT 'done'")
    url = pg_database.url.replace("postgresql://", "postgresql://", 1).replace("@", ":s3cret-pw@", 1)
    report = schemavet.verify(url, spec)
    assert not report.ok and "s3cret-pw" not in report.database and ":***@" in report.database


_IMPORTS_OF_A_CLEAN_VERIFY = """
import os, sys
at_fork = []
os.register_at_fork(before=lambda: at_fork.append("schemavet.model" in sys.modules))
import schemavet
from schemavet import forking
forks = forking.can_fork()
report = schemavet.verify(sys.argv[1], sys.argv[2])
assert report.ok, report.findings
print(forks, "psycopg" in sys.modules, "sqlglot" in sys.modules, at_fork == [False])
"""


def test_a_clean_verify_of_a_snapshot_leaves_the_heavy_lifting_out(
    pg_database: Database, tmp_path: Path
) -> None:
    """The catalog is read in a child (the parent never imports psycopg where a child can run),
    forked before the model is imported (its import is no part of the child's way), and tables
    stated alike need no expression parsed (sqlglot is not imported)."""
    import subprocess
    import sys

    from click.testing import CliRunner

    pg_database.run(SCHEMA)
    spec = tmp_path / "snapshot.yaml"
    result = CliRunner().invoke(schemavet.cli.main, ["snapshot", "--db", pg_database.url, "-o", str(spec)])
    assert result.exit_code == 0, result.output
    run = subprocess.run(
        [sys.executable, "-c", _IMPORTS_OF_A_CLEAN_VERIFY, pg_database.url, str(spec)],
        capture_output=True,
        text=True,
        check=True,
    )
    forks, psycopg_imported, sqlglot_imported, forked_first = run.stdout.split()
    assert sqlglot_imported == "False"
    assert psycopg_imported == ("False" if forks == "True" else "True")
    assert forked_first == forks  # one fork, before the model's import, wherever a child can run


@pytest.mark.parametrize(("table", "column"), [("t" * 40, "c" * 40), ("t" * 31, "c" * 30)])
def test_names_the_server_makes_for_long_names_are_the_ones_expected(
    pg_database: Database, tmp_path: Path, table: str, column: str
) -> None:
    """A serial's sequence and a NOT NULL's constraint get names cut to 63 bytes the server's
    way (the longer part first, the columns' part on a tie); a spec that states them verifies."""
    pg_database.run(f"CREATE TABLE {table} ({column} serial PRIMARY KEY, {column}x text NOT NULL)")
    ((sequence, not_null),) = pg_database.query(
        f"SELECT pg_get_serial_sequence('{table}', '{column}'),"
        " (SELECT conname FROM pg_constraint WHERE contype = 'n' AND conkey = '{2}'"
        f"  AND conrelid = '{table}'::regclass)"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"engine: postgresql\ntables:\n  {table}:\n    columns:\n"
        f"      {column}: serial PRIMARY KEY\n"
        f"      {column}x: text CONSTRAINT {not_null} NOT NULL\n"
    )
    report = schemavet.verify(pg_database.url, spec)
    assert report.ok, (sequence, not_null, [f.message for f in report.findings])
