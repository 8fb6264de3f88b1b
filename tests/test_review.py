"""``schemavet review``: each migration's real effect, from one scratch replay."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from schemavet.commands.review import review
from schemavet.diagnostics import ERROR, WARNING, Diagnostic
from schemavet.report.review import render_json, render_text
from tests.conftest import RECRUITING_MIGRATIONS, digest

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "review.yaml").read_text())


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _write(directory: Path, files: dict[str, str | bytes]) -> Path:
    directory.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, bytes):
            (directory / name).write_bytes(content)
        else:
            (directory / name).write_text(content)
    return directory


def _steps(out: str, directory: Path) -> list[dict[str, Any]]:
    """The text report read back: each step's file (relative to ``directory``) and its lines."""
    steps: list[dict[str, Any]] = []
    *body, summary = out.rstrip("\n").splitlines()
    assert summary.startswith(("OK: reviewed", "FAIL: reviewed")), summary
    for line in body:
        if line.startswith("  " + str(directory)):
            continue  # a lint finding of the step's file (tests/test_ci_formats.py)
        if line.startswith("  "):
            steps[-1]["lines"].append(line[2:])
        elif line.startswith(str(directory) + os.sep):
            steps.append({"file": line[len(str(directory)) + 1 :], "lines": []})
        else:
            assert line == "", f"a stray line in the report: {line!r}"
    return steps


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_review_case(case: dict[str, Any], tmp_path: Path) -> None:
    # review's own effects; the CLI adds lint's findings to each step (tests/test_ci_formats.py)
    directory = _write(tmp_path / "migrations", case["migrations"])
    effects = review(str(directory))
    out = render_text(str(directory), effects)
    assert (1 if any(e.failed for e in effects) else 0) == case["exit"], out
    assert _steps(out, directory) == case["steps"]


def test_recruiting_steps() -> None:
    effects = review(RECRUITING_MIGRATIONS)
    assert [e.migration for e in effects] == [
        "0000.base",
        "0001.projects",
        "0002.cv-queue",
        "0003.usage-tracking",
        "0004.matching-metadata",
        "0005.outreach",
        "0006.cv-queue-order",
    ]
    assert not any(e.losses or e.failed for e in effects)
    outreach = effects[5]
    added = {(c.object_type, c.table or c.name) for c in outreach.changes if c.action == "added"}
    tables = {
        "messages",
        "call_records",
        "transcripts",
        "outreach_templates",
        "outreach_sequences",
        "provider_credentials",
        "ats_mappings",
    }
    assert {name for kind, name in added if kind == "table"} == tables
    indexes = [c for c in outreach.changes if c.object_type == "index"]
    assert len(indexes) == 11 and all(c.action == "added" and c.table in tables for c in indexes)
    assert all(c.action == "added" for c in outreach.changes)


def test_recruiting_text() -> None:
    code, out, _ = _run("review", str(RECRUITING_MIGRATIONS))
    assert code == 0
    steps = {Path(s["file"]).name: s["lines"] for s in _steps(out, RECRUITING_MIGRATIONS)}
    assert steps["0002.cv-queue.sql"] == [
        "+ column cvs.status TEXT NOT NULL DEFAULT 'completed'",
        "+ column cvs.error_message TEXT",
        "+ column cvs.processing_started_at TEXT",
        "+ index idx_cvs_status on cvs (status)",
    ]
    assert steps["0001.projects.sql"][-1] == "# rows in projects: 0 → 1"
    assert "+ trigger update_daily_usage on usage_events AFTER INSERT" in steps["0003.usage-tracking.sql"]
    assert steps["0004.matching-metadata.sql"] == ["+ column job_descriptions.matching_metadata_json TEXT"]
    assert "+ foreign key messages (cv_id) → cvs (id) ON DELETE SET NULL" in steps["0005.outreach.sql"]
    assert len([line for line in steps["0005.outreach.sql"] if line.startswith("+ index ")]) == 11
    assert steps["0006.cv-queue-order.sql"] == [
        "+ index idx_cvs_status_created_at on cvs (status, created_at)"
    ]
    assert out.rstrip().endswith(f"OK: reviewed 7 migrations in {RECRUITING_MIGRATIONS}")


def test_json(tmp_path: Path) -> None:
    case = next(c for c in CASES if c["name"] == "rebuild that drops an index")
    directory = _write(tmp_path / "m", case["migrations"])
    code, out, _ = _run("review", str(directory), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["ok"] is False and document["directory"] == str(directory)
    first, second = document["steps"]
    assert first["migration"] == "0001.cvs" and first["path"] == str(directory / "0001.cvs.sql")
    index = next(c for c in first["changes"] if c["object_type"] == "index")
    assert index == {
        "action": "added",
        "object_type": "index",
        "table": "cvs",
        "name": "idx_cvs_status",
        "attribute": None,
        "old": None,
        "new": {
            "name": "idx_cvs_status",
            "columns": ["status"],
            "unique": False,
            "where": None,
            "using": None,
        },
    }
    assert {
        "action": "changed",
        "object_type": "column",
        "table": "cvs",
        "name": "status",
        "attribute": "nullable",
        "old": True,
        "new": False,
    } in second["changes"]
    assert second["losses"] == [
        {
            "object_type": "index",
            "name": "idx_cvs_status",
            "table": "cvs",
            "owner_type": "table",
            "definition": {
                "name": "idx_cvs_status",
                "columns": ["status"],
                "unique": False,
                "where": None,
                "using": None,
            },
        }
    ]
    assert not any(c["object_type"] == "index" for c in second["changes"]), "a loss is not also a removal"
    assert first["post_apply"] is False
    # the CLI lints the directory: the rebuild's lint findings sit under its step
    assert [d["code"] for d in first["diagnostics"]] == ["SV504"]  # no rollback file
    assert {"SV401", "SV504"} <= {d["code"] for d in second["diagnostics"]}
    assert all(d["path"] == str(directory / "0002.rebuild.sql") for d in second["diagnostics"])


def _drop_table_linter(path: str) -> list[Diagnostic]:
    """A small real linter: DROP TABLE is an error, SELECT * a warning, each at its line and column."""
    found = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        for code, severity, pattern in (("T001", ERROR, "DROP TABLE"), ("T002", WARNING, "SELECT *")):
            match = re.search(re.escape(pattern), line, re.IGNORECASE)
            if match:
                found.append(
                    Diagnostic(
                        path,
                        number,
                        match.start() + 1,
                        code,
                        severity,
                        f"{pattern} found",
                        "do something else",
                    )
                )
    return found


def test_lint_findings_beside_each_step(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {
            "0001.a.sql": "CREATE TABLE a (x INTEGER);\nCREATE VIEW va AS SELECT * FROM a;\n",
            "0002.b.sql": "-- depends: 0001.a\nDROP VIEW va;\n  DROP TABLE a;\n",
        },
    )
    effects = review(directory, lint=_drop_table_linter)
    assert [e.failed for e in effects] == [False, True]
    text = render_text(str(directory), effects)
    first = f"  {directory}/0001.a.sql:2:19 T002 SELECT * found"
    second = f"  {directory}/0002.b.sql:3:3 T001 DROP TABLE found"
    assert text.splitlines().index(first) < text.splitlines().index(f"{directory}/0002.b.sql")
    assert second in text.splitlines()
    assert text.rstrip().endswith("FAIL: reviewed 2 migrations in " + f"{directory}: 1 lint error")
    document = json.loads(render_json(str(directory), effects))
    assert document["ok"] is False
    assert document["steps"][1]["diagnostics"] == [
        {
            "path": f"{directory}/0002.b.sql",
            "line": 3,
            "column": 3,
            "code": "T001",
            "severity": "error",
            "message": "DROP TABLE found",
            "hint": "do something else",
        }
    ]


def test_warnings_alone_do_not_fail(tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"0001.a.sql": "CREATE TABLE a (x INTEGER);\nSELECT * FROM a;\n"})
    (effect,) = review(directory, lint=_drop_table_linter)
    assert not effect.failed and [d.code for d in effect.diagnostics] == ["T002"]


BAD_DIRECTORIES: list[tuple[str, dict[str, str | bytes], str]] = [
    ("empty directory", {}, 'Migrations directory "{dir}" holds no migration files'),
    (
        "unknown dependency",
        {"0001.t.sql": "-- depends: 0000.nope\nCREATE TABLE t (a INT);"},
        'Migration "{dir}/0001.t.sql" depends on "0000.nope", which does not exist',
    ),
    (
        "circular dependencies",
        {"0001.a.sql": "-- depends: 0002.b\nSELECT 1;", "0002.b.sql": "-- depends: 0001.a\nSELECT 1;"},
        'The migrations in "{dir}" depend on each other in a circle: 0001.a, 0002.b',
    ),
    (
        "not UTF-8",
        {"0001.t.sql": b"CREATE TABLE t (a TEXT DEFAULT '\xff');"},
        'Migration file "{dir}/0001.t.sql" is not UTF-8 text (byte 32)',
    ),
    (
        "transactional neither true nor false",
        {"0001.t.sql": "-- transactional: maybe\nCREATE TABLE t (a INT);"},
        'Migration "{dir}/0001.t.sql" has "-- transactional: maybe"; yoyo accepts only true or false',
    ),
    (
        "NUL byte",
        {"0001.t.sql": b"CREATE TABLE t (a INT);\nSELECT 1; \x00\n"},
        'Migration file "{dir}/0001.t.sql" holds a NUL byte at line 2, column 11:',
    ),
    (
        "Python migration that raises",
        {"0001.t.py": "from yoyo import step\nstep(undefined_name)\n"},
        "Migration \"{dir}/0001.t.py\" cannot be loaded: NameError: name 'undefined_name' is not defined",
    ),
]


@pytest.mark.parametrize(
    "files, message", [c[1:] for c in BAD_DIRECTORIES], ids=[c[0] for c in BAD_DIRECTORIES]
)
def test_bad_directory_exits_2(files: dict[str, str | bytes], message: str, tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", files)
    before = {p.name: digest(p) for p in directory.iterdir()}
    code, out, err = _run("review", str(directory))
    assert code == 2 and out == ""
    assert err.startswith("schemavet: error: " + message.format(dir=directory)), err
    assert len(err.strip().splitlines()) == 1
    assert {p.name: digest(p) for p in directory.iterdir()} == before, "the directory is left as it was"


def test_missing_directory_exits_2(tmp_path: Path) -> None:
    code, _, err = _run("review", str(tmp_path / "nope"))
    assert code == 2 and f'"{tmp_path / "nope"}" does not exist' in err


def test_failing_migration_is_the_last_step(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {
            "0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            "0002.broken.sql": "-- depends: 0001.t\nALTER TABLE missing ADD COLUMN x TEXT;",
            "0003.after.sql": "-- depends: 0002.broken\nCREATE TABLE later (a INT);",
        },
    )
    effects = review(directory, lint=_drop_table_linter)
    assert [(e.migration, e.error) for e in effects] == [
        ("0001.t", None),
        ("0002.broken", "no such table: missing"),
    ]
    assert effects[-1].failed and not effects[0].failed


def test_failing_migration_is_reported_with_exit_1(tmp_path: Path) -> None:
    """What broke, with the steps before it and the failing step's lint findings; not an exit 2."""
    directory = _write(
        tmp_path / "m",
        {
            "0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            "0002.broken.sql": "-- depends: 0001.t\nALTER TABLE missing ADD COLUMN x TEXT;",
        },
    )
    before = {p.name: digest(p) for p in directory.iterdir()}
    code, out, err = _run("review", str(directory))
    assert code == 1 and err == "", err
    assert "\n  ✗ failed to apply: no such table: missing\n" in out
    assert f"{directory}/0002.broken.sql:2:1 SV208 Statement fails on SQLite: no such table: missing" in out
    assert [s["file"] for s in _steps(out, directory)] == ["0001.t.sql", "0002.broken.sql"]
    assert out.rstrip().endswith(
        f"FAIL: reviewed 2 migrations in {directory}: 0002.broken failed to apply, 1 lint error"
    )
    code, out, _ = _run("review", "--format", "json", str(directory))
    document = json.loads(out)
    assert code == 1 and not document["ok"]
    assert [s["error"] for s in document["steps"]] == [None, "no such table: missing"]
    assert {p.name: digest(p) for p in directory.iterdir()} == before, "the directory is left as it was"


def test_failing_migration_before_the_latest_is_still_shown(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {
            "0001.broken.sql": "CREATE TABLE t (a INT);\nCREATE TABLE t (a INT);",
            "0002.b.sql": "CREATE TABLE b (a INT);",
            "0003.c.sql": "CREATE TABLE c (a INT);",
        },
    )
    effects = review(directory, latest=1)
    assert [(e.migration, e.error) for e in effects] == [("0001.broken", "table t already exists")]


def test_a_failure_before_the_latest_is_not_credited_with_earlier_changes(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {
            "0001.a.sql": "CREATE TABLE a (id INT);",
            "0002.broken.sql": "CREATE TABLE b (x INT);\nCREATE TABLE a (id INT);",
            "0003.c.sql": "CREATE TABLE c (a INT);",
        },
    )
    (effect,) = review(directory, latest=1)
    assert (effect.migration, effect.error) == ("0002.broken", "table a already exists")
    assert effect.changes == ()  # yoyo rolled it back; table a is 0001's, not its own


def test_directory_name_with_glob_characters(tmp_path: Path) -> None:
    directory = _write(tmp_path / "app [1] *", {"0001.t.sql": "CREATE TABLE t (a INT);"})
    (tmp_path / "app 1 x").mkdir()  # what the glob "app [1] *" would match instead
    (effect,) = review(directory)
    assert effect.path == str(directory / "0001.t.sql")
    assert [(c.action, c.object_type, c.name) for c in effect.changes] == [("added", "table", "t")]


def test_scratch_database_is_removed_and_migrations_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    before = {p.name: digest(p) for p in RECRUITING_MIGRATIONS.iterdir()}
    review(RECRUITING_MIGRATIONS)
    assert os.listdir(scratch) == []
    assert {p.name: digest(p) for p in RECRUITING_MIGRATIONS.iterdir()} == before


def test_python_migration(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {
            "0001.t.sql": "CREATE TABLE t (a INT);\nCREATE INDEX t_a ON t (a);\n",
            "0002.py.py": (
                "from yoyo import step\n__depends__ = {'0001.t'}\n"
                "steps = [step('DROP INDEX t_a'), step('CREATE TABLE u (b TEXT)')]\n"
            ),
        },
    )
    _, second = review(directory)
    assert not second.losses
    assert [(c.action, c.object_type, c.name) for c in second.changes] == [
        ("removed", "index", "t_a"),
        ("added", "table", "u"),
    ]


def test_documented_example_is_real_output() -> None:
    """The effect lines in docs/cli.md's review example are the case's output, line for line."""
    document = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text()
    section = document.split("## `schemavet review", 1)[1]
    block = section.split("```\n", 2)[1]
    documented = [line[2:] for line in block.splitlines() if line[:3] in {"  +", "  -", "  ~", "  !", "  #"}]
    case = next(c for c in CASES if c["name"] == "the example in docs/cli.md")
    assert documented == case["steps"][1]["lines"]


def test_rows_yoyo_prints_stay_out_of_the_json(tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"0001.a.sql": "PRAGMA user_version;\nCREATE TABLE t (a INT);\n"})
    code, out, _ = _run("review", str(directory), "--format", "json")
    assert code == 0 and json.loads(out)["ok"] is True
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      a: INT\n")
    schemavet.write_sum(str(directory))  # check refuses a directory without its schemavet.sum
    code, out, _ = _run("check", "--migrations", str(directory), "--spec", str(spec), "--format", "json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_check_names_circular_dependencies_too(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {"0001.a.sql": "-- depends: 0002.b\nSELECT 1;", "0002.b.sql": "-- depends: 0001.a\nSELECT 1;"},
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables: {}\n")
    code, _, err = _run("check", "--migrations", str(directory), "--spec", str(spec))
    assert code == 2
    assert err == (
        f'schemavet: error: Cannot read the migrations in "{directory}": '
        "circular dependencies among migrations 0001.a, 0002.b\n"
    )


def test_latest_reports_the_last_steps_as_the_full_review_does() -> None:
    full = review(RECRUITING_MIGRATIONS)
    assert review(RECRUITING_MIGRATIONS, latest=2) == full[-2:]
    assert review(RECRUITING_MIGRATIONS, latest=1) == full[-1:]
    assert review(RECRUITING_MIGRATIONS, latest=50) == full


def test_latest_keeps_the_post_apply_hooks(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "m",
        {
            "0001.a.sql": "CREATE TABLE a (x INT);\nCREATE INDEX a_x ON a (x);",
            "0002.b.sql": (
                "-- depends: 0001.a\nCREATE TABLE a2 (x INT);\nDROP TABLE a;\nALTER TABLE a2 RENAME TO a;"
            ),
            "post-apply.sql": "CREATE TABLE IF NOT EXISTS hook (x INT);",
        },
    )
    code, out, _ = _run("review", str(directory), "--latest", "1")
    assert code == 1
    assert _steps(out, directory) == [
        {"file": "0002.b.sql", "lines": ["! lost index a_x on a (x) (dropped with rebuilt table a)"]},
        {"file": "post-apply.sql (post-apply hook)", "lines": ["+ table hook (x)"]},
    ]
    # and lint's errors for the rebuild (SV106: rows not copied; SV401: index not recreated)
    assert out.rstrip().endswith(
        f"FAIL: reviewed 2 migrations in {directory}: 1 implicit loss, 2 lint errors"
    )


def test_latest_must_be_positive() -> None:
    code, _, err = _run("review", str(RECRUITING_MIGRATIONS), "--latest", "0")
    assert code == 2 and "--latest" in err


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{out}' AS evil;\nCREATE TABLE evil.t (x);\n",
        "-- transactional: false\nCREATE TABLE a (x);\nVACUUM INTO '{out}';\n",
    ],
    ids=["attach", "vacuum-into"],
)
def test_review_replay_writes_no_file(sql: str, tmp_path: Path) -> None:
    """yoyo's connections to the scratch database are confined: the step fails, no file appears."""
    out = tmp_path / "written.db"
    directory = _write(tmp_path / "m", {"0001.a.sql": sql.format(out=out)})
    (effect,) = review(directory)
    assert not out.exists() and not list(tmp_path.glob("written*"))
    assert effect.error is not None and effect.error.startswith("ATTACH and VACUUM INTO write database files")


@pytest.mark.parametrize("command", ["review", "lint", "sum", "apply"])
def test_python_migrations_leave_no_bytecode_behind(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python would cache a Python migration's bytecode in a ``__pycache__`` beside it when
    yoyo imports it: schemavet only reads a migrations directory, good or bad."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as without PYTHONDONTWRITEBYTECODE
    good = {
        "0001.create.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        "0001.create.rollback.sql": "DROP TABLE t;",
        "0002.more.py": (
            'from yoyo import step\nstep("CREATE TABLE u (id INTEGER PRIMARY KEY)", "DROP TABLE u")\n'
        ),
    }
    for name, files in (
        ("good", good),
        ("bad", {"0001.t.py": "from yoyo import step\nstep(undefined_name)\n"}),
    ):
        directory = _write(tmp_path / name, files)
        args = (
            [command, str(directory)]
            if command != "apply"
            else [command, "--db", str(tmp_path / f"{name}.db"), "--migrations", str(directory)]
        )
        _run(*args)
        assert sorted(p.name for p in directory.iterdir()) == sorted(files), (command, name)
