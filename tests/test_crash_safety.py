"""Crash safety: ``schemavet apply`` killed with SIGKILL at random points, over and over.

A history of migrations (tables with keys, indexes and rows, columns added, tables rebuilt,
rows deleted, views and triggers) is applied by ``python -m schemavet apply`` in a child
process that is killed at a random moment; then applied again, killed again, and so on, a run
that finishes starting the next round on a new database. After every kill:

- ``PRAGMA integrity_check`` is ok (the connection that runs it rolls back what the killed
  process left in its journal, as the next ``apply`` would);
- the migrations yoyo recorded (``_yoyo_migration``) are the first k of the history, in order,
  and schemavet's content hashes (``_schemavet_migration_hash``) are recorded for exactly those;
- the schema (``schemavet.inspect``) and the rows per table equal those of a reference database
  built to exactly those k migrations: the database is at a migration boundary;
- yoyo's lock is left held by the killed process, as yoyo documents; it is removed the way a
  user would (``yoyo break-lock``), and the next run of ``apply`` carries on.

CI runs at least 50 kills, within about two minutes. ``SCHEMAVET_CRASH_KILLS``,
``SCHEMAVET_CRASH_SECONDS`` and ``SCHEMAVET_CRASH_MIGRATIONS`` make a longer profile.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from schemavet.migrations.bookkeeping import file_sha256, open_backend
from schemavet.migrations.directory import read_migration_dir
from schemavet.migrations.runner import apply_one
from tests.conftest import ROOT

KILLS = int(os.environ.get("SCHEMAVET_CRASH_KILLS", "50"))
SECONDS = float(os.environ.get("SCHEMAVET_CRASH_SECONDS", "110"))
MIGRATIONS = int(os.environ.get("SCHEMAVET_CRASH_MIGRATIONS", "100"))
SEED = int(os.environ.get("SCHEMAVET_CRASH_SEED", "14"))
ROWS = 120  # rows a new table starts with

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


@dataclass(frozen=True)
class State:
    """What a database holds, as far as the boundary is concerned."""

    applied: list[str]
    hashes: dict[str, str]
    schema: Any
    rows: dict[str, int]


def write_history(directory: Path, count: int, rng: random.Random) -> None:
    """``count`` chained migrations of every kind a history has."""
    directory.mkdir()
    tables: list[str] = []
    previous = None
    for i in range(count):
        kind = (
            "create"
            if len(tables) < 3
            else rng.choice(("create", "create", "alter", "rebuild", "delete", "view"))
        )
        sql = _migration(kind, i, tables, rng)
        name = f"{i:04d}.{kind}"
        depends = f"-- depends: {previous}\n" if previous else ""
        (directory / f"{name}.sql").write_text(depends + sql)
        previous = name


def _migration(kind: str, i: int, tables: list[str], rng: random.Random) -> str:
    if kind == "create":
        return _create(f"t{i}", rng.choice(tables) if tables else None, tables)
    if kind == "view":  # on a table of its own: a rebuild cannot drop a table a view reads
        return _create(f"t{i}", None, []) + (
            f"CREATE VIEW v{i} AS SELECT id, name FROM t{i};\n"
            f"CREATE TRIGGER tr{i} AFTER DELETE ON t{i} BEGIN SELECT 1; END;\n"
        )
    table = rng.choice(tables)
    if kind == "alter":
        return (
            f"ALTER TABLE {table} ADD COLUMN c{i} TEXT NOT NULL DEFAULT 'x{i}';\n"
            f"UPDATE {table} SET c{i} = name;\n"
        )
    if kind == "rebuild":
        return (
            f"CREATE TABLE {table}_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT);\n"
            f"INSERT INTO {table}_new (id, name) SELECT id, name FROM {table};\n"
            f"DROP TABLE {table};\nALTER TABLE {table}_new RENAME TO {table};\n"
            f"CREATE INDEX ix_{table}_name_{i} ON {table} (name);\n"
        )
    return f"DELETE FROM {table} WHERE id % 7 = {i % 7};\n"


def _create(table: str, parent: str | None, tables: list[str]) -> str:
    tables.append(table)
    key = f", parent_id INTEGER REFERENCES {parent} (id) ON DELETE SET NULL" if parent else ""
    return (
        f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL{key});\n"
        f"CREATE INDEX ix_{table}_name ON {table} (name);\n"
        f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {ROWS}) "
        f"INSERT INTO {table} (id, name) SELECT x, 'row ' || x FROM n;\n"
    )


def references(directory: Path, path: Path) -> tuple[list[str], list[State]]:
    """The history's ids in yoyo's order, and the state after each number of them (0 … n)."""
    migrations = read_migration_dir(str(directory))
    backend = open_backend(f"sqlite:///{path}")
    try:
        pending = list(backend.to_apply(migrations))
        states = [read_state(path)]
        for migration in pending:
            apply_one(backend, migration, mark=True)
            states.append(read_state(path))
    finally:
        backend.connection.close()
    return [m.id for m in pending], states


def read_state(path: Path) -> State:
    """The state of the database at ``path`` (a connection that may write: it recovers a crash)."""
    if not path.exists() or not path.stat().st_size:
        return State([], {}, None, {})
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied = _column(conn, "SELECT migration_id FROM _yoyo_migration ORDER BY rowid", tables)
        hashes = dict(
            _rows(conn, "SELECT migration_id, content_sha256 FROM _schemavet_migration_hash", tables)
        )
        app = sorted(t for t in tables if t.startswith("t"))
        rows = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in app}
    finally:
        conn.close()
    return State(applied, hashes, schemavet.inspect(str(path)) if app else None, rows)


def _rows(conn: sqlite3.Connection, query: str, tables: set[str]) -> list[Any]:
    table = query.split(" FROM ")[1].split()[0]
    return conn.execute(query).fetchall() if table in tables else []


def _column(conn: sqlite3.Connection, query: str, tables: set[str]) -> list[Any]:
    return [row[0] for row in _rows(conn, query, tables)]


def break_lock(path: Path) -> list[Any]:
    """What ``yoyo break-lock`` does after a crash; the lock rows it removed."""
    if not path.exists() or not path.stat().st_size:
        return []
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'yoyo_lock'").fetchone()
        held = conn.execute("SELECT pid FROM yoyo_lock").fetchall() if exists else []
        if exists:
            conn.execute("DELETE FROM yoyo_lock")
        return held
    finally:
        conn.close()


class Runner:
    """``python -m schemavet apply`` on one database, in a child process."""

    def __init__(self, db: Path, directory: Path) -> None:
        self.command = [
            sys.executable,
            "-m",
            "schemavet",
            "apply",
            "--db",
            str(db),
            "--migrations",
            str(directory),
        ]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

    def start(self) -> subprocess.Popen[str]:
        """The run, started."""
        return subprocess.Popen(
            self.command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def timed(self) -> float:
        """Seconds a whole run takes; it must succeed."""
        start = time.perf_counter()
        process = self.start()
        out, err = process.communicate()
        assert process.returncode == 0, out + err
        return time.perf_counter() - start


def check_boundary(db: Path, ids: list[str], states: list[State], sums: dict[str, str]) -> int:
    """The number of migrations the database at ``db`` is at, checked to be a boundary.

    A copy is checked (the database with its journal, if the kill left one): reading rolls the
    journal back, and the next ``apply`` must meet the database as the kill left it.
    """
    copy = db.with_name("checked.db")
    _fresh(copy)
    for source, target in ((db, copy), (_journal(db), _journal(copy))):
        if source.exists():
            shutil.copyfile(source, target)
    state = read_state(copy)
    k = len(state.applied)
    assert state.applied == ids[:k], f"yoyo recorded {state.applied[-3:]}, not a prefix of the history"
    assert state.hashes == {i: sums[i] for i in ids[:k]}, "content hashes disagree with yoyo's records"
    assert state.rows == states[k].rows, f"rows differ from the reference at {k} migrations"
    assert state.schema == states[k].schema, f"the schema is not the one after {k} migrations" + (
        f", but the one after {k + 1}" if k < len(ids) and state.schema == states[k + 1].schema else ""
    )
    return k


def test_apply_killed_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    directory = tmp_path / "migrations"
    write_history(directory, MIGRATIONS, rng)
    ids, states = references(directory, tmp_path / "reference.db")
    sums = {m.id: file_sha256(m.path) for m in read_migration_dir(str(directory))}
    db = tmp_path / "app.db"
    runner = Runner(db, directory)
    whole = runner.timed()
    idle = runner.timed()  # start-up, reading the directory, nothing to apply
    _fresh(db)

    kills = finished = boundary = 0
    boundaries: set[int] = set()
    deadline = time.monotonic() + SECONDS
    while kills < KILLS and time.monotonic() < deadline:
        # somewhere in what is left to apply, from the end of the start-up on
        left = idle + (whole - idle) * (len(ids) - boundary) / len(ids)
        process, started = runner.start(), time.monotonic()
        try:
            out, err = process.communicate(timeout=rng.uniform(idle * 0.9, max(idle, left * 0.9)))
            # the machine got faster than the first timing said: aim the next kills by this run
            whole = min(whole, max(idle * 1.5, time.monotonic() - started))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.communicate()
        if process.returncode == -signal.SIGKILL:
            kills += 1
            boundary = check_boundary(db, ids, states, sums)
            boundaries.add(boundary)
            break_lock(db)
            continue
        assert process.returncode == 0, f"a run after a kill failed: {out}{err}"
        assert check_boundary(db, ids, states, sums) == len(ids)
        finished, boundary = finished + 1, 0
        _fresh(db)
    summary = f"{kills} kills, {finished} runs finished, {len(boundaries)} boundaries; one run {whole:.1f} s"
    assert kills >= KILLS, f"only {summary} in {SECONDS:.0f} s"
    assert len(boundaries) > 1, f"every kill left the database at the same boundary: {summary}"


def _fresh(db: Path) -> None:
    for path in (db, _journal(db)):
        if path.exists():
            path.unlink()


def _journal(db: Path) -> Path:
    return db.with_name(db.name + "-journal")


# A process that dies in the middle of a write: the changed pages spill to the file (a cache
# of one page), the journal keeps the originals.
_CUT_SHORT = """
import os, signal, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")
conn.execute("BEGIN")
conn.execute("UPDATE t0 SET name = name || ' and more, to fill pages'")
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_write_cut_short_is_named_by_readers_and_rolled_back_by_apply(tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    write_history(directory, 4, random.Random(SEED))
    db = tmp_path / "app.db"
    runner = Runner(db, directory)
    runner.timed()
    schema = schemavet.inspect(str(db))
    subprocess.run([sys.executable, "-c", _CUT_SHORT, str(db)], check=False)
    journal = _journal(db)
    assert journal.stat().st_size > 0

    result = CliRunner().invoke(main, ["snapshot", "--db", str(db)])
    assert result.exit_code == 2
    assert result.stderr == (
        f'schemavet: error: Database "{db}" was left in the middle of a write (its journal "{journal}" '
        "is still there, from a process that stopped before it finished); open it once for writing to "
        'roll the write back (the next "schemavet apply" does), then read it again\n'
    )
    runner.timed()
    assert not journal.exists() or journal.stat().st_size == 0
    assert schemavet.inspect(str(db)) == schema
    assert read_state(db).rows["t0"] == ROWS
