"""The scratch databases lint replays into: statements that never end are stopped."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from schemavet.dialects.postgres.replay import PgReplay
from schemavet.dialects.sqlite.replay import ScratchDatabase
from schemavet.lint import lint_paths
from schemavet.lint.source import Statement
from schemavet.lint.statements import parse_statement

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_sqlite_runaway_statement_is_stopped() -> None:
    scratch = ScratchDatabase(statement_seconds=0.3)
    try:
        start = time.monotonic()
        error = scratch.execute(RUNAWAY)
        assert error is not None and "still running after 0.3 s" in error
        assert time.monotonic() - start < 5
        assert scratch.execute("CREATE TABLE a (x INTEGER)") is None  # the replay goes on
    finally:
        scratch.close()


def test_postgres_statement_error_keeps_the_transaction_going(postgres_url: str) -> None:
    replay = PgReplay(postgres_url)
    try:
        replay.start_file(transactional=True)
        statements = ["CREATE TABLE a (x int)", "INSERT INTO nope VALUES (1)", "CREATE TABLE b (y int)"]
        errors = [
            replay.apply(parse_statement(Statement(i, s, 0, 1, 1), "postgres"))
            for i, s in enumerate(statements)
        ]
        replay.end_file()
        assert errors[0] is None and errors[2] is None
        assert errors[1] is not None and 'relation "nope" does not exist' in errors[1]
        assert replay.tables() == {"a", "b"}
    finally:
        replay.close()


WRITES_FILES = [
    pytest.param(
        "ATTACH DATABASE '{out}' AS evil;\nCREATE TABLE evil.t (x);\nINSERT INTO evil.t VALUES (1);\n",
        1,
        id="attach",
    ),
    pytest.param("-- transactional: false\nCREATE TABLE a (x);\nVACUUM INTO '{out}';\n", 3, id="vacuum-into"),
    pytest.param("ATTACH 'file:{out}?mode=rwc' AS evil;\nCREATE TABLE evil.t (x);\n", 1, id="attach-uri"),
]


@pytest.mark.parametrize(("sql", "line"), WRITES_FILES)
def test_lint_replay_writes_no_file(sql: str, line: int, tmp_path: Path) -> None:
    """Migration SQL cannot write a file through the scratch database; lint says so."""
    out = tmp_path / "written.db"
    migrations = tmp_path / "m"
    migrations.mkdir()
    (migrations / "0001.a.sql").write_text(sql.format(out=out))
    findings = lint_paths([str(migrations)], select=["SV208"])
    assert not out.exists() and not list(tmp_path.glob("written*"))
    refused = [d for d in findings if "ATTACH and VACUUM INTO write database files" in d.message]
    assert [d.line for d in refused] == [line], [d.message for d in findings]


def test_lint_python_migration_writes_no_file(tmp_path: Path) -> None:
    """A Python migration's SQL is replayed by yoyo on a confined connection too."""
    out = tmp_path / "written.db"
    migrations = tmp_path / "m"
    migrations.mkdir()
    (migrations / "0001.a.sql").write_text("CREATE TABLE a (x);\n")
    (migrations / "0002.b.py").write_text(
        f"from yoyo import step\n__depends__ = {{'0001.a'}}\nstep(\"ATTACH DATABASE '{out}' AS evil\")\n"
    )
    findings = lint_paths([str(migrations)], select=["SV208"])
    assert not out.exists()
    assert any("ATTACH and VACUUM INTO" in d.message for d in findings), [d.message for d in findings]


def test_postgres_replay_reads_and_writes_no_file(postgres_url: str, tmp_path: Path) -> None:
    """On the embedded server migrations run as no superuser: file access fails, as SV208."""
    out, ran = tmp_path / "copied.txt", tmp_path / "ran.txt"
    migrations = tmp_path / "m"
    migrations.mkdir()
    (migrations / "0001.a.sql").write_text(
        "CREATE TABLE a (x int);\n"
        f"COPY a TO '{out}';\n"
        f"COPY a FROM PROGRAM 'touch {ran}';\n"
        "SELECT pg_read_file('/etc/hostname');\n"
        "CREATE ROLE app_reader;\n"
        "GRANT SELECT ON a TO app_reader;\n"
    )
    findings = lint_paths([str(migrations)], dialect="postgres", select=["SV208"], postgres_url=postgres_url)
    assert not out.exists() and not ran.exists()
    assert [d.line for d in findings] == [2, 3, 4], [d.message for d in findings]
    assert all("permission denied" in d.message for d in findings)
