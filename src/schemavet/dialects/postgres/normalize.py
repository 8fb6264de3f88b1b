"""PostgreSQL's normal form: every spelling PostgreSQL treats alike is written one way.

Both sides of a comparison pass through here, the spec and the live database, so the diff can
compare with ``==``. Names are kept exactly (a quoted name is case-sensitive); types take
format_type's spelling; expressions, index terms and trigger definitions the spelling of
:mod:`~schemavet.dialects.postgres.expressions` and :mod:`~schemavet.dialects.postgres.clauses`.
A ``serial`` column is what PostgreSQL makes of it: an integer, NOT NULL, defaulting to the
``nextval`` of a sequence the column owns. Members whose order means nothing are sorted.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, TypeVar

from schemavet.dialects.postgres.alike import alike_tables
from schemavet.dialects.postgres.clauses import (
    canonical_arguments,
    canonical_clause,
    canonical_index_term,
    canonical_trigger,
)
from schemavet.dialects.postgres.expressions import Context, canonical_expression
from schemavet.dialects.postgres.names import (
    default_not_null_name,
    generated_name,
    qualified,
    quote_ident,
    read_name,
    split_qualified,
)
from schemavet.dialects.postgres.options import PLAIN_TABLE, PostgresTableOptions
from schemavet.dialects.postgres.types import canonical_type, integer_bounds, serial_type
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
    NotNull,
    Options,
    Policy,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
    replace,
)
from schemavet.model import Sequence as SequenceDef

_DEFERRED = "DEFERRABLE INITIALLY DEFERRED"
_IMMEDIATE = "DEFERRABLE INITIALLY IMMEDIATE"
_TEXT_TYPES = ("text", "character varying", "character", "bpchar", "citext", "name")
_Keys = dict[tuple[str, str], tuple[str, ...]]
_T = TypeVar("_T")


def normalize_postgres(schema: Schema, alike: frozenset[tuple[str, str]] = frozenset()) -> Schema:
    """The schema in PostgreSQL's normal form, keyed by exact names; the ``alike`` (namespace,
    table) pairs are left as they are (see :func:`normalize_postgres_pair`)."""
    keys = _primary_keys(schema)
    return replace(
        schema,
        namespaces={
            name: _namespace(ns, keys, frozenset(t for n, t in alike if n == name))
            for name, ns in schema.namespaces.items()
        },
    )


def normalize_postgres_pair(
    expected: Schema, actual: Schema, whole: bool = True, server: str | None = None
) -> tuple[Schema, Schema]:
    """Both sides in normal form; with ``server``, what still differs is printed there, both sides alike.

    Unless ``whole`` is asked for, a table both sides state alike up to what the server adds
    (:mod:`~schemavet.dialects.postgres.alike`) is not normalized: both sides share the
    database's statement of it, which is all the diff needs to know of it.
    """
    alike = frozenset() if whole else frozenset(alike_tables(expected, actual))
    if alike:
        expected = _tables_shared(expected, actual, alike)
    normal = normalize_postgres(expected, alike), normalize_postgres(actual, alike)
    normal = normal[0], unstated_names_dropped(*normal)
    to_print = differing(*normal)
    if server is None or not to_print:
        return normal
    from schemavet.dialects.postgres.render import render_schemas

    printed = render_schemas([expected, actual], server, to_print)
    return normalize_postgres_pair(printed[0], printed[1], whole)


def _tables_shared(expected: Schema, actual: Schema, alike: frozenset[tuple[str, str]]) -> Schema:
    """``expected`` with the ``alike`` tables as ``actual`` states them."""
    namespaces = dict(expected.namespaces)
    for ns_name, ns in expected.namespaces.items():
        found = actual.namespaces.get(ns_name)
        if found is not None:
            tables = {
                name: found.tables[name] if (ns_name, name) in alike else table
                for name, table in ns.tables.items()
            }
            namespaces[ns_name] = replace(ns, tables=tables)
    return replace(expected, namespaces=namespaces)


def differing(expected: Schema, actual: Schema) -> set[tuple[str, str]]:
    """The (namespace, table or view) that both sides have and that differ between them."""
    differing = set()
    for ns_name, ns in expected.namespaces.items():
        other = actual.namespaces.get(ns_name)
        if other is None:
            continue
        for objects, others in ((ns.tables, other.tables), (ns.views, other.views)):
            differing |= {(ns_name, n) for n, obj in objects.items() if n in others and others[n] != obj}
    return differing


def _with(obj: _T, **values: Any) -> _T:
    """``obj`` with ``values``; ``obj`` itself when it has them already (the common case)."""
    if all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    return replace(obj, **values)


def _primary_keys(schema: Schema) -> _Keys:
    """Each table's primary-key columns: what a foreign key naming no columns refers to."""
    return {
        (ns_name, name): table.primary_key.columns
        for ns_name, ns in schema.namespaces.items()
        for name, table in ns.tables.items()
        if table.primary_key is not None
    }


def _namespace(ns: Namespace, keys: _Keys, alike: frozenset[str]) -> Namespace:
    sequences = {name: _sequence(s, ns.name) for name, s in ns.sequences.items()}
    tables = {}
    for name, table in ns.tables.items():
        if name in alike:
            tables[name] = table
            continue
        expanded, made = _serials_expanded(table, ns.name)
        tables[name] = _table(expanded, ns.name, keys)
        sequences.update((s.name, s) for s in made if s.name not in sequences)
    return replace(
        ns,
        tables=tables,
        views={name: _view(view, ns.name) for name, view in ns.views.items()},
        sequences=sequences,
        domains={name: _domain(domain, ns.name) for name, domain in ns.domains.items()},
        functions=_functions(ns.functions, ns.name),
    )


def _serials_expanded(table: Table, namespace: str) -> tuple[Table, list[SequenceDef]]:
    """A serial column as PostgreSQL makes it: integer, NOT NULL, nextval of a sequence it owns."""
    columns, made = dict(table.columns), []
    for key, column in table.columns.items():
        serial = serial_type(column.type)
        if serial is None:
            continue
        type_name, maximum = serial
        sequence = _serial_sequence_name(table.name, column.name)
        default = f"nextval('{qualified(namespace, sequence)}'::regclass)"
        columns[key] = replace(column, type=type_name, nullable=False, default=default)
        owner = f"{table.name}.{column.name}"
        made.append(SequenceDef(sequence, type_name, 1, 1, maximum, False, owner))
    return (replace(table, columns=columns), made) if made else (table, made)


def _serial_sequence_name(table: str, column: str) -> str:
    """``<table>_<column>_seq``, cut the way PostgreSQL cuts a name it makes."""
    return generated_name(table, (column,), "seq")


def _table(table: Table, namespace: str, keys: _Keys) -> Table:
    columns = table.columns
    key_columns = set(table.primary_key.columns) if table.primary_key else set()
    text = frozenset(
        n for n, c in columns.items() if canonical_type(c.type, namespace).startswith(_TEXT_TYPES)
    )
    context = Context(namespace, text)
    defaults = Context(namespace, text, default=True)
    return replace(
        table,
        columns={n: _column(c, table.name, context, defaults, n in key_columns) for n, c in columns.items()},
        primary_key=_primary_key(table.primary_key),
        foreign_keys=tuple(
            sorted((_foreign_key(fk, namespace, keys) for fk in table.foreign_keys), key=_fk_order)
        ),
        uniques=tuple(sorted((_unique(u) for u in table.uniques), key=lambda u: u.columns)),
        checks=_checks(table.checks, context),
        indexes={name: _index(ix, context) for name, ix in table.indexes.items()},
        triggers={name: _trigger(t, context) for name, t in table.triggers.items()},
        options=_options(table.options, namespace),
        exclusions=tuple(
            sorted((_exclusion(x, context) for x in table.exclusions), key=lambda x: x.definition)
        ),
        policies={name: _policy(p, context) for name, p in table.policies.items()},
    )


def _column(column: Column, table: str, context: Context, defaults: Context, in_key: bool) -> Column:
    identity = " ".join(column.identity.upper().split()) if column.identity else None
    generated = column.generated
    if generated is not None:
        generated = _with(generated, expression=canonical_expression(generated.expression, context))
    type_, default, collation = _column_parts(column.type, column.default, column.collation, defaults)
    normal = (
        type_,
        column.nullable and not in_key and identity is None,
        None if identity or generated else default,
        collation,
        generated,
        identity,
        _not_null(column.not_null, table, column.name) if column.not_null is not None else None,
    )
    # the hottest path of a large schema: a tuple compare, not a replace per column
    current = (column.type, column.nullable, column.default, column.collation, column.generated)
    if normal == (*current, column.identity, column.not_null):
        return column
    type_, nullable, default, collation, generated, identity, not_null = normal
    return Column(
        column.name,
        type_,
        nullable,
        default,
        collation,
        generated,
        line=column.line,
        identity=identity,
        not_null=not_null,
    )


@lru_cache(maxsize=65536)
def _column_parts(
    type_: str, default: str | None, collation: str | None, defaults: Context
) -> tuple[str, str | None, str | None]:
    """A column's type, default and collation in normal form (columns repeat: cached)."""
    return canonical_type(type_, defaults.namespace), _default(default, defaults), _collation(collation)


def _default(default: str | None, context: Context) -> str | None:
    if default is None:
        return None
    text = canonical_expression(default, context)
    return None if text.upper() == "NULL" else text


def _collation(collation: str | None) -> str | None:
    """A collation's name unquoted; ``default`` (the type's own) is none."""
    if collation is None:
        return None
    names = split_qualified(collation) if collation.startswith('"') or "." in collation else [collation]
    if len(names) == 2 and names[0] == "pg_catalog":
        names = names[1:]
    name = ".".join(names)
    return None if name == "default" else name


def _not_null(not_null: NotNull | None, table: str, column: str) -> NotNull | None:
    """A NOT NULL constraint beyond nullability: the name PostgreSQL gives by default is none."""
    if not_null is None:
        return None
    if not_null.name == default_not_null_name(table, column):
        not_null = replace(not_null, name=None)
    return None if not_null == NotNull() else not_null


def _deferrable(text: str) -> str:
    """NOT DEFERRABLE, DEFERRABLE INITIALLY IMMEDIATE or DEFERRABLE INITIALLY DEFERRED."""
    words = " ".join(text.upper().split())
    if "INITIALLY DEFERRED" in words:
        return _DEFERRED
    if words.startswith("DEFERRABLE"):
        return _IMMEDIATE
    return NOT_DEFERRABLE


def _primary_key(pk: PrimaryKey | None) -> PrimaryKey | None:
    return _with(pk, deferrable=_deferrable(pk.deferrable)) if pk is not None else None


def _unique(unique: Unique) -> Unique:
    return _with(unique, deferrable=_deferrable(unique.deferrable))


def _foreign_key(fk: ForeignKey, namespace: str, keys: _Keys) -> ForeignKey:
    ref_schema = fk.ref_schema or namespace
    return _with(
        fk,
        ref_schema=ref_schema,
        ref_columns=fk.ref_columns or keys.get((ref_schema, fk.ref_table), ()),
        on_delete=_action(fk.on_delete),
        on_update=_action(fk.on_update),
        deferrable=_deferrable(fk.deferrable),
        match=" ".join(fk.match.upper().split()),
    )


def _action(action: str) -> str:
    """``set null (a,b)`` → ``SET NULL (a, b)``: the words upper case, the columns as named."""
    words, paren, columns = action.partition("(")
    text = " ".join(words.upper().split())
    if not paren:
        return text
    names = [read_name(c) for c in columns.rstrip(") ").split(",")]
    return f"{text} ({', '.join(quote_ident(n) for n in names)})"


def _fk_order(fk: ForeignKey) -> tuple[Any, ...]:
    return (fk.columns, fk.ref_schema or "", fk.ref_table, fk.ref_columns)


def _checks(checks: tuple[Check, ...], context: Context) -> tuple[Check, ...]:
    normal = (_with(c, expression=canonical_expression(c.expression, context)) for c in checks)
    return tuple(sorted(normal, key=_check_order))


def _check_order(check: Check) -> tuple[str, str]:
    return check.expression, check.name or ""


def _index(index: Index, context: Context) -> Index:
    return _with(
        index,
        columns=tuple(canonical_index_term(term, context) for term in index.columns),
        where=canonical_expression(index.where, context) if index.where else None,
        using=(index.using or "btree").lower(),
    )


def _trigger(trigger: Trigger, context: Context) -> Trigger:
    return _with(
        trigger,
        definition=canonical_trigger(trigger.definition, context),
        enabled=" ".join(trigger.enabled.upper().split()),
    )


def _options(options: Options | None, namespace: str) -> Options | None:
    """A table's PostgreSQL options in normal form; None for a plain table."""
    if not isinstance(options, PostgresTableOptions):
        return options
    context = Context(namespace)
    normal = replace(
        options,
        partition_by=canonical_clause(options.partition_by, context) if options.partition_by else None,
        partition_of=_qualified_table(options.partition_of, namespace) if options.partition_of else None,
        partition_bound=canonical_clause(options.partition_bound, context)
        if options.partition_bound
        else None,
    )
    return None if normal == PLAIN_TABLE else normal


def _qualified_table(name: str, namespace: str) -> str:
    parts = split_qualified(name)
    return qualified(*(parts if len(parts) == 2 else [namespace, parts[-1]]))


def _exclusion(exclusion: Exclusion, context: Context) -> Exclusion:
    definition = exclusion.definition.strip()
    if definition.upper().startswith("EXCLUDE"):
        definition = definition[len("EXCLUDE") :]
    return _with(
        exclusion,
        definition=canonical_clause(definition, context),
        deferrable=_deferrable(exclusion.deferrable),
    )


def _policy(policy: Policy, context: Context) -> Policy:
    roles = {"public" if r.lower() == "public" else r for r in policy.roles} or {"public"}
    return _with(
        policy,
        command=" ".join(policy.command.upper().split()),
        roles=("public",) if "public" in roles else tuple(sorted(roles)),
        using=canonical_expression(policy.using, context) if policy.using else None,
        with_check=canonical_expression(policy.with_check, context) if policy.with_check else None,
    )


def _view(view: View, namespace: str) -> View:
    context = Context(namespace)
    return replace(
        view,
        query=canonical_expression(view.query.strip().rstrip(";").strip(), context),
        triggers={name: _trigger(t, context) for name, t in view.triggers.items()},
        indexes={name: _index(ix, context) for name, ix in view.indexes.items()},
    )


def _domain(domain: Domain, namespace: str) -> Domain:
    context = Context(namespace)
    return replace(
        domain,
        type=canonical_type(domain.type, namespace),
        default=_default(domain.default, context),
        collation=_collation(domain.collation),
        checks=_checks(domain.checks, context),
    )


def _sequence(sequence: SequenceDef, namespace: str) -> SequenceDef:
    """Type in format_type's spelling; unstated bounds are the ones PostgreSQL chooses."""
    type_name = canonical_type(sequence.type, namespace)
    least, greatest = integer_bounds(type_name) or (None, None)
    ascending = sequence.increment > 0
    minimum = sequence.minimum if sequence.minimum is not None else (1 if ascending else least)
    maximum = sequence.maximum if sequence.maximum is not None else (greatest if ascending else -1)
    return replace(sequence, type=type_name, minimum=minimum, maximum=maximum)


def _functions(functions: dict[str, Function], namespace: str) -> dict[str, Function]:
    """Routines keyed by name and argument types, which is what tells overloads apart."""
    normal = {}
    for function in functions.values():
        arguments = canonical_arguments(function.arguments, namespace)
        normal[f"{function.name}({arguments})"] = replace(
            function,
            arguments=arguments,
            returns=canonical_type(function.returns, namespace),
            language=function.language.lower(),
        )
    return normal


def unstated_names_dropped(expected: Schema, actual: Schema) -> Schema:
    """``actual`` with the server's names of keys, constraints, NOT NULLs and domain checks left
    out where the spec states the same one unnamed (the server names every one; a spec states a
    name only when it matters)."""
    namespaces = dict(actual.namespaces)
    for ns_name, ns in actual.namespaces.items():
        stated = expected.namespaces.get(ns_name)
        if stated is None:
            continue
        tables = {
            name: t
            if t is stated.tables.get(name)  # a table shared as it is alike (normalize_postgres_pair)
            else _unnamed_constraints(_unnamed_not_nulls(t, stated.tables.get(name)), stated.tables.get(name))
            for name, t in ns.tables.items()
        }
        domains = {name: _unnamed_checks(d, stated.domains.get(name)) for name, d in ns.domains.items()}
        namespaces[ns_name] = replace(ns, tables=tables, domains=domains)
    return replace(actual, namespaces=namespaces)


def _unnamed_constraints(table: Table, stated: Table | None) -> Table:
    """``table`` with the server's name of each key and constraint left out where the spec has
    the same one unnamed: the spec names a constraint only when its name matters, and then it
    is compared (an unexpected or changed constraint keeps its name, for the report)."""
    if stated is None:
        return table
    key = table.primary_key
    if key is not None and key.name is not None and stated.primary_key == replace(key, name=None):
        key = stated.primary_key
    return _with(
        table,
        primary_key=key,
        foreign_keys=tuple(sorted(_unnamed(table.foreign_keys, stated.foreign_keys), key=_fk_order)),
        uniques=tuple(sorted(_unnamed(table.uniques, stated.uniques), key=lambda u: u.columns)),
        checks=tuple(sorted(_unnamed(table.checks, stated.checks), key=_check_order)),
        exclusions=tuple(sorted(_unnamed(table.exclusions, stated.exclusions), key=lambda x: x.definition)),
    )


_C = TypeVar("_C", ForeignKey, Unique, Check, Exclusion)


def _unnamed(actual: tuple[_C, ...], stated: tuple[_C, ...]) -> list[_C]:
    unnamed = {item for item in stated if item.name is None}
    if not unnamed:
        return list(actual)
    return [
        replace(item, name=None) if item.name is not None and replace(item, name=None) in unnamed else item
        for item in actual
    ]


def _unnamed_checks(domain: Domain, stated: Domain | None) -> Domain:
    """A domain whose checks keep only the names its spec states."""
    names = {check.name for check in stated.checks if check.name} if stated is not None else set()
    checks = tuple(check if check.name in names else replace(check, name=None) for check in domain.checks)
    return _with(domain, checks=tuple(sorted(checks, key=_check_order)))


def _unnamed_not_nulls(table: Table, stated: Table | None) -> Table:
    columns = dict(table.columns)
    for name, column in table.columns.items():
        spec = stated.columns.get(name) if stated is not None else None
        if column.not_null is not None and (
            spec is None or spec.not_null is None or spec.not_null.name is None
        ):
            unnamed = replace(column.not_null, name=None)
            columns[name] = replace(column, not_null=None if unnamed == NotNull() else unnamed)
    return replace(table, columns=columns) if columns != table.columns else table
