"""The scratch databases lint replays into: statements that never end are stopped."""

from __future__ import annotations

import time

from schemavet.lint.pg_replay import PgReplay
from schemavet.lint.source import Statement
from schemavet.lint.sqlite_state import ScratchDatabase
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
