"""Content checksums (schemavet.sum) and rollback proofs: the migration-file checks of ``check``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.commands.rollback_proof import prove_rollbacks
from schemavet.migrations.sums import SUM_FILE, SumError, check_sum, compute_sum, read_sum, write_sum
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC

CASES = Path(__file__).parent / "cases"
SUM_CASES = yaml.safe_load((CASES / "sums.yaml").read_text())
ROLLBACK_CASES = yaml.safe_load((CASES / "rollbacks.yaml").read_text())


def _run(*args: Any) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _directory(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    for name, sql in files.items():
        (directory / name).write_bytes(sql.encode())
    return directory


def _matches(messages: list[str], expected: list[str]) -> bool:
    if len(messages) != len(expected):
        return False
    pairs = zip(messages, expected, strict=True)
    return all(m.startswith(e[:-1]) if e.endswith("…") else m == e for m, e in pairs)


@pytest.mark.parametrize("case", SUM_CASES["cases"], ids=lambda case: case["name"])
def test_sum_case(case: dict[str, Any], tmp_path: Path) -> None:
    directory = _directory(tmp_path, SUM_CASES["base"])
    write_sum(str(directory))
    for name, text in case.get("write", {}).items():
        (directory / name).write_bytes(text.encode())
    for name in case.get("remove", []):
        (directory / name).unlink()
    _edit_sum(directory, case)
    findings = check_sum(str(directory))
    messages = [f.message for f in findings]
    assert _matches(messages, case["findings"]), messages
    for finding in findings:
        assert finding.path is not None and finding.path.startswith(str(directory))


def _edit_sum(directory: Path, case: dict[str, Any]) -> None:
    recorded = read_sum(str(directory / SUM_FILE))
    hashes = dict(recorded.entries)
    lines = [f"{name} sha256:{hashes[name]}" for name in case.get("sum_lines", hashes)]
    total = case.get("sum_total", recorded.total)
    if "sum_lines" in case or "sum_total" in case:
        (directory / SUM_FILE).write_text(f"total sha256:{total}\n" + "\n".join(lines) + "\n")


def test_the_sum_file_format(tmp_path: Path) -> None:
    directory = _directory(tmp_path, SUM_CASES["base"])
    path, sums = write_sum(str(directory))
    lines = Path(path).read_text().splitlines()
    assert lines[0].startswith("# schemavet.sum")
    assert lines[1] == f"total sha256:{sums.total}"
    assert [line.split()[0] for line in lines[2:]] == [
        "0001.users.sql",
        "0001.users.rollback.sql",
        "0002.posts.sql",
        "0003.index.sql",
    ]
    assert read_sum(path) == sums == compute_sum(str(directory))


def test_two_branches_adding_migrations_conflict_on_the_total_line(tmp_path: Path) -> None:
    base = _directory(tmp_path, SUM_CASES["base"])
    texts = {}
    for branch in ("a", "b"):
        directory = tmp_path / branch
        shutil.copytree(base, directory)
        (directory / f"0004.{branch}.sql").write_text(f"CREATE TABLE {branch} (id INTEGER);\n")
        texts[branch] = write_sum(str(directory))[0]
    a, b = (Path(texts[x]).read_text().splitlines() for x in "ab")
    assert a[1] != b[1] and a[:1] == b[:1] and a[2:-1] == b[2:-1] and a[-1] != b[-1]


def test_yoyo_does_not_read_the_sum_file() -> None:
    from yoyo import read_migrations

    assert (RECRUITING_MIGRATIONS / SUM_FILE).is_file()
    ids = [m.id for m in read_migrations(str(RECRUITING_MIGRATIONS))]
    assert ids == [
        "0000.base",
        "0001.projects",
        "0002.cv-queue",
        "0003.usage-tracking",
        "0004.matching-metadata",
        "0005.outreach",
        "0006.cv-queue-order",
    ]


def test_the_recruiting_sum_is_current() -> None:
    assert check_sum(str(RECRUITING_MIGRATIONS)) == []


def test_a_conflicted_sum_is_an_input_error(tmp_path: Path) -> None:
    directory = _directory(tmp_path, SUM_CASES["base"])
    path, _ = write_sum(str(directory))
    text = Path(path).read_text()
    Path(path).write_text(text + "<<<<<<< HEAD\n0004.a.sql sha256:" + "0" * 64 + "\n=======\n>>>>>>> b\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables: {}\n")
    code, _, err = _run("check", "--migrations", directory, "--spec", spec)
    assert code == 2
    assert "has a merge conflict at line" in err and 'run "schemavet sum" again' in err


def test_a_malformed_sum_line_is_an_input_error(tmp_path: Path) -> None:
    directory = _directory(tmp_path, SUM_CASES["base"])
    (directory / SUM_FILE).write_text("total sha256:" + "0" * 64 + "\n0001.users.sql sha256:xyz\n")
    with pytest.raises(SumError, match="line 2 should read"):
        check_sum(str(directory))


def test_sum_command_writes_every_configured_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = _directory(tmp_path, SUM_CASES["base"])
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemavet.apps.blog]\nmigrations = "migrations"\nspec = "spec.yaml"\n'
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = _run("sum")
    assert code == 0
    assert "Wrote migrations/schemavet.sum (4 files)" in err
    assert check_sum(str(directory)) == []


def test_check_fails_when_an_applied_migration_is_edited(tmp_path: Path) -> None:
    directory = tmp_path / "recruiting"
    shutil.copytree(RECRUITING_MIGRATIONS, directory)
    edited = directory / "0002.cv-queue.sql"
    edited.write_text(edited.read_text() + "-- error_message says why processing failed\n")
    code, out, _ = _run("check", "--migrations", directory, "--spec", RECRUITING_SPEC)
    assert code == 1
    assert (
        'Migration file "0002.cv-queue.sql" was edited after schemavet.sum recorded it: a migration that '
        "may have been applied must not change"
    ) in out
    assert f"({edited})" in out
    assert "but 1 problem with the migrations (edited)" in out


def test_check_without_a_sum_says_to_write_one(tmp_path: Path) -> None:
    directory = _directory(tmp_path, {"0001.t.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"})
    spec = tmp_path / "spec.yaml"
    spec.write_text("tables:\n  t:\n    columns:\n      id: INTEGER PRIMARY KEY\n")
    code, out, _ = _run("check", "--migrations", directory, "--spec", spec)
    assert code == 1
    assert f'"{directory / SUM_FILE}" does not exist; run "schemavet sum"' in out


@pytest.mark.parametrize("case", ROLLBACK_CASES, ids=lambda case: case["name"])
def test_rollback_case(case: dict[str, Any], tmp_path: Path) -> None:
    directory = _directory(tmp_path, case["files"])
    messages = [f.message for f in prove_rollbacks(directory)]
    assert _matches(messages, case["findings"]), messages


def test_check_fails_when_a_rollback_leaves_something_behind(tmp_path: Path) -> None:
    directory = tmp_path / "recruiting"
    shutil.copytree(RECRUITING_MIGRATIONS, directory)
    rollback = directory / "0003.usage-tracking.rollback.sql"
    rollback.write_text(rollback.read_text().replace("ALTER TABLE projects DROP COLUMN pin_order;\n", ""))
    write_sum(str(directory))
    code, out, _ = _run("check", "--migrations", directory, "--spec", RECRUITING_SPEC)
    assert code == 1
    assert (
        f'Rollback of migration "0003.usage-tracking" leaves column "projects.pin_order" behind ({rollback})'
    ) in out
