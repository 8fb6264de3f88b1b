"""Schema per tenant: 50 tenant schemas in one database on the embedded server, read in one catalog
read, each compared with the spec's schema; grouped, with the baseline ratchet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from tests.dialects.postgres.conftest import Database

HERE = Path(__file__).parent / "tenant"
SPEC = HERE / "spec.yaml"
SCHEMA = (HERE / "schema.sql").read_text()
HOSTILE = 'tenant_X "Q"'  # a name that needs quotes: nextval('"tenant_X ""Q""".cvs_id_seq')

DRIFTS = {
    "index": (range(10, 14), "DROP INDEX {s}.idx_cvs_status"),
    "on_delete": (
        range(20, 23),
        "ALTER TABLE {s}.cvs DROP CONSTRAINT cvs_project_id_fkey, "
        "ADD CONSTRAINT cvs_project_id_fkey FOREIGN KEY (project_id) REFERENCES {s}.projects (id)",
    ),
    "column": (range(30, 32), "ALTER TABLE {s}.cvs ADD COLUMN note text"),
}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tenant_names() -> list[str]:
    return [f"tenant_{i:02d}" for i in range(49)] + [HOSTILE]


@pytest.fixture
def tenants(pg_database: Database) -> Database:
    """49 plain tenants and one with a hostile name, a drift of three kinds in nine, and another
    app's schema beside them that no pattern names."""
    statements = []
    for name in _tenant_names():
        statements.append(f"CREATE SCHEMA {_quoted(name)}; SET search_path = {_quoted(name)}; {SCHEMA}")
    for numbers, sql in DRIFTS.values():
        statements += [sql.format(s=f"tenant_{i:02d}") for i in numbers]
    statements.append("RESET search_path; CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int)")
    statements.append("CREATE TYPE tenant_05.pair AS (a int, b int)")  # not modelled: a warning
    pg_database.run("\n;".join(statements))
    return pg_database


def _verify(db: Database, *args: str) -> Any:
    return CliRunner().invoke(
        main, ["verify", "--db", db.url, "--schemas", "tenant_*", "--spec", str(SPEC), *args]
    )


def _members(db: Database, numbers: range) -> list[str]:
    return sorted(f"{db.url}#tenant_{i:02d}" for i in numbers)


def test_tenants_grouped(tenants: Database) -> None:
    result = _verify(tenants, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    groups = {tuple(g["members"]): g for g in document["groups"]}
    drifted = {i for numbers, _ in DRIFTS.values() for i in numbers}
    clean = sorted(
        [f"{tenants.url}#tenant_{i:02d}" for i in range(49) if i not in drifted]
        + [f"{tenants.url}#{HOSTILE}"]
    )
    assert [g["count"] for g in document["groups"]] == [41, 4, 3, 2]
    assert groups[tuple(clean)]["findings"] == []
    summaries = {
        kind: groups[tuple(_members(tenants, numbers))]["summary"] for kind, (numbers, _) in DRIFTS.items()
    }
    assert summaries == {
        "index": 'missing index "cvs.idx_cvs_status"',
        "on_delete": 'foreign key "cvs.project_id": on delete differs',
        "column": 'unexpected column "cvs.note"',
    }
    assert document["warnings"] == [
        {
            "message": 'Composite type "public.pair" is in the database, but schemavet does not model it: '
            "it was not compared (--strict makes this a failure)",
            "databases": 1,
        }
    ]
    strict = json.loads(_verify(tenants, "--format", "json", "--strict").stdout)
    assert [g["count"] for g in strict["groups"]] == [40, 4, 3, 2, 1] and "warnings" not in strict
    (changed,) = groups[tuple(_members(tenants, DRIFTS["on_delete"][0]))]["findings"]
    assert changed["message"] == 'Foreign key "cvs.project_id" should be ON DELETE CASCADE, found NO ACTION'


def test_tenant_baseline_ratchet(tenants: Database, tmp_path: Path) -> None:
    baseline = tmp_path / "tenants.json"
    assert _verify(tenants, "--write-baseline", str(baseline)).exit_code == 0
    accepted = _verify(tenants, "--baseline", str(baseline))
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.splitlines()[0] == "50 match"
    tenants.run("DROP INDEX tenant_00.idx_cvs_project")
    drifted = _verify(tenants, "--baseline", str(baseline))
    assert drifted.exit_code == 1
    assert drifted.stdout.splitlines()[0] == '49 match · 1 missing index "cvs.idx_cvs_project"'
    tenants.run("ALTER TABLE tenant_30.cvs DROP COLUMN note")
    repaired = json.loads(_verify(tenants, "--baseline", str(baseline), "--format", "json").stdout)
    assert [(s["finding"]["object"], s["database"]) for s in repaired["stale"]] == [
        ("cvs.note", f"{tenants.url}#tenant_30")
    ]


def test_no_tenant_matches(tenants: Database) -> None:
    result = CliRunner().invoke(
        main, ["verify", "--db", tenants.url, "--schemas", "nobody_*", "--spec", str(SPEC)]
    )
    assert result.exit_code == 2
    assert "No schema of" in result.stderr and "'nobody_*'" in result.stderr


def test_unreachable_database_is_its_own_group(tenants: Database, tmp_path: Path) -> None:
    gone = f"postgresql://app:s3cr3t@/nodb?host={tmp_path}"
    result = CliRunner().invoke(
        main,
        ["verify", "--db", gone, "--db", tenants.url, "--schemas", "tenant_*", "--spec", str(SPEC)],
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("41 match · 4 missing index")
    assert "1 unreadable: cannot connect to the database" in result.stdout
    assert "s3cr3t" not in result.output
