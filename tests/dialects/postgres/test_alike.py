"""A table found alike without normal forms (alike.py) is one the normal forms find equal.

The spec is the snapshot of the kitchen sink (every object kind, two schemas, quoted names);
each mutation below touches one of the things the shortcut reads its own way (names the server
gives, a reference's schema, ``btree``, a key column's NOT NULL, table options), and the verdict
with the shortcut must be the verdict without it, finding for finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.compare.diff import diff_schemas
from schemavet.dialects.postgres.alike import COMPARED, alike_tables
from schemavet.dialects.postgres.inspect import inspect_postgres
from schemavet.dialects.postgres.normalize import normalize_postgres_pair
from schemavet.dialects.postgres.options import PLAIN_TABLE
from schemavet.model import NotNull, Schema, Table
from schemavet.spec.load import load_spec

KITCHEN_SINK = (Path(__file__).parent / "kitchen_sink.sql").read_text()
Mutation = Callable[[Table], Table]


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[tuple[Schema, Schema]]:
    """(the snapshot spec's schema, the inspected schema) of one kitchen-sink database."""
    from tests.dialects.postgres.conftest import _database

    for database in _database(pg_server):
        database.run(KITCHEN_SINK)
        spec = tmp_path_factory.mktemp("alike") / "spec.yaml"
        result = CliRunner().invoke(main, ["snapshot", "--db", database.url, "-o", str(spec)])
        assert result.exit_code == 0, result.output
        yield load_spec(spec, "postgresql").schema, inspect_postgres(database.url)


def _findings(expected: Schema, actual: Schema, whole: bool) -> list[str]:
    return sorted(repr(f) for f in diff_schemas(*normalize_postgres_pair(expected, actual, whole)))


def test_every_compared_field_of_a_table_is_compared() -> None:
    assert set(COMPARED) == {f.name for f in fields(Table) if f.compare}


def test_a_snapshot_is_alike_table_for_table(sides: tuple[Schema, Schema]) -> None:
    expected, actual = sides
    tables = {(ns, t) for ns, n in expected.namespaces.items() for t in n.tables}
    assert alike_tables(expected, actual) == tables
    assert _findings(expected, actual, whole=False) == _findings(expected, actual, whole=True) == []


def _first(items: tuple[Any, ...], **values: Any) -> tuple[Any, ...]:
    return (replace(items[0], **values), *items[1:]) if items else items


def _renamed_key(t: Table) -> Table:
    return replace(t, primary_key=replace(t.primary_key, name="other_pkey")) if t.primary_key else t


def _server_key_name(t: Table) -> Table:
    """The key's name written out where the snapshot left it out (it was the server's own)."""
    if t.primary_key is None or t.primary_key.name is not None:
        return t
    return replace(t, primary_key=replace(t.primary_key, name=f"{t.name}_pkey"))


def _named_not_null(name: str | None, validated: bool = True) -> Mutation:
    def mutate(t: Table) -> Table:
        columns = {
            k: replace(c, not_null=NotNull(name if name != "server" else f"{t.name}_{k}_not_null", validated))
            if not c.nullable or c.not_null
            else c
            for k, c in t.columns.items()
        }
        return replace(t, columns=columns)

    return mutate


def _key_column_nullable(t: Table) -> Table:
    if not t.primary_key:
        return t
    columns = dict(t.columns)
    for k in t.primary_key.columns:
        columns[k] = replace(columns[k], nullable=True, not_null=None)
    return replace(t, columns=columns)


def _other_reference_schema(t: Table) -> Table:
    return replace(t, foreign_keys=_first(t.foreign_keys, ref_schema="elsewhere"))


def _reference_schema_stated(t: Table, namespace: str) -> Table:
    return replace(
        t, foreign_keys=tuple(replace(fk, ref_schema=fk.ref_schema or namespace) for fk in t.foreign_keys)
    )


def _using(method: str | None, instead_of: str | None = "btree") -> Mutation:
    """Indexes by ``method``; with ``instead_of``, only the ones by that method."""

    def mutate(t: Table) -> Table:
        indexes = {
            k: replace(ix, using=method) if instead_of is None or (ix.using or "btree") == instead_of else ix
            for k, ix in t.indexes.items()
        }
        return replace(t, indexes=indexes)

    return mutate


MUTATIONS: dict[str, Mutation] = {
    "a foreign key named": lambda t: replace(t, foreign_keys=_first(t.foreign_keys, name="named_fk")),
    "a foreign key with another action": lambda t: replace(
        t, foreign_keys=_first(t.foreign_keys, on_delete="SET NULL")
    ),
    "a reference to another schema": _other_reference_schema,
    "constraints in reverse order": lambda t: replace(
        t, foreign_keys=t.foreign_keys[::-1], uniques=t.uniques[::-1], checks=t.checks[::-1]
    ),
    "a unique named": lambda t: replace(t, uniques=_first(t.uniques, name="named_unique")),
    "a unique deferrable": lambda t: replace(t, uniques=_first(t.uniques, deferrable="DEFERRABLE")),
    "a check named": lambda t: replace(t, checks=_first(t.checks, name="named_check")),
    "a check not valid": lambda t: replace(t, checks=_first(t.checks, validated=False)),
    "an exclusion named": lambda t: replace(t, exclusions=_first(t.exclusions, name="named_exclusion")),
    "the key named otherwise": _renamed_key,
    "the key named as the server names it": _server_key_name,
    "key columns written without NOT NULL": _key_column_nullable,
    "NOT NULLs named": _named_not_null("custom_not_null"),
    "NOT NULLs named as the server names them": _named_not_null("server"),
    "NOT NULLs not valid": _named_not_null(None, validated=False),
    "indexes with no method": _using(None),
    "indexes by hash": _using("hash", instead_of=None),
    "indexes as BTREE": _using("BTREE"),
    "options plain": lambda t: replace(t, options=PLAIN_TABLE if t.options is None else t.options),
    "options none": lambda t: replace(t, options=None),
    "a trigger gone": lambda t: replace(t, triggers=dict(list(t.triggers.items())[1:])),
}


def _mutated(schema: Schema, mutate: Mutation) -> Schema:
    namespaces = {
        name: replace(ns, tables={k: mutate(t) for k, t in ns.tables.items()})
        for name, ns in schema.namespaces.items()
    }
    return replace(schema, namespaces=namespaces)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=list(MUTATIONS))
def test_the_shortcut_agrees_with_the_normal_forms(sides: tuple[Schema, Schema], mutation: str) -> None:
    expected, actual = sides
    stated = _mutated(expected, MUTATIONS[mutation])
    assert _findings(stated, actual, whole=False) == _findings(stated, actual, whole=True)


def test_references_stated_with_their_schema_are_alike(sides: tuple[Schema, Schema]) -> None:
    expected, actual = sides
    namespaces = {
        name: replace(ns, tables={k: _reference_schema_stated(t, name) for k, t in ns.tables.items()})
        for name, ns in expected.namespaces.items()
    }
    stated = replace(expected, namespaces=namespaces)
    assert alike_tables(stated, actual) == alike_tables(expected, actual)


@pytest.mark.parametrize(
    "mutation", ["a foreign key named", "a check named", "the key named otherwise", "indexes by hash"]
)
def test_what_the_spec_states_otherwise_is_not_alike(sides: tuple[Schema, Schema], mutation: str) -> None:
    expected, actual = sides
    stated = _mutated(expected, MUTATIONS[mutation])
    assert alike_tables(stated, actual) < alike_tables(expected, actual)
    assert _findings(stated, actual, whole=False)


@pytest.mark.parametrize(
    "mutation",
    [
        "constraints in reverse order",
        "the key named as the server names it",
        "key columns written without NOT NULL",
        "NOT NULLs named as the server names them",
        "indexes with no method",
        "indexes as BTREE",
        "options plain",
    ],
)
def test_what_the_server_adds_is_still_alike(sides: tuple[Schema, Schema], mutation: str) -> None:
    expected, actual = sides
    stated = _mutated(expected, MUTATIONS[mutation])
    assert alike_tables(stated, actual) == alike_tables(expected, actual)
    assert _findings(stated, actual, whole=False) == []


def test_an_exclusion_named_otherwise_is_reported_by_its_name(sides: tuple[Schema, Schema]) -> None:
    expected, actual = sides
    stated = _mutated(expected, MUTATIONS["an exclusion named"])
    findings = diff_schemas(*normalize_postgres_pair(stated, actual, whole=False))
    assert any("named_exclusion" in f.message for f in findings), [f.message for f in findings]
