"""Tables a comparison leaves out: other tools' bookkeeping, and what the spec or config ignores.

A pattern is a glob (``alembic_*``, ``django_migrations``), matched against a table's or
view's name, or against ``schema.name`` when it holds a dot. A matching object is left out of
the database's side only while the spec does not declare it: a declared object is always
compared, so ignoring can never hide a difference in what the spec promises. Names are
matched through the dialect's name key (SQLite folds ASCII case; PostgreSQL does not).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import TypeVar

from schemavet.model import Namespace, Schema, Sequence

_T = TypeVar("_T")

#: Migration tools' own tables, never part of an app's schema: ignored unless the spec declares them.
BOOKKEEPING_PRESET: tuple[str, ...] = (
    "_yoyo_*",  # yoyo-migrations: _yoyo_migration, _yoyo_log, _yoyo_version
    "yoyo_lock",
    "_schemavet_migration_hash",
    "alembic_version",  # Alembic
    "django_migrations",  # Django
    "__drizzle_migrations",  # Drizzle (in its own "drizzle" schema on PostgreSQL)
)


class Ignore:
    """A set of patterns, matched through one name key."""

    def __init__(self, patterns: Iterable[str], key: Callable[[str], str]) -> None:
        self.key = key
        self.patterns = tuple(key(p) for p in (*BOOKKEEPING_PRESET, *patterns))

    def matches(self, namespace: str, name: str) -> bool:
        """True when the object ``name`` of ``namespace`` matches a pattern."""
        bare, qualified = self.key(name), f"{self.key(namespace)}.{self.key(name)}"
        return any(fnmatchcase(qualified if "." in p else bare, p) for p in self.patterns)


def without_ignored(expected: Schema, actual: Schema, ignore: Ignore) -> Schema:
    """``actual`` without the ignored tables and views that ``expected`` does not declare."""
    namespaces: dict[str, Namespace] = {}
    for key, namespace in actual.namespaces.items():
        declared = expected.namespaces.get(key)
        kept = _kept(namespace, declared, ignore)
        if declared is None and _only_bookkeeping(namespace, kept):
            continue  # a schema holding nothing but ignored tables (Drizzle's "drizzle")
        namespaces[key] = kept
    return replace(actual, namespaces=namespaces)


def _kept(namespace: Namespace, declared: Namespace | None, ignore: Ignore) -> Namespace:
    tables = _unignored(namespace.name, namespace.tables, declared.tables if declared else {}, ignore)
    views = _unignored(namespace.name, namespace.views, declared.views if declared else {}, ignore)
    if len(tables) == len(namespace.tables) and len(views) == len(namespace.views):
        return namespace
    gone = {t.name for k, t in namespace.tables.items() if k not in tables}
    sequences = {k: s for k, s in namespace.sequences.items() if not _owned_by(s, gone)}
    return replace(namespace, tables=tables, views=views, sequences=sequences)


def _owned_by(sequence: Sequence, tables: set[str]) -> bool:
    """True for a sequence a left-out table owns (its serial or identity column's)."""
    return sequence.owned_by is not None and sequence.owned_by.rsplit(".", 1)[0] in tables


def _unignored(
    namespace: str, objects: dict[str, _T], declared: Container[str], ignore: Ignore
) -> dict[str, _T]:
    return {
        k: o
        for k, o in objects.items()
        if k in declared or not ignore.matches(namespace, o.name)  # type: ignore[attr-defined]
    }


def _only_bookkeeping(original: Namespace, kept: Namespace) -> bool:
    """True when ignoring emptied a namespace that held tables and nothing else of its own."""
    return bool(original.tables) and not (
        kept.tables or kept.views or kept.enums or kept.sequences or kept.domains or kept.functions
    )
