"""Expressions printed by a PostgreSQL server: the robust normal form.

A text normalizer can only know the spellings it was taught; the server knows them all. Here
the tables of a schema are built in a scratch database (in a transaction that is rolled back,
the database dropped after) and their defaults, generated columns, checks, index terms and
predicates, policies and views are read back as the server prints them. Rendering both sides of
a comparison on one server, then normalizing the text, leaves no spelling to chance.

Each object is added in its own savepoint: one the server refuses (a type it lacks, say) keeps
the text it had, for the text normalizer. Everything used exists in PostgreSQL 14.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from schemavet.dialects.postgres.catalog import read_in_transaction
from schemavet.dialects.postgres.inspect import build_schema
from schemavet.dialects.postgres.names import qualified, quote_ident
from schemavet.dialects.postgres.types import serial_type
from schemavet.model import Check, Column, Index, Namespace, Policy, Schema, Table, View

if TYPE_CHECKING:
    import psycopg

_numbers = itertools.count()
_CHECK, _INDEX, _POLICY, _GENERATED = "sv_check_", "sv_index_", "sv_policy_", "sv_generated_"
_Targets = set[tuple[str, str]]


def render_schemas(schemas: Iterable[Schema], server: str, tables: _Targets | None = None) -> list[Schema]:
    """Each schema with the expressions of ``tables`` (all when None) as ``server`` prints them."""
    with _scratch_database(server) as conn:
        return [_render(conn, schema, tables) for schema in schemas]


@contextmanager
def _scratch_database(server: str) -> Iterator[psycopg.Connection[Any]]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from schemavet.dialects.postgres.connect import conninfo

    name = f"schemavet_render_{os.getpid()}_{next(_numbers)}"
    params = conninfo_to_dict(conninfo(server))
    with psycopg.connect(conninfo(server), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        with psycopg.connect(make_conninfo("", **{**params, "dbname": name}), autocommit=True) as conn:
            yield conn
    finally:
        with psycopg.connect(conninfo(server), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _render(conn: psycopg.Connection[Any], schema: Schema, tables: _Targets | None) -> Schema:
    conn.execute("BEGIN")
    try:
        conn.execute("SET LOCAL search_path = ''")
        for ns in schema.namespaces.values():
            _types(conn, ns)
        built = [
            _build_table(conn, ns.name, t) for ns in schema.namespaces.values() for t in _chosen(ns, tables)
        ]
        _build_views(conn, schema, tables)
        printed = build_schema(read_in_transaction(conn, list(schema.namespaces)))
    finally:
        conn.execute("ROLLBACK")
    return _with_printed(schema, printed, {(ns, t.name): t for ns, t in built})


def _build_views(conn: psycopg.Connection[Any], schema: Schema, tables: _Targets | None) -> None:
    """The chosen views, over every table's columns (what a view reads must exist)."""
    views = [(ns.name, view) for ns in schema.namespaces.values() for view in _chosen_views(ns, tables)]
    if not views:
        return
    for ns in schema.namespaces.values():
        for table in ns.tables.values():
            if tables is not None and (ns.name, table.name) not in tables:
                _attempt(conn, f"CREATE TABLE {qualified(ns.name, table.name)} ({_columns_sql(table)})")
    for namespace, view in views:
        _attempt(conn, f"CREATE VIEW {qualified(namespace, view.name)} AS {view.query.rstrip().rstrip(';')}")


def _chosen(ns: Namespace, tables: _Targets | None) -> list[Table]:
    return [t for name, t in ns.tables.items() if tables is None or (ns.name, name) in tables]


def _chosen_views(ns: Namespace, tables: _Targets | None) -> list[View]:
    return [v for name, v in ns.views.items() if tables is None or (ns.name, name) in tables]


def _attempt(conn: psycopg.Connection[Any], sql: str) -> bool:
    """Run ``sql`` in a savepoint; False (and nothing done) when the server refuses it."""
    import psycopg

    try:
        with conn.transaction():
            conn.execute(sql.encode())  # bytes: a % in the SQL is no placeholder
    except psycopg.Error:
        return False
    return True


def _types(conn: psycopg.Connection[Any], ns: Namespace) -> None:
    """The namespace and what its columns' types need: extensions, enums, domains, sequences."""
    if ns.name != "public":
        _attempt(conn, f"CREATE SCHEMA {quote_ident(ns.name)}")
    for name in ns.extensions:
        _attempt(conn, f"CREATE EXTENSION IF NOT EXISTS {quote_ident(name)} SCHEMA {quote_ident(ns.name)}")
    for enum in ns.enums.values():
        labels = ", ".join("'" + label.replace("'", "''") + "'" for label in enum.values)
        _attempt(conn, f"CREATE TYPE {qualified(ns.name, enum.name)} AS ENUM ({labels})")
    for domain in ns.domains.values():
        _attempt(conn, f"CREATE DOMAIN {qualified(ns.name, domain.name)} AS {domain.type}")
    for sequence in ns.sequences.values():
        _attempt(conn, f"CREATE SEQUENCE {qualified(ns.name, sequence.name)}")


def _build_table(conn: psycopg.Connection[Any], namespace: str, table: Table) -> tuple[str, Table]:
    """The table's columns, then each of its expressions on its own; what the server built."""
    target = qualified(namespace, table.name)
    if not _attempt(conn, f"CREATE TABLE {target} ({_columns_sql(table)})"):
        return namespace, Table(table.name)  # a type the server lacks: nothing is printed
    for column in table.columns.values():
        _expression(conn, target, column)
    for i, check in enumerate(table.checks):
        _attempt(
            conn, f"ALTER TABLE {target} ADD CONSTRAINT {_CHECK}{i} CHECK ({check.expression}) NOT VALID"
        )
    for i, index in enumerate(table.indexes.values()):
        _attempt(conn, _index_sql(f"{_INDEX}{i}", target, index))
    for i, policy in enumerate(table.policies.values()):
        _attempt(conn, _policy_sql(f"{_POLICY}{i}", target, policy))
    return namespace, table


def _columns_sql(table: Table) -> str:
    return ", ".join(_column_sql(c) for c in table.columns.values() if c.generated is None)


def _column_sql(column: Column) -> str:
    serial = serial_type(column.type)
    collation = f" COLLATE {quote_ident(column.collation)}" if column.collation else ""
    return f"{quote_ident(column.name)} {serial[0] if serial else column.type}{collation}"


def _expression(conn: psycopg.Connection[Any], target: str, column: Column) -> None:
    """A default (not a serial's), or a generated column's expression on a column of its own."""
    if column.generated is not None:
        name = quote_ident(_GENERATED + column.name)
        expression = column.generated.expression
        _attempt(
            conn,
            f"ALTER TABLE {target} ADD COLUMN {name} {column.type} GENERATED ALWAYS AS ({expression}) STORED",
        )
    elif column.default is not None and serial_type(column.type) is None:
        _attempt(
            conn, f"ALTER TABLE {target} ALTER COLUMN {quote_ident(column.name)} SET DEFAULT {column.default}"
        )


def _index_sql(name: str, target: str, index: Index) -> str:
    include = f" INCLUDE ({', '.join(quote_ident(c) for c in index.include)})" if index.include else ""
    where = f" WHERE {index.where}" if index.where else ""
    using = index.using or "btree"
    return f"CREATE INDEX {name} ON {target} USING {using} ({', '.join(index.columns)}){include}{where}"


def _policy_sql(name: str, target: str, policy: Policy) -> str:
    using = f" USING ({policy.using})" if policy.using else ""
    check = f" WITH CHECK ({policy.with_check})" if policy.with_check else ""
    return f"CREATE POLICY {name} ON {target} FOR {policy.command}{using}{check}"


def _with_printed(schema: Schema, printed: Schema, built: dict[tuple[str, str], Table]) -> Schema:
    """``schema`` with each expression the server printed in place of its text."""
    namespaces = dict(schema.namespaces)
    for ns_name, ns in schema.namespaces.items():
        out = printed.namespaces.get(ns_name)
        if out is None:
            continue
        tables = {
            name: _printed_table(table, out.tables.get(name)) if (ns_name, name) in built else table
            for name, table in ns.tables.items()
        }
        views = {name: _printed_view(view, out.views.get(name)) for name, view in ns.views.items()}
        namespaces[ns_name] = replace(ns, tables=tables, views=views)
    return replace(schema, namespaces=namespaces)


def _printed_table(table: Table, out: Table | None) -> Table:
    if out is None:
        return table
    columns = {name: _printed_column(column, out) for name, column in table.columns.items()}
    checks = tuple(_printed_check(i, check, out) for i, check in enumerate(table.checks))
    indexes = {name: _printed_index(i, ix, out) for i, (name, ix) in enumerate(table.indexes.items())}
    policies = {name: _printed_policy(i, p, out) for i, (name, p) in enumerate(table.policies.items())}
    return replace(table, columns=columns, checks=checks, indexes=indexes, policies=policies)


def _printed_column(column: Column, out: Table) -> Column:
    if column.generated is not None:
        generated = out.columns.get(_GENERATED + column.name)
        if generated is not None and generated.generated is not None:
            return replace(
                column, generated=replace(column.generated, expression=generated.generated.expression)
            )
        return column
    printed = out.columns.get(column.name)
    if printed is None or serial_type(column.type) is not None:
        return column
    default = (
        printed.default if column.default is not None and printed.default is not None else column.default
    )
    return replace(column, type=printed.type, default=default)


def _printed_check(i: int, check: Check, out: Table) -> Check:
    printed = next((c for c in out.checks if c.name == f"{_CHECK}{i}"), None)
    return replace(check, expression=printed.expression) if printed is not None else check


def _printed_index(i: int, index: Index, out: Table) -> Index:
    printed = out.indexes.get(f"{_INDEX}{i}")
    if printed is None:
        return index
    return replace(index, columns=printed.columns, where=printed.where)


def _printed_policy(i: int, policy: Policy, out: Table) -> Policy:
    printed = out.policies.get(f"{_POLICY}{i}")
    if printed is None:
        return policy
    return replace(policy, using=printed.using, with_check=printed.with_check)


def _printed_view(view: View, out: View | None) -> View:
    return replace(view, query=out.query) if out is not None and out.query else view
