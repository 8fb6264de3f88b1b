"""``rehearse``: pending migrations applied to a backup copy with foreign keys on, rows counted."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from schemavet import rehearse
from schemavet.cli import main
from schemavet.migrations.runner import apply_all
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC, digest, run_sql
from tests.test_adopt import legacy_recruiting

_DATA = """
INSERT INTO projects (id, name, created_at, updated_at) VALUES ('p1', 'Acme', 'now', 'now');
INSERT INTO cvs (id, file_path, file_name, created_at, updated_at, contact_json, contact_confidence,
                 parse_confidence, project_id)
VALUES ('cv1', '/a.pdf', 'a.pdf', 'now', 'now', '{}', 0.5, 0.9, 'p1'),
       ('cv2', '/b.pdf', 'b.pdf', 'now', 'now', '{}', 0.5, 0.9, 'p1');
INSERT INTO job_descriptions (id, title, raw_text, created_at, updated_at, project_id)
VALUES ('jd1', 'Engineer', 'text', 'now', 'now', 'p1');
INSERT INTO cv_jd_matches (cv_id, jd_id, match_score, calculated_at)
VALUES ('cv1', 'jd1', 80, 'now'), ('cv2', 'jd1', 70, 'now');
INSERT INTO outreach_sequences (id, project_id, cv_id, status, steps_json, created_at)
VALUES ('s1', 'p1', 'cv1', 'active', '[]', 'now');
INSERT INTO messages (id, project_id, cv_id, type, direction, status, to_address, body, created_at)
VALUES ('m1', 'p1', 'cv1', 'email', 'outbound', 'sent', 'a@example.com', 'Hello', 'now');
"""

# The classic SQLite table rebuild (create, copy, drop, rename) of the parent table "cvs":
# harmless with yoyo's foreign keys off, but with them on the DROP deletes every row of cvs
# first, and ON DELETE CASCADE takes the matches and outreach sequences with it.
_REBUILD_CVS = """-- depends: 0006.cv-queue-order
CREATE TABLE cvs_new (
  id TEXT PRIMARY KEY, file_path TEXT NOT NULL, file_name TEXT NOT NULL, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, contact_json TEXT NOT NULL, contact_confidence REAL NOT NULL,
  work_history_json TEXT, education_json TEXT, skills_json TEXT, certifications_json TEXT,
  languages_json TEXT, other_sections_json TEXT, raw_text TEXT, section_order_json TEXT,
  parse_confidence REAL NOT NULL, warnings_json TEXT, parse_time_ms INTEGER, project_id TEXT,
  status TEXT NOT NULL DEFAULT 'completed', error_message TEXT, processing_started_at TEXT
);
INSERT INTO cvs_new SELECT * FROM cvs;
DROP TABLE cvs;
ALTER TABLE cvs_new RENAME TO cvs;
CREATE INDEX idx_cvs_project ON cvs(project_id);
CREATE INDEX idx_cvs_status ON cvs(status);
CREATE INDEX idx_cvs_status_created_at ON cvs(status, created_at);
"""


def _run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _migrations_with(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "migrations"
    shutil.copytree(RECRUITING_MIGRATIONS, directory)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


@pytest.fixture
def filled_recruiting(recruiting_db: Path) -> Path:
    run_sql(recruiting_db, _DATA)
    return recruiting_db


def test_a_cascade_in_a_table_rebuild_is_a_warning_and_the_original_is_untouched(
    filled_recruiting: Path, tmp_path: Path
) -> None:
    """apply runs yoyo's connections with foreign keys off, so the rebuild keeps the children;
    the rehearsal applies it the same way and warns what foreign keys on would have done."""
    migrations = _migrations_with(tmp_path, {"0007.rebuild-cvs.sql": _REBUILD_CVS})
    before = digest(filled_recruiting)
    listing = sorted(os.listdir(filled_recruiting.parent))
    code, out, err = _run(
        "rehearse", "--db", filled_recruiting, "--migrations", migrations, "--spec", RECRUITING_SPEC
    )
    assert code == 0, out + err
    assert "Applied to a copy of" in out and "0007.rebuild-cvs" in out
    assert (
        'warning: Table "cv_jd_matches" would lose 2 of 2 rows through ON DELETE CASCADE '
        "if foreign keys are on (migration 0007.rebuild-cvs)"
    ) in out
    assert 'warning: Table "outreach_sequences" would lose 1 of 1 rows through ON DELETE CASCADE' in out
    assert (
        'warning: Column "messages.cv_id" would lose 1 of its 1 references through ON DELETE SET NULL' in out
    )
    assert " lost " not in out
    assert "OK: " in out  # the rebuilt schema still matches the spec: only the data suffered
    assert digest(filled_recruiting) == before
    assert sorted(os.listdir(filled_recruiting.parent)) == listing  # no -wal, -shm or journal left


def test_the_rebuild_done_right_keeps_every_row(filled_recruiting: Path, tmp_path: Path) -> None:
    """SQLite's documented fix, foreign keys off around the rebuild, works only outside a transaction."""
    fixed = _REBUILD_CVS.replace(
        "-- depends: 0006.cv-queue-order\n",
        "-- depends: 0006.cv-queue-order\n-- transactional: false\nPRAGMA foreign_keys = OFF;\n",
    )
    migrations = _migrations_with(tmp_path, {"0007.rebuild-cvs.sql": fixed + "PRAGMA foreign_keys = ON;\n"})
    rehearsal = rehearse(str(filled_recruiting), migrations, RECRUITING_SPEC)
    assert rehearsal.ok and not rehearsal.warnings, [f.message for f in rehearsal.findings]
    in_a_transaction = _REBUILD_CVS.replace(
        "\nCREATE TABLE cvs_new", "\nPRAGMA foreign_keys = OFF;\nCREATE TABLE cvs_new"
    )
    migrations = _migrations_with(tmp_path / "b", {"0007.rebuild-cvs.sql": in_a_transaction})
    # the pragma is a no-op in yoyo's transaction: with foreign keys on, the children would go
    assert rehearse(str(filled_recruiting), migrations).warnings


def test_the_same_migration_loses_nothing_with_yoyos_foreign_keys_off(
    filled_recruiting: Path, tmp_path: Path
) -> None:
    """What makes the rehearsal different from a plain yoyo apply: foreign keys are enforced."""
    migrations = _migrations_with(tmp_path, {"0007.rebuild-cvs.sql": _REBUILD_CVS})
    apply_all(f"sqlite:///{filled_recruiting}", str(migrations))
    conn = sqlite3.connect(filled_recruiting)
    assert conn.execute("SELECT count(*) FROM cv_jd_matches").fetchone() == (2,)
    conn.close()


def test_a_rehearsal_that_keeps_every_row(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    assert _run("adopt", "--db", path, "--migrations", RECRUITING_MIGRATIONS)[0] == 0
    rehearsal = rehearse(str(path), RECRUITING_MIGRATIONS, RECRUITING_SPEC)
    assert rehearsal.ok, [f.message for f in rehearsal.findings]
    assert rehearsal.applied == ("0005.outreach", "0006.cv-queue-order")
    counts = {t.table: (t.before, t.after) for t in rehearsal.tables}
    assert counts["cvs"] == (5, 5) and counts["cv_jd_matches"] == (4, 4)
    assert counts["messages"] == (None, 0)
    assert rehearsal.verification is not None and rehearsal.verification.ok
    code, out, _ = _run("rehearse", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["ok"] is True and document["applied"] == ["0005.outreach", "0006.cv-queue-order"]


def test_foreign_key_violations_in_the_data_are_reported(filled_recruiting: Path, tmp_path: Path) -> None:
    run_sql(
        filled_recruiting, "INSERT INTO cv_jd_matches VALUES ('ghost', 'jd1', 1, NULL, NULL, NULL, 'now');"
    )
    migrations = _migrations_with(tmp_path, {"0007.noop.sql": "-- depends: 0006.cv-queue-order\nSELECT 1;"})
    rehearsal = rehearse(str(filled_recruiting), migrations)
    assert [f.message for f in rehearsal.findings] == [
        'Table "cv_jd_matches" row 3 refers to a row of "cvs" that does not exist (foreign_key_check)'
    ]
    assert not rehearsal.ok


def test_progress_is_reported_in_steps(filled_recruiting: Path, tmp_path: Path) -> None:
    steps: list[tuple[int, int]] = []
    rehearse(
        str(filled_recruiting),
        RECRUITING_MIGRATIONS,
        progress=lambda done, total: steps.append((done, total)),
        pages_per_step=2,
    )
    total = steps[-1][1]
    assert total > 4 and steps[-1] == (total, total)
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    assert len(steps) >= total // 2


def test_a_migration_that_fails_on_the_data_is_an_input_error(
    filled_recruiting: Path, tmp_path: Path
) -> None:
    bad = "-- depends: 0006.cv-queue-order\nCREATE UNIQUE INDEX one_match_per_jd ON cv_jd_matches(jd_id);"
    migrations = _migrations_with(tmp_path, {"0007.unique.sql": bad})
    before = digest(filled_recruiting)
    code, _, err = _run("rehearse", "--db", filled_recruiting, "--migrations", migrations)
    assert code == 2
    assert 'Migration "0007.unique" failed to apply' in err and "UNIQUE constraint failed" in err
    assert digest(filled_recruiting) == before


def test_keep_leaves_the_rehearsed_copy(filled_recruiting: Path, tmp_path: Path) -> None:
    migrations = _migrations_with(tmp_path, {"0007.rebuild-cvs.sql": _REBUILD_CVS})
    kept = tmp_path / "rehearsed.db"
    code, _, _ = _run("rehearse", "--db", filled_recruiting, "--migrations", migrations, "--keep", kept)
    assert code == 0
    conn = sqlite3.connect(kept)
    assert conn.execute("SELECT count(*) FROM cv_jd_matches").fetchone() == (2,)  # as apply leaves it
    conn.close()
    code, _, err = _run(
        "rehearse", "--db", filled_recruiting, "--migrations", migrations, "--keep", filled_recruiting
    )
    assert code == 2 and "over the database itself" in err


def test_a_missing_database_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = _run("rehearse", "--db", tmp_path / "nope.db", "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "nope.db").exists()


def test_the_whole_switch_of_a_legacy_database_rehearsed(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    before = digest(path)
    code, out, err = _run(
        "rehearse", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--spec", RECRUITING_SPEC, "--adopt"
    )
    assert code == 0, out + err
    assert out.startswith("Adopted the copy: marked 0000.base, 0001.projects, ")
    assert "Applied to a copy of" in out and ": 0005.outreach, 0006.cv-queue-order" in out
    assert digest(path) == before


def test_a_legacy_database_needs_adopt(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    code, _, err = _run("rehearse", "--db", path, "--migrations", RECRUITING_MIGRATIONS)
    assert code == 2
    assert (
        "is at user_version 4 with no migration recorded by yoyo; rehearse its adoption too, with --adopt"
        in err
    )


def test_rehearsing_the_adoption_of_a_drifted_database_is_refused(tmp_path: Path) -> None:
    path = legacy_recruiting(tmp_path)
    run_sql(path, "DROP INDEX idx_cvs_status;")
    code, out, err = _run("rehearse", "--db", path, "--migrations", RECRUITING_MIGRATIONS, "--adopt")
    assert code == 2
    assert 'Index "cvs.idx_cvs_status" is missing from the database' in out and "Refusing to adopt" in err


_PARENT = '"Parent ""P"""'  # the table Parent "P"
_HOSTILE = {
    "0001.hostile.sql": (
        f"CREATE TABLE {_PARENT} (id INTEGER PRIMARY KEY);\n"
        'CREATE TABLE "select" ("key" TEXT PRIMARY KEY,\n'
        f'                       "from" INTEGER REFERENCES {_PARENT}(id) ON DELETE CASCADE,\n'
        f'                       "Ref" INTEGER REFERENCES {_PARENT}(id) ON DELETE SET NULL);\n'
        f'CREATE TABLE "no key" (p INTEGER REFERENCES {_PARENT}(id) ON DELETE SET NULL);\n'
    ),
    "0002.rebuild.sql": (
        "-- depends: 0001.hostile\n"
        'CREATE TABLE "new parent" (id INTEGER PRIMARY KEY, label TEXT);\n'
        f'INSERT INTO "new parent" (id) SELECT id FROM {_PARENT};\n'
        f"DROP TABLE {_PARENT};\n"
        f'ALTER TABLE "new parent" RENAME TO {_PARENT};\n'
    ),
}


def test_quoted_and_keyword_names(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001.hostile.sql").write_text(_HOSTILE["0001.hostile.sql"])
    db = tmp_path / "app.db"
    apply_all(f"sqlite:///{db}", str(directory))
    run_sql(db, f"INSERT INTO {_PARENT} VALUES (1);")
    run_sql(
        db, """INSERT INTO "select" VALUES ('a', 1, NULL), ('b', NULL, 1); INSERT INTO "no key" VALUES (1);"""
    )
    (directory / "0002.rebuild.sql").write_text(_HOSTILE["0002.rebuild.sql"])
    rehearsal = rehearse(str(db), directory)
    assert rehearsal.findings == ()  # applied as apply does: foreign keys off
    assert list(rehearsal.warnings) == [
        'Table "select" would lose 1 of 2 rows through ON DELETE CASCADE '
        "if foreign keys are on (migration 0002.rebuild)",
        'Column "no key.p" would lose 1 of its 1 references '
        "through ON DELETE SET NULL if foreign keys are on (migration 0002.rebuild)",
    ]
    assert {t.table for t in rehearsal.tables} == {'Parent "P"', "select", "no key"}


def test_the_cli_progress_bar_appears_only_for_copies_of_more_than_one_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from schemavet.cli import _Progress

    with _Progress("Copying big.db") as progress:
        progress.update(1024, 1024)
    assert capsys.readouterr().err == ""
    with _Progress("Copying big.db") as progress:
        for done in (1024, 2048, 2500):
            progress.update(done, 2500)
    assert "Copying big.db" in capsys.readouterr().err


def test_a_stale_lock_copied_with_the_database_neither_blocks_nor_stays_in_the_copy(
    filled_recruiting: Path, tmp_path: Path
) -> None:
    """The copy is private: nobody else can be migrating it, so the lock row copied with it goes."""
    from tests.test_apply import _stale_lock

    _stale_lock(filled_recruiting)
    migrations = _migrations_with(tmp_path, {"0007.more.sql": "-- depends: 0006.cv-queue-order\nSELECT 1;"})
    before = digest(filled_recruiting)
    kept = tmp_path / "rehearsed.db"
    started = time.monotonic()
    rehearsal = rehearse(str(filled_recruiting), migrations, keep=str(kept))
    assert time.monotonic() - started < 5  # yoyo would have waited 10 s for the lock, then failed
    assert rehearsal.ok and rehearsal.applied == ("0007.more",)
    assert digest(filled_recruiting) == before  # the original keeps its lock: only yoyo break-lock removes it
    conn = sqlite3.connect(kept)
    assert conn.execute("SELECT count(*) FROM yoyo_lock").fetchone() == (0,)
    conn.close()


# Row accounting: (schema and rows, pending migration, findings, (table, before, after, lost, renamed_to)).
_T = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n"
_NO_KEY = "CREATE TABLE log (line TEXT);\nINSERT INTO log VALUES ('a'), ('b');\n"
_WIDE_COLUMNS = ", ".join(f"c{i} INTEGER" for i in range(250))  # past SQLite's 127 function arguments
_WIDE = (
    f"CREATE TABLE wide (id INTEGER PRIMARY KEY, {_WIDE_COLUMNS});\n"
    "INSERT INTO wide (id, c249) VALUES (1, 7), (2, 8);\n"
)
_ROW_CASES: dict[
    str, tuple[str, str, list[str], list[tuple[str, int | None, int | None, int, str | None]]]
] = {
    "a rename keeps every row": (
        _T,
        "ALTER TABLE t RENAME TO renamed;",
        [],
        [("t", 2, None, 0, "renamed"), ("renamed", None, 2, 0, None)],
    ),
    "a rename to a quoted, mixed-case name, then a column added": (
        _T,
        'ALTER TABLE t RENAME TO "Odd ""Name""";\nALTER TABLE "Odd ""Name""" ADD COLUMN extra TEXT;',
        [],
        [("t", 2, None, 0, 'Odd "Name"'), ('Odd "Name"', None, 2, 0, None)],
    ),
    "rows copied to a new table, the old one dropped": (
        _T,
        "CREATE TABLE kept (id INTEGER PRIMARY KEY, name TEXT, note TEXT);\n"
        "INSERT INTO kept (id, name) SELECT id, name FROM t;\nDROP TABLE t;",
        [],
        [("t", 2, None, 0, "kept"), ("kept", None, 2, 0, None)],
    ),
    "a rename that leaves a row behind": (
        _T,
        "ALTER TABLE t RENAME TO renamed;\nDELETE FROM renamed WHERE id = 2;",
        ['Table "t" was renamed to "renamed", which holds only 1 of its 2 rows'],
        [("t", 2, None, 1, "renamed"), ("renamed", None, 1, 0, None)],
    ),
    "a new table with other rows is not where the rows went": (
        _T,
        "CREATE TABLE other (id INTEGER PRIMARY KEY, name TEXT);\n"
        "INSERT INTO other VALUES (1, 'x'), (2, 'y');\nDROP TABLE t;",
        ['Table "t" was dropped with its 2 rows'],
        [("t", 2, None, 2, None), ("other", None, 2, 0, None)],
    ),
    "rows deleted and as many inserted, matched by primary key": (
        _T,
        "DELETE FROM t;\nINSERT INTO t VALUES (10, 'a'), (11, 'b');",
        ['Table "t" lost 2 of its 2 rows (now 2, 2 of them new)'],
        [("t", 2, 2, 2, None)],
    ),
    "rows updated in place are not lost": (
        _T,
        "UPDATE t SET name = upper(name);\nINSERT INTO t VALUES (3, 'c');",
        [],
        [("t", 2, 3, 0, None)],
    ),
    "a wide table renamed, one value changed far to the right": (
        _WIDE,
        "ALTER TABLE wide RENAME TO wider;\nUPDATE wider SET c249 = 9 WHERE id = 2;",
        ['Table "wide" was renamed to "wider", which holds only 1 of its 2 rows'],
        [("wide", 2, None, 1, "wider"), ("wider", None, 2, 0, None)],
    ),
    "a rebuild that turns a TEXT key into an INTEGER key keeps its rows": (
        "CREATE TABLE s (id TEXT PRIMARY KEY, name TEXT);\nINSERT INTO s VALUES ('1', 'a'), ('2', 'b');\n",
        "CREATE TABLE s_new (id INTEGER PRIMARY KEY, name TEXT);\n"
        "INSERT INTO s_new SELECT id, name FROM s;\nDROP TABLE s;\nALTER TABLE s_new RENAME TO s;",
        [],
        [("s", 2, 2, 0, None)],
    ),
    "a table without a primary key is counted": (
        _NO_KEY,
        "DELETE FROM log WHERE line = 'a';",
        ['Table "log" lost 1 of its 2 rows (now 1)'],
        [("log", 2, 1, 1, None)],
    ),
}


@pytest.mark.parametrize("case", sorted(_ROW_CASES))
def test_row_accounting(tmp_path: Path, case: str) -> None:
    schema, migration, findings, tables = _ROW_CASES[case]
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001.schema.sql").write_text(schema)
    db = tmp_path / "app.db"
    apply_all(f"sqlite:///{db}", str(directory))
    (directory / "0002.change.sql").write_text("-- depends: 0001.schema\n" + migration + "\n")
    rehearsal = rehearse(str(db), directory)
    assert [f.message for f in rehearsal.findings] == [f'{m} in migration "0002.change"' for m in findings]
    assert [(t.table, t.before, t.after, t.lost, t.renamed_to) for t in rehearsal.tables] == tables


def test_a_rename_is_reported_as_one_and_passes(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001.schema.sql").write_text(_T)
    db = tmp_path / "app.db"
    apply_all(f"sqlite:///{db}", str(directory))
    (directory / "0002.rename.sql").write_text("-- depends: 0001.schema\nALTER TABLE t RENAME TO renamed;\n")
    code, out, err = _run("rehearse", "--db", db, "--migrations", directory)
    assert code == 0, out + err
    assert "renamed to renamed" in out and "LOST" not in out and "dropped" not in out
    code, out, _ = _run("rehearse", "--db", db, "--migrations", directory, "--format", "json")
    assert code == 0
    tables = json.loads(out)["tables"]
    assert {"table": "t", "before": 2, "after": None, "lost": 0, "renamed_to": "renamed"} in tables
