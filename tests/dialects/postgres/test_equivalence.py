"""Spellings PostgreSQL treats alike normalize alike; different meanings never do (equivalence.yaml)."""

from __future__ import annotations

from dataclasses import is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemavet.dialects.postgres.expressions import Context, canonical_expression, is_frozen_time
from schemavet.dialects.postgres.inspect import inspect_postgres
from schemavet.dialects.postgres.normalize import normalize_postgres
from schemavet.model import Schema
from tests.dialects.postgres.conftest import Database

CASES = yaml.safe_load((Path(__file__).parent / "equivalence.yaml").read_text())


def _checks(case: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    if "cases" in case:
        return dict(case["cases"])
    return {case["path"]: {"same": case["same"], "different": case["different"]}}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_spellings(case: dict[str, Any], pg_database: Database) -> None:
    pg_database.run(case["sql"])
    schema = inspect_postgres(pg_database.url)
    normal = normalize_postgres(schema)
    assert normalize_postgres(normal) == normal, "normalizing twice changes nothing"
    for path, spellings in _checks(case).items():
        for value in spellings["same"]:
            other = normalize_postgres(replaced_at(schema, path, value))
            assert other == normal, f"{path} = {value!r} should mean what the server printed"
        for value in spellings["different"]:
            other = normalize_postgres(replaced_at(schema, path, value))
            assert other != normal, f"{path} = {value!r} should not mean what the server printed"


def replaced_at(schema: Schema, path: str, value: Any) -> Schema:
    """``schema`` with ``value`` at a "/"-separated path (a mapping sets only the fields it names)."""
    first, *rest = path.split("/")
    namespaces = dict(schema.namespaces)
    namespaces[first] = _replaced(namespaces[first], rest, value)
    return replace(schema, namespaces=namespaces)


def _replaced(node: Any, steps: list[str], value: Any) -> Any:
    if not steps:
        if is_dataclass(node) and isinstance(value, dict):
            return replace(node, **{key: _plain(v) for key, v in value.items()})  # type: ignore[type-var]
        return _plain(value)
    step, rest = steps[0], steps[1:]
    if isinstance(node, dict):
        return {**node, step: _replaced(node[step], rest, value)}
    if isinstance(node, tuple):
        items = list(node)
        items[int(step)] = _replaced(items[int(step)], rest, value)
        return tuple(items)
    return replace(node, **{step: _replaced(getattr(node, step), rest, value)})


def _plain(value: Any) -> Any:
    return tuple(_plain(v) for v in value) if isinstance(value, list) else value


def test_a_default_frozen_at_creation_is_told_apart(pg_database: Database) -> None:
    """``'now'::timestamp`` is evaluated once: the server keeps the moment the table was made."""
    pg_database.run(
        "CREATE TABLE t (a timestamp DEFAULT 'now'::timestamp, b timestamp DEFAULT now(), c date)"
    )
    columns = inspect_postgres(pg_database.url).namespaces["public"].tables["t"].columns
    assert is_frozen_time(columns["a"].default)
    assert not is_frozen_time(columns["b"].default) and not is_frozen_time(columns["c"].default)
    assert is_frozen_time(canonical_expression("'now'::timestamp", Context(default=True)))
    assert not is_frozen_time(canonical_expression("'2020-01-01'::date", Context(default=True)))
