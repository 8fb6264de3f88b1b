"""Schema per tenant: every tenant schema of one database, read once and compared as the spec's.

The catalog is read once, in one snapshot, for every schema matching the patterns (the
namespace filter of ``catalog/namespaces.sql``). The normal form already writes a name of the
schema an object stands in without that schema (``nextval('t_id_seq'::regclass)``, a type
``mood``, a table in a view), so a tenant's normal form is the spec's once the schema itself
is renamed: its key and name, a foreign key's referenced schema, a partition's parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from schemavet.dialects.postgres.inspect import inspect_postgres
from schemavet.dialects.postgres.names import qualified, split_qualified
from schemavet.dialects.postgres.normalize import normalize_postgres
from schemavet.model import ForeignKey, NotModelled, Schema, Table


def inspect_tenants(
    url: str, patterns: Sequence[str], namespace: str, bookkeeping: frozenset[str]
) -> dict[str, Schema]:
    """Each schema matching ``patterns``, in normal form, named ``namespace``."""
    if not patterns:
        return {}
    normal = normalize_postgres(inspect_postgres(url, patterns))
    return {name: _renamed(normal, name, namespace, bookkeeping) for name in sorted(normal.namespaces)}


def _renamed(schema: Schema, tenant: str, namespace: str, bookkeeping: frozenset[str]) -> Schema:
    ns = schema.namespaces[tenant]
    tables = {
        key: _table(table, tenant, namespace)
        for key, table in ns.tables.items()
        if table.name not in bookkeeping
    }
    prefix = f"{tenant}."
    not_modelled = tuple(
        NotModelled(item.kind, namespace + "." + item.name[len(prefix) :])
        for item in schema.not_modelled
        if item.name.startswith(prefix)
    )
    return Schema(schema.engine, {namespace: replace(ns, name=namespace, tables=tables)}, not_modelled)


def _table(table: Table, tenant: str, namespace: str) -> Table:
    keys = [_foreign_key(fk, tenant, namespace) for fk in table.foreign_keys]
    options = table.options
    parent = getattr(options, "partition_of", None)
    if parent:
        parts = split_qualified(parent)
        if len(parts) == 2 and parts[0] == tenant:
            options = replace(options, partition_of=qualified(namespace, parts[1]))  # type: ignore[type-var]
    if keys == list(table.foreign_keys) and options is table.options:
        return table
    return replace(table, foreign_keys=type(table.foreign_keys)(keys), options=options)


def _foreign_key(fk: ForeignKey, tenant: str, namespace: str) -> ForeignKey:
    return replace(fk, ref_schema=namespace) if fk.ref_schema == tenant else fk
