"""The PostgreSQL inspector, kind by kind, on the embedded server (cases in inspection.yaml)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemavet import forking
from schemavet.dialects.postgres import background
from schemavet.dialects.postgres.catalog import GROUPS, KINDS, Catalog
from schemavet.dialects.postgres.inspect import build_schema, inspect_postgres
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


KITCHEN_SINK = (Path(__file__).parent / "kitchen_sink.sql").read_text()
forks = pytest.mark.skipif(not forking.can_fork(), reason="no fork here (not Linux, or one core)")


@forks
def test_the_catalog_handed_over_kind_by_kind_makes_the_same_model(pg_database: Database) -> None:
    """The child hands each kind over as the server sends it and the model is made of the kinds
    as they arrive: the same model as of the whole catalog read in this process."""
    pg_database.run(KITCHEN_SINK)
    whole = Catalog(*background.read(pg_database.url))
    assert all(
        getattr(whole, kind) for kind in ("relations", "not_nulls", "columns", "constraints", "indexes")
    )
    arrived, made = _built_by_a_reader(pg_database.url)
    assert made == [background._ArrivingCatalog]
    assert arrived == build_schema(whole) == inspect_postgres(pg_database.url)


@forks
def test_a_reader_that_dies_midway_leaves_the_parent_to_read_it_all(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kinds from the child and kinds read here would be from two snapshots: when the child
    dies after some kinds, the model is made again from a catalog read here from the start."""
    pg_database.run(KITCHEN_SINK)
    given = forking._marshalled_parts

    def dies_after_three(read: Callable[[], Iterable[Any]]) -> Iterator[bytes]:
        for i, part in enumerate(given(read)):
            if i == 3:
                os._exit(3)
            yield part

    monkeypatch.setattr(forking, "_marshalled_parts", dies_after_three)
    arrived, made = _built_by_a_reader(pg_database.url)
    assert made == [background._ArrivingCatalog, Catalog]
    assert arrived == inspect_postgres(pg_database.url)


@pytest.mark.parametrize("no_child", ["cannot fork here", "no process to spare"])
def test_without_a_child_a_thread_reads_the_same_catalog(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch, no_child: str
) -> None:
    """Off Linux, with one core, or when the system refuses a process, a thread reads the
    catalog while the spec is parsed: the model is the same, made from the whole catalog."""
    pg_database.run(KITCHEN_SINK)
    if no_child == "cannot fork here":
        monkeypatch.setattr(forking, "can_fork", lambda: False)
    else:
        monkeypatch.setattr(forking, "start_parts", lambda *args, **kwargs: None)
    arrived, made = _built_by_a_reader(pg_database.url)
    assert made == [Catalog]
    assert arrived == inspect_postgres(pg_database.url)


def _built_by_a_reader(url: str) -> tuple[Schema, list[type]]:
    """The model a catalog reader makes, and the kind of catalog each attempt was given."""
    made: list[type] = []

    def build(catalog: Catalog) -> Schema:
        made.append(type(catalog))
        return build_schema(catalog)

    with background.catalog_reader(url, ()) as reader:
        return reader.use(build), made


def test_the_kinds_are_asked_for_in_groups_in_the_catalogs_order() -> None:
    assert tuple(kind for group in GROUPS for kind in group) == KINDS
    assert len(GROUPS) == 3 and GROUPS[0][-1] == "columns"
