"""``adopt``: a legacy database of the recruiting fixture (user_version 4, built by the Samsara app's
own pre-yoyo code, tests/fixtures/recruiting/legacy.py) moves to yoyo."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from schemavet import AdoptionRefused, adopt, verify
from schemavet.cli import main
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC, digest, run_sql
from tests.fixtures.recruiting.legacy import init_database

# What the app's users had in their databases before projects existed (version 0) ...
_BEFORE_PROJECTS = """
INSERT INTO cvs (id, file_path, file_name, created_at, updated_at, contact_json, contact_confidence,
                 work_history_json, skills_json, raw_text, parse_confidence, parse_time_ms)
VALUES ('cv-ada', '/cvs/ada.pdf', 'ada.pdf', '2025-01-02T09:00:00.000Z', '2025-01-02T09:00:00.000Z',
        '{"name": "Ada Lovelace", "email": "ada@example.com"}', 0.6,
        '[{"company": "Analytical Engines", "position": "Engineer"}]', '[{"category": "math"}]',
        'Ada Lovelace ...', 0.91, 1200),
       ('cv-alan', '/cvs/alan.docx', 'alan.docx', '2025-01-03T10:00:00.000Z', '2025-01-03T10:00:00.000Z',
        '{"name": "Alan Turing"}', 0.3, NULL, NULL, 'Alan Turing ...', 0.75, NULL);
INSERT INTO job_descriptions (id, title, company, raw_text, required_skills_json, experience_min,
                              created_at, updated_at)
VALUES ('jd-eng', 'Engineer', 'Babbage Ltd', 'We need an engineer', '["math"]', 3,
        '2025-01-04T08:00:00.000Z', '2025-01-04T08:00:00.000Z');
INSERT INTO cv_jd_matches (cv_id, jd_id, match_score, matched_skills_json, calculated_at)
VALUES ('cv-ada', 'jd-eng', 87, '["math"]', '2025-01-04T08:01:00.000Z'),
       ('cv-alan', 'jd-eng', 64, '[]', '2025-01-04T08:01:00.000Z');
"""

# ... and what they added once the app had reached version 4.
_AT_VERSION_4 = """
INSERT INTO projects (id, name, client_name, description, is_archived, created_at, updated_at,
                      is_pinned, pin_order)
VALUES ('p-acme', 'Acme hiring', 'Acme', 'Backend team', 0, '2025-03-01T09:00:00.000Z',
        '2025-03-01T09:00:00.000Z', 1, 1),
       ('p-old', 'Old search', NULL, NULL, 1, '2025-02-01T09:00:00.000Z', '2025-02-01T09:00:00.000Z', 0, 0);
INSERT INTO cvs (id, file_path, file_name, created_at, updated_at, contact_json, contact_confidence,
                 parse_confidence, project_id, status, error_message, processing_started_at)
VALUES ('cv-grace', '/cvs/grace.pdf', 'grace.pdf', '2025-03-02T09:00:00.000Z', '2025-03-02T09:00:00.000Z',
        '{"name": "Grace Hopper"}', 0.3, 0.88, 'p-acme', 'completed', NULL, NULL),
       ('cv-queued', '/cvs/new.pdf', 'new.pdf', '2025-03-03T09:00:00.000Z', '2025-03-03T09:00:00.000Z',
        '{}', 0, 0, 'p-acme', 'queued', NULL, NULL),
       ('cv-failed', '/cvs/bad.pdf', 'bad.pdf', '2025-03-03T09:05:00.000Z', '2025-03-03T09:05:00.000Z',
        '{}', 0, 0, 'p-acme', 'failed', 'could not read PDF', '2025-03-03T09:05:01.000Z');
INSERT INTO job_descriptions (id, title, company, raw_text, created_at, updated_at, project_id,
                              matching_metadata_json)
VALUES ('jd-backend', 'Backend engineer', 'Acme', 'Python, SQL', '2025-03-02T10:00:00.000Z',
        '2025-03-02T10:00:00.000Z', 'p-acme', '{"weights": {"skills": 0.7}}');
INSERT INTO cv_jd_matches (cv_id, jd_id, match_score, calculated_at)
VALUES ('cv-grace', 'jd-backend', 93, '2025-03-02T10:01:00.000Z'),
       ('cv-ada', 'jd-backend', 71, '2025-03-02T10:01:00.000Z');
INSERT INTO usage_events (project_id, event_type, prompt_tokens, completion_tokens, total_tokens, llm_mode,
                          model, created_at)
VALUES ('p-acme', 'cv_extraction', 1000, 200, 1200, 'cloud', 'gpt', '2025-03-02T09:00:00.000Z'),
       ('p-acme', 'jd_extraction', 500, 100, 600, 'local', NULL, '2025-03-02T11:00:00.000Z');
"""


def _run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _with_foreign_keys(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.executescript(sql)
    finally:
        conn.close()


def legacy_recruiting(directory: Path, last_version: int = 4) -> Path:
    """A user's database: started at version 0, used, upgraded by the app to ``last_version``, used."""
    path = directory / "recruiting.db"
    init_database(path, last_version=0)
    _with_foreign_keys(path, _BEFORE_PROJECTS)
    init_database(path, last_version=last_version)
    if last_version == 4:
        _with_foreign_keys(path, _AT_VERSION_4)
    return path


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not row[0].startswith(("sqlite_", "_yoyo", "yoyo", "_schemavet"))
        ]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _applied(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [
            row[0] for row in conn.execute("SELECT migration_id FROM _yoyo_migration ORDER BY migration_id")
        ]
    finally:
        conn.close()


def test_the_legacy_database_is_what_the_app_built(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    rows = _rows(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone() == (4,)
    # the app's version-1 block put the CVs and JDs of version 0 into the Default Project
    assert {r[0]: r[-4] for r in rows["cvs"]}["cv-ada"] == "default-project"
    assert [r[1] for r in rows["projects"] if r[0] == "default-project"] == ["Default Project"]
    assert {r[1]: r[3] for r in rows["usage_daily"]} == {"p-acme": 1800}  # the trigger's roll-up
    assert len(rows["cv_jd_matches"]) == 4


@pytest.mark.parametrize("apply_with", ["schemavet", "yoyo"])
def test_adopt_then_apply_version_5_keeps_every_row(tmp_path: Path, apply_with: str) -> None:
    path = legacy_recruiting(tmp_path)
    before = _rows(path)
    code, out, err = _run(
        "adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--spec", RECRUITING_SPEC
    )
    assert code == 0, out + err
    assert "at user_version 4: marked 5 migrations applied" in out and "pending: 0005.outreach" in out
    assert _applied(path) == [
        "0000.base",
        "0001.projects",
        "0002.cv-queue",
        "0003.usage-tracking",
        "0004.matching-metadata",
    ]
    assert _rows(path) == before  # marking changed no data
    # the app's own code ran those five, not these files: no content hash vouches for them
    assert _recorded_hashes(path) == []
    if apply_with == "schemavet":
        code, out, err = _run("apply", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
        assert code == 0, err
        assert out.strip().endswith(": 0005.outreach, 0006.cv-queue-order")
        assert _recorded_hashes(path) == ["0005.outreach", "0006.cv-queue-order"]
    else:
        from yoyo import get_backend, read_migrations

        backend = get_backend(f"sqlite:///{path}")
        with backend.lock():
            backend.apply_migrations(backend.to_apply(read_migrations(str(RECRUITING_MIGRATIONS))))
        backend.connection.close()
    after = _rows(path)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert set(after) - set(before) == {
        "messages",
        "call_records",
        "transcripts",
        "outreach_templates",
        "outreach_sequences",
        "provider_credentials",
        "ats_mappings",
    }
    report = verify(str(path), RECRUITING_SPEC, RECRUITING_MIGRATIONS)
    assert report.ok, [f.message for f in report.findings]
    assert len(_applied(path)) == 7


def _recorded_hashes(path: Path | str) -> list[str]:
    """The migrations whose content hash the database records, in id order."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "_schemavet_migration_hash" not in tables:
            return []
        return [
            row[0] for row in conn.execute("SELECT migration_id FROM _schemavet_migration_hash ORDER BY 1")
        ]
    finally:
        conn.close()


_DRIFTS = {
    "an index the app never made": "CREATE INDEX idx_cvs_file ON cvs(file_name);",
    "a dropped index": "DROP INDEX idx_cvs_status;",
    "a column added by hand": "ALTER TABLE cvs ADD COLUMN notes TEXT;",
}


@pytest.mark.parametrize("drift", sorted(_DRIFTS))
def test_adopting_a_drifted_database_is_refused_with_its_findings(tmp_path: Path, drift: str) -> None:
    path = legacy_recruiting(tmp_path)
    run_sql(path, _DRIFTS[drift])
    bytes_before = digest(path)
    code, out, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2
    assert "Refusing to adopt" in err and "nothing was marked" in err and len(err.strip().splitlines()) == 1
    expected = {
        "an index the app never made": 'Index "cvs.idx_cvs_file" is in the database, but the migrations',
        "a dropped index": 'Index "cvs.idx_cvs_status" is missing from the database, but the migrations',
        "a column added by hand": 'Column "cvs.notes" is in the database, but the migrations',
    }[drift]
    assert expected in out
    assert "spec" not in out  # no spec was given
    assert "up to 0004.matching-metadata (user_version 4)" in out
    assert digest(path) == bytes_before  # nothing written, not even yoyo's lock table


def test_a_version_the_database_claims_but_does_not_have_is_refused(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path, last_version=3)
    run_sql(path, "PRAGMA user_version = 4")
    with pytest.raises(AdoptionRefused) as raised:
        adopt(str(path), RECRUITING_MIGRATIONS)
    report = raised.value.report
    assert [f.message for f in report.findings] == [
        'Column "job_descriptions.matching_metadata_json" is missing from the database, '
        "but the migrations up to its user_version build it"
    ]


def test_refusal_as_json(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    run_sql(path, "DROP INDEX idx_cvs_status;")
    code, out, _ = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--format", "json")
    assert code == 2
    assert json.loads(out)["findings"][0]["object"] == "cvs.idx_cvs_status"


def test_a_database_yoyo_already_manages_is_refused(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    assert _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)[0] == 0
    code, _, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2
    assert "already has yoyo bookkeeping" in err


def test_a_user_version_beyond_the_migrations_is_refused(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    run_sql(path, "PRAGMA user_version = 9")
    code, _, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2
    assert "user_version 9 is beyond the last version the migrations reach (5)" in err


def test_apply_refuses_a_database_that_was_not_adopted(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    bytes_before = digest(path)
    code, _, err = _run("apply", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2
    assert 'run "schemavet adopt" first' in err
    assert digest(path) == bytes_before


def test_adoption_as_json(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    code, out, _ = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["user_version"] == 4 and document["pending"] == ["0005.outreach", "0006.cv-queue-order"]
    assert len(document["marked"]) == 5


def test_a_spec_the_migrations_do_not_build_refuses_the_adoption(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(RECRUITING_SPEC.read_text().replace("      error_message: TEXT\n", "", 1))
    bytes_before = digest(path)
    code, out, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--spec", spec)
    assert code == 2
    assert 'Column "cvs.error_message" is in the database but not in the spec' in out
    assert "FAIL: 1 difference between the schema the migrations build and " in out
    assert "/scratch" not in out and "schemavet-" not in out  # no deleted temporary path
    assert "do not build the spec" in err
    assert digest(path) == bytes_before


def test_without_declared_versions_the_nth_migration_is_version_n(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001.a.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
    (directory / "0002.b.sql").write_text("-- depends: 0001.a\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n")
    (directory / "0003.c.sql").write_text("-- depends: 0002.b\nCREATE TABLE c (id INTEGER PRIMARY KEY);\n")
    db = tmp_path / "app.db"
    run_sql(db, "CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY);")
    run_sql(db, "PRAGMA user_version = 2")
    adoption = adopt(str(db), directory)
    assert adoption.marked == ("0001.a", "0002.b") and adoption.pending == ("0003.c",)
    # user_version 0: made some other way; its schema says which prefix it has
    unversioned = tmp_path / "unversioned.db"
    run_sql(unversioned, "CREATE TABLE a (id INTEGER PRIMARY KEY);")
    adoption = adopt(str(unversioned), directory)
    assert (adoption.marked, adoption.pending, adoption.found_by) == (
        ("0001.a",),
        ("0002.b", "0003.c"),
        "schema",
    )
    empty = tmp_path / "empty.db"
    run_sql(empty, "CREATE TABLE unrelated (id INTEGER PRIMARY KEY); DROP TABLE unrelated;")
    code, _, err = _run("adopt", "--db", empty, "--migrations", directory)
    assert code == 2 and "there is nothing to adopt" in err


def test_declared_versions_must_increase(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001.a.sql").write_text("-- schemavet: user_version 2\nCREATE TABLE a (id INTEGER);\n")
    (directory / "0002.b.sql").write_text("-- schemavet: user_version 1\nCREATE TABLE b (id INTEGER);\n")
    db = tmp_path / "app.db"
    run_sql(db, "CREATE TABLE a (id INTEGER); PRAGMA user_version = 2;")
    code, _, err = _run("adopt", "--db", db, "--migrations", directory)
    assert code == 2 and "declares user_version 1, not above the 2 declared before it" in err


def _tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()


def test_a_schema_changed_during_the_adoption_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema changes after the check and before the marking: refused, not a byte written."""
    import schemavet.commands.adopt as adoption

    path = legacy_recruiting(tmp_path)
    checked = adoption._refuse_drift
    seen: list[str] = []

    def check_then_change(*args: Any) -> None:
        checked(*args)
        run_sql(path, "CREATE INDEX idx_added_meanwhile ON cvs(file_name);")
        seen.append(digest(path))

    monkeypatch.setattr(adoption, "_refuse_drift", check_then_change)
    code, _, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2 and "changed while it was being adopted; nothing was marked" in err, err
    assert digest(path) == seen[0]  # not even yoyo's lock table or a lock row
    assert not {t for t in _tables(path) if "yoyo" in t}
    code, _, err = _run("apply", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2 and 'run "schemavet adopt" first' in err  # still a legacy database
    monkeypatch.undo()
    run_sql(path, "DROP INDEX idx_added_meanwhile;")
    code, out, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 0, err
    assert len(_applied(path)) == 5


def test_yoyo_tables_without_applied_migrations_are_not_an_adoption(tmp_path: Path) -> None:
    """Only rows in _yoyo_migration say a database was adopted; an empty yoyo_lock does not."""
    from schemavet.migrations.bookkeeping import open_backend

    path = legacy_recruiting(tmp_path)
    open_backend(f"sqlite:///{path}").connection.close()  # what any yoyo command leaves: yoyo_lock
    assert "yoyo_lock" in _tables(path)
    before = digest(path)
    code, _, err = _run("apply", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2 and 'run "schemavet adopt" first' in err
    assert digest(path) == before
    code, out, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 0, err
    assert len(_applied(path)) == 5
    code, _, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2 and "already has yoyo bookkeeping: 5 migrations recorded in _yoyo_migration" in err


def test_a_database_a_yoyo_process_holds_the_lock_of_is_not_adopted(tmp_path: Path) -> None:
    from tests.test_apply import _stale_lock

    path = legacy_recruiting(tmp_path)
    _stale_lock(path, pid=777)
    before = digest(path)
    code, _, err = _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2
    assert (
        "is locked by yoyo (yoyo_lock holds the lock of process 777, taken at 2025-01-02 03:04:05); " in err
    )
    assert "nothing was marked" in err and len(err.strip().splitlines()) == 1
    assert digest(path) == before
