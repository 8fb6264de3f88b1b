"""Foreign-key actions proven by doing them: cases/actions.yaml, the recruiting
fixture, and the CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from schemavet.compare.findings import BEHAVIOUR, UNPROVEN
from schemavet.dialects.sqlite.normalize import normalize_sqlite
from schemavet.dialects.sqlite.prove import prove, prove_copy
from schemavet.dialects.sqlite.scratch import copy_schema
from schemavet.migrations.sums import write_sum
from schemavet.spec.load import load_spec
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC, digest, run_sql

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "actions.yaml").read_text())
_COMPARED = ("kind", "object", "attribute", "expected", "actual")

# messages.cv_id rebuilt without its ON DELETE SET NULL, the rest of the table unchanged
MESSAGES_WITHOUT_SET_NULL = """
CREATE TABLE messages_new (
  id TEXT PRIMARY KEY, project_id TEXT NOT NULL, cv_id TEXT, type TEXT NOT NULL,
  direction TEXT NOT NULL, status TEXT NOT NULL, from_address TEXT,
  to_address TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, template_id TEXT,
  provider_message_id TEXT, error_message TEXT, sent_at TEXT, delivered_at TEXT,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
  FOREIGN KEY (cv_id) REFERENCES cvs(id)
);
INSERT INTO messages_new SELECT * FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX idx_messages_project ON messages(project_id);
CREATE INDEX idx_messages_cv ON messages(cv_id);
"""


def _proof_findings(report: schemavet.Report) -> list[Any]:
    return [f for f in report.findings if f.kind in (BEHAVIOUR, UNPROVEN)]


def _shape(finding: dict[str, Any]) -> dict[str, Any]:
    keys = _COMPARED if finding["kind"] == BEHAVIOUR else _COMPARED[:3]
    return {key: finding.get(key) for key in keys}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_action_case(case: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "case.db"
    run_sql(db, case["schema"])
    declared = tmp_path / "declared.db"
    run_sql(declared, case.get("declared", case["schema"]))
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(declared)))
    before = digest(db)

    findings = _proof_findings(schemavet.verify(str(db), spec, prove_actions=True))

    found = [_shape(f.as_dict()) for f in findings]
    assert sorted(map(repr, found)) == sorted(map(repr, map(_shape, case["findings"]))), [
        f.message for f in findings
    ]
    if "observed" in case:
        for finding, text in zip(findings, case["observed"], strict=True):
            assert text in finding.message, finding.message
    assert all(f.line for f in findings)
    assert digest(db) == before, "the proof must not write to the database it verifies"


def test_recruiting_every_action_holds(recruiting_db: Path) -> None:
    expected = normalize_sqlite(load_spec(RECRUITING_SPEC).schema)
    outcomes = prove_copy(str(recruiting_db), expected)
    declared = sum(len(t.foreign_keys) for t in expected.namespaces["main"].tables.values())
    assert len(outcomes) == 2 * declared == 30
    assert all(o.holds for o in outcomes), [(o.table, o.event, o.observed) for o in outcomes if not o.holds]


def test_recruiting_check_proves_on_its_scratch_database() -> None:
    report = schemavet.check(RECRUITING_MIGRATIONS, RECRUITING_SPEC)
    assert report.ok, [f.message for f in report.findings]


def test_declared_action_not_enforced_is_caught(recruiting_db: Path) -> None:
    run_sql(recruiting_db, MESSAGES_WITHOUT_SET_NULL)
    report = schemavet.verify(str(recruiting_db), RECRUITING_SPEC, prove_actions=True)
    [finding] = _proof_findings(report)
    assert finding.as_dict()["object"] == "messages.cv_id"
    assert (finding.attribute, finding.expected, finding.actual) == ("on_delete", "SET NULL", "NO ACTION")
    assert finding.message.startswith(
        'Foreign key "messages.cv_id" is declared ON DELETE SET NULL, but deleting the "cvs" row'
    )


def test_check_fails_on_a_migration_that_loses_the_action(tmp_path: Path) -> None:
    migrations = tmp_path / "recruiting"
    migrations.mkdir()
    for source in RECRUITING_MIGRATIONS.iterdir():
        text = source.read_text()
        if source.name == "0005.outreach.sql":
            text = text.replace(
                "FOREIGN KEY (cv_id) REFERENCES cvs(id) ON DELETE CASCADE",
                "FOREIGN KEY (cv_id) REFERENCES cvs(id)",
            )
        (migrations / source.name).write_text(text)
    report = schemavet.check(migrations, RECRUITING_SPEC)
    messages = [f.message for f in _proof_findings(report)]
    assert any(
        m.startswith('Foreign key "outreach_sequences.cv_id" is declared ON DELETE CASCADE') for m in messages
    ), messages
    assert schemavet.check(migrations, RECRUITING_SPEC, prove_actions=False).findings == tuple(
        f for f in report.findings if f.kind not in (BEHAVIOUR, UNPROVEN)
    )


def test_cli_prove_actions(recruiting_db: Path, tmp_path: Path) -> None:
    run_sql(recruiting_db, MESSAGES_WITHOUT_SET_NULL)
    listing = sorted(os.listdir(recruiting_db.parent))
    args = ["verify", "--db", f"sqlite:///{recruiting_db}", "--spec", str(RECRUITING_SPEC)]
    plain = CliRunner().invoke(main, args)
    proven = CliRunner().invoke(main, [*args, "--prove-actions"])
    assert plain.exit_code == 1 and "is declared ON DELETE" not in plain.output
    assert proven.exit_code == 1, proven.output
    assert f"(behaves as NO ACTION) ({RECRUITING_SPEC}:" in proven.output
    assert sorted(os.listdir(recruiting_db.parent)) == listing


def test_probes_do_not_see_each_others_rows(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    # a UNIQUE column with a fixed default: a row left behind by one probe would break the next
    run_sql(
        db,
        "CREATE TABLE p (id INTEGER PRIMARY KEY, one TEXT NOT NULL DEFAULT 'x' UNIQUE CHECK (one = 'x'));"
        "CREATE TABLE a (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p ON DELETE CASCADE);"
        "CREATE TABLE b (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p ON DELETE SET NULL);",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(db)))
    report = schemavet.verify(str(db), spec, prove_actions=True)
    assert report.ok, [f.message for f in report.findings]


def test_check_proves_what_the_catalog_cannot_show(tmp_path: Path) -> None:
    # the catalog says CASCADE and the spec agrees; a trigger keeps the parent rows forever
    migrations = tmp_path / "app"
    migrations.mkdir()
    (migrations / "0001.base.sql").write_text(
        "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id) ON DELETE CASCADE);\n"
        "CREATE INDEX ix_b_a ON b(a_id);\n"
        "CREATE TRIGGER keep_a BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'a is kept'); END;\n"
    )
    write_sum(str(migrations))
    built = tmp_path / "built.db"
    run_sql(built, (migrations / "0001.base.sql").read_text())
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(built)))
    args = ["check", "--migrations", str(migrations), "--spec", str(spec)]

    proven = CliRunner().invoke(main, args)
    unproven = CliRunner().invoke(main, [*args, "--no-prove-actions"])

    assert proven.exit_code == 1, proven.output
    assert 'Foreign key "b.a_id" is declared ON DELETE CASCADE' in proven.output
    assert "the delete was refused: a is kept" in proven.output
    assert unproven.exit_code == 0, unproven.output


def test_the_summary_says_what_was_tried(recruiting_db: Path) -> None:
    args = ["verify", "--db", str(recruiting_db), "--spec", str(RECRUITING_SPEC), "--prove-actions"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("(also 16 query plans checked, 30 foreign-key actions tried)")


def test_probes_leave_the_schema_alone(tmp_path: Path) -> None:
    # a schema change rolled back makes SQLite reread the whole schema: made once per probe
    # (a trigger to tell RESTRICT from NO ACTION), it made the proofs quadratic in the tables
    db = tmp_path / "t.db"
    case = next(c for c in CASES if c["name"].startswith("NO ACTION and RESTRICT told apart"))
    run_sql(db, case["schema"])
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(db)))
    conn = copy_schema(str(db))
    conn.execute("PRAGMA foreign_keys = ON")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)

    outcomes = prove(conn, normalize_sqlite(load_spec(spec).schema))

    assert {next(iter(o.behaved_as)) for o in outcomes} == {"RESTRICT", "NO ACTION"}
    first_probe = statements.index("SAVEPOINT schemavet_probe")
    changes = [s for s in statements[first_probe:] if s.split()[0].upper() in ("CREATE", "DROP", "ALTER")]
    assert changes == []
