"""Write a schema as a spec: the short forms wherever they say everything."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import yaml

from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.errors import SchemavetError
from schemavet.model import (
    NOT_DEFERRABLE,
    Check,
    Column,
    Domain,
    Exclusion,
    ForeignKey,
    Function,
    Index,
    Namespace,
    Policy,
    PrimaryKey,
    Schema,
    Sequence,
    Table,
    Trigger,
    Unique,
    View,
)
from schemavet.spec.jsonschema import MODELINE
from schemavet.spec.load import FORMAT_VERSION
from schemavet.sql.ddl import ColumnDef, parse_column_constraints
from schemavet.sql.tokens import matching_paren, quote_identifier, tokenize


class _Flow(list[Any]):
    """A list written on one line: ``[a, b DESC]``."""


class _FlowMap(dict[str, Any]):
    """A mapping written on one line: ``{columns: [a], unique: true}``."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style, with one-line lists and multi-line SQL as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)


_NO_FOLDING = 1 << 30


def dump_spec(schema: Schema, source: str | None = None) -> str:
    """The spec text of ``schema``."""
    document: dict[str, Any] = {"schemavet": FORMAT_VERSION, "engine": schema.engine}
    dialect = registry.get(schema.engine)
    schema = dialect.snapshot_form(schema)
    others = {}
    for name, ns in schema.namespaces.items():
        if name == dialect.default_namespace:
            document.update(_namespace(ns, dialect))
        else:
            others[ns.name] = _namespace(ns, dialect)
    if others:
        document["schemas"] = others
    external = external_tables(schema, dialect)
    if external:
        document["external"] = external
    header = f"{MODELINE}\n# Written by schemavet snapshot{f' from {source}' if source else ''}.\n"
    try:
        # no folding: a foreign key or a WHERE folded mid-clause reads as two lines of SQL
        body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_NO_FOLDING)
    except UnicodeEncodeError as e:
        # inspection keeps names that are not UTF-8 byte for byte (as surrogates); YAML cannot
        near = e.object[max(0, e.start - 20) : e.end + 20]
        bad = near.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise SchemavetError(
            f'The schema holds text that is not valid UTF-8 (near "{bad}"), which a YAML spec cannot hold'
        ) from e
    return header + str(body)


def external_tables(schema: Schema, dialect: Dialect) -> list[str]:
    """The tables foreign keys reference that the schema does not hold (SQLite allows a key to a
    table that does not exist yet): a spec lists them under ``external:``."""
    key = dialect.name_key
    declared = {(key(ns), key(t)) for ns, namespace in schema.namespaces.items() for t in namespace.tables}
    external: list[str] = []
    for ns, namespace in schema.namespaces.items():
        for table in namespace.tables.values():
            for fk in table.foreign_keys:
                target = (key(fk.ref_schema or ns), key(fk.ref_table))
                name = fk.ref_table if fk.ref_schema is None else f"{fk.ref_schema}.{fk.ref_table}"
                if target not in declared and name not in external:
                    external.append(name)
    return external


def _namespace(ns: Namespace, dialect: Dialect) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ns.extensions:
        out["extensions"] = _Flow(e.name for e in ns.extensions.values())
    if ns.enums:
        out["enums"] = {e.name: _Flow(e.values) for e in ns.enums.values()}
    if ns.domains:
        out["domains"] = {d.name: _domain(d) for d in ns.domains.values()}
    if ns.sequences:
        out["sequences"] = {s.name: _sequence(s) for s in ns.sequences.values()}
    if ns.functions:
        out["functions"] = {f"{f.name}({f.arguments})": _function(f) for f in ns.functions.values()}
    if ns.tables:
        out["tables"] = {t.name: _table(t, dialect, ns.name) for t in ns.tables.values()}
    if ns.views:
        out["views"] = {v.name: _view(v, dialect) for v in ns.views.values()}
    return out


def _domain(domain: Domain) -> Any:
    values = {
        "type": domain.type,
        "nullable": False if not domain.nullable else None,
        "default": domain.default,
        "collation": domain.collation,
        "checks": [_check(c) for c in domain.checks],
    }
    return _without_empty(values) if len(_without_empty(values)) > 1 else domain.type


def _sequence(sequence: Sequence) -> Any:
    return _FlowMap(
        _without_empty(
            {
                "type": sequence.type,
                "increment": sequence.increment,
                "minimum": sequence.minimum,
                "maximum": sequence.maximum,
                "cycle": sequence.cycle or None,
                "owned_by": sequence.owned_by,
            }
        )
    )


def _function(function: Function) -> Any:
    return _FlowMap(_without_empty({"returns": function.returns, "language": function.language}))


def _table(table: Table, dialect: Dialect, namespace: str) -> dict[str, Any]:
    options = dialect.dump_table_options(table.options)
    if table.is_virtual:
        return _without_empty({**options, "triggers": _triggers(table)})
    pk = table.primary_key
    inline_pk = pk if pk is not None and _inline(pk, table, dialect) else None
    out: dict[str, Any] = {
        "columns": {c.name: _column(c, inline_pk, dialect) for c in table.columns.values()},
        "primary_key": _primary_key(pk, _no_alias(pk, table))
        if pk is not None and inline_pk is None
        else None,
        "foreign_keys": [_foreign_key(fk, namespace) for fk in table.foreign_keys],
        "unique": [_unique(u) for u in table.uniques],
        "checks": [_check(c) for c in table.checks],
        "exclusions": [_exclusion(x) for x in table.exclusions],
        "indexes": {ix.name: _index(ix, dialect) for ix in table.indexes.values()},
        "triggers": _triggers(table),
        **options,
        "row_policies": {p.name: _row_policy(p) for p in table.policies.values()},
    }
    return _without_empty(out)


def _check(check: Check) -> Any:
    values = {
        "expression": check.expression,
        "name": check.name,
        "valid": False if not check.validated else None,
        "no_inherit": check.no_inherit or None,
        "enforced": False if not check.enforced else None,
    }
    return _without_empty(values) if len(_without_empty(values)) > 1 else check.expression


def _exclusion(exclusion: Exclusion) -> Any:
    values = {
        "definition": exclusion.definition,
        "name": exclusion.name,
        "deferrable": exclusion.deferrable if exclusion.deferrable != NOT_DEFERRABLE else None,
    }
    return _FlowMap(_without_empty(values)) if len(_without_empty(values)) > 1 else exclusion.definition


def _row_policy(policy: Policy) -> dict[str, Any]:
    return _without_empty(
        {
            "command": policy.command if policy.command != "ALL" else None,
            "permissive": False if not policy.permissive else None,
            "roles": _Flow(policy.roles) if policy.roles != ("public",) else None,
            "using": policy.using,
            "with_check": policy.with_check,
        }
    )


def _inline(pk: PrimaryKey, table: Table, dialect: Dialect) -> bool:
    """True when a column's short form can say all about the key: one column, no name."""
    if len(pk.columns) != 1 or pk.name is not None:
        return False
    column = table.columns.get(pk.columns[0])
    return column is not None and _reads_back(column.type, dialect)


def _no_alias(pk: PrimaryKey, table: Table) -> bool:
    """True for a key that is no rowid alias where its columns alone would make one
    (``INTEGER PRIMARY KEY DESC``): the spec must say so, or it would verify as one."""
    column = table.columns.get(pk.columns[0]) if len(pk.columns) == 1 else None
    integer = column is not None and " ".join(column.type.upper().split()) == "INTEGER"
    without_rowid = bool(getattr(table.options, "without_rowid", False))
    return _option(pk, "rowid_alias") is False and integer and not without_rowid


def _without_empty(out: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in out.items() if value not in (None, [], {})}


def _option(owner: PrimaryKey | Unique | None, name: str) -> Any:
    """One of the dialect's options of a key (None where its dialect has no such option)."""
    return getattr(owner.options, name, None) if owner is not None else None


def _column(column: Column, pk: PrimaryKey | None, dialect: Dialect) -> Any:
    """The short form, or the long one where the declared type would not read back as itself
    (or where the column's NOT NULL is a constraint the short form cannot name)."""
    if column.not_null is not None or not _reads_back(column.type, dialect):
        return _long_column(column, pk, dialect)
    parts = [column.type] if column.type else []
    if pk is not None and pk.columns[0] == column.name:
        parts.append(_inline_primary_key(column, pk))
    if not column.nullable:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT {_default(column.default, dialect)}")
    if column.collation is not None:
        parts.append(f"COLLATE {quote_identifier(column.collation)}")
    if column.identity is not None:
        parts.append(f"GENERATED {column.identity} AS IDENTITY")
    if column.generated is not None:
        stored = "STORED" if column.generated.stored else "VIRTUAL"
        parts.append(f"GENERATED ALWAYS AS ({column.generated.expression}) {stored}")
    return " ".join(parts)


def _reads_back(declared: str, dialect: Dialect) -> bool:
    try:
        return parse_column_constraints(declared, dialect.grammar()) == ColumnDef(name="", type=declared)
    except SchemavetError:
        return False


def _inline_primary_key(column: Column, pk: PrimaryKey) -> str:
    text = "PRIMARY KEY"
    if _option(pk, "rowid_alias") is False and " ".join(column.type.upper().split()) == "INTEGER":
        text += " DESC"  # the one way a lone INTEGER key of a rowid table is no rowid alias
    if _option(pk, "on_conflict") is not None:
        text += f" ON CONFLICT {_option(pk, 'on_conflict')}"
    return text + (" AUTOINCREMENT" if _option(pk, "autoincrement") else "")


def _long_column(column: Column, pk: PrimaryKey | None, dialect: Dialect) -> dict[str, Any]:
    generated = column.generated
    is_key = pk is not None and pk.columns[0] == column.name
    return _without_empty(
        {
            "type": column.type,
            "nullable": False if not column.nullable else None,
            "default": _default(column.default, dialect) if column.default is not None else None,
            "collation": column.collation,
            "primary_key": True if is_key else None,
            "autoincrement": True if is_key and _option(pk, "autoincrement") else None,
            "generated": (
                _FlowMap(expression=generated.expression, stored=generated.stored) if generated else None
            ),
            "identity": column.identity.lower() if column.identity else None,
            "not_null": _not_null(column),
        }
    )


def _not_null(column: Column) -> Any:
    not_null = column.not_null
    if not_null is None:
        return None
    values = {
        "name": not_null.name,
        "valid": False if not not_null.validated else None,
        "no_inherit": not_null.no_inherit or None,
    }
    return _FlowMap(_without_empty(values))


def _default(default: str, dialect: Dialect) -> str:
    """A default as DDL accepts it: PRAGMAs report ``(expr)`` without its parentheses; where the
    column language takes a bare expression (``DEFAULT 'x'::text``), bare when it reads back whole."""
    if dialect.grammar().bare_defaults and _reads_back_bare(default, dialect):
        return default
    tokens = tokenize(default)
    simple = len(tokens) == 1 or (len(tokens) == 2 and tokens[0].text in "-+")
    enclosed = tokens[0].text == "(" and matching_paren(tokens, 0) == len(tokens) - 1
    if "--" in default:
        # SQLite keeps the text up to the parenthesis, a closing line comment too: end its line
        return f"({default}\n)"
    return default if simple or enclosed else f"({default})"


def _reads_back_bare(default: str, dialect: Dialect) -> bool:
    try:
        return parse_column_constraints(f"DEFAULT {default}", dialect.grammar()).default == default
    except SchemavetError:
        return False


def _unique(unique: Unique) -> Any:
    values = {
        "columns": _Flow(unique.columns),
        "name": unique.name,
        "on_conflict": _option(unique, "on_conflict"),
        "nulls_not_distinct": unique.nulls_not_distinct or None,
        "deferrable": _deferrable(unique.deferrable),
    }
    if len(_without_empty(values)) == 1:
        return _Flow(unique.columns)
    return _FlowMap(_without_empty(values))


def _deferrable(deferrable: str) -> str | None:
    return deferrable if deferrable != NOT_DEFERRABLE else None


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(quote_identifier(n) for n in names)


def _primary_key(pk: PrimaryKey, no_alias: bool) -> Any:
    plain = not _option(pk, "autoincrement") and _option(pk, "on_conflict") is None
    plain = plain and pk.deferrable == NOT_DEFERRABLE
    if pk.name is None and plain and not no_alias:
        return _Flow(pk.columns)
    return _without_empty(
        {
            "columns": _Flow(pk.columns),
            "name": pk.name,
            "autoincrement": _option(pk, "autoincrement") or None,
            "on_conflict": _option(pk, "on_conflict"),
            "rowid_alias": False if no_alias else None,
            "deferrable": _deferrable(pk.deferrable),
        }
    )


def _foreign_key(fk: ForeignKey, namespace: str) -> Any:
    """One line, as SQL writes it; a mapping for a key that is NOT VALID or NOT ENFORCED."""
    if fk.validated and fk.enforced:
        return _reference_line(fk, namespace)
    values = {
        "columns": _Flow(fk.columns),
        "references": _reference_line(replace(fk, name=None), namespace).partition(" REFERENCES ")[2],
        "name": fk.name,
        "valid": False if not fk.validated else None,
        "enforced": False if not fk.enforced else None,
    }
    return _without_empty(values)


def _reference_line(fk: ForeignKey, namespace: str) -> str:
    # a named key is written as SQL writes it: CONSTRAINT n FOREIGN KEY (a) REFERENCES …
    short = len(fk.columns) == 1 and fk.name is None
    text = quote_identifier(fk.columns[0]) if short else f"({_names(fk.columns)})"
    target = quote_identifier(fk.ref_table)
    if fk.ref_schema is not None and fk.ref_schema != namespace:
        target = f"{quote_identifier(fk.ref_schema)}.{target}"
    text += f" REFERENCES {target}"
    if fk.ref_columns:
        text += f"({_names(fk.ref_columns)})"
    if fk.match != "SIMPLE":
        text += f" MATCH {fk.match}"
    if fk.on_delete != "NO ACTION":
        text += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        text += f" ON UPDATE {fk.on_update}"
    if fk.deferrable != "NOT DEFERRABLE":
        text += f" {fk.deferrable}"
    if fk.name is not None:
        text = f"CONSTRAINT {quote_identifier(fk.name)} FOREIGN KEY {text}"
    return text


def _index(index: Index, dialect: Dialect) -> Any:
    values = {
        "columns": _Flow(index.columns),
        "unique": index.unique or None,
        "where": index.where,
        "using": index.using if index.using != dialect.default_index_method else None,
        "include": _Flow(index.include) if index.include else None,
        "nulls_not_distinct": index.nulls_not_distinct or None,
    }
    if len(_without_empty(values)) == 1:
        return _Flow(index.columns)
    return _FlowMap(_without_empty(values))


def _triggers(owner: Table | View) -> dict[str, Any]:
    return {t.name: _trigger(t) for t in owner.triggers.values()}


def _trigger(trigger: Trigger) -> Any:
    if trigger.enabled == "ENABLED":
        return trigger.definition
    return {"definition": trigger.definition, "enabled": trigger.enabled}


def _view(view: View, dialect: Dialect) -> Any:
    if not view.columns and not view.triggers and not view.materialized:
        return view.query
    return _without_empty(
        {
            "query": view.query,
            "columns": _Flow(view.columns),
            "triggers": _triggers(view),
            "materialized": view.materialized or None,
            "indexes": {ix.name: _index(ix, dialect) for ix in view.indexes.values()},
        }
    )
