"""How long ``verify --prove-actions`` takes to prove every foreign-key action, by schema size.

Two shapes of schema:

- ``generated`` (default): the shared generator's schema (``../shared/bench/gen_schema.py db``):
  1-3 foreign keys per table to earlier tables, mixed actions, NOT NULL chains, CHECKs, UNIQUE
  and partial indexes;
- ``chains``: ``t0`` is a root every table points at (nullable, ON DELETE SET NULL), and each
  ``t{i}`` has a NOT NULL key to ``t{i // 2}`` (ON DELETE CASCADE): the worst fan-in, every
  probe of a key to the root deletes a row that n tables refer to.

Each size is timed for this tree's code and, with ``--old SRC``, for another tree's ``src``
(a worktree of an older commit), each in its own process, in the same run:

    python bench/prove_speed.py --tables 100,1000,5000 --old /tmp/old/src
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
GENERATOR = os.path.join(HERE, "..", "..", "shared", "bench", "gen_schema.py")


def build_chains(path: str, tables: int) -> None:
    """The ``chains`` schema at ``path``."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t0 (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (length(name) > 2))")
    for i in range(1, tables):
        conn.execute(
            f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            f"kind TEXT NOT NULL CHECK (kind IN ('a', 'b')), "
            f"up_id INTEGER NOT NULL REFERENCES t{i // 2}(id) ON DELETE CASCADE, "
            f"root_id INTEGER REFERENCES t0(id) ON DELETE SET NULL)"
        )
        conn.execute(f"CREATE INDEX ix{i}_up ON t{i}(up_id)")
        conn.execute(f"CREATE INDEX ix{i}_root ON t{i}(root_id)")
    conn.commit()
    conn.close()


def build(shape: str, path: str, tables: int) -> None:
    """A database of ``tables`` tables of ``shape`` at ``path``."""
    if shape == "chains":
        build_chains(path, tables)
        return
    command = [sys.executable, GENERATOR, "db", "--tables", str(tables), path]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def measure(database: str, spec: str) -> dict[str, object]:
    """Run in a child process: time the proofs with whichever ``schemavet`` is importable."""
    from schemavet.dialects.sqlite.normalize import normalize_sqlite
    from schemavet.dialects.sqlite.prove import prove_copy
    from schemavet.dialects.sqlite.scratch import copy_schema
    from schemavet.spec.load import load_spec

    expected = normalize_sqlite(load_spec(spec).schema)
    start = time.perf_counter()
    copy_schema(database).close()
    copied = time.perf_counter() - start
    start = time.perf_counter()
    outcomes = prove_copy(database, expected)
    seconds = time.perf_counter() - start
    held = sum(o.holds for o in outcomes)
    return {"probes": len(outcomes), "seconds": seconds, "copy": copied, "held": held}


def run_tree(src: str, database: str, spec: str, timeout: float) -> dict[str, object] | None:
    """:func:`measure` in a child process importing ``schemavet`` from ``src``; None past ``timeout``."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
    command = [sys.executable, __file__, "--measure", database, spec]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    result: dict[str, object] = json.loads(done.stdout)
    return result


def snapshot(src: str, database: str, spec: str) -> None:
    """Write the spec of ``database`` with this tree's ``schemavet snapshot``."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
    with open(spec, "w") as out:
        command = [sys.executable, "-m", "schemavet", "snapshot", "--db", database]
        subprocess.run(command, env=env, stdout=out, check=True)


def line(label: str, tables: int, result: dict[str, object] | None, timeout: float) -> str:
    """One printed line of results."""
    if result is None:
        return f"{label:>4} {tables:>6} tables  stopped after {timeout:.0f} s"
    seconds, probes = float(str(result["seconds"])), int(str(result["probes"]))
    return (
        f"{label:>4} {tables:>6} tables  {probes:>6} probes  {seconds:8.2f} s "
        f"(copy of the schema {float(str(result['copy'])):6.2f} s)  "
        f"{seconds / probes * 1000:6.2f} ms/probe  held {result['held']}"
    )


def main() -> None:
    """Print one line per size and tree."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--tables", default="100,1000")
    parser.add_argument("--shape", choices=("generated", "chains"), default="generated")
    parser.add_argument("--old", help="the src directory of an older tree, timed beside this one")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is stopped")
    parser.add_argument("--measure", nargs=2, metavar=("DB", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    trees = [("new", SRC)] + ([("old", args.old)] if args.old else [])
    for tables in [int(n) for n in args.tables.split(",")]:
        with tempfile.TemporaryDirectory() as scratch:
            database, spec = os.path.join(scratch, "bench.db"), os.path.join(scratch, "spec.yaml")
            build(args.shape, database, tables)
            snapshot(SRC, database, spec)
            for label, src in trees:
                result = run_tree(src, database, spec, args.timeout)
                print(line(label, tables, result, args.timeout), flush=True)


if __name__ == "__main__":
    main()
