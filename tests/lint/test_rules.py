"""Every lint rule's pass and fail cases, as data: tests/lint/cases/<CODE>.yaml.

A case writes its earlier migrations (``before``) and the migration under test (``sql``, with
an optional ``rollback``) into a directory, lints it with only that rule, and compares the
lines of the findings in the file under test with ``expect`` (``expect_rollback`` for
findings in its rollback file). An empty ``expect`` is a passing case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from schemavet.lint import lint_paths
from schemavet.lint.registry import load_rules

CASES = Path(__file__).parent / "cases"
TARGET = "9999.target"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("SV*.yaml")):
        document = yaml.safe_load(path.read_text())
        for index, case in enumerate(document["cases"]):
            params.append(pytest.param(document, case, id=f"{path.stem}-{index}-{case['name']}"))
    return params


@pytest.mark.parametrize(("document", "case"), _cases())
def test_rule_case(
    document: dict[str, Any], case: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """SQLite cases replay into SQLite; PostgreSQL cases into the embedded PostgreSQL server."""
    postgres = _dialect(document, case) == "postgres"
    _check_case(document, case, tmp_path, request.getfixturevalue("postgres_url") if postgres else None)


def _dialect(document: dict[str, Any], case: dict[str, Any]) -> str:
    return str(case.get("dialect", document.get("dialect", "sqlite")))


@pytest.mark.parametrize(
    ("document", "case"),
    [
        p
        for p in _cases()
        if p.values[1].get("dialect", p.values[0].get("dialect")) == "postgres"
        and not p.values[1].get("replay_only")
    ],
)
def test_postgres_case_without_a_server(
    document: dict[str, Any], case: dict[str, Any], tmp_path: Path
) -> None:
    """Without a server, the schema is derived from the earlier statements: same verdicts."""
    _check_case(document, case, tmp_path, None)


def _check_case(
    document: dict[str, Any], case: dict[str, Any], tmp_path: Path, postgres_url: str | None
) -> None:
    for index, sql in enumerate(case.get("before", [])):
        (tmp_path / f"{index:04d}.before.sql").write_text(sql)
    (tmp_path / f"{TARGET}.sql").write_text(case["sql"])
    if "rollback" in case:
        (tmp_path / f"{TARGET}.rollback.sql").write_text(case["rollback"])
    dialect = case.get("dialect", document.get("dialect", "sqlite"))
    findings = lint_paths(
        [str(tmp_path)], dialect, [document["rule"]], postgres_url=postgres_url, embedded_postgres=False
    )
    found = sorted(d.line for d in findings if Path(d.path).name == f"{TARGET}.sql")
    found_rollback = sorted(d.line for d in findings if Path(d.path).name == f"{TARGET}.rollback.sql")
    messages = [f"{d.location} {d.message}" for d in findings]
    assert found == sorted(case["expect"]), messages
    assert found_rollback == sorted(case.get("expect_rollback", [])), messages
    assert all(d.code == document["rule"] and d.hint for d in findings), messages


@pytest.mark.parametrize("code", sorted(load_rules()))
def test_rule_has_pass_and_fail_cases(code: str) -> None:
    path = CASES / f"{code}.yaml"
    assert path.exists(), f"no cases for {code}"
    document = yaml.safe_load(path.read_text())
    assert document["rule"] == code
    outcomes = {bool(c["expect"] or c.get("expect_rollback")) for c in document["cases"]}
    assert outcomes == {True, False}, f"{code} needs both passing and failing cases"


def test_every_case_file_names_a_registered_rule() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} <= set(load_rules())
