"""Introspect a PostgreSQL database into the model, as the catalog states it (normalizing comes later).

Names are kept exactly as the catalog has them: a quoted PostgreSQL name is case-sensitive.
Types, defaults and expressions are the server's own printing (``format_type``, ``pg_get_expr``)
with ``search_path`` empty, so every name in them is qualified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from schemavet.dialects.postgres.catalog import Catalog, read_catalog
from schemavet.dialects.postgres.connect import connect
from schemavet.dialects.postgres.names import quote_ident
from schemavet.dialects.postgres.options import PLAIN_TABLE, PostgresTableOptions
from schemavet.model import (
    NOT_DEFERRABLE,
    Check,
    Column,
    Domain,
    Enum,
    Exclusion,
    Extension,
    ForeignKey,
    Function,
    Generated,
    Index,
    Namespace,
    NotModelled,
    NotNull,
    Policy,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from schemavet.model import (
    Sequence as SequenceModel,
)

ENGINE = "postgresql"

_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
_IDENTITY = {"a": "ALWAYS", "d": "BY DEFAULT"}
_ENABLED = {"O": "ENABLED", "D": "DISABLED", "R": "REPLICA", "A": "ALWAYS"}
_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
_ROUTINES = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window function"}
_OTHER_RELATIONS = {"f": "foreign table", "c": "composite type"}
_INDEX_DESC, _INDEX_NULLS_FIRST = 1, 2


def inspect_postgres(url: str, schemas: Sequence[str] = ()) -> Schema:
    """The schema of the database at ``url``: the schemas matching ``schemas``, else every user schema."""
    with connect(url) as conn:
        return build_schema(read_catalog(conn, schemas))


def build_schema(catalog: Catalog) -> Schema:
    """The model of what a catalog read says, as PostgreSQL states it.

    Each kind of row is made into the model before the next kind is looked at, in the order of
    :class:`Catalog`'s fields: read from a child that hands the catalog over kind by kind
    (:mod:`~schemavet.dialects.postgres.background`), one kind is made while the server is still
    at work on the next.
    """
    names: dict[int, str] = dict(catalog.namespaces)
    relations = catalog.relations
    not_nulls = {
        oid: {row[0]: _not_null(row) for row in rows} for oid, rows in _by_relation(catalog.not_nulls).items()
    }
    columns = _by_relation(catalog.columns)
    members = {oid: _Members(_columns(rows, not_nulls.get(oid, {}))) for oid, rows in columns.items()}
    column_names = {oid: {row[0]: row[1] for row in rows} for oid, rows in columns.items()}
    keys = {
        oid: _Keys.of(_constraints(rows, column_names.get(oid, {})))
        for oid, rows in _by_relation(catalog.constraints).items()
    }
    for oid, rows in _by_relation(catalog.indexes).items():
        _members(members, oid).indexes = _indexes(rows, column_names.get(oid, {}))
    for oid, rows in _by_relation(catalog.triggers).items():
        _members(members, oid).triggers = _triggers(rows)
    for oid, rows in _by_relation(catalog.policies).items():
        _members(members, oid).policies = {p[0]: _policy(p) for p in rows}
    return _schema(catalog, names, relations, members, keys)


def _schema(
    catalog: Catalog,
    names: dict[int, str],
    relations: list[tuple[Any, ...]],
    members: dict[int, _Members],
    keys: dict[int, _Keys],
) -> Schema:
    namespaces = {name: _Namespace(name) for name in names.values()}
    not_modelled = []
    for row in relations:
        oid, namespace, name, kind = row[:4]
        target = namespaces[names[namespace]]
        if kind in ("r", "p"):
            target.tables[name] = _table(row, members.get(oid) or _Members(), keys.get(oid, _NO_KEYS))
            not_modelled += _inheritance(names[namespace], name, row[11])
        elif kind in ("v", "m"):
            target.views[name] = _view(row, members.get(oid) or _Members())
        else:
            not_modelled.append(NotModelled(_OTHER_RELATIONS[kind], _qualified(names[namespace], name)))
    _add_types(catalog, names, namespaces)
    not_modelled += _add_functions(catalog.functions, names, namespaces)
    not_modelled[:0] = [
        NotModelled(kind, _qualified(schema, name)) for kind, schema, name in catalog.not_modelled
    ]
    return Schema(ENGINE, {name: ns.freeze() for name, ns in namespaces.items()}, tuple(not_modelled))


def _by_relation(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """A kind's rows by the relation they hang off (their first column), without it."""
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for oid, group in groupby(rows, itemgetter(0)):  # each query lists a relation's rows together
        grouped.setdefault(oid, []).extend(row[1:] for row in group)
    return grouped


@dataclass
class _Keys:
    """A relation's constraints, made into the model."""

    primary_key: PrimaryKey | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()

    @classmethod
    def of(cls, constraints: dict[str, list[tuple[Any, ...]]]) -> _Keys:
        primary = constraints.get("p")
        return cls(
            primary_key=_primary_key(primary[0]) if primary else None,
            foreign_keys=tuple(_foreign_key(c) for c in constraints.get("f", ())),
            uniques=tuple(_unique(c) for c in constraints.get("u", ())),
            checks=tuple(_check(c) for c in constraints.get("c", ())),
            exclusions=tuple(_exclusion(c) for c in constraints.get("x", ())),
        )


_NO_KEYS = _Keys()


@dataclass
class _Members:
    """What hangs off one relation, made into the model."""

    columns: dict[str, Column] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)


def _members(members: dict[int, _Members], oid: int) -> _Members:
    found = members.get(oid)
    if found is None:
        found = members[oid] = _Members()
    return found


def _columns(rows: list[tuple[Any, ...]], not_nulls: dict[int, NotNull]) -> dict[str, Column]:
    """A relation's columns, each with its NOT NULL constraint (by attribute number) if it has one."""
    return {c[1]: _column(c[1:], not_nulls.get(c[0])) for c in rows}


@dataclass
class _Namespace:
    """A namespace being filled in."""

    name: str
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    sequences: dict[str, SequenceModel] = field(default_factory=dict)
    domains: dict[str, Domain] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)

    def freeze(self) -> Namespace:
        """The finished namespace."""
        return Namespace(
            self.name,
            self.tables,
            self.views,
            self.enums,
            sequences=self.sequences,
            domains=self.domains,
            functions=self.functions,
            extensions=self.extensions,
        )


def _qualified(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _inheritance(schema: str, name: str, parents: list[str] | None) -> list[NotModelled]:
    """Table inheritance (INHERITS, not partitioning) is beyond the model."""
    if not parents:
        return []
    return [NotModelled("table inheritance", f"{_qualified(schema, name)} INHERITS {', '.join(parents)}")]


def _table(row: tuple[Any, ...], members: _Members, keys: _Keys) -> Table:
    return Table(
        name=row[2],
        columns=members.columns,
        primary_key=keys.primary_key,
        foreign_keys=keys.foreign_keys,
        uniques=keys.uniques,
        checks=keys.checks,
        indexes=members.indexes,
        triggers=members.triggers,
        options=_options(row),
        exclusions=keys.exclusions,
        policies=members.policies,
    )


def _options(row: tuple[Any, ...]) -> PostgresTableOptions | None:
    """What the table adds to the model; None for a plain table."""
    unlogged, row_security, force, partition_by, partition_of, bound = row[4:10]
    if not (unlogged or row_security or force or partition_by or partition_of or bound):
        return None  # the common case, told without making the options
    options = PostgresTableOptions(unlogged, partition_by, partition_of, bound, row_security, force)
    return None if options == PLAIN_TABLE else options


def _column(row: tuple[Any, ...], not_null: NotNull | None) -> Column:
    name, type_, notnull, default, identity, generated, collation = row
    return Column(
        name,
        type_,
        nullable=not notnull,
        default=None if generated else default,
        collation=collation,
        generated=Generated(default, stored=generated == "s") if generated else None,
        identity=_IDENTITY.get(identity),
        not_null=not_null,
    )


def _constraints(rows: Iterable[tuple[Any, ...]], names: dict[int, str]) -> dict[str, list[tuple[Any, ...]]]:
    """The constraint rows by kind, their key columns named."""
    by_kind: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_kind[row[1]].append((*row[:6], [names[n] for n in row[6]], *row[7:]))
    return by_kind


def _deferrable(row: tuple[Any, ...]) -> str:
    deferrable, deferred = row[2], row[3]
    if not deferrable:
        return NOT_DEFERRABLE
    return "DEFERRABLE INITIALLY DEFERRED" if deferred else "DEFERRABLE INITIALLY IMMEDIATE"


def _not_null(row: tuple[Any, ...]) -> NotNull:
    _, name, validated, no_inherit = row
    return NotNull(name, validated=validated, no_inherit=no_inherit)


def _primary_key(row: tuple[Any, ...]) -> PrimaryKey:
    return PrimaryKey(tuple(row[6]), name=row[0], deferrable=_deferrable(row))


def _unique(row: tuple[Any, ...]) -> Unique:
    return Unique(tuple(row[6]), name=row[0], nulls_not_distinct=bool(row[15]), deferrable=_deferrable(row))


def _foreign_key(row: tuple[Any, ...]) -> ForeignKey:
    name, columns, ref_schema, ref_table, ref_columns = row[0], row[6], row[7], row[8], row[9]
    match, on_update, on_delete, definition = row[10], row[11], row[12], row[14]
    return ForeignKey(
        columns=tuple(columns),
        ref_table=ref_table,
        ref_columns=tuple(ref_columns),
        on_delete=_action(on_delete, "DELETE", definition),
        on_update=_action(on_update, "UPDATE", definition),
        deferrable=_deferrable(row),
        name=name,
        ref_schema=ref_schema,
        match=_MATCH[match],
        validated=row[4],
        enforced=row[16],
    )


def _action(code: str, event: str, definition: str) -> str:
    """The action's name; SET NULL and SET DEFAULT may name columns (PostgreSQL 15), said only in the text."""
    action = _ACTIONS[code]
    marker = f"ON {event} {action} ("
    start = definition.find(marker)
    if code in ("n", "d") and start >= 0:
        end = definition.index(")", start)
        return definition[start + len(f"ON {event} ") : end + 1]
    return action


def _check(row: tuple[Any, ...]) -> Check:
    return Check(row[13], name=row[0], validated=row[4], no_inherit=row[5], enforced=row[16])


def _exclusion(row: tuple[Any, ...]) -> Exclusion:
    """What follows EXCLUDE in the server's definition, without the deferral it prints after it."""
    definition = row[14].removeprefix("EXCLUDE ")
    for suffix in (" INITIALLY DEFERRED", " DEFERRABLE"):
        definition = definition.removesuffix(suffix)
    return Exclusion(definition, name=row[0], deferrable=_deferrable(row))


def _indexes(rows: Iterable[tuple[Any, ...]], names: dict[int, str]) -> dict[str, Index]:
    return {row[0]: _index(row, names) for row in rows}


def _index(row: tuple[Any, ...], names: dict[int, str]) -> Index:
    name, method, unique, valid, key_count, predicate, nulls_not_distinct, options = row[:8]
    attnums, expressions, opclasses, collations = row[8:12]
    terms = [quote_ident(names[n]) if n else expressions[i] for i, n in enumerate(attnums[:key_count])]
    keys = tuple(
        _index_term(terms[i], opclasses[i], collations[i], options[i] if i < len(options) else 0)
        for i in range(key_count)
    )
    return Index(
        name=name,
        columns=keys,
        unique=unique,
        where=predicate,
        using=method,
        include=tuple(names[n] for n in attnums[key_count:]),
        nulls_not_distinct=nulls_not_distinct,
        valid=valid,
    )


def _index_term(term: str, opclass: str | None, collation: str | None, option: int) -> str:
    """A key term as CREATE INDEX writes it: expression, COLLATE, operator class, order."""
    if not (opclass or collation or option):
        return term  # a plain ascending key
    parts = [term]
    if collation:
        parts.append(f"COLLATE {collation}")
    if opclass:
        parts.append(opclass)
    descending, nulls_first = bool(option & _INDEX_DESC), bool(option & _INDEX_NULLS_FIRST)
    if descending:
        parts.append("DESC")
    if nulls_first != descending:  # NULLS LAST is ASC's default, NULLS FIRST is DESC's
        parts.append("NULLS FIRST" if nulls_first else "NULLS LAST")
    return " ".join(parts)


def _triggers(rows: Iterable[tuple[Any, ...]]) -> dict[str, Trigger]:
    return {
        name: Trigger(name, _after_name(definition, quoted), enabled=_ENABLED[enabled])
        for name, quoted, definition, enabled in rows
    }


def _after_name(definition: str, quoted_name: str) -> str:
    """``CREATE [CONSTRAINT] TRIGGER name rest`` → ``rest``."""
    marker = f"TRIGGER {quoted_name} "
    start = definition.find(marker)
    return definition[start + len(marker) :] if start >= 0 else definition


def _policy(row: tuple[Any, ...]) -> Policy:
    name, command, permissive, roles, using, with_check = row
    return Policy(name, _COMMANDS[command], permissive, tuple(roles), using, with_check)


def _view(row: tuple[Any, ...], members: _Members) -> View:
    return View(
        name=row[2],
        query=row[10],
        triggers=members.triggers,
        materialized=row[3] == "m",
        indexes=members.indexes,
    )


def _add_types(catalog: Catalog, names: dict[int, str], namespaces: dict[str, _Namespace]) -> None:
    """Enums, domains, sequences and extensions into their namespaces."""
    for namespace, name, labels in catalog.enums:
        namespaces[names[namespace]].enums[name] = Enum(name, tuple(labels))
    for row in catalog.domains:
        namespaces[names[row[0]]].domains[row[1]] = _domain(row[1:])
    for row in catalog.sequences:
        namespaces[names[row[0]]].sequences[row[1]] = _sequence(row[1:])
    for namespace, name in catalog.extensions:
        namespaces[names[namespace]].extensions[name] = Extension(name)


def _domain(row: tuple[Any, ...]) -> Domain:
    name, type_, notnull, default, collation, check_names, expressions, validated = row
    checks = tuple(
        Check(expression, name=check, validated=ok)
        for check, expression, ok in zip(check_names, expressions, validated, strict=True)
    )
    return Domain(name, type_, not notnull, default, collation, checks)


def _sequence(row: tuple[Any, ...]) -> SequenceModel:
    name, type_, increment, minimum, maximum, cycle, owner_table, owner_column = row
    owned_by = f"{owner_table}.{owner_column}" if owner_table is not None else None
    return SequenceModel(name, type_, increment, minimum, maximum, cycle, owned_by)


def _add_functions(
    rows: list[tuple[Any, ...]], names: dict[int, str], namespaces: dict[str, _Namespace]
) -> list[NotModelled]:
    """Functions triggers call into their namespaces; the other routines are beyond the model."""
    others = []
    for namespace, name, kind, arguments, result, language, called in rows:
        signature = f"{name}({arguments})"
        if called:
            namespaces[names[namespace]].functions[signature] = Function(name, arguments, result, language)
        else:
            others.append(
                NotModelled(_ROUTINES.get(kind, "routine"), _qualified(names[namespace], signature))
            )
    return others
