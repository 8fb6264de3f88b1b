"""Read a YAML spec into the model, keeping the line that declares every object.

The format is documented in ``docs/spec.md``. Unknown keys are errors: a misspelt
``nulable`` must not silently verify nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

import yaml

from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.errors import SchemavetError, SpecError
from schemavet.memory import gc_paused, keep
from schemavet.model import (
    NOT_DEFERRABLE,
    Check,
    Column,
    Enum,
    ForeignKey,
    Generated,
    Index,
    Namespace,
    NotNull,
    Options,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from schemavet.spec import objects
from schemavet.spec.consistency import check_consistency
from schemavet.spec.engines import KEY as ENGINES_KEY
from schemavet.spec.engines import applies
from schemavet.spec.objects import NAMESPACE_OBJECTS, ObjectReader
from schemavet.spec.yamlnodes import Nodes, compose, is_null, line_of
from schemavet.sql.ddl import (
    ACTIONS,
    CONFLICT_RESOLUTIONS,
    ColumnDef,
    ForeignKeyDef,
    parse_column_constraints,
    parse_foreign_key,
    parse_reference,
)
from schemavet.sql.tokens import check_sql

if TYPE_CHECKING:  # policies and query plans: imported only by the specs that have them
    from schemavet.compare.plans import Query
    from schemavet.compare.policies import Policy

FORMAT_VERSION = 1
_T = TypeVar("_T")

_TOP = (
    frozenset(
        {
            "schemavet",
            "engine",
            "description",
            "ignore",
            "policies",
            "tables",
            "views",
            "enums",
            "schemas",
            "queries",
            "external",
        }
    )
    | NAMESPACE_OBJECTS
)
_NAMESPACE = frozenset({"description", "tables", "views", "enums"}) | NAMESPACE_OBJECTS
_TABLE = frozenset(
    {
        "description",
        "columns",
        "primary_key",
        "foreign_keys",
        "unique",
        "checks",
        "indexes",
        "triggers",
        "exclusions",
        "row_policies",
        ENGINES_KEY,
    }
)
_COLUMN = frozenset(
    {
        "description",
        "type",
        "nullable",
        "default",
        "collation",
        "primary_key",
        "autoincrement",
        "unique",
        "check",
        "references",
        "generated",
        "identity",
        "not_null",
        ENGINES_KEY,
    }
)
_FOREIGN_KEY = frozenset(
    {
        "columns",
        "references",
        "on_delete",
        "on_update",
        "deferrable",
        "name",
        "match",
        "valid",
        "enforced",
        ENGINES_KEY,
    }
)
_INDEX = frozenset(
    {"description", "columns", "unique", "where", "using", "include", "nulls_not_distinct", ENGINES_KEY}
)
_PRIMARY_KEY = frozenset({"columns", "name", "autoincrement", "on_conflict", "rowid_alias", "deferrable"})
_NAMED_COLUMNS = frozenset(
    {"columns", "name", "on_conflict", "nulls_not_distinct", "deferrable", ENGINES_KEY}
)
_CHECK = frozenset({"expression", "name", "valid", "no_inherit", "enforced", ENGINES_KEY})
_NOT_NULL = frozenset({"name", "valid", "no_inherit"})
_TRIGGER = frozenset({"description", "definition", "enabled"})
_TRIGGER_STATES = ("ENABLED", "DISABLED", "REPLICA", "ALWAYS")
_MATCH_TYPES = ("SIMPLE", "FULL", "PARTIAL")
# what spec/objects.py reads sequences, domains, functions, extensions, exclusions and row policies with
_SEQUENCE = objects.SEQUENCE_KEYS
_DOMAIN = objects.DOMAIN_KEYS
_FUNCTION = objects.FUNCTION_KEYS
_EXTENSION = objects.EXTENSION_KEYS
_EXCLUSION = objects.EXCLUSION_KEYS
_ROW_POLICY = objects.ROW_POLICY_KEYS
_VIEW = frozenset({"description", "query", "columns", "triggers", "materialized", "indexes", ENGINES_KEY})
_GENERATED = frozenset({"expression", "stored"})
_ENUM = frozenset({"description", "values", ENGINES_KEY})
_MAPPING = yaml.MappingNode


@dataclass(frozen=True)
class Spec:
    """A loaded spec: the expected schema for one engine, and the policies it states."""

    path: str
    engines: tuple[str, ...]
    schema: Schema
    policies: tuple[Policy, ...] = ()
    queries: tuple[Query, ...] = ()
    #: globs of tables and views the database may hold undeclared (see compare/ignore.py)
    ignore: tuple[str, ...] = ()


def load_spec(path: str | os.PathLike[str], engine: str | None = None) -> Spec:
    """Read and check a spec file; ``engine`` picks per-engine values (default: the spec's first)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            text = f.read()
    except FileNotFoundError as e:
        raise SpecError(f'Spec file "{path}" does not exist') from e
    except OSError as e:
        raise SpecError(f'Cannot read spec file "{path}": {e.strerror}') from e
    return parse_spec(text, path, engine)


def parse_spec(text: str | bytes, path: str = "<spec>", engine: str | None = None) -> Spec:
    """A spec from YAML text."""
    root = compose(text, path)
    if root is None:
        raise SpecError('The spec is empty; it needs at least a "tables" mapping', path, 1)
    keep(root)  # a node tree is some 100,000 objects: the program's end frees them all at once
    with gc_paused():
        return _Reader(path, engine).spec(root)


class _Reader:
    """Walks the node tree; one method per kind of object."""

    def __init__(self, path: str, engine: str | None) -> None:
        self.nodes = Nodes(path)
        self.objects = ObjectReader(self.nodes, self._sql, self._check, self._here)
        self.path = path
        self.requested = engine
        self.spec_engines: tuple[str, ...] = ()
        self._use(registry.get(engine or registry.default_name()))

    def _use(self, dialect: Dialect) -> None:
        """Read what follows as ``dialect`` writes it."""
        self.dialect = dialect
        self.engine = dialect.name
        self.grammar = dialect.grammar()
        self.table_keys = _TABLE | dialect.table_option_keys()
        # what a key or UNIQUE that states no option of its dialect's has (shared: they are frozen)
        self._plain_key = dialect.key_options(False, None, None)
        self._plain_unique = dialect.unique_options(None)

    def spec(self, root: yaml.Node) -> Spec:
        top = self.nodes.mapping(root, "the spec", _TOP)
        self._check_version(top)
        engines = self.spec_engines = self._engines(top)
        if self.requested is None:  # the spec's own first engine
            self._use(registry.get(engines[0]))
        if self.engine not in engines:
            node = top["engine"][1] if "engine" in top else root
            raise self.nodes.error(node, f'The spec does not describe engine "{self.engine}"')
        default = self.dialect.default_namespace
        namespaces = {default: self._namespace(default, root, top)}
        if "schemas" in top:
            for name, (key, node) in self.nodes.mapping(top["schemas"][1], '"schemas"').items():
                if name in namespaces:
                    raise self.nodes.error(
                        key, f'Schema "{name}" is the default one: write its tables at the top level'
                    )
                entries = self.nodes.mapping(node, f'schema "{name}"', _NAMESPACE)
                namespaces[name] = self._namespace(name, key, entries)
        policies = self._policies(top)
        self._check_policy_tables(policies, namespaces)
        schema = Schema(self.engine, namespaces)
        external = self.nodes.names(top["external"][1], '"external"') if "external" in top else ()
        check_consistency(self.path, schema, self.dialect, external)
        queries = self._queries(top, schema)
        ignore = self.nodes.names(top["ignore"][1], '"ignore"') if "ignore" in top else ()
        return Spec(self.path, engines, schema, policies, queries, ignore)

    def _policies(self, top: dict[str, tuple[yaml.Node, yaml.Node]]) -> tuple[Policy, ...]:
        nodes = self._list(top, "policies", '"policies"')
        if not nodes:
            return ()
        from schemavet.spec.policies import parse_policy

        return tuple(parse_policy(self.nodes, node) for node in nodes)

    def _queries(self, top: dict[str, tuple[yaml.Node, yaml.Node]], schema: Schema) -> tuple[Query, ...]:
        if "queries" not in top:
            return ()
        from schemavet.spec.queries import parse_queries

        return parse_queries(self.nodes, top["queries"][1], schema)

    def _check_policy_tables(self, policies: tuple[Policy, ...], namespaces: dict[str, Namespace]) -> None:
        key = self.dialect.name_key
        declared = {key(name) for ns in namespaces.values() for name in ns.tables}
        for policy in policies:
            for name in (*policy.tables, *policy.exempt, *([policy.target] if policy.target else [])):
                if key(name) not in declared:
                    raise SpecError(
                        f'Policy {policy.title} names table "{name}", which the spec does not declare',
                        self.path,
                        policy.line,
                    )

    def _check_version(self, top: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        if "schemavet" in top:
            node = top["schemavet"][1]
            if self.nodes.scalar(node, '"schemavet"') != str(FORMAT_VERSION):
                raise self.nodes.error(
                    node, f"Unsupported spec format version; this schemavet reads version {FORMAT_VERSION}"
                )

    def _engines(self, top: dict[str, tuple[yaml.Node, yaml.Node]]) -> tuple[str, ...]:
        if "engine" not in top:
            return (registry.default_name(),) if self.requested is None else (self.engine,)
        node = top["engine"][1]
        engines = self.nodes.names(node, '"engine"')
        for name in engines:
            if name not in registry.names():
                raise self.nodes.error(
                    node, f'Unknown engine "{name}"; expected one of: ' + ", ".join(registry.names())
                )
        return engines

    def _list(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str) -> list[yaml.Node]:
        if key not in entries:
            return []
        return [node for node in self.nodes.sequence(entries[key][1], what) if self._here(node)]

    def _items(
        self, entries: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if key not in entries:
            return {}
        items = self.nodes.mapping(entries[key][1], what)
        # only a mapping can carry an ``engines:`` marker: most items (columns) are not one
        absent = [
            name for name, (_, node) in items.items() if node.__class__ is _MAPPING and not self._here(node)
        ]
        for name in absent:
            del items[name]
        return items

    def _here(self, node: yaml.Node) -> bool:
        """Whether the object at ``node`` exists on the engine read (see ``engines:``)."""
        if node.__class__ is not yaml.MappingNode:  # the short forms (most columns) carry no marker
            return True
        return applies(self.nodes, node, self.engine, self.spec_engines)

    def _namespace(
        self, name: str, node: yaml.Node, entries: dict[str, tuple[yaml.Node, yaml.Node]]
    ) -> Namespace:
        # an object's line is its key's: a block mapping's value starts on the next line
        tables = {
            t: self._table(t, v, line_of(k))
            for t, (k, v) in self._items(entries, "tables", '"tables"').items()
        }
        views = {
            v: self._view(v, n, line_of(k)) for v, (k, n) in self._items(entries, "views", '"views"').items()
        }
        enums = {
            e: self._enum(e, n, line_of(k)) for e, (k, n) in self._items(entries, "enums", '"enums"').items()
        }
        self._refuse_foreign("enums", entries, enums)
        objects = {
            kind: getattr(self.objects, kind)(entries[kind][1]) for kind in NAMESPACE_OBJECTS & entries.keys()
        }
        for kind, found in objects.items():
            self._refuse_foreign(kind, entries, found)
        return Namespace(name, tables, views, enums, line=line_of(node), **objects)

    def _refuse_foreign(
        self, kind: str, entries: dict[str, tuple[yaml.Node, yaml.Node]], found: object
    ) -> None:
        """A section the engine read has no such thing as (a domain on SQLite), unless every
        object in it is marked for other engines: it could never verify."""
        if found and kind not in self.dialect.spec_objects:
            raise self.nodes.error(
                entries[kind][0],
                f'{self.dialect.title} has no {kind.replace("_", " ")}: mark them "engines:" '
                f"with the engines that have them, or leave them out",
            )

    # --- tables -----------------------------------------------------------------------------

    def _table(self, name: str, node: yaml.Node, line: int) -> Table:
        what = f'table "{name}"'
        entries = self.nodes.mapping(node, what, self.table_keys)
        options = self._dialect_says(node, lambda: self._table_options(entries, what))
        if options is not None and options.is_virtual:
            return Table(name=name, triggers=self._triggers(entries, what), options=options, line=line)
        if "columns" not in entries:
            raise self.nodes.error(node, f'{what} has no "columns"')
        parts = _TableParts(self.dialect)
        columns = {
            c: self._column(c, n, parts, line_of(k))
            for c, (k, n) in self._items(entries, "columns", f'"columns" of {what}').items()
        }
        if "primary_key" in entries:
            parts.set_primary_key(
                self._primary_key(entries["primary_key"][1], what),
                self.nodes,
                entries["primary_key"][1],
                what,
            )
        fks = parts.foreign_keys + [
            self._foreign_key(n, what)
            for n in self._list(entries, "foreign_keys", f'"foreign_keys" of {what}')
        ]
        uniques = parts.uniques + [
            self._unique(n, what) for n in self._list(entries, "unique", f'"unique" of {what}')
        ]
        checks = parts.checks + [
            self._check(n, what) for n in self._list(entries, "checks", f'"checks" of {what}')
        ]
        indexes = {
            i: self._index(i, n, what, line_of(k))
            for i, (k, n) in self._items(entries, "indexes", f'"indexes" of {what}').items()
        }
        return Table(
            name=name,
            columns=columns,
            primary_key=parts.primary_key,
            foreign_keys=tuple(fks),
            uniques=tuple(uniques),
            checks=tuple(checks),
            indexes=indexes,
            triggers=self._triggers(entries, what),
            options=options,
            line=line,
            exclusions=self._table_objects(entries, "exclusions", what, ()),
            policies=self._table_objects(entries, "row_policies", what, {}),
        )

    def _table_objects(
        self, entries: dict[str, tuple[yaml.Node, yaml.Node]], kind: str, what: str, none: _T
    ) -> _T:
        """A table's ``exclusions`` or ``row_policies``, where its engine has them."""
        if kind not in entries:
            return none
        found = getattr(self.objects, kind)(entries[kind][1], what)
        self._refuse_foreign(kind, entries, found)
        return found  # type: ignore[no-any-return]

    def _table_options(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], what: str) -> Options | None:
        """The dialect's options of a table, each entry read as a flag or as text."""

        def read(key: str, kind: str) -> str | bool:
            node = entries[key][1]
            if kind == "flag":
                return self.nodes.boolean(node, f'"{key}" of {what}')
            return self.nodes.scalar(node, what)

        return self.dialect.table_options(entries, read)

    def _flag(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str) -> bool:
        return key in entries and self.nodes.boolean(entries[key][1], f'"{key}" of {what}')

    def _flag_or(
        self, entries: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str, default: bool
    ) -> bool:
        """A flag that defaults to true (``valid``, ``enforced``, ``permissive``) or ``default``."""
        return self.nodes.boolean(entries[key][1], f'"{key}" of {what}') if key in entries else default

    def _deferrable(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], what: str) -> str:
        """``deferrable: DEFERRABLE INITIALLY DEFERRED`` (default NOT DEFERRABLE), spelled one way."""
        return " ".join((self._optional(entries, "deferrable", what) or NOT_DEFERRABLE).upper().split())

    def _triggers(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], what: str) -> dict[str, Trigger]:
        return {
            t: self._trigger(t, n, line_of(k))
            for t, (k, n) in self._items(entries, "triggers", f'"triggers" of {what}').items()
        }

    def _trigger(self, name: str, node: yaml.Node, line: int) -> Trigger:
        """A trigger's definition, or ``{definition, enabled}`` for one not simply ENABLED."""
        what = f'trigger "{name}"'
        if not isinstance(node, yaml.MappingNode):
            return Trigger(name=name, definition=self._sql(node, what), line=line)
        entries = self.nodes.mapping(node, what, _TRIGGER)
        if "definition" not in entries:
            raise self.nodes.error(node, f'{what} has no "definition"')
        enabled = " ".join((self._optional(entries, "enabled", what) or "ENABLED").upper().split())
        if enabled not in _TRIGGER_STATES:
            raise self.nodes.error(
                entries["enabled"][1],
                f'"enabled" of {what} should be one of: ' + ", ".join(sorted(_TRIGGER_STATES)),
            )
        return Trigger(
            name=name, definition=self._sql(entries["definition"][1], what), line=line, enabled=enabled
        )

    # --- columns ----------------------------------------------------------------------------

    def _column(self, name: str, node: yaml.Node, parts: _TableParts, line: int) -> Column:
        # the hot path of a large spec: no message text is built unless something is wrong
        if node.__class__ is yaml.ScalarNode:
            definition = self._column_text(name, node)
        else:
            definition = self._column_mapping(name, node, f'column "{name}"')
        if definition.primary_key or definition.unique or definition.checks or definition.references:
            self._dialect_says(node, lambda: parts.absorb(name, definition, line, self.nodes, node))
        generated = None
        if definition.generated is not None:
            generated = Generated(definition.generated, definition.generated_stored)
        return Column(
            name=name,
            type=definition.type,
            nullable=not definition.not_null,
            default=definition.default,
            collation=definition.collation,
            generated=generated,
            identity=self._identity(node, definition.identity) if definition.identity else None,
            line=line,
            not_null=self._not_null(node, name) if node.__class__ is yaml.MappingNode else None,
        )

    def _not_null(self, node: yaml.Node, name: str) -> NotNull | None:
        """A NOT NULL that is a constraint of its own: ``not_null: {name, valid, no_inherit}``."""
        what = f'"not_null" of column "{name}"'
        stated = self.nodes.mapping(node, what).get("not_null")
        if stated is None:
            return None
        entries = self.nodes.mapping(stated[1], what, _NOT_NULL)
        return NotNull(
            name=self._optional(entries, "name", what),
            validated=self._flag_or(entries, "valid", what, True),
            no_inherit=self._flag(entries, "no_inherit", what),
        )

    def _identity(self, node: yaml.Node, identity: str) -> str | None:
        """An identity column's kind, if the dialect has identity columns."""
        return self._dialect_says(node, lambda: self.dialect.column_identity(identity))

    def _dialect_says(self, node: yaml.Node, read: Callable[[], _T]) -> _T:
        """What the dialect makes of a spec's words, its refusal as a spec error at ``node``."""
        try:
            return read()
        except SpecError:
            raise  # located already
        except SchemavetError as e:
            raise self.nodes.error(node, str(e)) from e

    def _column_text(self, name: str, node: yaml.ScalarNode) -> ColumnDef:
        text = self.nodes.scalar(node, f'column "{name}"') if is_null(node) else str(node.value)
        try:
            return parse_column_constraints(text, self.grammar)
        except SchemavetError as e:
            raise self.nodes.error(node, f'Cannot read column "{name}": {e}') from e

    def _column_mapping(self, name: str, node: yaml.Node, what: str) -> ColumnDef:
        entries = self.nodes.mapping(node, what, _COLUMN)
        if "type" not in entries:
            raise self.nodes.error(node, f'{what} has no "type"')
        value = {key: n for key, (_, n) in entries.items()}
        definition = ColumnDef(name=name, type=self._engine_value(value["type"], f'"type" of {what}'))
        if "identity" in value:
            definition.identity = self.nodes.scalar(value["identity"], f'"identity" of {what}').upper()
        definition.not_null = "nullable" in value and not self.nodes.boolean(value["nullable"], what)
        if "default" in value:
            default = self._engine_node(value["default"], f'"default" of {what}')
            definition.default = (
                None
                if isinstance(default, yaml.ScalarNode) and is_null(default)
                else self._sql(default, f'"default" of {what}')
            )
        if "collation" in value:
            definition.collation = self.nodes.scalar(value["collation"], what)
        definition.primary_key = "primary_key" in value and self.nodes.boolean(value["primary_key"], what)
        definition.autoincrement = "autoincrement" in value and self.nodes.boolean(
            value["autoincrement"], what
        )
        definition.unique = "unique" in value and self.nodes.boolean(value["unique"], what)
        if "check" in value:
            definition.checks.append((None, self._sql(value["check"], f'"check" of {what}')))
        if "references" in value:
            definition.references = [self._reference(value["references"], (name,), what)]
        if "generated" in value:
            definition.generated, definition.generated_stored = self._generated(value["generated"], what)
        return definition

    def _engine_value(self, node: yaml.Node, what: str) -> str:
        """A value that may differ per engine: ``TEXT`` or ``{sqlite: TEXT, postgresql: text}``."""
        return self.nodes.scalar(self._engine_node(node, what), what)

    def _engine_node(self, node: yaml.Node, what: str) -> yaml.Node:
        """The node of the engine read, in a value written ``{sqlite: …, postgresql: …}``."""
        if isinstance(node, yaml.ScalarNode):
            return node
        entries = self.nodes.mapping(node, what, frozenset(registry.names()))
        if self.engine not in entries:
            raise self.nodes.error(node, f'{what} gives no value for engine "{self.engine}"')
        return entries[self.engine][1]

    def _generated(self, node: yaml.Node, what: str) -> tuple[str, bool]:
        if isinstance(node, yaml.ScalarNode):
            return self._sql(node, what), False
        entries = self.nodes.mapping(node, f'"generated" of {what}', _GENERATED)
        if "expression" not in entries:
            raise self.nodes.error(node, f'"generated" of {what} has no "expression"')
        stored = "stored" in entries and self.nodes.boolean(entries["stored"][1], what)
        return self._sql(entries["expression"][1], what), stored

    # --- keys and constraints ---------------------------------------------------------------

    def _primary_key(self, node: yaml.Node, what: str) -> PrimaryKey:
        what = f'"primary_key" of {what}'
        if not isinstance(node, yaml.MappingNode):
            return PrimaryKey(self._columns(node, what), options=self._plain_key, line=line_of(node))
        entries = self.nodes.mapping(node, what, _PRIMARY_KEY)
        if "columns" not in entries:
            raise self.nodes.error(node, f'{what} has no "columns"')
        autoincrement, on_conflict = self._flag(entries, "autoincrement", what), self._conflict(entries, what)
        # None: derived the way SQLite does (a lone INTEGER key of a rowid table is one)
        rowid_alias = self._flag(entries, "rowid_alias", what) if "rowid_alias" in entries else None
        return PrimaryKey(
            self._columns(entries["columns"][1], what),
            name=self._optional(entries, "name", what),
            options=self._dialect_says(
                node, lambda: self.dialect.key_options(autoincrement, rowid_alias, on_conflict)
            ),
            line=line_of(node),
            deferrable=self._deferrable(entries, what),
        )

    def _columns(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        columns = self.nodes.names(node, what)
        if not columns:
            raise self.nodes.error(node, f"{what} names no columns")
        return columns

    def _optional(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str) -> str | None:
        return self.nodes.scalar(entries[key][1], f'"{key}" of {what}') if key in entries else None

    def _conflict(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], what: str) -> str | None:
        resolution = self._optional(entries, "on_conflict", what)
        if resolution is not None and resolution.upper() not in CONFLICT_RESOLUTIONS:
            raise self.nodes.error(
                entries["on_conflict"][1],
                f'"on_conflict" of {what} should be one of: ' + ", ".join(sorted(CONFLICT_RESOLUTIONS)),
            )
        return resolution.upper() if resolution else None

    def _sql(self, node: yaml.Node, what: str) -> str:
        """SQL text (an expression, a query, a trigger body), checked to be readable."""
        text = self.nodes.scalar(node, what)
        try:
            check_sql(text)
        except SchemavetError as e:
            raise self.nodes.error(node, f"Cannot read {what}: {e}") from e
        return text

    def _foreign_key(self, node: yaml.Node, what: str) -> ForeignKey:
        if isinstance(node, yaml.ScalarNode):
            text = self.nodes.scalar(node, f"a foreign key of {what}")
            return _to_foreign_key(self._reference_text(node, text), line_of(node))
        entries = self.nodes.mapping(node, f"a foreign key of {what}", _FOREIGN_KEY)
        for required in ("columns", "references"):
            if required not in entries:
                raise self.nodes.error(node, f'A foreign key of {what} has no "{required}"')
        columns = self.nodes.names(entries["columns"][1], f"a foreign key of {what}")
        fk = self._reference(entries["references"][1], columns, what)
        for key in ("on_delete", "on_update", "deferrable", "name"):
            if key in entries:
                setattr(fk, key, self.nodes.scalar(entries[key][1], f'"{key}" of {what}'))
        for key in ("on_delete", "on_update"):
            action = " ".join(getattr(fk, key).upper().split())
            if action not in ACTIONS:
                raise self.nodes.error(
                    entries[key][1], f'"{key}" of {what} should be one of: ' + ", ".join(sorted(ACTIONS))
                )
            setattr(fk, key, action)
        if "match" in entries:
            fk.match = self.nodes.scalar(entries["match"][1], f'"match" of {what}').upper()
            if fk.match not in _MATCH_TYPES:
                raise self.nodes.error(
                    entries["match"][1],
                    f'"match" of {what} should be one of: ' + ", ".join(sorted(_MATCH_TYPES)),
                )
        return replace(
            _to_foreign_key(fk, line_of(node)),
            validated=self._flag_or(entries, "valid", what, True),
            enforced=self._flag_or(entries, "enforced", what, True),
        )

    def _reference(self, node: yaml.Node, columns: tuple[str, ...], what: str) -> ForeignKeyDef:
        text = self.nodes.scalar(node, f'"references" of {what}')
        try:
            return parse_foreign_key(text, text, columns, self.grammar)
        except SchemavetError as e:
            raise self.nodes.error(node, f"Cannot read the reference of {what}: {e}") from e

    def _reference_text(self, node: yaml.Node, text: str) -> ForeignKeyDef:
        """``[CONSTRAINT n] [FOREIGN KEY] (a, b) REFERENCES t(x, y) …`` or ``a REFERENCES t …``."""
        try:
            return parse_reference(text, self.grammar)
        except SchemavetError as e:
            raise self.nodes.error(node, f"Cannot read foreign key {text!r}: {e}") from e

    def _unique(self, node: yaml.Node, what: str) -> Unique:
        what = f'"unique" of {what}'
        if not isinstance(node, yaml.MappingNode):
            return Unique(self._columns(node, what), options=self._plain_unique, line=line_of(node))
        entries = self.nodes.mapping(node, what, _NAMED_COLUMNS)
        if "columns" not in entries:
            raise self.nodes.error(node, f'A unique constraint of {what} has no "columns"')
        on_conflict = self._conflict(entries, what)
        return Unique(
            self._columns(entries["columns"][1], what),
            self._optional(entries, "name", what),
            self._dialect_says(node, lambda: self.dialect.unique_options(on_conflict)),
            line=line_of(node),
            nulls_not_distinct=self._flag(entries, "nulls_not_distinct", what),
            deferrable=self._deferrable(entries, what),
        )

    def _check(self, node: yaml.Node, what: str) -> Check:
        what = f"a check of {what}"
        if isinstance(node, yaml.ScalarNode):
            return Check(self._sql(node, what), line=line_of(node))
        entries = self.nodes.mapping(node, what, _CHECK)
        if "expression" not in entries:
            raise self.nodes.error(node, f'{what} has no "expression"')
        return Check(
            self._sql(entries["expression"][1], what),
            self._optional(entries, "name", what),
            line=line_of(node),
            validated=self._flag_or(entries, "valid", what, True),
            no_inherit=self._flag(entries, "no_inherit", what),
            enforced=self._flag_or(entries, "enforced", what, True),
        )

    def _index(self, name: str, node: yaml.Node, what: str, line: int) -> Index:
        where = f'index "{name}" of {what}'
        if not isinstance(node, yaml.MappingNode):
            return Index(name=name, columns=self._terms(node, where), line=line)
        entries = self.nodes.mapping(node, where, _INDEX)
        if "columns" not in entries:
            raise self.nodes.error(node, f'{where} has no "columns"')
        value = {key: n for key, (_, n) in entries.items()}
        return Index(
            name=name,
            columns=self._terms(value["columns"], where),
            unique="unique" in value and self.nodes.boolean(value["unique"], where),
            where=self._sql(value["where"], f'"where" of {where}') if "where" in value else None,
            using=self._optional(entries, "using", where),
            line=line,
            include=self.nodes.names(value["include"], f'"include" of {where}') if "include" in value else (),
            nulls_not_distinct=self._flag(entries, "nulls_not_distinct", where),
        )

    def _terms(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        terms = self._columns(node, what)
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            self._sql(item, what)
        return terms

    # --- views and types --------------------------------------------------------------------

    def _view(self, name: str, node: yaml.Node, line: int) -> View:
        what = f'view "{name}"'
        if isinstance(node, yaml.ScalarNode):
            return View(name=name, query=self._sql(node, what), line=line)
        entries = self.nodes.mapping(node, what, _VIEW)
        if "query" not in entries:
            raise self.nodes.error(node, f'{what} has no "query"')
        columns = self.nodes.names(entries["columns"][1], what) if "columns" in entries else ()
        return View(
            name=name,
            query=self._sql(entries["query"][1], what),
            columns=columns,
            triggers=self._triggers(entries, what),
            line=line,
            materialized=self._flag(entries, "materialized", what),
            indexes={
                i: self._index(i, n, what, line_of(k))
                for i, (k, n) in self._items(entries, "indexes", f'"indexes" of {what}').items()
            },
        )

    def _enum(self, name: str, node: yaml.Node, line: int) -> Enum:
        what = f'enum "{name}"'
        if isinstance(node, yaml.SequenceNode):
            return Enum(name=name, values=self.nodes.names(node, what), line=line)
        entries = self.nodes.mapping(node, what, _ENUM)
        if "values" not in entries:
            raise self.nodes.error(node, f'{what} has no "values"')
        return Enum(name=name, values=self.nodes.names(entries["values"][1], what), line=line)


class _TableParts:
    """Constraints that column definitions declare, gathered for their table."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.primary_key: PrimaryKey | None = None
        self.foreign_keys: list[ForeignKey] = []
        self.uniques: list[Unique] = []
        self.checks: list[Check] = []

    def absorb(self, name: str, column: ColumnDef, line: int, nodes: Nodes, node: yaml.Node) -> None:
        """Take the column-level constraints out of the definition of column ``name``."""
        if column.primary_key:
            # SQLite: INTEGER PRIMARY KEY DESC on a column is no rowid alias (a known quirk)
            rowid_alias = False if column.primary_key_desc else None
            options = self.dialect.key_options(
                column.autoincrement, rowid_alias, column.primary_key_on_conflict
            )
            key = PrimaryKey((name,), column.primary_key_name, options, line=line)
            self.set_primary_key(key, nodes, node, f'column "{name}"')
        if column.unique:
            options = self.dialect.unique_options(column.unique_on_conflict)
            self.uniques.append(Unique((name,), column.unique_name, options, line=line))
        self.checks += [Check(expression, check, line=line) for check, expression in column.checks]
        self.foreign_keys += [_to_foreign_key(fk, line, (name,)) for fk in column.references]

    def set_primary_key(self, key: PrimaryKey, nodes: Nodes, node: yaml.Node, what: str) -> None:
        """Record the primary key, refusing a second one."""
        if self.primary_key is not None:
            raise nodes.error(node, f"{what} declares a second primary key; a table has one")
        self.primary_key = key


def _to_foreign_key(fk: ForeignKeyDef, line: int, columns: tuple[str, ...] | None = None) -> ForeignKey:
    return ForeignKey(
        columns=columns or fk.columns,
        ref_table=fk.table,
        ref_schema=fk.schema,
        ref_columns=fk.ref_columns,
        on_delete=fk.on_delete,
        on_update=fk.on_update,
        deferrable=" ".join(fk.deferrable.upper().split()),
        name=fk.name,
        line=line,
        match=fk.match or "SIMPLE",
    )
