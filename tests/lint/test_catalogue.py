"""The rule catalogue: stable codes, one module per rule, each documented with its examples."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from schemavet.lint import registry
from schemavet.lint.registry import Rule, load_rules

ROOT = Path(__file__).resolve().parents[2]
LINT_DOC = (ROOT / "docs" / "lint.md").read_text()
RULES_DIR = ROOT / "src" / "schemavet" / "lint" / "rules"


@pytest.mark.parametrize("code", sorted(load_rules()))
def test_rule_is_documented(code: str) -> None:
    rule = load_rules()[code]
    assert f"#### {code} `{rule.name}`" in LINT_DOC
    assert rule.summary() in LINT_DOC


@pytest.mark.parametrize("code", sorted(load_rules()))
def test_rule_has_its_own_module_and_examples(code: str) -> None:
    rule = load_rules()[code]
    assert rule.__module__.rsplit(".", 1)[1].startswith(code + "_")
    assert len(list(RULES_DIR.glob(f"{code}_*.py"))) == 1
    doc = inspect.getdoc(rule) or ""
    assert "**Anti-pattern**" in doc and "**Best practice**" in doc
    assert rule.hint and re.fullmatch(r"SV[1-6]\d\d", code)


def test_registry_refuses_a_duplicate_code() -> None:
    class Again(Rule):
        code = "SV101"
        name = "again"

    with pytest.raises(ValueError, match="Duplicate lint rule code SV101"):
        registry.register(Again)


def test_pre_commit_hook_runs_lint_on_sql_files() -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "schemavet-lint" and hook["entry"] == "schemavet lint"
    assert re.search(hook["files"], "migrations/app/0001.x.sql") and not re.search(hook["files"], "a.py")
    assert "schemavet-lint" in LINT_DOC
