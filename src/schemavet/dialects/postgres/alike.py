"""Tables the spec and the database state alike, found without bringing either to normal form.

Normalizing every table of both sides costs more than reading the catalog of a large database.
Yet in a database that matches its spec, a table's spec and its catalog entry mostly differ only
in what the server adds to what was written: the names it gives unnamed constraints and NOT
NULLs, the schema of a reference, ``btree``, the NOT NULL of a key's columns, the order it lists
constraints in. Here a table is compared field by field with those differences read the way
:mod:`~schemavet.dialects.postgres.normalize` reads them; any other difference, however small
(a default spelled another way, say), leaves the table to the normal form as before. So a table
found alike here is one the normal forms would have found equal, and it needs none: both sides
share the database's statement of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import fields
from functools import cache
from operator import attrgetter
from typing import Any

from schemavet.dialects.postgres.names import default_not_null_name
from schemavet.dialects.postgres.options import PLAIN_TABLE
from schemavet.model import Column, ForeignKey, Index, NotNull, Options, PrimaryKey, Schema, Table

_Key = Callable[[Any], tuple[Any, ...]]

#: the fields of a table compared below; a test holds this to the model's compared fields
COMPARED = (
    "columns",
    "primary_key",
    "foreign_keys",
    "uniques",
    "checks",
    "exclusions",
    "indexes",
    "triggers",
    "options",
    "policies",
)


def alike_tables(expected: Schema, actual: Schema) -> set[tuple[str, str]]:
    """The (namespace, table) both sides state alike, up to what the server adds."""
    alike = set()
    for ns_name, ns in expected.namespaces.items():
        found = actual.namespaces.get(ns_name)
        if found is None:
            continue
        for name, table in ns.tables.items():
            other = found.tables.get(name)
            if other is not None and tables_alike(table, other, ns_name):
                alike.add((ns_name, name))
    return alike


def tables_alike(stated: Table, found: Table, namespace: str) -> bool:
    """Whether the spec's ``stated`` and the catalog's ``found`` are one table (see the module)."""
    return (
        _columns_alike(stated, found)
        and _primary_keys_alike(stated.primary_key, found.primary_key)
        and _members_alike(stated.foreign_keys, found.foreign_keys, _reference_key(namespace))
        and _members_alike(stated.uniques, found.uniques, _unnamed_key)
        and _members_alike(stated.checks, found.checks, _unnamed_key)
        and _members_alike(stated.exclusions, found.exclusions, _unnamed_key)
        and _indexes_alike(stated.indexes, found.indexes)
        and stated.triggers == found.triggers
        and _options(stated.options) == _options(found.options)
        and stated.policies == found.policies
    )


# --- columns --------------------------------------------------------------------------------------


@cache
def _column_plain() -> Callable[[Column], tuple[Any, ...]]:
    """A column's compared fields but its nullability and NOT NULL constraint, as a tuple."""
    names = [f.name for f in fields(Column) if f.compare and f.name not in ("nullable", "not_null")]
    return attrgetter(*names)  # type: ignore[return-value]


def _columns_alike(stated: Table, found: Table) -> bool:
    if stated.columns.keys() != found.columns.keys():
        return False
    plain = _column_plain()
    stated_keys = _key_columns(stated.primary_key)
    found_keys = _key_columns(found.primary_key)
    for name, column in stated.columns.items():
        other = found.columns[name]
        if column is other:
            continue
        if plain(column) != plain(other):
            return False
        # a key's or an identity's column is NOT NULL however it was written
        if (column.nullable and name not in stated_keys and column.identity is None) != (
            other.nullable and name not in found_keys and other.identity is None
        ):
            return False
        if column.not_null is not other.not_null and not _not_nulls_alike(
            column.not_null, other.not_null, stated.name, name
        ):
            return False
    return True


def _key_columns(key: PrimaryKey | None) -> tuple[str, ...]:
    return key.columns if key is not None else ()


def _not_nulls_alike(stated: NotNull | None, found: NotNull | None, table: str, column: str) -> bool:
    """A NOT NULL's name counts only where the spec states one other than the server's own."""
    if stated is None or stated.name is None or stated.name == default_not_null_name(table, column):
        return _unnamed(stated) == _unnamed(found)
    return stated == found


def _unnamed(not_null: NotNull | None) -> tuple[Any, ...]:
    """A NOT NULL constraint without its name; none is a plain unnamed one (nullability alone)."""
    return _unnamed_key(not_null) if not_null is not None else _plain_not_null()


@cache
def _plain_not_null() -> tuple[Any, ...]:
    return _unnamed_key(NotNull())


# --- keys, constraints and indexes ----------------------------------------------------------------


def _primary_keys_alike(stated: PrimaryKey | None, found: PrimaryKey | None) -> bool:
    if stated is None or found is None:
        return stated is found
    if stated.name is None:
        return _unnamed_key(stated) == _unnamed_key(found)
    return stated == found


@cache
def _fields_but(kind: type, left_out: tuple[str, ...] = ("name",)) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.compare and f.name not in left_out)


@cache
def _getter(kind: type, left_out: tuple[str, ...] = ("name",)) -> Callable[[Any], tuple[Any, ...]]:
    """The compared fields of a ``kind`` but the ``left_out`` ones, as a tuple."""
    names = _fields_but(kind, left_out)
    get = attrgetter(*names)
    return get if len(names) > 1 else lambda item: (get(item),)  # type: ignore[return-value]


def _unnamed_key(item: Any) -> tuple[Any, ...]:
    """What a constraint is, its name apart."""
    return _getter(type(item))(item)


def _reference_key(namespace: str) -> _Key:
    """A foreign key's :func:`_unnamed_key`, its target's schema stated (``namespace`` where unwritten)."""
    position = _fields_but(ForeignKey).index("ref_schema")
    get = _getter(ForeignKey)

    def key(fk: ForeignKey) -> tuple[Any, ...]:
        values = get(fk)
        if fk.ref_schema is None:
            values = (*values[:position], namespace, *values[position + 1 :])
        return values

    return key


def _members_alike(stated: Sequence[Any], found: Sequence[Any], key: _Key) -> bool:
    """The same constraints in any order; a found one's name counts only where the spec names it
    or has no unnamed one like it (as ``normalize.unstated_names_dropped`` reads them)."""
    if len(stated) != len(found):
        return False
    if not stated:
        return True
    stated_keys = [(key(item), item.name) for item in stated]
    unnamed = {k for k, name in stated_keys if name is None}
    found_keys = [(k, None if k in unnamed else item.name) for item in found for k in (key(item),)]
    if len(stated_keys) == 1:
        return stated_keys == found_keys
    return Counter(stated_keys) == Counter(found_keys)


def _indexes_alike(stated: dict[str, Index], found: dict[str, Index]) -> bool:
    if stated.keys() != found.keys():
        return False
    return all(
        index is found[name] or _index_key(index) == _index_key(found[name]) for name, index in stated.items()
    )


def _index_key(index: Index) -> tuple[Any, ...]:
    """An index with its access method stated (``btree`` where unwritten)."""
    return (_getter(Index, ("name", "using"))(index), (index.using or "btree").lower())


def _options(options: Options | None) -> Options | None:
    return None if options == PLAIN_TABLE else options
