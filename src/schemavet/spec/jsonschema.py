"""The JSON Schema of the spec format, for editors (yaml-language-server) and other tools.

It is generated from the loader's own key sets (``spec/load.py``, the policies' and queries'
keys, every registered dialect's table options), so it names exactly the keys the loader
reads: a key the loader rejects as unknown, the schema rejects too. The package ships it as
``spec.schema.json`` beside this module, and every spec that ``snapshot`` and ``init`` write
names it in its first line. After a change to the key sets, write it again::

    python -m schemavet.spec.jsonschema

(``tests/test_spec_jsonschema.py`` fails while the shipped file and the key sets disagree.)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from schemavet.compare.policies import POLICY_KEYS, RULES
from schemavet.dialect import registry
from schemavet.spec import load
from schemavet.spec.queries import QUERY_KEYS

#: Where editors fetch the schema: the file this package ships, in the project's repository.
SCHEMA_URL = "https://raw.githubusercontent.com/schemavet/schemavet/main/src/schemavet/spec/spec.schema.json"
#: The first line of every spec schemavet writes: yaml-language-server reads the schema from it.
MODELINE = f"# yaml-language-server: $schema={SCHEMA_URL}"
SHIPPED = os.path.join(os.path.dirname(__file__), "spec.schema.json")

_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_FLAG: dict[str, Any] = {"type": "boolean"}
_NAMES: dict[str, Any] = {"anyOf": [_SCALAR, {"type": "array", "items": _SCALAR}]}


def _object(keys: frozenset[str], values: dict[str, Any], title: str) -> dict[str, Any]:
    """A mapping with exactly ``keys``; a key without a schema of its own takes any value."""
    return {
        "type": "object",
        "title": title,
        "properties": {key: values.get(key, {}) for key in sorted(keys)},
        "additionalProperties": False,
    }


def _short_or(long: dict[str, Any], *short: dict[str, Any]) -> dict[str, Any]:
    """An entry written in a short form (a string, a list) or as the full mapping."""
    return {"anyOf": [*short, long]}


def _named(value: dict[str, Any]) -> dict[str, Any]:
    """A mapping of names to ``value``s (tables, indexes, views …)."""
    return {"type": "object", "additionalProperties": value}


def _listed(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": value}


def _one_or_many(value: dict[str, Any]) -> dict[str, Any]:
    """One ``value``, or a list of them."""
    return {"anyOf": [value, {"type": "array", "items": value}]}


def _engine_value() -> dict[str, Any]:
    """``TEXT`` or ``{sqlite: TEXT, postgresql: text}``."""
    return {"anyOf": [_SCALAR, _object(frozenset(registry.names()), {}, "a value per engine")]}


def table_keys() -> frozenset[str]:
    """The keys of a table: the loader's own and every registered dialect's table options."""
    keys = set(load._TABLE)
    for dialect in registry.all_dialects():
        keys |= dialect.table_option_keys()
    return frozenset(keys)


def _column() -> dict[str, Any]:
    generated = _short_or(_object(load._GENERATED, {"stored": _FLAG}, "generated"), _SCALAR)
    values = {
        "type": _engine_value(),
        "nullable": _FLAG,
        "primary_key": _FLAG,
        "autoincrement": _FLAG,
        "unique": _FLAG,
        "default": {
            "anyOf": [
                _SCALAR,
                {"type": "null"},
                _object(frozenset(registry.names()), {}, "a default per engine"),
            ]
        },
        "generated": generated,
        "not_null": _object(load._NOT_NULL, {"valid": _FLAG, "no_inherit": _FLAG}, "a named NOT NULL"),
        "engines": _NAMES,
    }
    return _short_or(_object(load._COLUMN, values, "a column"), _SCALAR)


_NOTHING: dict[str, Any] = {"type": "null"}


def _index() -> dict[str, Any]:
    values = {"columns": _NAMES, "unique": _FLAG, "include": _NAMES, "nulls_not_distinct": _FLAG}
    return _short_or(_object(load._INDEX, values, "an index"), _NAMES)


def _triggers() -> dict[str, Any]:
    return _named(_short_or(_object(load._TRIGGER, {}, "a trigger"), _SCALAR))


def _check() -> dict[str, Any]:
    values = {"valid": _FLAG, "no_inherit": _FLAG, "enforced": _FLAG}
    return _short_or(_object(load._CHECK, values, "a check"), _SCALAR)


def _table() -> dict[str, Any]:
    key_values = {"columns": _NAMES, "autoincrement": _FLAG, "rowid_alias": _FLAG}
    unique_values = {"columns": _NAMES, "nulls_not_distinct": _FLAG}
    named_columns = _object(load._NAMED_COLUMNS, unique_values, "a unique constraint")
    fk_values = {
        "columns": _NAMES,
        "valid": _FLAG,
        "enforced": _FLAG,
        "match": {"enum": sorted(load._MATCH_TYPES)},
    }
    exclusion = _short_or(_object(load._EXCLUSION, {}, "an exclusion constraint"), _SCALAR)
    row_policy = _object(load._ROW_POLICY, {"roles": _NAMES, "permissive": _FLAG}, "a row policy")
    values = {
        "columns": _named(_column()),
        "primary_key": _short_or(_object(load._PRIMARY_KEY, key_values, "a primary key"), _NAMES),
        "foreign_keys": _listed(_short_or(_object(load._FOREIGN_KEY, fk_values, "a foreign key"), _SCALAR)),
        "unique": _listed(_short_or(named_columns, _NAMES)),
        "checks": _listed(_check()),
        "indexes": _named(_index()),
        "triggers": _triggers(),
        "exclusions": _listed(exclusion),
        "row_policies": _named(_short_or(row_policy, _NOTHING)),
    }
    return _object(table_keys(), values, "a table")


def _namespace_values() -> dict[str, Any]:
    view_values = {
        "columns": _NAMES,
        "triggers": _triggers(),
        "materialized": _FLAG,
        "indexes": _named(_index()),
    }
    view = _object(load._VIEW, view_values, "a view")
    enum = _object(load._ENUM, {"values": _NAMES}, "an enum")
    domain = _object(load._DOMAIN, {"nullable": _FLAG, "checks": _listed(_check())}, "a domain")
    sequence = _object(load._SEQUENCE, {"cycle": _FLAG}, "a sequence")
    extension = _short_or(_object(load._EXTENSION, {}, "an extension"), _NOTHING)
    return {
        "tables": _named(_table()),
        "views": _named(_short_or(view, _SCALAR)),
        "enums": _named(_short_or(enum, {"type": "array"})),
        "sequences": _named(_short_or(sequence, _NOTHING)),
        "domains": _named(_short_or(domain, _SCALAR)),
        "functions": _named(_short_or(_object(load._FUNCTION, {}, "a function"), _NOTHING)),
        "extensions": {"anyOf": [{"type": "array", "items": _SCALAR}, _named(extension)]},
    }


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file."""
    namespace = _namespace_values()
    values = {
        **namespace,
        "schemavet": {"enum": [load.FORMAT_VERSION, str(load.FORMAT_VERSION)]},
        "engine": _one_or_many({"enum": list(registry.names())}),
        "ignore": _NAMES,
        "external": _NAMES,
        "schemas": _named(_object(load._NAMESPACE, namespace, "a schema")),
        "policies": _listed(
            _object(
                POLICY_KEYS,
                {"tables": _NAMES, "columns": _NAMES, "except": _NAMES, "rule": {"enum": sorted(RULES)}},
                "a policy",
            )
        ),
        "queries": _named(_object(QUERY_KEYS, {"uses": _NAMES}, "a query")),
    }
    document = _object(load._TOP, values, "schemavet spec")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_URL, **document}


def render() -> str:
    """The schema as the package ships it."""
    return json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    """Write the shipped file again from the key sets (``python -m schemavet.spec.jsonschema``)."""
    with open(SHIPPED, "w", encoding="utf-8", newline="\n") as f:
        f.write(render())
    print(f"Wrote {SHIPPED}", file=sys.stderr)


if __name__ == "__main__":
    main()
