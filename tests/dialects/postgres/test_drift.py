"""Drift on PostgreSQL, one case each: the spec is the snapshot of a clean database, the drift is
one statement, and ``schemavet verify`` exits 1 with findings that name the object that drifted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from tests.dialects.postgres.conftest import Database, database_from

SCHEMA = """
CREATE SCHEMA app;
CREATE SCHEMA archive;
CREATE TYPE app.status AS ENUM ('new', 'active', 'done');
CREATE TYPE app.priority AS ENUM ('low', 'high', 'urgent');
CREATE TABLE app.tenants (id text PRIMARY KEY);
CREATE TABLE app.jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES app.tenants ON DELETE CASCADE,
  status app.status NOT NULL DEFAULT 'new',
  kind varchar(20) NOT NULL DEFAULT 'mail',
  run_at timestamptz NOT NULL DEFAULT now(),
  payload jsonb,
  CONSTRAINT jobs_tenant_kind UNIQUE (tenant_id, kind, run_at)
);
CREATE INDEX jobs_pending ON app.jobs (run_at) WHERE status = 'new';
CREATE INDEX jobs_payload ON app.jobs USING gin (payload);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN NEW.run_at := now(); RETURN NEW; END $$;
CREATE TRIGGER jobs_touch BEFORE UPDATE ON app.jobs FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_jobs ON app.jobs USING (tenant_id = current_setting('app.tenant', true));
CREATE VIEW app.open_jobs AS SELECT id, tenant_id FROM app.jobs WHERE status <> 'done';
CREATE TABLE app.events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.notes (id text PRIMARY KEY, job_id bigint REFERENCES app.jobs ON DELETE SET NULL);
CREATE INDEX notes_job ON app.notes (job_id);
"""

# (case, the drift, what every finding names, what one finding says)
DRIFTS = [
    (
        "foreign key action changed",
        "ALTER TABLE app.notes DROP CONSTRAINT notes_job_id_fkey, "
        "ADD FOREIGN KEY (job_id) REFERENCES app.jobs ON DELETE CASCADE",
        "app.notes.job_id",
        "CASCADE",
    ),
    (
        "unique constraint dropped",
        "ALTER TABLE app.jobs DROP CONSTRAINT jobs_tenant_kind",
        "app.jobs",
        "nique",
    ),
    (
        "partial predicate changed",
        "DROP INDEX app.jobs_pending; CREATE INDEX jobs_pending ON app.jobs (run_at) WHERE status = 'active'",
        "app.jobs.jobs_pending",
        "active",
    ),
    (
        "GIN index rebuilt as btree",
        "DROP INDEX app.jobs_payload; CREATE INDEX jobs_payload ON app.jobs (payload)",
        "app.jobs.jobs_payload",
        "btree",
    ),
    ("column type changed", "ALTER TABLE app.jobs ALTER kind TYPE varchar(40)", "app.jobs.kind", "40"),
    ("default changed", "ALTER TABLE app.jobs ALTER kind SET DEFAULT 'sms'", "app.jobs.kind", "sms"),
    ("column made nullable", "ALTER TABLE app.jobs ALTER run_at DROP NOT NULL", "app.jobs.run_at", "null"),
    (
        "foreign key NOT VALID",
        "ALTER TABLE app.notes DROP CONSTRAINT notes_job_id_fkey; ALTER TABLE app.notes ADD FOREIGN KEY "
        "(job_id) REFERENCES app.jobs ON DELETE SET NULL NOT VALID",
        "app.notes.job_id",
        "valid",
    ),
    (
        "enum label missing",
        "DROP TYPE app.priority; CREATE TYPE app.priority AS ENUM ('low', 'high')",
        "app.priority",
        "urgent",
    ),
    (
        "row-level security disabled",
        "ALTER TABLE app.jobs DISABLE ROW LEVEL SECURITY",
        "app.jobs",
        "row security",
    ),
    ("policy dropped", "DROP POLICY tenant_jobs ON app.jobs", "app.jobs.tenant_jobs", "missing"),
    ("trigger dropped", "DROP TRIGGER jobs_touch ON app.jobs", "app.jobs.jobs_touch", "missing"),
    (
        "view changed",
        "CREATE OR REPLACE VIEW app.open_jobs AS SELECT id, tenant_id FROM app.jobs WHERE status <> 'new'",
        "app.open_jobs",
        "new",
    ),
    (
        "partition detached",
        "ALTER TABLE app.events DETACH PARTITION app.events_2024",
        "app.events_2024",
        "partition",
    ),
    ("table in the wrong schema", "ALTER TABLE app.notes SET SCHEMA archive", "notes", "archive.notes"),
]


def _verify(url: str, spec: Path) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["verify", "--db", url, "--spec", str(spec), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)["findings"]


@pytest.fixture(scope="module")
def clean(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A database with the clean schema (a template for each test's), and its snapshot as the spec."""
    template = next(databases := database_from(pg_server))
    template.run(SCHEMA)
    spec = tmp_path_factory.mktemp("drift") / "spec.yaml"
    result = CliRunner().invoke(main, ["snapshot", "--db", template.url, "-o", str(spec)])
    assert result.exit_code == 0, result.output
    assert _verify(template.url, spec) == (0, [])
    yield template.name, spec
    next(databases, None)


@pytest.fixture
def pg_database(clean: tuple[str, Path], pg_server: str) -> Iterator[Database]:
    """This test's database: a copy of the clean one."""
    yield from database_from(pg_server, clean[0])


@pytest.fixture
def snapshot_spec(clean: tuple[str, Path]) -> Path:
    """The snapshot of the clean database, as the spec."""
    return clean[1]


@pytest.mark.parametrize(("drift", "names", "says"), [d[1:] for d in DRIFTS], ids=[d[0] for d in DRIFTS])
def test_drift_exits_1_naming_the_object(
    pg_database: Database, snapshot_spec: Path, drift: str, names: str, says: str
) -> None:
    pg_database.run(drift)
    code, findings = _verify(pg_database.url, snapshot_spec)
    assert code == 1
    # a drift may show in more than one place (a trigger dropped leaves its function uncalled)
    assert any(names == f["object"] or names in str(f["object"]) for f in findings), findings
    assert any(says in str(f["message"]) for f in findings), [f["message"] for f in findings]


def test_an_index_left_invalid_by_a_failed_concurrent_build_exits_1(
    pg_database: Database, snapshot_spec: Path
) -> None:
    pg_database.run("DROP INDEX app.jobs_pending; INSERT INTO app.tenants VALUES ('t')")
    pg_database.run(
        "INSERT INTO app.jobs (tenant_id, kind, run_at)"
        " VALUES ('t', 'a', '2024-01-01'), ('t', 'b', '2024-01-01')"
    )
    with pytest.raises(Exception, match="could not create unique index"):
        pg_database.run(
            "CREATE UNIQUE INDEX CONCURRENTLY jobs_pending ON app.jobs (run_at) WHERE status = 'new'"
        )
    code, findings = _verify(pg_database.url, snapshot_spec)
    assert code == 1
    assert {(f["object"], f["attribute"], f["expected"], f["actual"]) for f in findings} >= {
        ("app.jobs.jobs_pending", "valid", True, False)
    }
