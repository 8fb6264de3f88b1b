"""``integrity_check`` and ``foreign_key_check`` of a rehearsed copy, table by table, where
the migrations can have changed the answer.

Run on the whole database after the migrations, the two checks read every row of every table,
most of which no migration wrote. Given what the migrations can reach
(:mod:`schemavet.dialects.sqlite.reach`):

- **integrity** is checked of the tables whose rows the migrations may have written, on the
  rehearsed copy: ``integrity_check`` of a table that was there before, ``quick_check`` of one
  the migrations built (every row theirs, written through SQLite's constraints, its indexes
  built with it, so its rows are not matched against its indexes again) or only updated in
  place in columns no index holds (its indexes as they were), and ``integrity_check`` of
  SQLite's and the bookkeeping tables. A table the migrations did not
  write is not checked: its rows and b-trees are the original's (an index created on it was
  built from its rows by SQLite, which checks an added column's NOT NULL and CHECK against
  every row itself). Damage the original already had there is not looked for;
- **foreign keys** of every table: on the untouched copy, while the migrations run, for a
  table whose rows (other than columns updated in place) and foreign keys the migrations
  could not change, nor the rows, keys or
  indexes of the tables it refers to (one whose parents only gained rows or had other columns
  updated is taken from there when it had no violation: rows added to a parent cannot break a
  reference); on the rehearsed copy for the rest. A table found clean right after a migration
  (:class:`schemavet.dialects.sqlite.steps.ForeignKeysStart`) and not touched since, with its
  parents, is not checked again.

The findings are in the order of the whole-database checks (the tables' order in
``pragma_table_list``).
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from schemavet.dialects.sqlite.names import BOOKKEEPING_TABLES, fold
from schemavet.dialects.sqlite.reach import Catalog, Reach
from schemavet.sql.tokens import quote_identifier

_TABLES = "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
Violation = tuple[str, int | None, str]


@dataclass(frozen=True)
class CheckPlan:
    """Which tables' foreign keys are checked on the untouched copy (by their name there)."""

    foreign_keys: tuple[str, ...]
    parents_written: frozenset[str]  # of those: a parent gained rows (reused only when clean)


@dataclass(frozen=True)
class Answers:
    """What the untouched copy answered, by table (a table whose check failed is left out)."""

    foreign_keys: dict[str, list[Violation]]


@dataclass(frozen=True)
class Checked:
    """The rehearsed copy's answers, and the tables whose integrity was checked."""

    violations: list[Violation]
    integrity: list[str]
    integrity_checked: tuple[tuple[str, str], ...]  # (table, pragma)


def plan(reach: Reach, catalog: Catalog, tables: list[str]) -> CheckPlan:
    """The foreign-key checks the untouched copy answers, for its ``tables``."""
    moved = reach.keys_changed | reach.altered | reach.new_references
    foreign_keys, parents_written = [], set()
    for table in tables:
        key = fold(table)
        facts = catalog.tables.get(key)
        if _always_after(table) or key in reach.references_moved or key in reach.new_references:
            continue
        if facts is None or facts.parents & moved:
            continue
        foreign_keys.append(table)
        if facts.parents & reach.written:
            parents_written.add(table)
    return CheckPlan(tuple(foreign_keys), frozenset(parents_written))


def _always_after(table: str) -> bool:
    """SQLite's own tables and yoyo's: apply writes them (AUTOINCREMENT, the bookkeeping)."""
    return table in BOOKKEEPING_TABLES or table.lower().startswith("sqlite_")


def answer_before(path: str, checks: CheckPlan, cache_kib: int) -> Answers:
    """Run ``checks`` on the untouched copy at ``path``."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        return Answers({t: v for t in checks.foreign_keys if (v := _violations(conn, t)) is not None})
    finally:
        conn.close()


def _violations(conn: sqlite3.Connection, table: str) -> list[Violation] | None:
    try:
        return _check_foreign_keys(conn, table)
    except sqlite3.Error:
        return None


def _check_foreign_keys(conn: sqlite3.Connection, table: str) -> list[Violation]:
    from schemavet.dialects.sqlite.keycheck import foreign_key_violations

    return foreign_key_violations(conn, table)


def answer_after(
    copy: str,
    reach: Reach,
    catalog: Catalog,
    checks: CheckPlan,
    before: Answers,
    cache_kib: int,
    clean: dict[str, int] | None = None,
) -> Checked:
    """The checks of the rehearsed copy at ``copy``: the untouched copy's answers where they
    hold, the rest asked of the copy by two threads, each with a connection of its own (SQLite
    lets go of the interpreter while it checks).

    ``clean``: folded tables found without a foreign-key violation right after a migration
    (its index): still so when no later migration touched them or the tables they refer to.
    """
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        tables = [str(row[0]) for row in conn.execute(_TABLES)]
        settled = _still_clean(conn, reach, clean or {})
    finally:
        conn.close()
    keys = {t: v for t, v in before.foreign_keys.items() if t not in checks.parents_written or not v}
    keys.update((t, []) for t in tables if fold(t) in settled)
    asks = [("foreign_key_check", t) for t in tables if t not in keys]
    asks += [(_integrity_pragma(t, reach, catalog), t) for t in tables if _written(t, reach)]
    answers = dict(zip(asks, _ask_all(copy, asks, cache_kib), strict=True))
    keys.update((t, answers[("foreign_key_check", t)]) for t in tables if t not in keys)
    written = [t for t in tables if _written(t, reach)]
    return Checked(
        [v for t in tables for v in keys[t]],
        [p for t in written for p in answers[(_integrity_pragma(t, reach, catalog), t)]],
        tuple((t, _integrity_pragma(t, reach, catalog)) for t in written if not _always_after(t)),
    )


def _written(table: str, reach: Reach) -> bool:
    return _always_after(table) or fold(table) in reach.written


def _integrity_pragma(table: str, reach: Reach, catalog: Catalog) -> str:
    """``quick_check`` of a table the migrations built, or only updated in place in columns no
    index holds (its indexes are as they were); ``integrity_check`` of the others."""
    key = fold(table)
    if _always_after(table):
        return "integrity_check"
    if key in reach.fresh:
        return "quick_check"
    facts = catalog.tables.get(key)
    indexed = facts.indexed if facts is not None else None
    in_place = key in reach.updated and key not in reach.rows_moved
    if in_place and indexed is not None and not (reach.updated[key] & indexed):
        return "quick_check"
    return "integrity_check"


def _still_clean(conn: sqlite3.Connection, reach: Reach, clean: dict[str, int]) -> set[str]:
    settled = set()
    for table, index in clean.items():
        parents = {fold(str(row[0])) for row in conn.execute(_PARENTS, (table,))}
        later = reach.touched_by[index + 1 :]
        if not any(names & (parents | {table}) for names in later):
            settled.add(table)
    return settled


_PARENTS = 'SELECT "table" FROM pragma_foreign_key_list(?)'


def _ask_all(copy: str, asks: list[tuple[str, str]], cache_kib: int) -> list:  # type: ignore[type-arg]
    """The answer to each (pragma, table) of ``asks``, in order, from two threads."""
    answers: list = [None] * len(asks)  # type: ignore[type-arg]
    lock = threading.Lock()
    following = iter(range(len(asks)))

    def work() -> None:
        conn = sqlite3.connect(copy, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA cache_size = -{cache_kib}")
            while True:
                with lock:
                    i = next(following, None)
                if i is None:
                    return
                pragma, table = asks[i]
                answers[i] = _ask(conn, pragma, table)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=2) as threads:
        for done in [threads.submit(work) for _ in range(min(2, len(asks)))]:
            _raise_as_input_error(done)
    return answers


def _ask(conn: sqlite3.Connection, pragma: str, table: str) -> list:  # type: ignore[type-arg]
    if pragma == "foreign_key_check":
        return _check_foreign_keys(conn, table)
    rows = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}({quote_identifier(table)})")]
    return [] if rows == ["ok"] else rows


def _raise_as_input_error(done: Future[None]) -> None:
    from schemavet.errors import SchemavetError

    try:
        done.result()
    except sqlite3.Error as e:
        raise SchemavetError(f"Cannot measure the rehearsed copy: {e}") from e
