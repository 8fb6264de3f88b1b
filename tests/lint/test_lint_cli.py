"""`schemavet lint` from the command line: exit codes, the four formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main

ROOT = Path(__file__).resolve().parents[2]
PITFALLS = Path(__file__).parent / "pitfalls"


def _lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", *args])
    return result.exit_code, result.stdout, result.stderr


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def test_text_format_and_exit_code_1(tmp_path: Path) -> None:
    d = _write(
        tmp_path / "m",
        {
            "0001.a.sql": "CREATE TABLE t (a INT);\n",
            "0001.a.rollback.sql": "DROP TABLE t;",
            "0002.b.sql": "-- drop it\nDROP TABLE t;\n",
            "0002.b.rollback.sql": "SELECT 1;",
        },
    )
    code, out, _ = _lint(str(d))
    assert code == 1
    assert f'{d}/0002.b.sql:2:1 SV101 DROP TABLE "t" deletes the table and all its rows' in out
    assert "    hint: Archive the rows first" in out


def test_warnings_alone_exit_0_and_warn_only_exits_0(tmp_path: Path) -> None:
    d = _write(tmp_path / "m", {"0001.a.sql": "CREATE TABLE IF NOT EXISTS t (a INT);\n"})
    code, out, _ = _lint(str(d))
    assert code == 0 and "SV506" in out and "SV504" in out
    assert _lint(str(PITFALLS), "--warn-only")[0] == 0
    assert _lint(str(PITFALLS))[0] == 1


def test_json_format() -> None:
    code, out, _ = _lint(str(PITFALLS), "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["errors"] > 0
    first = document["findings"][0]
    assert set(first) == {"path", "line", "column", "code", "severity", "message", "hint"}


def test_github_format() -> None:
    _, out, _ = _lint(str(PITFALLS / "0001.not-null-column.sql"), "--format", "github")
    assert out.startswith(
        f"::error file={PITFALLS}/0001.not-null-column.sql,line=1,col=1,title=SV201::Column"
    )
    assert "%0AAdd a DEFAULT" in out and len(out.strip().splitlines()) == 1


def test_sarif_format() -> None:
    code, out, _ = _lint(str(PITFALLS), "--format", "sarif")
    log = json.loads(out)
    assert code == 1 and log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "SV101" in rules and "SV606" in rules
    result = next(r for r in run["results"] if r["ruleId"] == "SV201")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("pitfalls/0001.not-null-column.sql")
    assert location["region"] == {"startLine": 1, "startColumn": 1}
    assert rules[result["ruleIndex"]] == "SV201" and result["level"] == "error"


def test_a_single_file_replays_its_directory_but_reports_only_itself() -> None:
    _, out, _ = _lint(str(PITFALLS / "0009.foreign-keys.rollback.sql"))
    assert "0009.foreign-keys.sql:7:1 SV502" in out  # needs 0000 … 0008 replayed first
    assert "0001." not in out


def test_select_and_dialect_options(tmp_path: Path, postgres_url: str) -> None:
    d = _write(
        tmp_path / "pg",
        {
            "0001.a.sql": "CREATE TABLE t (a int);",
            "0001.a.rollback.sql": "DROP TABLE t;",
            "0002.b.sql": "CREATE INDEX i ON t (a);\nINSERT INTO t (nope) VALUES (1);",
            "0002.b.rollback.sql": "DROP INDEX i;",
        },
    )
    code, out, _ = _lint(
        str(d), "--dialect", "postgres", "--select", "SV601,SV208", "--postgres-url", postgres_url
    )
    assert code == 1
    assert "0002.b.sql:1:1 SV601" in out
    assert '0002.b.sql:2:1 SV208 Statement fails on PostgreSQL: column "nope"' in out
    assert _lint(str(d), "--select", "SV601")[0] == 0  # a PostgreSQL rule does not run on SQLite


def test_unreachable_postgres_server_exits_2(tmp_path: Path) -> None:
    d = _write(tmp_path / "pg", {"0001.a.sql": "CREATE TABLE t (a int);"})
    url = f"postgresql://nobody@/postgres?host={tmp_path}&connect_timeout=2"
    code, _, err = _lint(str(d), "--dialect", "postgres", "--postgres-url", url)
    assert code == 2 and "Cannot create a scratch database on the PostgreSQL server" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist"], 'Migration path "does-not-exist" does not exist'),
        (["README.md"], '"README.md" is not a .sql migration file'),
        (["--select", "SV999", "migrations"], 'Unknown lint rule "SV999"'),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["lint", *args])
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_migration_files_exit_2(tmp_path: Path) -> None:
    d = _write(tmp_path / "m", {"0001.a.sql": "-- depends: 0000.nope\nCREATE TABLE t (a INT);"})
    code, _, err = _lint(str(d))
    assert code == 2 and 'depends on "0000.nope", which does not exist' in err
    (d / "0001.a.sql").write_bytes(b"CREATE TABLE \xff (a INT);")
    code, _, err = _lint(str(d))
    assert code == 2 and "is not UTF-8" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _lint(str(empty))
    assert code == 2 and "holds no .sql migration files" in err


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
@pytest.mark.parametrize("name", ["0001.a.sql", "0001.a.rollback.sql"])
def test_nul_byte_exits_2_with_one_sentence(name: str, dialect: str, tmp_path: Path) -> None:
    d = _write(
        tmp_path / "m", {"0001.a.sql": "CREATE TABLE a (x);\n", "0001.a.rollback.sql": "DROP TABLE a;\n"}
    )
    (d / name).write_bytes(b"CREATE TABLE b (x);\nSELECT 1; \x00\n")
    code, out, err = _lint(str(d), "--dialect", dialect)
    assert code == 2 and out == "", out
    assert err == (
        f'schemavet: error: Migration file "{d / name}" holds a NUL byte at line 2, column 11:'
        " SQLite and PostgreSQL refuse a statement that holds one\n"
    )


def test_golden_text_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole report for the pitfalls directory, word for word, with its exit code."""
    golden = Path(__file__).parent / "golden"
    monkeypatch.chdir(ROOT)
    code, out, _ = _lint("tests/lint/pitfalls")
    assert out == (golden / "pitfalls.txt").read_text()
    assert f"exit {code}\n" == (golden / "pitfalls.exit").read_text()


def test_dialect_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> None:
    _write(
        tmp_path / "m", {"0001.a.sql": "CREATE TABLE t (a int);", "0002.b.sql": "CREATE INDEX i ON t (a);"}
    )
    (tmp_path / "pyproject.toml").write_text('[tool.schemavet.lint]\ndialect = "postgres"\n')
    monkeypatch.chdir(tmp_path)
    code, out, _ = _lint("m", "--select", "SV601", "--postgres-url", postgres_url)
    assert code == 1 and "m/0002.b.sql:1:1 SV601" in out
    (tmp_path / "pyproject.toml").write_text('[tool.schemavet.lint]\ndialect = "oracle"\n')
    code, _, err = _lint("m")
    assert code == 2 and 'dialect in "' in err and "expected sqlite or postgres" in err
