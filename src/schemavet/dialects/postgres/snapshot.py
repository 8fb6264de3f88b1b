"""A schema as a snapshot writes it: without what PostgreSQL would make of the spec's silence.

``CREATE TABLE t (a int PRIMARY KEY)`` names its key ``t_pkey``; a spec that says nothing of
the name verifies the same (a name is compared only where the spec states one), and reads
better without it. A name is left out only when it is exactly the one PostgreSQL would choose
(``makeObjectName``: ``table_columns_label``, cut to 63 bytes); any other name stays. Likewise
a primary-key column's NOT NULL, which the key implies.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from schemavet.dialects.postgres.names import generated_name
from schemavet.model import Check, Column, Exclusion, NotNull, Schema, Table
from schemavet.sql.tokens import tokenize


def without_generated_names(schema: Schema) -> Schema:
    """``schema`` with every generated constraint name (and NOT NULL name) left out."""
    namespaces = {
        key: replace(ns, tables={name: _table(table) for name, table in ns.tables.items()})
        for key, ns in schema.namespaces.items()
    }
    return replace(schema, namespaces=namespaces)


def _table(table: Table) -> Table:
    name = table.name
    keys = set(table.primary_key.columns) if table.primary_key is not None else set()
    return replace(
        table,
        columns={key: _column(column, name, key in keys) for key, column in table.columns.items()},
        primary_key=_unnamed(table.primary_key, generated_name(name, (), "pkey")),
        uniques=tuple(_unnamed(u, generated_name(name, u.columns, "key")) for u in table.uniques),
        foreign_keys=tuple(
            _unnamed(fk, generated_name(name, fk.columns, "fkey")) for fk in table.foreign_keys
        ),
        checks=tuple(_unnamed(c, _check_name(name, c, table)) for c in table.checks),
        exclusions=tuple(_unnamed(x, _exclusion_name(name, x, table)) for x in table.exclusions),
    )


def _unnamed(member: Any, generated: str) -> Any:
    """``member`` without its name when the name is the generated one."""
    if member is None or member.name != generated:
        return member
    return replace(member, name=None)


def _column(column: Column, table: str, in_key: bool) -> Column:
    """The column without its generated NOT NULL name; a key column without NOT NULL (the key
    says it: PostgreSQL makes every primary-key column NOT NULL)."""
    not_null = column.not_null
    if not_null is not None and not_null.name == generated_name(table, (column.name,), "not_null"):
        unnamed = replace(not_null, name=None)
        column = replace(column, not_null=None if unnamed == NotNull() else unnamed)
    if in_key and column.not_null is None and not column.nullable:
        column = replace(column, nullable=True)
    return column


def _check_name(table: str, check: Check, owner: Table) -> str:
    """``t_col_check`` for a CHECK on one column, ``t_check`` for one on several (or none)."""
    named = {t.name for t in tokenize(check.expression) if t.kind in ("word", "quoted")}
    columns = [c for c in owner.columns if c in named]
    return generated_name(table, tuple(columns[:1]) if len(columns) == 1 else (), "check")


def _exclusion_name(table: str, exclusion: Exclusion, owner: Table) -> str:
    """``t_a_b_excl``: the element columns (``expr`` for an expression), as an index names them."""
    head = exclusion.definition.partition("(")[2]
    columns = []
    for element in _elements(head):
        tokens = tokenize(element)
        plain = tokens and tokens[0].kind in ("word", "quoted") and tokens[0].name in owner.columns
        columns.append(
            tokens[0].name if plain and (len(tokens) == 1 or tokens[1].is_word("WITH")) else "expr"
        )
    return generated_name(table, tuple(columns), "excl")


def _elements(text: str) -> list[str]:
    """The comma-separated elements up to the parenthesis that closes the list."""
    elements: list[str] = []
    depth = start = 0
    for at, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return [*elements, text[start:at]]
            depth -= 1
        elif char == "," and depth == 0:
            elements.append(text[start:at])
            start = at + 1
    return elements
