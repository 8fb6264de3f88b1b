"""Verify a fleet: many databases, or every tenant schema of one, against one spec.

The spec is loaded and normalized once, in this process, and handed to each worker process once
(the pool's initializer); a worker then reads one database at a time, in chunks the pool hands
out a few at a time, so memory stays flat however large the fleet. Databases that inspect alike
(:meth:`Dialect.inspect_keyed`: a SQLite file's ``sqlite_master``) share one comparison of their
catalogs per worker, and those that also plan alike (the same statistics) one check of the
plans. Nothing is written to any database: each is read exactly as ``schemavet verify`` reads it.
With ``--migrations``, each database's yoyo bookkeeping is read too (read-only, through
:meth:`Dialect.applied_migrations`): its :class:`Position` in the directory is part of its group.
"""

from __future__ import annotations

import gc
import glob
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from schemavet.compare.diff import diff_schemas
from schemavet.compare.findings import NOT_MODELLED, Finding
from schemavet.compare.fleet import (
    UNKNOWN,
    Baseline,
    Fleet,
    Position,
    position,
    split_accepted,
    unreadable,
)
from schemavet.compare.ignore import Ignore, without_ignored
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.dialect.url import parse_db_url, without_password
from schemavet.errors import DatabaseError, SchemavetError
from schemavet.model import Schema
from schemavet.spec.load import Spec, load_spec

#: A progress callback: databases done, databases in all.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Verified:
    """One database verified: its findings and, with ``--migrations``, its position."""

    db: str
    findings: tuple[Finding, ...]
    position: Position | None = None


_SIDECARS = ("-wal", "-shm", "-journal")
_GLOB = frozenset("*?[")
_CACHE_LIMIT = 4096  # comparisons a worker remembers, by database key


# --- which databases ---------------------------------------------------------------------------


def expand_targets(values: Sequence[str]) -> list[str]:
    """Every database the ``--db`` values name: URLs and paths as given, ``@FILE`` one per line
    (blank lines and ``#`` comments skipped), a glob's matches and a directory's files, sorted."""
    targets: list[str] = []
    for value in values:
        targets += _expand(value)
    if not targets:
        raise SchemavetError(f"No databases to verify: {', '.join(repr(v) for v in values)} named none")
    return list(dict.fromkeys(targets))  # each database once, in the order first named


def _expand(value: str) -> list[str]:
    if value.startswith("@"):
        return _listed(value[1:])
    if "://" in value:
        return [value]
    if os.path.isdir(value):
        return _directory(value)
    if _GLOB & set(value) and not os.path.exists(value):
        return sorted(p for p in glob.glob(value) if os.path.isfile(p) and not p.endswith(_SIDECARS))
    return [value]


def _listed(path: str) -> list[str]:
    """The databases a list file names, one per line (``@`` in a line does not nest)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.strip() for line in f]
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "it is not UTF-8 text"
        raise SchemavetError(f'Cannot read the list of databases "{path}": {reason}') from e
    return [line for line in lines if line and not line.startswith("#")]


def _directory(path: str) -> list[str]:
    """Every file of a directory (not its sub-directories, hidden files or journals), sorted."""
    try:
        names = sorted(n for n in os.listdir(path) if not n.startswith(".") and not n.endswith(_SIDECARS))
    except OSError as e:
        raise SchemavetError(f'Cannot list the directory "{path}": {e.strerror}') from e
    files = [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n))]
    if not files:
        raise SchemavetError(f'Directory "{path}" holds no files: no databases to verify')
    return files


# --- what every worker is given once -------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """The spec for one engine, normalized once: what every database of that engine is compared with."""

    spec: Spec
    expected: Schema
    spec_findings: tuple[Finding, ...]  # the spec's own broken policies: every database has them
    strict: bool = False
    prove_actions: bool = False
    migrations: str | None = None
    ignore: tuple[str, ...] = ()  # globs of undeclared tables left out (beside the spec's own)
    migration_ids: tuple[str, ...] = ()  # the --migrations directory's ids, in yoyo's order

    @property
    def keyed(self) -> bool:
        """True when databases that inspect alike may share one comparison (proofs write, so not)."""
        return not self.prove_actions


def expectation(spec_path: str, dialect: Dialect, **options: Any) -> Expectation:
    """The spec loaded and normalized for ``dialect``, with its own policy findings."""
    spec = load_spec(spec_path, dialect.name)
    expected = dialect.normalize(spec.schema)
    spec_findings: tuple[Finding, ...] = ()
    if spec.policies:
        from schemavet.compare.policies import check_policies

        spec_findings = tuple(check_policies(spec.policies, expected, dialect.name_key, "spec"))
    migrations = options.get("migrations")
    ids = migration_order(migrations) if migrations is not None else ()
    return Expectation(spec, expected, spec_findings, migration_ids=ids, **options)


def migration_order(directory: str) -> tuple[str, ...]:
    """The ids of a migrations directory in the order yoyo applies them (read once per fleet)."""
    from schemavet.migrations.directory import in_yoyo_order, read_migration_dir

    return tuple(m.id for m in in_yoyo_order(read_migration_dir(directory)))


def compare(
    dialect: Dialect, expectation: Expectation, actual: Schema, db: str | None
) -> tuple[Finding, ...]:
    """The findings for one database's schema (as inspected), as ``schemavet verify`` reports them.

    ``db`` (the database's URL) is for the query plans and proofs; None skips them (a tenant).
    """
    catalog = compare_normal(dialect, expectation, dialect.normalize(actual))
    return catalog + (behaviour(dialect, expectation, db) if db is not None else ())


def compare_normal(dialect: Dialect, expectation: Expectation, actual: Schema) -> tuple[Finding, ...]:
    """What the catalog says, for a schema already in normal form: the diff, the policies, and
    (as findings always; the fleet makes them warnings without --strict) what is not modelled."""
    spec = expectation.spec
    ignore = Ignore((*spec.ignore, *expectation.ignore), dialect.name_key)
    actual = without_ignored(expectation.expected, dialect.settle(expectation.expected, actual), ignore)
    findings = [*expectation.spec_findings, *diff_schemas(expectation.expected, actual)]
    if spec.policies:
        from schemavet.compare.policies import check_policies

        findings += check_policies(spec.policies, actual, dialect.name_key, "database")
    findings += [Finding(NOT_MODELLED, i.kind, i.name, detail=_NOT_COMPARED) for i in actual.not_modelled]
    return tuple(findings)


def behaviour(dialect: Dialect, expectation: Expectation, db: str) -> tuple[Finding, ...]:
    """The spec's query plans, and with ``--prove-actions`` the foreign-key actions, on ``db``."""
    if not (expectation.spec.queries or expectation.prove_actions):
        return ()
    from schemavet.commands.behaviour import check_behaviour

    url = parse_db_url(db)
    found = check_behaviour(
        url, dialect, expectation.expected, expectation.spec.queries, expectation.prove_actions
    )
    return tuple(found)


_NOT_COMPARED = "is in the database, but schemavet does not model it: it was not compared"


# --- one database, in a worker --------------------------------------------------------------------

_expectations: dict[str, Expectation] = {}
_compared: dict[bytes, tuple[Finding, ...]] = {}  # schema key → what the catalog says
_planned: dict[bytes, tuple[Finding, ...]] = {}  # plans key → what the plans (and proofs) say


def _start_worker(expectations: dict[str, Expectation]) -> None:
    """A worker's initializer: the normalized specs, once (a forked worker has them, and the
    parent's comparisons, already); Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _expectations != expectations:
        _prepare(expectations)
    gc.freeze()  # what the worker was given is never garbage: the collector need not walk it
    gc.enable()  # a long-lived worker: cycles left by each comparison must not pile up


def _prepare(expectations: dict[str, Expectation]) -> None:
    _expectations.clear()
    _expectations.update(expectations)
    _compared.clear()
    _planned.clear()


def verify_chunk(databases: list[str]) -> list[Verified]:
    """Each database's findings (one ``unreadable`` finding for a database that cannot be read)."""
    return [verify_one(db) for db in databases]


def verify_one(db: str) -> Verified:
    """One database's findings; what stops it being read is its one finding, never an exception."""
    try:
        url = parse_db_url(db)
        dialect = registry.get(url.engine)
        expectation = _expectations[dialect.name]
        findings = _findings(db, dialect, url.location, expectation)
        where = _position(dialect, url.location, expectation)
    except SchemavetError as e:
        return Verified(db, (unreadable(without_password(str(e)), without_password(db), _location(db)),))
    return Verified(db, findings, where)


def _position(dialect: Dialect, location: str, expectation: Expectation) -> Position | None:
    """Where yoyo's bookkeeping says the database stands (read-only); None without --migrations."""
    if expectation.migrations is None:
        return None
    return position(dialect.applied_migrations(location), expectation.migration_ids)


def _findings(db: str, dialect: Dialect, location: str, expectation: Expectation) -> tuple[Finding, ...]:
    keyed = expectation.keyed
    keys, actual = dialect.inspect_keyed(location, _compared.__contains__ if keyed else _never)
    if actual is None:
        assert keys is not None
        catalog = _compared[keys.schema]
    else:
        catalog = compare_normal(dialect, expectation, dialect.normalize(actual))
        if keys is not None and keyed:
            _remember(_compared, keys.schema, catalog)
    if keys is not None and keyed and keys.plans in _planned:
        planned = _planned[keys.plans]
    else:
        planned = behaviour(dialect, expectation, db)
        if keys is not None and keyed:
            _remember(_planned, keys.plans, planned)
    findings = catalog + planned
    if expectation.migrations is not None:
        from schemavet.commands.apply import content_findings

        findings += tuple(content_findings(db, expectation.migrations))
    return findings


def _never(key: bytes) -> bool:
    return False


def _remember(cache: dict[bytes, tuple[Finding, ...]], key: bytes, findings: tuple[Finding, ...]) -> None:
    if len(cache) >= _CACHE_LIMIT:
        del cache[next(iter(cache))]  # the oldest first
    cache[key] = findings


def _engine(db: str) -> str | None:
    """A database's engine; None for a URL that names none (it is reported as unreadable)."""
    try:
        return parse_db_url(db).engine
    except SchemavetError:
        return None


def _location(db: str) -> str:
    try:
        return parse_db_url(db).location
    except SchemavetError:
        return db


# --- the fleet ------------------------------------------------------------------------------------


def verify_fleet(
    databases: Sequence[str],
    spec_path: str,
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    baseline: Baseline | None = None,
    **options: Any,
) -> tuple[Fleet, list[tuple[str, tuple[Finding, ...]]]]:
    """Every database verified against the spec, grouped by identical findings.

    Returns the fleet and, for ``--write-baseline``, every database's findings before the
    baseline took any. ``options`` are :class:`Expectation`'s (strict, prove_actions,
    migrations). A Ctrl-C stops the run: the fleet says ``interrupted`` and holds what was done.
    """
    engines = {engine for engine in map(_engine, databases) if engine is not None}
    fleet = Fleet(spec_path, len(databases), migrations=options.get("migrations"))
    everything: list[tuple[str, tuple[Finding, ...]]] = []
    try:
        with _interruptible() as interrupted:
            expectations = {e: expectation(spec_path, registry.get(e), **options) for e in sorted(engines)}
            for done in _run(databases, expectations, _workers(jobs, len(databases)), progress):
                if interrupted():
                    raise KeyboardInterrupt  # the database in hand was cut short: it is not counted
                shown = without_password(done.db)
                strict = options.get("strict", False)
                where = _known(done.position, fleet)
                everything.append((shown, _file(fleet, baseline, shown, done.findings, strict, where)))
    except KeyboardInterrupt:
        fleet.interrupted = True
    _finish(fleet, baseline)
    return fleet, everything


@contextmanager
def _interruptible() -> Iterator[Callable[[], bool]]:
    """Whether Ctrl-C was pressed, remembered: a KeyboardInterrupt raised while SQLite waits on
    a locked file can surface where Python drops it (a destructor), and the run would go on."""
    pressed: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def on_sigint(signum: int, frame: Any) -> None:
        pressed.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield lambda: bool(pressed)
    finally:
        signal.signal(signal.SIGINT, previous)


def verify_tenants(
    databases: Sequence[str],
    patterns: Sequence[str],
    spec_path: str,
    *,
    baseline: Baseline | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> tuple[Fleet, list[tuple[str, tuple[Finding, ...]]]]:
    """Every schema matching ``patterns`` in each database, compared with the spec's one schema.

    Each database's catalog is read once for all its tenants (one snapshot); a tenant is named
    ``URL#schema``.
    """
    fleet = Fleet(spec_path, 0)
    everything: list[tuple[str, tuple[Finding, ...]]] = []
    try:
        for db in databases:
            for tenant, findings in _tenants(db, patterns, spec_path, options):
                fleet.total += 1
                everything.append(
                    (tenant, _file(fleet, baseline, tenant, findings, options.get("strict", False)))
                )
                if progress is not None:
                    progress(fleet.done, fleet.total)
    except KeyboardInterrupt:
        fleet.interrupted = True
    _finish(fleet, baseline)
    return fleet, everything


def _tenants(
    db: str, patterns: Sequence[str], spec_path: str, options: dict[str, Any]
) -> Iterator[tuple[str, tuple[Finding, ...]]]:
    url = parse_db_url(db)
    dialect = registry.get(url.engine)
    if options.get("prove_actions") or options.get("migrations"):
        raise SchemavetError("--prove-actions and --migrations work on whole databases, not with --schemas")
    wanted = expectation(spec_path, dialect, **options)
    namespace, wanted = _one_namespace(wanted, dialect)
    try:
        tenants = dialect.inspect_tenants(url.location, patterns, namespace)
    except DatabaseError as e:  # this database is its own group; the others go on
        yield url.shown, (unreadable(without_password(str(e)), url.shown),)
        return
    if not tenants:
        raise SchemavetError(f'No schema of "{url.shown}" matches {", ".join(repr(p) for p in patterns)}')
    for name, schema in tenants.items():
        yield f"{url.shown}#{name}", compare_normal(dialect, wanted, schema)


def _one_namespace(wanted: Expectation, dialect: Dialect) -> tuple[str, Expectation]:
    """The spec's one schema each tenant is compared with, and the expectation of it alone."""
    namespaces = wanted.expected.namespaces
    if dialect.default_namespace in namespaces:
        name = dialect.default_namespace
    elif len(namespaces) == 1:
        name = next(iter(namespaces))
    else:
        raise SchemavetError(
            f'The spec "{wanted.spec.path}" describes several schemas ({", ".join(sorted(namespaces))}) '
            f'and none is "{dialect.default_namespace}": a tenant is compared with one'
        )
    from dataclasses import replace

    expected = replace(wanted.expected, namespaces={name: namespaces[name]})
    return name, replace(wanted, expected=expected)


def _known(where: Position | None, fleet: Fleet) -> Position | None:
    """With --migrations every database has a position: an unreadable one's is unknown."""
    if where is None and fleet.migrations is not None:
        return Position(UNKNOWN)
    return where


def _file(
    fleet: Fleet,
    baseline: Baseline | None,
    db: str,
    findings: tuple[Finding, ...],
    strict: bool,
    where: Position | None = None,
) -> tuple[Finding, ...]:
    """File a database under its group (its findings and position), by its name as shown (never
    with a password); what it holds that schemavet does not model is a warning unless ``strict``.
    Returns its findings (the baseline records findings only, never the position)."""
    if not strict:
        warnings = [f for f in findings if f.kind == NOT_MODELLED]
        findings = tuple(f for f in findings if f.kind != NOT_MODELLED)
        for warning in warnings:
            fleet.warn(warning.message + " (--strict makes this a failure)")
    kept, accepted = split_accepted(db, findings, baseline)
    fleet.accepted += accepted
    fleet.add(db, kept, where)
    return findings


def _finish(fleet: Fleet, baseline: Baseline | None) -> None:
    if baseline is not None and not fleet.interrupted:
        verified = {db for group in fleet.groups.values() for db in group.members}
        fleet.stale = list(baseline.stale(verified))


def _workers(jobs: int | None, databases: int) -> int:
    if jobs is None:
        affinity = getattr(os, "sched_getaffinity", None)
        jobs = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    return max(1, min(jobs, databases // _MIN_PER_WORKER))


_MIN_PER_WORKER = 16  # below this many databases a worker costs more than it saves


def _run(
    databases: Sequence[str], expectations: dict[str, Expectation], workers: int, progress: Progress | None
) -> Iterator[Verified]:
    """Each database's findings, in the order they are done.

    The first database is verified here before any worker starts: the modules a comparison
    needs are imported, and its comparison remembered, once, and the forked workers inherit both.
    """
    _prepare(expectations)
    for done, db in enumerate(databases[:1] if workers > 1 else databases, 1):
        yield verify_one(db)
        if progress is not None:
            progress(done, len(databases))
    if workers > 1:
        yield from _pooled(databases[1:], expectations, workers, _offset(progress, 1, len(databases)))


def _offset(progress: Progress | None, already: int, total: int) -> Progress | None:
    """``progress`` for the databases after the first ``already`` of ``total``."""
    if progress is None:
        return None
    return lambda done, _: progress(already + done, total)


def _pooled(
    databases: Sequence[str], expectations: dict[str, Expectation], workers: int, progress: Progress | None
) -> Iterator[Verified]:
    """The databases in chunks over a pool of ``workers``, at most two chunks per worker in flight."""
    size = max(1, min(256, len(databases) // (workers * 8)))
    chunks = (list(databases[i : i + size]) for i in range(0, len(databases), size))
    done = 0
    with ProcessPoolExecutor(
        workers, _context(), initializer=_start_worker, initargs=(expectations,)
    ) as pool:
        pending: set[Future[list[Verified]]] = set()
        try:
            while True:
                pending |= {
                    pool.submit(verify_chunk, chunk) for chunk in islice(chunks, 2 * workers - len(pending))
                }
                if not pending:
                    return
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    results = future.result()
                    done += len(results)
                    yield from results
                    if progress is not None:
                        progress(done, len(databases))
        finally:
            for future in pending:
                future.cancel()


def _context() -> Any:
    """fork where it is safe (Linux): the workers get the normalized spec without pickling it."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def write_baseline(path: str, document: dict[str, Any]) -> None:
    """Write a baseline file: JSON, keys sorted, one entry per finding (stable, diff-friendly)."""
    import json

    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, sort_keys=True, ensure_ascii=False)
            f.write("\n")
    except OSError as e:
        raise SchemavetError(f'Cannot write the baseline "{path}": {e.strerror}') from e


def load_baseline(path: str) -> Baseline:
    """A baseline file read and checked; one sentence when it is missing or malformed."""
    import json

    from schemavet.compare.fleet import read_baseline

    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        return read_baseline(document, path)
    except OSError as e:
        raise SchemavetError(f'Cannot read the baseline "{path}": {e.strerror}') from e
    except json.JSONDecodeError as e:
        raise SchemavetError(f'Baseline "{path}" is not valid JSON (line {e.lineno}: {e.msg})') from e
    except ValueError as e:
        raise SchemavetError(str(e)) from e


def fleet_findings(
    everything: Iterable[tuple[str, tuple[Finding, ...]]],
) -> Iterable[tuple[str, tuple[Finding, ...]]]:
    """Every database's findings, sorted by database (what a baseline records)."""
    return sorted(everything, key=lambda item: item[0])
