"""Every command, spec key and policy rule is documented; CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemavet.cli import main
from schemavet.compare.policies import RULES
from schemavet.spec import load

ROOT = Path(__file__).resolve().parents[1]
SPEC_DOC = (ROOT / "docs" / "spec.md").read_text()
CLI_DOC = (ROOT / "docs" / "cli.md").read_text()
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("command", sorted(main.commands))
def test_command_is_documented(command: str) -> None:
    assert f"## `schemavet {command}" in CLI_DOC
    for option in main.commands[command].params:
        for flag in option.opts:
            if flag.startswith("--") and flag != "--help":
                assert flag in CLI_DOC, f"{command} {flag}"


_KEY_SETS = [n for n in dir(load) if n.startswith("_") and isinstance(getattr(load, n), frozenset)]


def test_key_sets_are_found() -> None:
    assert {"_TOP", "_TABLE", "_COLUMN", "_INDEX", "_VIEW"} <= set(_KEY_SETS)


@pytest.mark.parametrize("key_set", _KEY_SETS)
def test_spec_keys_are_documented(key_set: str) -> None:
    for key in getattr(load, key_set):
        assert f"`{key}`" in SPEC_DOC or f"{key}:" in SPEC_DOC, f"{key} ({key_set})"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_policy_rule_is_documented(rule: str) -> None:
    assert f"| `{rule}` |" in SPEC_DOC


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    setup = [c for c in commands if "pip install" in c]
    assert len(setup) == 2, setup
    assert setup[1] in (ROOT / ".ci" / "run").read_text()
