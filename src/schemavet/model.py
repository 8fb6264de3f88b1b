"""The schema model every source produces and every comparison reads.

Frozen dataclasses, no I/O, no dialect logic. Collections are dicts keyed by the name used
for matching (the dialect decides what that key is: SQLite folds case, PostgreSQL does
not); each object also keeps its name as written, for messages. ``line`` records where a
spec declares the object and takes no part in comparisons.

What only one engine has (SQLite's WITHOUT ROWID, a conflict clause, PostgreSQL's UNLOGGED …)
is no field here: a dialect subclasses :class:`Options` and hangs it on the table or key as
``options``; comparisons read its fields as the owner's own, so the model, the diff and the
reports learn nothing when a dialect adds one. A few facts that are the SQL standard's but that
not every engine has (identity columns, NOT VALID, NULLS NOT DISTINCT …) are fields of their own,
left out of comparisons while they have their default (``_extra``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import MISSING, FrozenInstanceError, dataclass, field, fields, is_dataclass
from dataclasses import replace as _dataclass_replace
from functools import lru_cache
from typing import Any, TypeVar

_C = TypeVar("_C")

NO_ACTION = "NO ACTION"
NOT_DEFERRABLE = "NOT DEFERRABLE"


def _line() -> Any:
    return field(default=None, compare=False, repr=False)


def _label() -> Any:
    return field(default="", compare=False)


_EXTRA = "extra"


def _extra(default: Any = None, factory: Any = None) -> Any:
    """A field only some dialects use: ``comparable`` leaves it out while it has its default."""
    if factory is not None:
        return field(default_factory=factory, metadata={_EXTRA: True})
    return field(default=default, metadata={_EXTRA: True})


def _model(cls: type[_C]) -> type[_C]:
    """``@dataclass(frozen=True)``, its methods made in one go.

    A frozen dataclass's own ``__init__`` sets each field through ``object.__setattr__`` (its
    ``__setattr__`` refuses), about twice the cost: a 1,000-table schema is some 40,000 model
    objects on each side of a comparison, built on verify's critical path. Here ``__init__``
    fills the new object's ``__dict__`` in one step. And ``dataclass`` compiles each of a frozen
    class's methods on its own (some 15 ms of every start of the program, for the model alone):
    here ``__init__``, ``__eq__`` and ``__hash__`` are compiled together, and ``__repr__`` and
    the refusal to assign are functions shared by every class. The object is the same (same
    fields, defaults and factories, equality and hash over the compared fields, the same text,
    frozen after ``__init__``); a test holds the two to each other.
    """
    cls = dataclass(init=False, repr=False, eq=False)(cls)  # the methods are made below
    every = fields(cls)
    namespace = _methods(cls, every)
    for name in ("__init__", "__eq__", "__hash__"):
        method = namespace[name]
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    cls.__repr_fields__ = tuple(f.name for f in every if f.repr)  # type: ignore[attr-defined]
    cls.__repr__ = _repr  # type: ignore[method-assign]
    cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign]
    cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign]
    _MODELS.add(cls)
    return cls


_MODELS: set[type] = set()  # the classes made by _model


def replace(obj: _C, **changes: Any) -> _C:
    """``dataclasses.replace``, for a model object without running ``__init__`` again (a
    third of the time: normalizing a large schema replaces thousands of them); any other
    dataclass goes to ``dataclasses.replace``."""
    if obj.__class__ not in _MODELS:
        return _dataclass_replace(obj, **changes)  # type: ignore[type-var]
    if not changes.keys() <= obj.__dataclass_fields__.keys():  # type: ignore[attr-defined]
        unknown = sorted(changes.keys() - obj.__dataclass_fields__.keys())  # type: ignore[attr-defined]
        raise TypeError(f"{obj.__class__.__qualname__} has no field {unknown[0]!r}")
    new = object.__new__(obj.__class__)
    values = new.__dict__
    values.update(obj.__dict__)  # every field (__init__ filled them all)
    values.update(changes)
    return new


def _methods(cls: type, every: tuple[Any, ...]) -> dict[str, Any]:
    """``__init__`` (the fields' parameters and defaults, ``__dict__`` filled at once), and
    ``__eq__`` and ``__hash__`` over the compared fields, as dataclasses writes them."""
    namespace: dict[str, Any] = {"MISSING": MISSING}
    parameters, items = [], []
    for f in every:
        value = f.name
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            parameters.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=MISSING")
            value = f"_factory_{f.name}() if {f.name} is MISSING else {f.name}"
        else:
            parameters.append(f.name)
        items.append(f"{f.name!r}: {value}")
    compared = _tuple("self", [f.name for f in every if f.compare])
    other = _tuple("other", [f.name for f in every if f.compare])
    hashed = _tuple("self", [f.name for f in every if (f.compare if f.hash is None else f.hash)])
    source = (
        f"def __init__(self, {', '.join(parameters)}):\n"
        f"    self.__dict__.update({{{', '.join(items)}}})\n"
        "def __eq__(self, other):\n"
        "    if other.__class__ is self.__class__:\n"
        f"        return {compared} == {other}\n"
        "    return NotImplemented\n"
        "def __hash__(self):\n"
        f"    return hash({hashed})\n"
    )
    exec(source, namespace)  # as dataclasses itself makes them
    return namespace


def _tuple(owner: str, names: list[str]) -> str:
    return "(" + "".join(f"{owner}.{name}," for name in names) + ")"


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__repr_fields__)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass(frozen=True)
class Options:
    """Facts a dialect adds to a table or key (subclassed in ``dialects/<name>/options.py``).

    Compared as if its fields were the owner's (see :func:`comparable`); every field needs a
    default, so ``type(options)()`` is the dialect's plain table or key.
    """

    @property
    def is_virtual(self) -> bool:
        """True when the table's rows live in a module, not in columns of its own."""
        return False


@_model
class Generated:
    """A generated column's expression, and whether its value is stored."""

    expression: str
    stored: bool = False


@_model
class NotNull:
    """A NOT NULL that is a named constraint of its own (PostgreSQL 18): beyond nullability."""

    name: str | None = None
    validated: bool = True
    no_inherit: bool = False


@_model
class Column:
    """A table column. ``type`` is the declared type; ``default`` an SQL expression."""

    name: str = _label()
    type: str = ""
    nullable: bool = True
    default: str | None = None
    collation: str | None = None
    generated: Generated | None = None
    options: Options | None = None
    line: int | None = _line()
    identity: str | None = _extra()  # "ALWAYS" or "BY DEFAULT"
    not_null: NotNull | None = _extra()


@_model
class PrimaryKey:
    """The primary key; ``options`` holds what its dialect adds (SQLite: rowid alias, AUTOINCREMENT)."""

    columns: tuple[str, ...]
    name: str | None = None
    options: Options | None = None
    line: int | None = _line()
    deferrable: str = _extra(NOT_DEFERRABLE)


@_model
class ForeignKey:
    """A foreign key. Empty ``ref_columns`` means the target's primary key (until normalized)."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...] = ()
    on_delete: str = NO_ACTION
    on_update: str = NO_ACTION
    deferrable: str = NOT_DEFERRABLE
    name: str | None = None
    ref_schema: str | None = None
    line: int | None = _line()
    match: str = _extra("SIMPLE")
    validated: bool = _extra(True)
    enforced: bool = _extra(True)


@_model
class Unique:
    """A UNIQUE constraint (as opposed to a unique index created on its own)."""

    columns: tuple[str, ...]
    name: str | None = None
    options: Options | None = None
    line: int | None = _line()
    nulls_not_distinct: bool = _extra(False)
    deferrable: str = _extra(NOT_DEFERRABLE)


@_model
class Check:
    """A CHECK constraint; column-level and table-level checks are the same thing."""

    expression: str
    name: str | None = None
    line: int | None = _line()
    validated: bool = _extra(True)
    no_inherit: bool = _extra(False)
    enforced: bool = _extra(True)


@_model
class Index:
    """An index: its key terms (columns or expressions, with order and collation) in order."""

    name: str = _label()
    columns: tuple[str, ...] = ()
    unique: bool = False
    where: str | None = None
    using: str | None = None
    line: int | None = _line()
    include: tuple[str, ...] = _extra(())
    nulls_not_distinct: bool = _extra(False)
    valid: bool = _extra(True)


@_model
class Trigger:
    """A trigger; ``definition`` is everything after its name (timing, event, body)."""

    name: str = _label()
    definition: str = ""
    line: int | None = _line()
    enabled: str = _extra("ENABLED")  # or DISABLED, REPLICA, ALWAYS


@_model
class Exclusion:
    """An EXCLUDE constraint; ``definition`` is what follows EXCLUDE (method, elements, WHERE)."""

    definition: str
    name: str | None = None
    deferrable: str = NOT_DEFERRABLE
    line: int | None = _line()


@_model
class Policy:
    """A row-level-security policy: which command, for whom, and its USING and WITH CHECK."""

    name: str = _label()
    command: str = "ALL"
    permissive: bool = True
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    with_check: str | None = None
    line: int | None = _line()


@_model
class Table:
    """A table with everything that hangs off it."""

    name: str = _label()
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: PrimaryKey | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()
    indexes: dict[str, Index] = field(default_factory=dict)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    options: Options | None = None
    line: int | None = _line()
    exclusions: tuple[Exclusion, ...] = _extra(())
    policies: dict[str, Policy] = _extra(factory=dict)

    @property
    def is_virtual(self) -> bool:
        """True for a table whose rows a module keeps (SQLite's virtual tables): no columns of its own."""
        return self.options is not None and self.options.is_virtual


@_model
class View:
    """A view; ``query`` is its SELECT, ``columns`` its optional column-name list."""

    name: str = _label()
    query: str = ""
    columns: tuple[str, ...] = ()
    triggers: dict[str, Trigger] = field(default_factory=dict)
    line: int | None = _line()
    materialized: bool = _extra(False)
    indexes: dict[str, Index] = _extra(factory=dict)


@_model
class Enum:
    """An enumerated type (PostgreSQL ``CREATE TYPE … AS ENUM``)."""

    name: str = _label()
    values: tuple[str, ...] = ()
    line: int | None = _line()


@_model
class Domain:
    """A domain: a base type with its own NOT NULL, default and checks."""

    name: str = _label()
    type: str = ""
    nullable: bool = True
    default: str | None = None
    collation: str | None = None
    checks: tuple[Check, ...] = ()
    line: int | None = _line()


@_model
class Sequence:
    """A sequence's definition (never its current value); ``owned_by`` is "table.column"."""

    name: str = _label()
    type: str = "bigint"
    increment: int = 1
    minimum: int | None = None
    maximum: int | None = None
    cycle: bool = False
    owned_by: str | None = None
    line: int | None = _line()


@_model
class Function:
    """A function by signature (keyed as ``name(argument types)``), its result and language."""

    name: str = _label()
    arguments: str = ""
    returns: str = ""
    language: str = ""
    line: int | None = _line()


@_model
class Extension:
    """An installed extension, by name (its version is not compared)."""

    name: str = _label()
    line: int | None = _line()


@_model
class NotModelled:
    """An object the model cannot hold (a rule, a foreign table …): reported, never passed silently."""

    kind: str
    name: str


@_model
class Namespace:
    """A named schema: SQLite has one (``main``), PostgreSQL as many as it likes."""

    name: str = _label()
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    line: int | None = _line()
    sequences: dict[str, Sequence] = _extra(factory=dict)
    domains: dict[str, Domain] = _extra(factory=dict)
    functions: dict[str, Function] = _extra(factory=dict)
    extensions: dict[str, Extension] = _extra(factory=dict)


@_model
class Schema:
    """A whole database schema for one engine."""

    engine: str
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    # what the database holds beyond the model, for a warning; takes no part in comparisons
    not_modelled: tuple[NotModelled, ...] = field(default=(), compare=False)


def option_label(attribute: str) -> str | None:
    """How reports name a dialect option (``WITHOUT ROWID``): its field's ``label`` metadata."""
    return _option_labels().get(attribute)


@lru_cache(maxsize=1)
def _option_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    pending: list[type] = [Options]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        for f in fields(cls):
            if "label" in f.metadata:
                labels[f.name] = f.metadata["label"]
    return labels


def comparable(value: Any) -> Any:
    """Plain data made of the fields that take part in comparison (labels and lines dropped;
    a field only some dialects use is left out while it has its default: see ``EXTRA_DEFAULTS``;
    an owner's ``options`` are read as its own fields, in their place)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: comparable(item) for name, item in _compared_fields(value)}
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(comparable(item) for item in value)
    return value


def _compared_fields(value: Any) -> Iterator[tuple[str, Any]]:
    for f in fields(value):
        if f.compare:
            item = getattr(value, f.name)
            if f.name == "options":
                yield from _compared_fields(item) if item is not None else ()
            elif _EXTRA not in f.metadata or item != EXTRA_DEFAULTS[f.name]:
                yield f.name, item


def _default(f: Any) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default


# The default of each field only some dialects use, by name (the same default wherever it appears):
# what a member's plain data, from ``comparable``, means when it leaves the field out.
EXTRA_DEFAULTS: dict[str, Any] = {
    f.name: _default(f)
    for cls in (Column, PrimaryKey, ForeignKey, Unique, Check, Index, Trigger, Table, View, Namespace)
    for f in fields(cls)
    if _EXTRA in f.metadata
}
