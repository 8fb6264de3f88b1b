"""Write a schema as a spec: the short forms wherever they say everything."""

from __future__ import annotations

from typing import Any

import yaml

from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.errors import SchemavetError
from schemavet.model import Column, ForeignKey, Index, Namespace, PrimaryKey, Schema, Table, Unique, View
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


def dump_spec(schema: Schema, source: str | None = None) -> str:
    """The spec text of ``schema``."""
    document: dict[str, Any] = {"schemavet": FORMAT_VERSION, "engine": schema.engine}
    dialect = registry.get(schema.engine)
    others = {}
    for name, ns in schema.namespaces.items():
        if name == dialect.default_namespace:
            document.update(_namespace(ns, dialect))
        else:
            others[ns.name] = _namespace(ns, dialect)
    if others:
        document["schemas"] = others
    header = f"{MODELINE}\n# Written by schemavet snapshot{f' from {source}' if source else ''}.\n"
    try:
        body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    except UnicodeEncodeError as e:
        # inspection keeps names that are not UTF-8 byte for byte (as surrogates); YAML cannot
        near = e.object[max(0, e.start - 20) : e.end + 20]
        bad = near.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise SchemavetError(
            f'The schema holds text that is not valid UTF-8 (near "{bad}"), which a YAML spec cannot hold'
        ) from e
    return header + str(body)


def _namespace(ns: Namespace, dialect: Dialect) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ns.tables:
        out["tables"] = {t.name: _table(t, dialect) for t in ns.tables.values()}
    if ns.views:
        out["views"] = {v.name: _view(v) for v in ns.views.values()}
    if ns.enums:
        out["enums"] = {e.name: _Flow(e.values) for e in ns.enums.values()}
    return out


def _table(table: Table, dialect: Dialect) -> dict[str, Any]:
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
        "foreign_keys": [_foreign_key(fk) for fk in table.foreign_keys],
        "unique": [_unique(u) for u in table.uniques],
        "checks": [
            c.expression if c.name is None else {"expression": c.expression, "name": c.name}
            for c in table.checks
        ],
        "indexes": {ix.name: _index(ix) for ix in table.indexes.values()},
        "triggers": _triggers(table),
        **options,
    }
    return _without_empty(out)


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
    """The short form, or the long one where the declared type would not read back as itself."""
    if not _reads_back(column.type, dialect):
        return _long_column(column, pk)
    parts = [column.type] if column.type else []
    if pk is not None and pk.columns[0] == column.name:
        parts.append(_inline_primary_key(column, pk))
    if not column.nullable:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT {_default(column.default)}")
    if column.collation is not None:
        parts.append(f"COLLATE {quote_identifier(column.collation)}")
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


def _long_column(column: Column, pk: PrimaryKey | None) -> dict[str, Any]:
    generated = column.generated
    is_key = pk is not None and pk.columns[0] == column.name
    return _without_empty(
        {
            "type": column.type,
            "nullable": False if not column.nullable else None,
            "default": _default(column.default) if column.default is not None else None,
            "collation": column.collation,
            "primary_key": True if is_key else None,
            "autoincrement": True if is_key and _option(pk, "autoincrement") else None,
            "generated": (
                _FlowMap(expression=generated.expression, stored=generated.stored) if generated else None
            ),
        }
    )


def _default(default: str) -> str:
    """A default as DDL accepts it: PRAGMAs report ``(expr)`` without its parentheses."""
    tokens = tokenize(default)
    simple = len(tokens) == 1 or (len(tokens) == 2 and tokens[0].text in "-+")
    enclosed = tokens[0].text == "(" and matching_paren(tokens, 0) == len(tokens) - 1
    if "--" in default:
        # SQLite keeps the text up to the parenthesis, a closing line comment too: end its line
        return f"({default}\n)"
    return default if simple or enclosed else f"({default})"


def _unique(unique: Unique) -> Any:
    if unique.name is None and _option(unique, "on_conflict") is None:
        return _Flow(unique.columns)
    values = {
        "columns": _Flow(unique.columns),
        "name": unique.name,
        "on_conflict": _option(unique, "on_conflict"),
    }
    return _FlowMap(_without_empty(values))


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(quote_identifier(n) for n in names)


def _primary_key(pk: PrimaryKey, no_alias: bool) -> Any:
    plain = not _option(pk, "autoincrement") and _option(pk, "on_conflict") is None
    if pk.name is None and plain and not no_alias:
        return _Flow(pk.columns)
    return _without_empty(
        {
            "columns": _Flow(pk.columns),
            "name": pk.name,
            "autoincrement": _option(pk, "autoincrement") or None,
            "on_conflict": _option(pk, "on_conflict"),
            "rowid_alias": False if no_alias else None,
        }
    )


def _foreign_key(fk: ForeignKey) -> str:
    text = f"({_names(fk.columns)})" if len(fk.columns) > 1 else quote_identifier(fk.columns[0])
    text += f" REFERENCES {quote_identifier(fk.ref_table)}"
    if fk.ref_columns:
        text += f"({_names(fk.ref_columns)})"
    if fk.on_delete != "NO ACTION":
        text += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        text += f" ON UPDATE {fk.on_update}"
    if fk.deferrable != "NOT DEFERRABLE":
        text += f" {fk.deferrable}"
    if fk.name is not None:
        text = f"CONSTRAINT {quote_identifier(fk.name)} FOREIGN KEY {text}"
    return text


def _index(index: Index) -> Any:
    if not index.unique and index.where is None and index.using is None:
        return _Flow(index.columns)
    return _FlowMap(
        _without_empty(
            {
                "columns": _Flow(index.columns),
                "unique": index.unique or None,
                "where": index.where,
                "using": index.using,
            }
        )
    )


def _triggers(owner: Table | View) -> dict[str, str]:
    return {t.name: t.definition for t in owner.triggers.values()}


def _view(view: View) -> Any:
    if not view.columns and not view.triggers:
        return view.query
    return _without_empty({"query": view.query, "columns": _Flow(view.columns), "triggers": _triggers(view)})
