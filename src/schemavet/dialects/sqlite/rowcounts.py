"""Row counts of a scratch database after each migration, for ``review``'s ``#`` lines.

Counting every table after every step costs a statement compiled over every table (a schema
change makes SQLite compile it again), which grows as steps × tables. A migration can only
change the rows of a table its statements name, of a table a trigger of such a table names
(its body may write there), and of a table with a foreign key to one of them (a delete or an
update may cascade): so only those, and the tables the step created or changed, are counted
again, the others keep their count. A migration that is not plain SQL (a Python step), or
one that names a virtual table (its module may write anywhere), has every table counted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import cache

from schemavet.dialects.sqlite.expressions import fold
from schemavet.dialects.sqlite.tracking import Reading
from schemavet.errors import SqlSyntaxError
from schemavet.model import Schema, Table
from schemavet.sql.tokens import quote_identifier, tokenize

_COUNT_BATCH = 500  # terms per counting statement, well under SQLite's 2,000-column limit


def tables_written(
    statements: list[str] | None, before: Reading | None, after: Reading
) -> frozenset[str] | None:
    """The folded names of the tables whose rows ``statements`` may have changed, going from
    ``before`` to ``after``; None when that cannot be told (then count them all)."""
    changed = frozenset() if after is before else after.changed  # the same reading: no schema change
    if statements is None or before is None or changed is None:
        return None
    try:
        named = frozenset().union(*(_names_written(statement) for statement in statements))
    except SqlSyntaxError:
        return None
    written = _closure(named, (before, after))
    return None if written is None else frozenset(written) | changed


def _closure(named: frozenset[str], readings: tuple[Reading, ...]) -> set[str] | None:
    """The named owners, and whatever their triggers name and whatever has a key to them."""
    found: set[str] = set()
    waiting = [key for key in named if any(key in r.owners for r in readings)]
    while waiting:
        key = waiting.pop()
        if key in found:
            continue
        found.add(key)
        for reading in readings:
            owner = reading.owners.get(key)
            if isinstance(owner, Table) and owner.is_virtual:
                return None
            reached = _trigger_names(owner.triggers.values() if owner is not None else ())
            reached |= reading.referencing.get(key, frozenset())
            waiting += [k for k in reached if k not in found and any(k in r.owners for r in readings)]
    return found


def _trigger_names(triggers: Iterable[object]) -> frozenset[str]:
    return frozenset().union(*(_names(str(getattr(t, "definition", ""))) for t in triggers))


@cache
def _names_written(statement: str) -> frozenset[str]:
    """What a statement may write rows through: nothing for DDL that moves no rows (the
    tables it creates or changes are counted as changed), the table of a DROP TABLE (its rows
    go, with their cascades), and every name of any other statement."""
    words = [t.upper for t in tokenize(statement)[:4] if t.kind == "word"]
    first, second = (words + ["", ""])[:2]
    if first in ("ALTER", "PRAGMA") or (first == "DROP" and second != "TABLE"):
        return frozenset()
    if first == "CREATE" and "TRIGGER" not in words:  # a trigger made and fired in one migration
        return frozenset()
    return _names(statement)


@cache
def _names(sql: str) -> frozenset[str]:
    """Every folded word, quoted name and string of ``sql``: whatever could name a table."""
    return frozenset(fold(t.name) for t in tokenize(sql) if t.kind in ("word", "quoted", "string"))


def count_rows(
    conn: sqlite3.Connection, reading: Reading, previous: dict[str, int], which: frozenset[str] | None
) -> dict[str, int]:
    """Rows per ordinary table (a virtual table's module may not be loaded here), in the order
    of the schema: those ``which`` names (all when None) counted, the others as ``previous``."""
    tables = [t.name for t in _main_tables(reading.raw) if not t.is_virtual]
    exact = None if which is None else {reading.owners[k].name for k in which if k in reading.owners}
    wanted = [name for name in tables if exact is None or name in exact or name not in previous]
    counted = _count(conn, wanted)
    return {name: counted[name] if name in counted else previous[name] for name in tables}


def _count(conn: sqlite3.Connection, names: list[str]) -> dict[str, int]:
    """One statement counts a batch of tables: one per table costs more than the counting."""
    counts: dict[str, int] = {}
    for start in range(0, len(names), _COUNT_BATCH):
        batch = names[start : start + _COUNT_BATCH]
        terms = ", ".join(f"(SELECT count(*) FROM main.{quote_identifier(name)})" for name in batch)
        counts.update(zip(batch, conn.execute(f"SELECT {terms}").fetchone(), strict=True))
    return counts


def _main_tables(schema: Schema) -> list[Table]:
    return [t for ns in schema.namespaces.values() for t in ns.tables.values()]
