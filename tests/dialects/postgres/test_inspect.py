"""The PostgreSQL inspector, kind by kind, on the embedded server (cases in inspection.yaml)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemavet.dialects.postgres.inspect import inspect_postgres
from schemavet.model import Schema
from tests.dialects.postgres.conftest import Database

CASES = yaml.safe_load((Path(__file__).parent / "inspection.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_inspection(case: dict[str, Any], pg_database: Database) -> None:
    pg_database.run(case["sql"])
    try:
        schema = inspect_postgres(pg_database.url, case.get("schemas", ()))
    finally:
        if "cleanup" in case:
            pg_database.run(case["cleanup"])
    for path, expected in case["expect"].items():
        actual = resolve(schema, path)
        assert matches(expected, actual), f"{path}: expected {expected!r}, found {actual!r}"


def resolve(schema: Schema, path: str) -> Any:
    """The model object at a "/"-separated path: a namespace ("*": the schema), then keys."""
    first, *rest = path.split("/")
    node: Any = schema if first == "*" else schema.namespaces[first]
    for step in rest:
        if isinstance(node, dict):
            node = node[step]
        elif isinstance(node, tuple):
            node = node[int(step)]
        else:
            node = getattr(node, step)
    if isinstance(node, tuple) and path.endswith("not_modelled"):
        node = tuple(sorted(node, key=lambda item: (item.kind, item.name)))
    return node


def matches(expected: Any, actual: Any) -> bool:
    """Model objects match a mapping by the fields it names; collections match exactly."""
    if is_dataclass(actual) and not isinstance(actual, type):
        names = {f.name for f in fields(actual)}
        return isinstance(expected, dict) and all(
            key in names and matches(value, getattr(actual, key)) for key, value in expected.items()
        )
    if isinstance(actual, dict):
        return (
            isinstance(expected, dict)
            and expected.keys() == actual.keys()
            and all(matches(value, actual[key]) for key, value in expected.items())
        )
    if isinstance(actual, tuple):
        return (
            isinstance(expected, list)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)
