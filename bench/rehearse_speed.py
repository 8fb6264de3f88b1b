"""How much a rehearsal costs beyond what it must do anyway: copy the database and apply.

A yoyo-managed database of users, projects, items and events (1M rows by default, foreign
keys with CASCADE and SET NULL, an index on each) gets three pending migrations: a column and
an index added to the largest table, a table rebuilt the right way (copy, drop, rename,
recreate its index), and an UPDATE of a tenth of a table. Timed in the same run, in turns,
each in its own process:

- ``backup+apply``: the copy with SQLite's backup API, then yoyo applying the migrations to it
  as ``apply`` does (foreign keys off), as ``rehearse`` does it;
- ``unsynced``: the same, the migrations' commits not synced to the disk (``PRAGMA
  synchronous = OFF``), as ``rehearse`` applies them to a copy it throws away (one it keeps,
  ``--keep``, is synced as ``apply`` syncs);
- ``+checks``: backup+apply, then ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check`` of
  the copy one after the other (with rehearse's page cache), as a rehearsal must also do;
- ``rehearse``: ``schemavet.rehearse`` (the rows counted after each migration, the row
  accounting, ``foreign_key_check`` of every table and ``integrity_check`` of the tables the
  migrations wrote, and the rehearsal with foreign keys on for its warnings, each confined to
  what the pending migrations can reach: see ``docs/cli.md``, "What is measured again");
- with ``--old SRC``, ``rehearse`` of another tree (a worktree of an older commit).

    python bench/rehearse_speed.py --rows 1000000 --rounds 3 --old /tmp/old/src
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")

BASE = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE projects (id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'open');
CREATE INDEX ix_projects_owner ON projects(owner_id);
CREATE TABLE items (id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL, body TEXT NOT NULL, weight REAL,
  done INTEGER NOT NULL DEFAULT 0);
CREATE INDEX ix_items_project ON items(project_id);
CREATE INDEX ix_items_assignee ON items(assignee_id);
CREATE TABLE events (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX ix_events_item ON events(item_id);
"""

PENDING = {
    "0001.items-done.sql": (
        "ALTER TABLE items ADD COLUMN note TEXT;\nCREATE INDEX ix_items_done ON items(done);\n"
    ),
    "0002.events-rebuild.sql": (
        "CREATE TABLE events_new (id INTEGER PRIMARY KEY,\n"
        "  item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,\n"
        "  kind TEXT NOT NULL, at TEXT NOT NULL, source TEXT);\n"
        "INSERT INTO events_new (id, item_id, kind, at) SELECT id, item_id, kind, at FROM events;\n"
        "DROP TABLE events;\nALTER TABLE events_new RENAME TO events;\n"
        "CREATE INDEX ix_events_item ON events(item_id);\n"
    ),
    "0003.close-projects.sql": "UPDATE projects SET status = 'closed' WHERE id % 10 = 0;\n",
}


def write_migrations(directory: str, pending: bool) -> None:
    """The base migration, and the pending ones when ``pending``."""
    os.makedirs(directory)
    files = {"0000.base.sql": BASE, **(PENDING if pending else {})}
    previous = None
    for name, sql in files.items():
        depends = f"-- depends: {previous}\n" if previous else ""
        with open(os.path.join(directory, name), "w") as f:
            f.write(depends + sql)
        previous = name.removesuffix(".sql")


def build(scratch: str, rows: int) -> tuple[str, str]:
    """(database, migrations): the base applied by yoyo, ``rows`` rows, three migrations pending."""
    base, migrations, db = (os.path.join(scratch, n) for n in ("base", "migrations", "bench.db"))
    write_migrations(base, pending=False)
    write_migrations(migrations, pending=True)
    env = {**os.environ, "PYTHONPATH": os.path.abspath(SRC)}
    command = [sys.executable, "-m", "schemavet", "apply", "--db", db, "--migrations", base]
    subprocess.run(command, env=env, check=True, capture_output=True)
    fill(db, rows)
    return db, migrations


def fill(path: str, rows: int) -> None:
    """``rows`` rows: a tenth users, a tenth projects, 60% items, 20% events."""
    users, projects, items, events = rows // 10, rows // 10, rows * 6 // 10, rows // 5
    rnd = random.Random(1)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?)",
        ((i, f"user{i}@example.com", f"User {i}", "2024-01-01") for i in range(1, users + 1)),
    )
    conn.executemany(
        "INSERT INTO projects VALUES (?, ?, ?, 'open')",
        ((i, rnd.randint(1, users), f"Project {i}") for i in range(1, projects + 1)),
    )
    conn.executemany(
        "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                i,
                rnd.randint(1, projects),
                rnd.choice((None, rnd.randint(1, users))),
                f"body {i}",
                rnd.random(),
                i % 2,
            )
            for i in range(1, items + 1)
        ),
    )
    conn.executemany(
        "INSERT INTO events VALUES (?, ?, 'touch', '2024-02-02')",
        ((i, rnd.randint(1, items)) for i in range(1, events + 1)),
    )
    conn.commit()
    conn.close()


def measure(what: str, db: str, migrations: str) -> float:
    """Run in a child process: seconds for ``what`` with whichever ``schemavet`` is importable."""
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        if what == "rehearse":
            import schemavet

            rehearsal = schemavet.rehearse(db, migrations)
            assert rehearsal.ok, [f.message for f in rehearsal.findings]
        else:
            copy = os.path.join(scratch, "copy.db")
            backup_and_apply(db, migrations, copy, synced=what != "unsynced")
            if what == "+checks":
                checks(copy)
        return time.perf_counter() - start


def checks(path: str) -> None:
    """The two whole-database checks a rehearsal reports, one after the other, with a page
    cache that holds the whole database (as rehearse gives its checks)."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA cache_size = -{os.path.getsize(path) // 1024 + 1024}")
    try:
        assert [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def backup_and_apply(db: str, migrations: str, copy: str, synced: bool = True) -> None:
    """What a rehearsal cannot do without: the copy, and the migrations applied to it (their
    commits synced to the disk unless not ``synced``)."""
    from schemavet.dialects.sqlite.backup import backup_copy
    from schemavet.migrations.bookkeeping import open_backend
    from schemavet.migrations.directory import read_migration_dir
    from schemavet.migrations.runner import apply_pending

    backup_copy(db, copy)
    mixins: tuple[type, ...] = ()
    if not synced:
        from schemavet.dialects.sqlite.rehearsal import Throwaway

        mixins = (Throwaway,)
    backend = open_backend("sqlite:///" + copy, mixins=mixins)
    try:
        apply_pending(backend, read_migration_dir(migrations))
    finally:
        backend.connection.close()


def run(src: str, what: str, db: str, migrations: str) -> float:
    """:func:`measure` in a child process importing ``schemavet`` from ``src``."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
    command = [sys.executable, __file__, "--measure", what, db, migrations]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout))


def main() -> None:
    """Print the medians and the ratio to backup+apply."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--old", help="the src directory of an older tree, its rehearse timed too")
    parser.add_argument("--measure", nargs=3, metavar=("WHAT", "DB", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    runs = [("backup+apply", SRC, "backup+apply"), ("unsynced", SRC, "unsynced"), ("+checks", SRC, "+checks")]
    runs += [("rehearse", SRC, "rehearse")]
    runs += [("old rehearse", args.old, "rehearse")] if args.old else []
    with tempfile.TemporaryDirectory() as scratch:
        db, migrations = build(scratch, args.rows)
        print(f"{args.rows:,} rows, {os.path.getsize(db) / 2**20:.0f} MiB", flush=True)
        times: dict[str, list[float]] = {label: [] for label, _, _ in runs}
        for _ in range(args.rounds):
            for label, src, what in runs:
                times[label].append(run(src, what, db, migrations))
    floor, checked = statistics.median(times["backup+apply"]), statistics.median(times["+checks"])
    for label, values in times.items():
        median = statistics.median(values)
        rounds = [round(v, 2) for v in values]
        print(
            f"{label:>14}: median {median:6.2f} s  ({median / floor:4.2f}x backup+apply, "
            f"{median / checked:4.2f}x +checks)  rounds {rounds}"
        )


if __name__ == "__main__":
    main()
