"""The linter run in a child process while ``review`` applies the steps (lint/background.py):
the same findings as in-process, an error raised in the parent as without a child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.diagnostics import Diagnostic
from schemavet.errors import MigrationError
from schemavet.lint import background

PITFALLS = Path(__file__).parent / "lint" / "pitfalls"

FINDINGS = [
    Diagnostic("a.sql", 1, 2, "SV101", "error", 'Table "é" is dropped', "hint"),
    Diagnostic("b", None, None, "X", "w", "m"),
]


@pytest.fixture(params=[True, False], ids=["forked", "in-process"])
def forking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(background, "_can_fork", lambda: request.param)
    return bool(request.param)


def test_the_findings_come_back_whole(forking: bool) -> None:
    parent = os.getpid()
    with background.linted_in_background(lambda: list(FINDINGS)) as linted:
        assert linted() == FINDINGS
    assert os.getpid() == parent


def test_an_error_is_raised_in_the_parent(forking: bool, tmp_path: Path) -> None:
    calls = tmp_path / "calls"

    def lint() -> list[Diagnostic]:
        with calls.open("a") as f:
            f.write(f"{os.getpid()}\n")
        raise MigrationError('Migration "x.sql" cannot be read')

    with background.linted_in_background(lint) as linted, pytest.raises(MigrationError, match="x.sql"):
        linted()
    assert str(os.getpid()) in calls.read_text().split()  # raised by the parent's own run


def test_leaving_without_asking_ends_the_child(forking: bool) -> None:
    with background.linted_in_background(lambda: list(FINDINGS)):
        pass
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_review_reports_the_same_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for fork in (True, False):
        monkeypatch.setattr(background, "_can_fork", lambda fork=fork: fork)
        result = CliRunner().invoke(main, ["review", str(PITFALLS)])
        outputs.append((result.exit_code, result.stdout))
    assert outputs[0] == outputs[1] and "SV" in outputs[0][1]


def test_a_linter_s_error_ends_the_review(tmp_path: Path) -> None:
    from schemavet.commands.review import review

    (tmp_path / "0001.a.sql").write_text("CREATE TABLE a (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "0002.b.sql").write_text("-- depends: 0001.a\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n")

    def lint(path: str) -> list[Diagnostic]:
        raise MigrationError(f'Migration "{path}" cannot be linted')

    with pytest.raises(MigrationError, match="cannot be linted"):
        review(tmp_path, lint=lint)
