"""``schemavet rehearse`` on SQLite: the pending migrations applied to a copy of a real database.

The database is copied with SQLite's backup API from a read-only connection (its bytes never
change), the pending migrations are applied to the copy exactly as ``apply`` applies them
(yoyo's connections, foreign keys off), one at a time with the rows counted after each so a
loss names its migration, and the copy is then measured: the rows of every table before and
after (rows are matched by primary key where there is one, and the rows of a table that is
gone are looked for in the new tables, so a rename is no loss — see
:func:`schemavet.dialects.sqlite.rehearsal.account_rows`), ``PRAGMA foreign_key_check``,
``PRAGMA integrity_check``, and the verification against the spec when one is given. What
foreign keys would have done had the application turned them on (a ``DROP TABLE`` in a table
rebuild deletes the children of an ``ON DELETE CASCADE`` key) is rehearsed on another copy
and said apart, as warnings (see :mod:`schemavet.dialects.sqlite.steps`).

"Before" is a second, untouched copy of the first (a file copy costs little beside the
backup), attached to the rehearsed one, so the rows are compared in SQL with nothing saved
aside. What is measured again is what the pending migrations can reach, read from their
statements (:mod:`schemavet.dialects.sqlite.scope`): the other tables keep their rows and
references without being counted, their foreign keys are checked on the untouched copy while
the migrations run (:mod:`schemavet.dialects.sqlite.checks`), and foreign keys on are
rehearsed only from the first migration they can change. When a migration's reach cannot be
read, everything is measured: a table whose pages the migrations left byte for byte the same
lost nothing, and the two whole-database checks run in threads of their own, beside the
comparison (SQLite lets go of the interpreter while it works).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

from schemavet.compare.findings import Finding
from schemavet.compare.migration_findings import (
    FOREIGN_KEY_VIOLATION,
    INTEGRITY,
    ROWS_LOST,
    MigrationFinding,
)
from schemavet.compare.outcomes import Rehearsal, Report, TableRows
from schemavet.dialect.url import DatabaseURL, parse_db_url
from schemavet.dialects.sqlite.backup import PAGES_PER_STEP, Progress
from schemavet.dialects.sqlite.checks import Answers, answer_before
from schemavet.dialects.sqlite.references import KeyedReferences, keyed_references, nulled_references
from schemavet.dialects.sqlite.rehearsal import RowAccount, TableBefore
from schemavet.dialects.sqlite.scope import Scope, scope_of
from schemavet.dialects.sqlite.steps import (
    Counts,
    ForeignKeysStart,
    Step,
    apply_measured,
    column_culprit,
    foreign_key_warnings,
    table_culprit,
)
from schemavet.errors import SchemavetError

_T = TypeVar("_T")
_MAX_CACHE_KIB = 512 * 1024  # the page cache of a whole-database check, at most


def rehearse(
    db: str,
    migrations: str | os.PathLike[str],
    spec: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    keep: str | None = None,
    pages_per_step: int = PAGES_PER_STEP,
    adopt: bool = False,
) -> Rehearsal:
    """Apply the pending migrations to a copy of ``db`` and report what they did to its data.

    ``keep`` names a new file to leave the rehearsed copy in; otherwise it is deleted. With
    ``adopt``, the copy of a legacy database is adopted first (see :mod:`schemavet.commands.adopt`),
    so the whole switch to yoyo is rehearsed.
    """
    url = parse_db_url(db)
    _check_keep(url, keep)
    with tempfile.TemporaryDirectory(prefix="schemavet-rehearse-") as scratch:
        copy = keep if keep is not None else os.path.join(scratch, "rehearsal.db")
        try:
            steps = _Steps(progress, pages_per_step, adopt, scratch, keep is not None)
            return _rehearse(url, os.fspath(migrations), spec, copy, steps)
        except BaseException:
            if keep is not None and os.path.exists(keep):
                os.remove(keep)
            raise


def _check_keep(url: DatabaseURL, keep: str | None) -> None:
    if keep is None:
        return
    if os.path.exists(keep):
        same = os.path.exists(url.location) and os.path.samefile(keep, url.location)
        what = "the database itself" if same else "an existing file"
        raise SchemavetError(f'Refusing to write the rehearsed copy over {what} "{keep}"')


@dataclass(frozen=True)
class _Before:
    """The untouched copy (``path``) and what was in it."""

    path: str
    rows: dict[str, int]
    references: dict[tuple[str, str], int]
    tables: list[TableBefore]
    keyed: list[KeyedReferences]


@dataclass(frozen=True)
class _After:
    rows: dict[str, int]
    references: dict[tuple[str, str], int]
    accounts: dict[str, RowAccount]
    nulled: dict[tuple[str, str], int]
    violations: list[tuple[str, int | None, str]]
    integrity: list[str]
    integrity_checked: tuple[tuple[str, str], ...] | None = None  # (table, pragma); None: the whole database


@dataclass(frozen=True)
class _Steps:
    progress: Progress | None
    pages_per_step: int
    adopt: bool
    scratch: str
    kept: bool  # the copy is kept: synced to the disk as apply syncs


def _rehearse(
    url: DatabaseURL, directory: str, spec: str | os.PathLike[str] | None, copy: str, steps: _Steps
) -> Rehearsal:
    from schemavet.commands.apply import refuse_unadopted
    from schemavet.dialects.sqlite.backup import backup_copy
    from schemavet.migrations.directory import read_migration_dir

    listed = read_migration_dir(directory)
    if not steps.adopt:
        refuse_unadopted(url, "rehearse its adoption too, with --adopt")
    from schemavet.dialects.sqlite.rehearsal import release_copied_lock

    backup_copy(url.location, copy, steps.progress, steps.pages_per_step)
    _with_connection(copy, release_copied_lock)
    adopted = _adopt(copy, directory) if steps.adopt else ()
    before = _keep_before(copy, os.path.join(steps.scratch, "before.db"))
    scope = scope_of(before.path, listed)
    with ThreadPoolExecutor(max_workers=1) as early, ThreadPoolExecutor(max_workers=1) as beside:
        # the untouched copy read meanwhile, and the rehearsed copy's tables checked once settled
        start = _foreign_keys_start(scope, copy, before.path, steps.scratch, None if steps.kept else beside)
        moved = scope.reach.references_moved if scope is not None else None
        referenced = early.submit(_with_connection, before.path, lambda conn: _references(conn, moved))
        answers = early.submit(answer_before, before.path, scope.checks, _cache_kib(copy)) if scope else None
        references = lambda: referenced.result()[0]  # noqa: E731
        early = _EarlyAccounts(copy, before, scope, None if steps.kept else beside)
        applied = apply_measured(
            copy,
            listed,
            scope=scope,
            start=start,
            base=references,
            rows_before=before.rows,
            durable=steps.kept,
            also=early.after,
        )
        before = replace(before, references=referenced.result()[0], keyed=referenced.result()[1])
        if start is not None:
            start.gather()
        clean = start.clean if start is not None else {}
        answered = answers.result() if answers is not None else None
        after = _measure_after(copy, before, scope, answered, clean, early.results())
    counted = Counts(before.rows, before.references)
    if start is not None:
        start.settle(after.violations)
    tables = _table_rows(before.rows, after.rows, after.accounts)
    place = _Place(f"the rehearsed copy of {url.location}", counted, applied)
    findings = _loss_findings(tables, place)
    findings += _nulled_findings(before.keyed, after.nulled, place)
    findings += _counted_nulls(before.references, after.references, tables, before.keyed, place)
    findings += _check_findings(after.violations, after.integrity, place.copy)
    warnings = foreign_key_warnings(before.path, counted, listed, applied, steps.scratch, start)
    verification = None
    if spec is not None:
        from schemavet.commands.verify import verify

        report = verify(copy, spec)
        verification = Report(place.copy, report.spec_path, report.findings)
    ids = tuple(step.migration for step in applied)
    checked = _checked(after.integrity_checked)
    return Rehearsal(
        url.location, ids, tables, tuple(findings), verification, adopted, tuple(warnings), checked
    )


def _checked(integrity: tuple[tuple[str, str], ...] | None) -> str:
    """What the checks covered, in words."""
    if integrity is None:
        return "integrity_check and foreign_key_check of the whole database"
    if not integrity:
        return "foreign_key_check of every table; no table written, so no integrity check"
    tables = "the table" if len(integrity) == 1 else f"the {len(integrity)} tables"
    by_pragma = [
        f"{pragma} " + ", ".join(f'"{t}"' for t, p in integrity if p == pragma)
        for pragma in ("integrity_check", "quick_check")
        if any(p == pragma for _, p in integrity)
    ]
    pragmas = "; ".join(by_pragma)
    return f"foreign_key_check of every table; integrity of {tables} the migrations wrote ({pragmas})"


@dataclass(frozen=True)
class _Place:
    """Where a loss is reported: the migration behind it, else the rehearsed copy."""

    copy: str
    before: Counts
    steps: list[Step]

    def of_table(self, table: str) -> tuple[str, str]:
        """The file a table's loss is reported at, and the words naming the migration."""
        return self._of(table_culprit(self.before, self.steps, table))

    def of_column(self, table: str, column: str) -> tuple[str, str]:
        """The same for the references of a foreign-key column."""
        return self._of(column_culprit(self.before, self.steps, (table, column)))

    def _of(self, step: Step | None) -> tuple[str, str]:
        if step is None and len(self.steps) == 1:
            step = self.steps[0]
        if step is not None:
            return step.path, f' in migration "{step.migration}"'
        # rows deleted and as many inserted: no count fell, so any of them may have done it
        return self.copy, " in one of migrations " + ", ".join(f'"{s.migration}"' for s in self.steps)


def _adopt(copy: str, directory: str) -> tuple[str, ...]:
    from schemavet.commands.adopt import adopt

    return adopt(copy, directory).marked


def _keep_before(copy: str, path: str) -> _Before:
    """An untouched copy of ``copy`` at ``path``, and its tables' rows (the references are read
    from it by :func:`_references`, beside the migrations)."""
    from schemavet.dialects.sqlite.rehearsal import tables_before

    shutil.copyfile(copy, path)

    def read(conn: sqlite3.Connection) -> _Before:
        tables = tables_before(conn)
        return _Before(path, {t.table: t.count for t in tables}, {}, tables, [])

    return _with_connection(path, read)


def _references(
    conn: sqlite3.Connection, moved: frozenset[str] | None
) -> tuple[dict[tuple[str, str], int], list[KeyedReferences]]:
    """The values of every foreign-key column of the untouched copy, and those of tables with a
    primary key to match rows by. With ``moved`` (folded tables), the columns of other tables
    are not counted (None): no migration changes them, so no finding needs their count; the
    rehearsal with foreign keys on counts them if it runs (:func:`steps.with_counts`)."""
    from schemavet.dialects.sqlite import bookkeeping
    from schemavet.dialects.sqlite.names import fold

    tables = bookkeeping.app_tables(conn)
    same = frozenset() if moved is None else frozenset(t for t in tables if fold(t) not in moved)
    references = bookkeeping.reference_counts(conn, {}, same, missing=True)
    return references, keyed_references(conn, references)


class _EarlyAccounts:
    """The row accounting of a table still there, begun as soon as no later migration can touch
    it, ``beside`` the migrations that follow (a copy thrown away: its commits wait for the
    reader). Its rows, columns and key are then those of the end: the same account."""

    def __init__(
        self, copy: str, before: _Before, scope: Scope | None, beside: ThreadPoolExecutor | None
    ) -> None:
        from schemavet.dialects.sqlite.names import fold

        self.copy, self.before, self.scope, self.beside = copy, before, scope, beside
        moved = scope.reach.rows_moved if scope is not None else frozenset()
        self.waiting = {fold(t.table): t for t in before.tables if fold(t.table) in moved}
        self.begun: dict[str, Future[int | None]] = {}
        self.valid = scope is not None and beside is not None

    def after(self, migration: str, applied: int) -> None:
        """Called once the ``applied``-th migration (``migration``) is counted."""
        from schemavet.dialects.sqlite.rehearsal import lost_in_place_now

        if not self.valid or self.scope is None or self.beside is None:
            return
        k = applied - 1
        if k >= len(self.scope.order) or self.scope.order[k] != migration:
            self.valid = False  # not the migrations planned for
            return
        later = self.scope.reach.touched_by[k + 1 :]
        for key, rows in list(self.waiting.items()):
            if not any(key in names for names in later):
                del self.waiting[key]
                self.begun[rows.table] = self.beside.submit(
                    lost_in_place_now, self.copy, self.before.path, rows, _WAIT
                )

    def results(self) -> dict[str, RowAccount]:
        """The accounts made (of tables still there)."""
        if not self.valid:
            return {}
        done = {table: begun.result() for table, begun in self.begun.items()}
        return {table: RowAccount(lost) for table, lost in done.items() if lost is not None}


_WAIT = 24 * 3600.0  # seconds: a reader of the copy waits for yoyo's commit, however long


def _foreign_keys_start(
    scope: Scope | None, copy: str, before: str, scratch: str, beside: ThreadPoolExecutor | None
) -> ForeignKeysStart | None:
    if scope is None or scope.foreign_keys is None:
        return None
    touched = scope.reach.touched_by
    return ForeignKeysStart(copy, before, scratch, scope.foreign_keys, scope.order, touched, beside)


def _measure_after(
    copy: str,
    before: _Before,
    scope: Scope | None,
    answers: Answers | None,
    clean: dict[str, int],
    accounted: dict[str, RowAccount],
) -> _After:
    """The rehearsed copy measured against ``before``: with a ``scope``, only what the
    migrations can have changed (the untouched copy's ``answers`` for the rest); otherwise
    everything, the whole-database checks in threads."""
    if scope is None or answers is None:
        return _measure_whole(copy, before)
    from schemavet.dialects.sqlite.checks import answer_after

    rows, references = scope.unmoved(list(before.rows))
    cache = _cache_kib(copy)
    with ThreadPoolExecutor(max_workers=1) as thread:
        checking = thread.submit(
            answer_after, copy, scope.reach, scope.catalog, scope.checks, answers, cache, clean
        )
        counted = _with_connection(copy, lambda conn: _compare(conn, before, rows, references, accounted))
        checked = checking.result()
        return _After(*counted, checked.violations, checked.integrity, checked.integrity_checked)


_Compared = tuple[
    dict[str, int], dict[tuple[str, str], int], dict[str, RowAccount], dict[tuple[str, str], int]
]


def _compare(
    conn: sqlite3.Connection,
    before: _Before,
    untouched: frozenset[str],
    referring: frozenset[str] | None = None,
    accounted: dict[str, RowAccount] | None = None,
) -> _Compared:
    """(rows, references, row accounts, references set to NULL) of the rehearsed copy; a table in
    ``untouched`` has the rows it had, and the references too unless ``referring`` is given,
    which then names the tables whose references are as they were; ``accounted``: row accounts
    already made."""
    from schemavet.dialects.sqlite import bookkeeping
    from schemavet.dialects.sqlite.rehearsal import account_rows

    referring = untouched if referring is None else referring
    rows = bookkeeping.row_counts(conn, before.rows, untouched)
    references = bookkeeping.reference_counts(conn, before.references, referring)
    accounts = account_rows(conn, before.path, before.tables, untouched, accounted)
    nulled = nulled_references(conn, before.path, before.keyed, referring)
    return rows, references, accounts, nulled


def _measure_whole(copy: str, before: _Before) -> _After:
    """The rehearsed copy measured against ``before``; the whole-database checks in threads."""
    from schemavet.dialects.sqlite import bookkeeping
    from schemavet.dialects.sqlite.rehearsal import untouched_tables

    with ThreadPoolExecutor(max_workers=2) as threads:
        violations = threads.submit(_with_connection, copy, bookkeeping.foreign_key_violations, True)
        integrity = threads.submit(_with_connection, copy, bookkeeping.integrity_problems, True)
        # a table whose pages did not change has the rows and references it had
        untouched = untouched_tables(before.path, copy)
        counted = _with_connection(copy, lambda conn: _compare(conn, before, untouched))
        return _After(*counted, violations.result(), integrity.result())


def _with_connection(path: str, read: Callable[[sqlite3.Connection], _T], whole: bool = False) -> _T:
    """``read`` on a connection to ``path``; for a check of the ``whole`` database, one whose
    page cache holds all of it (SQLite's default of 2 MiB makes the checks read pages again)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if whole:
            conn.execute(f"PRAGMA cache_size = -{_cache_kib(path)}")
        return read(conn)
    except sqlite3.Error as e:
        raise SchemavetError(f"Cannot measure the rehearsed copy: {e}") from e
    finally:
        conn.close()


def _cache_kib(path: str) -> int:
    return min(os.path.getsize(path) // 1024 + 1024, _MAX_CACHE_KIB)


def _table_rows(
    before: dict[str, int], after: dict[str, int], accounts: dict[str, RowAccount]
) -> tuple[TableRows, ...]:
    names = list(before) + [name for name in after if name not in before]
    return tuple(
        TableRows(
            name,
            before.get(name),
            after.get(name),
            accounts[name].lost if name in accounts else 0,
            accounts[name].renamed_to if name in accounts else None,
        )
        for name in names
    )


def _loss_findings(tables: tuple[TableRows, ...], place: _Place) -> list[Finding]:
    findings: list[Finding] = []
    counts = {rows.table: rows.after for rows in tables}
    for rows in tables:
        if not rows.lost:
            continue
        before = rows.before or 0
        if rows.renamed_to is not None:
            after = counts.get(rows.renamed_to)
            sentence = (
                f'Table "{rows.table}" was renamed to "{rows.renamed_to}", which holds only '
                f"{before - rows.lost} of its {before} rows"
            )
        elif rows.after is None:
            after = None
            sentence = f'Table "{rows.table}" was dropped with its {rows.before} rows'
        else:
            after = rows.after
            new = rows.after - (before - rows.lost)
            now_holds = f"now {rows.after}, {new} of them new" if new > 0 else f"now {rows.after}"
            sentence = f'Table "{rows.table}" lost {rows.lost} of its {rows.before} rows ({now_holds})'
        path, where = place.of_table(rows.table)
        findings.append(
            MigrationFinding(
                ROWS_LOST,
                "table",
                rows.table,
                "rows",
                rows.before,
                after,
                detail=sentence + where,
                path=path,
            )
        )
    return findings


def _nulled_findings(
    saved: list[KeyedReferences], nulled: dict[tuple[str, str], int], place: _Place
) -> list[Finding]:
    """Foreign-key values the migrations set to NULL in rows that are still there."""
    findings: list[Finding] = []
    for refs in saved:
        count = nulled.get((refs.table, refs.column), 0)
        if count:
            findings.append(_nulled(refs.table, refs.column, str(count), refs.count, place))
    return findings


def _counted_nulls(
    before: dict[tuple[str, str], int],
    after: dict[tuple[str, str], int],
    tables: tuple[TableRows, ...],
    saved: list[KeyedReferences],
    place: _Place,
) -> list[Finding]:
    """The same for tables without a primary key, by counting: where rows went too, a floor."""
    matched = {(refs.table, refs.column) for refs in saved}
    lost_rows = {rows.table: rows.lost for rows in tables}
    findings: list[Finding] = []
    for (table, column), count in before.items():
        now = after.get((table, column))
        if (table, column) in matched or now is None or count is None:  # None: no migration changed it
            continue
        nulled = count - now - lost_rows.get(table, 0)
        if nulled > 0:
            how_many = f"at least {nulled}" if lost_rows.get(table) else str(nulled)
            findings.append(_nulled(table, column, how_many, count, place))
    return findings


def _nulled(table: str, column: str, how_many: str, count: int, place: _Place) -> Finding:
    path, where = place.of_column(table, column)
    sentence = (
        f'Column "{table}.{column}" lost {how_many} of its {count} references '
        f"(set to NULL, as by ON DELETE SET NULL when a parent row went){where}"
    )
    return MigrationFinding(
        ROWS_LOST, "column", f"{table}.{column}", "references", count, None, detail=sentence, path=path
    )


def _check_findings(
    violations: list[tuple[str, int | None, str]], integrity: list[str], database: str
) -> list[Finding]:
    findings: list[Finding] = []
    for table, rowid, parent in violations:
        where = f"row {rowid}" if rowid is not None else "a row"
        sentence = (
            f'Table "{table}" {where} refers to a row of "{parent}" that does not exist (foreign_key_check)'
        )
        findings.append(
            MigrationFinding(FOREIGN_KEY_VIOLATION, "table", table, detail=sentence, path=database)
        )
    for problem in integrity:
        findings.append(
            MigrationFinding(
                INTEGRITY, "database", database, detail=f"integrity_check: {problem}", path=database
            )
        )
    return findings
