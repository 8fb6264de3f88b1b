"""How long ``verify --prove-actions`` takes to prove every foreign-key action, by schema size.

A synthetic schema: ``t0`` is a root every table may point at (nullable, ON DELETE SET NULL),
and each ``t{i}`` has a NOT NULL key to ``t{i // 2}`` (ON DELETE CASCADE), so the chains of
parents to insert grow with log2 of the size, plus a CHECK with an IN list on every table:

    python bench/prove_speed.py --tables 100,300,1000
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import schemavet  # noqa: E402
from schemavet.dialects.sqlite.normalize import normalize_sqlite  # noqa: E402
from schemavet.dialects.sqlite.prove import prove_copy  # noqa: E402
from schemavet.spec.load import load_spec  # noqa: E402


def build(path: str, tables: int) -> None:
    """The synthetic schema at ``path``."""
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


def measure(tables: int) -> tuple[int, float, bool]:
    """(probes, seconds, every action held) for a schema of ``tables`` tables."""
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "bench.db")
        build(path, tables)
        spec = os.path.join(scratch, "spec.yaml")
        with open(spec, "w") as f:
            f.write(schemavet.snapshot(path))
        expected = normalize_sqlite(load_spec(spec).schema)
        start = time.perf_counter()
        outcomes = prove_copy(path, expected)
        return len(outcomes), time.perf_counter() - start, all(o.holds for o in outcomes)


def main() -> None:
    """Print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", default="100,300")
    sizes = [int(n) for n in parser.parse_args().tables.split(",")]
    for tables in sizes:
        probes, seconds, held = measure(tables)
        per_probe = seconds / probes * 1000
        line = f"{tables:>6} tables  {probes:>6} probes  {seconds:8.2f} s  {per_probe:6.1f} ms/probe"
        print(f"{line}  held: {held}")


if __name__ == "__main__":
    main()
