"""The JSON Schema shipped for editors: generated from the loader's key sets, it accepts every spec
in the repository and rejects the unknown keys the loader rejects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from schemavet.compare.policies import POLICY_KEYS
from schemavet.dialect import registry
from schemavet.errors import SpecError
from schemavet.spec import jsonschema as spec_schema
from schemavet.spec import load
from schemavet.spec.load import parse_spec
from schemavet.spec.queries import QUERY_KEYS
from tests.conftest import RECRUITING_SPEC, ROOT

SHIPPED = json.loads(Path(spec_schema.SHIPPED).read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SHIPPED)


def test_shipped_schema_is_the_generated_one() -> None:
    assert json.loads(spec_schema.render()) == SHIPPED, (
        "src/schemavet/spec/spec.schema.json is stale: run python -m schemavet.spec.jsonschema"
    )


def test_shipped_schema_is_package_data() -> None:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "spec/*.json" in data["tool"]["setuptools"]["package-data"]["schemavet"]


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every closed mapping in the schema."""
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _loader_key_sets() -> dict[str, frozenset[str]]:
    """Every key set the loader reads a mapping with (a new one added to load.py is here too)."""
    sets = {n: v for n, v in vars(load).items() if n.startswith("_") and isinstance(v, frozenset)}
    sets["_TABLE"] = spec_schema.table_keys()  # the loader adds the dialect's options to it
    sets["POLICY_KEYS"] = POLICY_KEYS
    sets["QUERY_KEYS"] = QUERY_KEYS  # read by spec/queries.py, which the loader imports when needed
    sets["engines"] = frozenset(registry.names())
    return sets


def test_schema_names_exactly_the_loaders_keys() -> None:
    in_schema = {frozenset(o["properties"]) for o in _objects(SHIPPED)}
    loader = _loader_key_sets()
    assert not [n for n, keys in loader.items() if keys not in in_schema], "key sets the schema lacks"
    assert in_schema <= set(loader.values()), "the schema has keys the loader does not read"
    for dialect in registry.all_dialects():
        assert dialect.table_option_keys() <= spec_schema.table_keys()


def _repository_specs() -> Iterator[tuple[str, Any]]:
    for path in [*sorted((ROOT / "schema").glob("*.yaml")), RECRUITING_SPEC]:
        yield path.name, yaml.safe_load(path.read_text())
    for case in yaml.safe_load((ROOT / "tests" / "cases" / "drift.yaml").read_text()):
        if "spec" in case:
            yield case["name"], yaml.safe_load(case["spec"])
    for case in yaml.safe_load((ROOT / "tests" / "cases" / "equivalence.yaml").read_text()):
        yield case["name"], {"tables": {"t": case["spec"], **case.get("extra", {})}}


SPECS = list(_repository_specs())


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=[n for n, _ in SPECS])
def test_accepts_every_spec_in_the_repository(name: str, spec: Any) -> None:
    errors = [e.message for e in VALIDATOR.iter_errors(spec)]
    assert not errors, errors


def test_accepts_what_snapshot_writes(recruiting_db: Path) -> None:
    import schemavet

    text = schemavet.snapshot(str(recruiting_db))
    assert text.startswith(spec_schema.MODELINE + "\n")
    assert not list(VALIDATOR.iter_errors(yaml.safe_load(text)))


# every closed mapping written in its long form, so a stray key can go into each of them
LONG_FORM = """
schemavet: 1
engine: sqlite
ignore: [django_migrations]
tables:
  parent:
    columns:
      id: {type: INTEGER, primary_key: true}
  child:
    description: each closed mapping once
    columns:
      id: {type: INTEGER, nullable: false, generated: {expression: 1 + 1, stored: true}}
      parent_id: {type: {sqlite: INTEGER, postgresql: integer}}
    primary_key: {columns: [id], name: pk_child}
    foreign_keys:
      - {columns: [parent_id], references: parent(id), on_delete: CASCADE}
    unique:
      - {columns: [parent_id], name: uq_child}
    checks:
      - {expression: id > 0, name: positive}
    indexes:
      idx_child_parent: {columns: [parent_id], where: parent_id IS NOT NULL}
views:
  v: {query: SELECT id FROM child, columns: [id]}
policies:
  - {rule: foreign-keys-indexed, tables: [child]}
queries:
  q: {sql: SELECT id FROM child WHERE parent_id = 1, uses: idx_child_parent}
"""
_PLACES = [
    (),
    ("tables", "child"),
    ("tables", "child", "columns", "id"),
    ("tables", "child", "columns", "id", "generated"),
    ("tables", "child", "columns", "parent_id", "type"),
    ("tables", "child", "primary_key"),
    ("tables", "child", "foreign_keys", 0),
    ("tables", "child", "unique", 0),
    ("tables", "child", "checks", 0),
    ("tables", "child", "indexes", "idx_child_parent"),
    ("views", "v"),
    ("policies", 0),
    ("queries", "q"),
]


def test_the_long_form_spec_is_read_and_accepted() -> None:
    parse_spec(LONG_FORM)
    assert not list(VALIDATOR.iter_errors(yaml.safe_load(LONG_FORM)))


@pytest.mark.parametrize("place", _PLACES, ids=["/".join(map(str, p)) or "top" for p in _PLACES])
def test_rejects_an_unknown_key_where_the_loader_does(place: tuple[Any, ...]) -> None:
    spec = yaml.safe_load(LONG_FORM)
    target = spec
    for step in place:
        target = target[step]
    target["nulable"] = True
    with pytest.raises(SpecError, match='Unknown key "nulable"'):
        parse_spec(yaml.safe_dump(spec))
    assert list(VALIDATOR.iter_errors(spec)), f"the schema accepts a stray key at {place}"


@pytest.mark.parametrize(
    "text",
    [
        "tables:\n  t:\n    columns:\n      id: TEXT\n    colums: {}\n",
        "tables:\n  t:\n    columns:\n      id: {type: TEXT, nulable: true}\n",
        "tables:\n  t:\n    columns: {id: TEXT}\n"
        "    foreign_keys: [{columns: id, references: p(id), on_delet: CASCADE}]\n",
        "tables:\n  t:\n    columns: {id: TEXT}\n    unique: [{columns: id, nme: u}]\n",
        "tables:\n  t:\n    columns: {id: TEXT}\n    primary_key: {columns: id, nme: pk}\n",
        "tables:\n  t:\n    columns: {id: TEXT}\n    checks: [{expression: id > 0, nme: c}]\n",
        "views:\n  v: {query: SELECT 1, colums: [a]}\ntables: {}\n",
        "schemas:\n  other:\n    tabels: {}\ntables: {}\n",
        "ignroe: [x]\ntables: {}\n",
    ],
)
def test_rejects_the_loaders_unknown_key_cases(text: str) -> None:
    with pytest.raises(SpecError, match="Unknown key"):
        parse_spec(text)
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text)))


def test_a_key_added_to_the_loader_makes_the_shipped_schema_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "_COLUMN", load._COLUMN | {"comment"})
    assert json.loads(spec_schema.render()) != SHIPPED


@pytest.mark.parametrize(
    "text",
    ["engine: sqlit\ntables: {}\n", "tables: {}\npolicies: [{rule: foreign-keys-indexd}]\n"],
)
def test_rejects_unknown_engines_and_policy_rules(text: str) -> None:
    with pytest.raises(SpecError):
        parse_spec(text)
    assert list(VALIDATOR.iter_errors(yaml.safe_load(text)))
