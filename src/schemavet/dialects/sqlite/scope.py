"""What a rehearsal measures again after the migrations, and where: the pending migrations read
(:mod:`schemavet.dialects.sqlite.reach`) against the untouched copy's schema.

None of it when any pending migration (or post-apply hook) cannot be read: then every table is
counted, matched and checked after the migrations, and foreign keys on are rehearsed whole.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from schemavet.dialects.sqlite.checks import CheckPlan, plan
from schemavet.dialects.sqlite.fkplan import ForeignKeyPlan, foreign_key_plans
from schemavet.dialects.sqlite.names import fold
from schemavet.dialects.sqlite.reach import Catalog, Reach, reach, read_catalog


@dataclass(frozen=True)
class Scope:
    """The pending migrations in order, what they can reach, and the checks that follow."""

    order: list[str]
    reach: Reach
    catalog: Catalog
    checks: CheckPlan
    foreign_keys: list[ForeignKeyPlan] | None  # None: rehearse foreign keys on whole

    def written_by(self, migration: str) -> frozenset[str] | None:
        """The folded names of the tables whose rows ``migration`` can write (None: unknown)."""
        if migration not in self.order:
            return None
        return self.reach.per_migration[self.order.index(migration)]

    def unmoved(self, tables: list[str]) -> tuple[frozenset[str], frozenset[str]]:
        """(those of ``tables`` whose rows no migration can add, delete or re-key, those whose
        foreign-key values no migration can change): they hold the rows, or the references,
        they had."""
        rows = frozenset(t for t in tables if fold(t) not in self.reach.rows_moved)
        return rows, frozenset(t for t in tables if fold(t) not in self.reach.references_moved)


def scope_of(before: str, listed: Any) -> Scope | None:
    """The scope of rehearsing ``listed`` on the untouched copy at ``before``; None: everything."""
    from schemavet.dialects.sqlite.bookkeeping import applied_migration_ids
    from schemavet.migrations.directory import in_yoyo_order

    conn = sqlite3.connect(before, isolation_level=None)
    try:
        applied = set(applied_migration_ids(conn))
        catalog = read_catalog(conn)
        tables = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    except sqlite3.Error:  # a schema SQLite cannot read: the whole database is measured, as it reports
        return None
    finally:
        conn.close()
    pending = in_yoyo_order([m for m in listed if m.id not in applied])
    hooks = list(getattr(listed, "post_apply", ()))
    found = reach(pending + hooks, catalog)
    if found is None:
        return None
    plans = foreign_key_plans(pending, catalog)
    hook_plans = foreign_key_plans(hooks, catalog)
    if hook_plans is None or any(p.differs or p.children for p in hook_plans):
        plans = None
    order = [m.id for m in pending]
    return Scope(order, found, catalog, plan(found, catalog, tables), plans)
