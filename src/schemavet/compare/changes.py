"""Typed schema changes between two states of one database: what a migration added, removed, changed.

The comparison is :func:`schemavet.compare.diff.diff_schemas` run on the two normal forms, one table or
view at a time so every finding's owner is known without reading its label back. Each finding
becomes a :class:`Change`: missing (before, not after) is a removal, unexpected an addition,
changed a change from the old value to the new. Definitions of added and removed objects are
taken from the schema as inspected, so names and expressions read as the migration wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from schemavet.compare.diff import diff_schemas
from schemavet.compare.findings import CHANGED, MISSING, UNEXPECTED, Finding, plain
from schemavet.model import ForeignKey, Namespace, Schema, Table, View, comparable

ADDED, REMOVED = "added", "removed"
_ACTIONS = {MISSING: REMOVED, UNEXPECTED: ADDED, CHANGED: CHANGED}
_OWNER_TYPES = frozenset({"table", "view"})
_SECTIONS = {"column": "columns", "index": "indexes", "trigger": "triggers"}


@dataclass(frozen=True)
class Snapshot:
    """One state of a database: as inspected (for names as written) and normalized (to compare).

    ``key`` is its dialect's name key: the normal form keys tables and members by it.
    """

    raw: Schema
    normal: Schema
    key: Callable[[str], str]

    @property
    def tables(self) -> dict[str, Table]:
        """Normalized tables by keyed name."""
        return _main(self.normal).tables

    @property
    def views(self) -> dict[str, View]:
        """Normalized views by keyed name."""
        return _main(self.normal).views

    def normal_owner(self, key: str) -> Table | View | None:
        """The normalized table or view keyed ``key``."""
        return self.tables.get(key) or self.views.get(key)

    def raw_owner(self, name: str) -> Table | View | None:
        """The table or view called ``name`` (any case) as inspected."""
        return self._raw_owners.get(self.key(name))

    @cached_property
    def _raw_owners(self) -> dict[str, Table | View]:
        namespace = _main(self.raw)
        owners: list[Table | View] = [*namespace.tables.values(), *namespace.views.values()]
        return {self.key(owner.name): owner for owner in owners}


@dataclass(frozen=True)
class Change:
    """One schema change a migration made.

    ``action`` is added, removed or changed; ``object_type`` a table, view, column, index,
    trigger, foreign key, unique constraint, check constraint or primary key; ``table`` the
    table or view a member belongs to (None for tables and views themselves); ``name`` the
    object's name as written (a key's columns for keys). An added or removed object carries its
    definition in ``new`` or ``old``; a change carries the ``attribute`` and its old and new value.
    """

    action: str
    object_type: str
    name: str
    table: str | None = None
    attribute: str | None = None
    old: Any = None
    new: Any = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape."""
        return {
            "action": self.action,
            "object_type": self.object_type,
            "table": self.table,
            "name": self.name,
            "attribute": self.attribute,
            "old": plain(self.old),
            "new": plain(self.new),
        }


def schema_changes(before: Snapshot, after: Snapshot) -> list[Change]:
    """Every change from ``before`` to ``after``: tables and views first, in a stable order."""
    changes: list[Change] = []
    for old_objects, new_objects in ((before.tables, after.tables), (before.views, after.views)):
        for key in list(old_objects) + [k for k in new_objects if k not in old_objects]:
            old, new = old_objects.get(key), new_objects.get(key)
            if _unchanged(old, new):
                continue
            owner_name = (new if new is not None else old).name  # type: ignore[union-attr]
            owned: list[Change] = []
            for finding in diff_schemas(_alone(old, key), _alone(new, key)):
                owned += _translate(finding, owner_name, before, after)
            changes += sorted(owned, key=_reading_order(old, new, before.key))
    return changes


_TYPE_ORDER = {
    name: rank
    for rank, name in enumerate(
        (
            "table",
            "view",
            "column",
            "primary key",
            "foreign key",
            "unique constraint",
            "check constraint",
            "index",
            "trigger",
        )
    )
}


def _reading_order(old: Table | View | None, new: Table | View | None, name_key: Callable[[str], str]) -> Any:
    """Sort key: the owner first, then its members by kind, columns in the table's own order."""
    positions: dict[str, int] = {}
    for owner in (new, old):
        if isinstance(owner, Table):
            for position, key in enumerate(owner.columns):
                positions.setdefault(key, position)

    def order(change: Change) -> tuple[int, int]:
        position = positions.get(name_key(change.name), 0) if change.object_type == "column" else 0
        return _TYPE_ORDER.get(change.object_type, len(_TYPE_ORDER)), position

    return order


def _unchanged(old: Table | View | None, new: Table | View | None) -> bool:
    if old is None or new is None or old != new:
        return False
    return not isinstance(old, Table) or list(old.columns) == list(new.columns)


def _alone(obj: Table | View | None, key: str) -> Schema:
    """A schema holding only ``obj`` (or nothing) under ``key``, so each finding belongs to it."""
    namespace = Namespace("")
    if isinstance(obj, Table):
        namespace = Namespace("", tables={key: obj})
    elif isinstance(obj, View):
        namespace = Namespace("", views={key: obj})
    return Schema("", {"": namespace})


def _translate(finding: Finding, owner: str, before: Snapshot, after: Snapshot) -> list[Change]:
    action = _ACTIONS[finding.kind]
    if finding.object_type in _OWNER_TYPES and finding.attribute is None:
        side = after if action == ADDED else before
        return list(_whole_owner(action, finding.object_type, side.raw_owner(owner)))
    raw_old, raw_new = before.raw_owner(owner), after.raw_owner(owner)
    if finding.object_type in _OWNER_TYPES:
        values = _as_written(finding, raw_old, raw_new)
        return [Change(CHANGED, finding.object_type, owner, None, finding.attribute, *values)]
    name = _written_columns(_member_name(finding, before, after), raw_new or raw_old, before.key)
    if finding.object_type == "primary key" and action != CHANGED:
        side = after if action == ADDED else before
        return [_primary_key_change(action, owner, side)]
    if action == CHANGED:
        members = _raw_members(finding.object_type, name, raw_old, raw_new, before.key)
        if _only_normal_form_moved(finding, *members):
            return []
        values = _as_written(finding, *members)
        return [Change(CHANGED, finding.object_type, name, owner, finding.attribute, *values)]
    definition = finding.expected if action == REMOVED else finding.actual
    side = before if action == REMOVED else after
    definition = _raw_definition(side.raw_owner(owner), finding.object_type, name, definition, side.key)
    old, new = (definition, None) if action == REMOVED else (None, definition)
    return [Change(action, finding.object_type, name, owner, None, old, new)]


def _as_written(finding: Finding, raw_old: Any, raw_new: Any) -> tuple[Any, Any]:
    """A changed attribute's old and new value as the migrations wrote them.

    The normal form decides *whether* something changed; the values shown are the written ones
    (``INT``, not ``INTEGER``), unless writing hides the change (then the normal form's).
    """
    attribute = finding.attribute or ""
    old, new = getattr(raw_old, attribute, None), getattr(raw_new, attribute, None)
    if raw_old is None or raw_new is None or old == new or not hasattr(raw_old, attribute):
        return finding.expected, finding.actual
    return old, new


def _only_normal_form_moved(finding: Finding, raw_old: Any, raw_new: Any) -> bool:
    """A column type written the same on both sides that normalizes differently.

    The normal form keeps a sole primary-key column's type name as written (``INT PRIMARY
    KEY`` is no rowid alias) and folds it otherwise; when only the key changed around an
    unchanged column, the key's own change is the news, not the column's.
    """
    if finding.attribute != "type" or raw_old is None or raw_new is None:
        return False
    return bool(raw_old.type == raw_new.type)


def _raw_members(
    object_type: str, name: str, raw_old: Any, raw_new: Any, key: Callable[[str], str]
) -> tuple[Any, Any]:
    if object_type not in ("column", "index", "trigger"):
        return None, None
    return (
        _raw_member(raw_old, object_type, name, None, key) if raw_old is not None else None,
        _raw_member(raw_new, object_type, name, None, key) if raw_new is not None else None,
    )


def _written_columns(member: tuple[str, str], owner: Table | View | None, key: Callable[[str], str]) -> str:
    """A key's keyed column list (``par``) spelled as the table writes its columns (``Par``)."""
    object_type, name = member
    if object_type not in ("foreign key", "unique constraint") or not isinstance(owner, Table):
        return name
    written = {key(column): column for column in owner.columns}
    columns, arrow, target = name.partition(" -> ")
    spelled = ", ".join(written.get(c, c) for c in columns.split(", "))
    return spelled + arrow + target


def _member_name(finding: Finding, before: Snapshot, after: Snapshot) -> tuple[str, str]:
    """The member a finding is about, from its structured place: its type and its name as the
    owner the diff read writes it (columns, indexes, triggers), or its key (keys, checks)."""
    object_type, member = finding.where[-2:] if len(finding.where) > 1 else (finding.object_type, "")
    if object_type == "primary key" or not member:
        return object_type, "primary key"
    if object_type == "check constraint":
        return object_type, f"CHECK ({member})"
    if object_type in ("column", "index", "trigger"):
        side = after if finding.kind == UNEXPECTED else before
        owner = side.normal_owner(finding.where[-3])
        named = getattr(owner, _SECTIONS[object_type], {}).get(member) if owner is not None else None
        return object_type, named.name if named is not None else member
    return object_type, member


def _primary_key_change(action: str, owner: str, side: Snapshot) -> Change:
    table = side.tables.get(side.key(owner))
    key = comparable(table.primary_key) if table is not None else None
    old, new = (key, None) if action == REMOVED else (None, key)
    return Change(action, "primary key", "primary key", owner, None, old, new)


def _whole_owner(action: str, object_type: str, owner: Table | View | None) -> Iterator[Change]:
    """A table or view added or removed, then the indexes, keys and triggers that came or went with it."""
    if owner is None:  # cannot happen: the finding came from this snapshot
        return
    definition = _owner_definition(owner)
    old, new = (definition, None) if action == REMOVED else (None, definition)
    yield Change(action, object_type, owner.name, None, None, old, new)
    for member_type, name, member in _members(owner):
        member_definition = _definition(member)
        old, new = (member_definition, None) if action == REMOVED else (None, member_definition)
        yield Change(action, member_type, name, owner.name, None, old, new)


def _members(owner: Table | View) -> Iterator[tuple[str, str, Any]]:
    if isinstance(owner, Table):
        for fk in owner.foreign_keys:
            yield "foreign key", ", ".join(fk.columns), fk
        for unique in owner.uniques:
            yield "unique constraint", ", ".join(unique.columns), unique
        for check in owner.checks:
            yield "check constraint", f"CHECK ({check.expression})", check
        for index in owner.indexes.values():
            yield "index", index.name, index
    for trigger in owner.triggers.values():
        yield "trigger", trigger.name, trigger


def _owner_definition(owner: Table | View) -> dict[str, Any]:
    if isinstance(owner, View):
        return {"name": owner.name, "query": owner.query, "columns": list(owner.columns)}
    return {
        "name": owner.name,
        "columns": {column.name: comparable(column) for column in owner.columns.values()},
        "primary_key": comparable(owner.primary_key),
        **(comparable(owner.options) if owner.options is not None else {}),
    }


def _definition(member: Any) -> dict[str, Any]:
    """A member as plain data, its name as written included."""
    name = getattr(member, "name", None)
    return {"name": name, **comparable(member)} if name else dict(comparable(member))


def _raw_definition(
    owner: Table | View | None, object_type: str, name: str, fallback: Any, key: Callable[[str], str]
) -> Any:
    """The member as the migration wrote it, when it can be found by name; else ``fallback``."""
    if owner is None:
        return fallback
    member = _raw_member(owner, object_type, name, fallback, key)
    return _definition(member) if member is not None else fallback


def _raw_member(
    owner: Table | View, object_type: str, name: str, fallback: Any, key: Callable[[str], str]
) -> Any:
    by_type: dict[str, Any] = {"trigger": owner.triggers}
    if isinstance(owner, Table):
        by_type.update(column=owner.columns, index=owner.indexes)
        if object_type == "foreign key" and isinstance(fallback, dict):
            return _raw_foreign_key(owner.foreign_keys, fallback, key)
    members = by_type.get(object_type, {})
    return next((m for written, m in members.items() if key(written) == key(name)), None)


def _raw_foreign_key(
    foreign_keys: tuple[ForeignKey, ...], normal: dict[str, Any], key: Callable[[str], str]
) -> ForeignKey | None:
    columns = tuple(normal.get("columns", ()))
    target = normal.get("ref_table")
    for fk in foreign_keys:
        if tuple(key(c) for c in fk.columns) == columns and key(fk.ref_table) == target:
            return fk
    return None


def _main(schema: Schema) -> Namespace:
    return next(iter(schema.namespaces.values()), Namespace(""))
