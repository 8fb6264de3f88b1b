#!/usr/bin/env python3
"""How long does `schemavet review` take on a long migration history?

For each N in --migrations, a synthetic yoyo directory of N migrations is written (each one
creates a table with a foreign key and an index; every tenth rebuilds an earlier table and
recreates its index, so the review must compare and find nothing lost). It times, as whole
processes, `python -m schemavet review DIR` (every step inspected) and `... --latest 1` (all
applied, the last one inspected), medians of --repeat rounds, and checks each run exits 0
with one report line per reported migration.

    python bench/review_speed.py --migrations 100,300,1000

Results go to <out>/review_speed.json (default out: bench/out/, git-ignored).
Exit 0 when every run behaved; exit 2 (printing the failing command) otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_directory(directory: Path, count: int) -> None:
    """N migrations in a dependency chain: tables with keys and indexes, and some rebuilds."""
    directory.mkdir(parents=True, exist_ok=True)
    previous = None
    for i in range(count):
        name = f"{i:05d}.step"
        depends = f"-- depends: {previous}\n" if previous else ""
        if i % 10 == 9:
            t = i - 5
            sql = (
                f"CREATE TABLE t{t}_new (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT '', "
                f"b INT REFERENCES t0(id), c REAL);\n"
                f"INSERT INTO t{t}_new (id, a, b) SELECT id, a, b FROM t{t};\n"
                f"DROP TABLE t{t};\nALTER TABLE t{t}_new RENAME TO t{t};\n"
                f"CREATE INDEX i{t} ON t{t} (a);\n"
            )
        else:
            sql = (
                f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT REFERENCES t0(id));\n"
                f"CREATE INDEX i{i} ON t{i} (a);\n"
            )
        (directory / f"{name}.sql").write_text(depends + sql)
        previous = name


def timed(command: list[str], reported: int) -> float:
    """Wall time of one run; exits 2 when the run does not behave."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    headers = [line for line in result.stdout.splitlines() if line.endswith(".sql")]
    if result.returncode != 0 or len(headers) != reported:
        print("failed:", " ".join(command), result.returncode, result.stderr[-500:], file=sys.stderr)
        sys.exit(2)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", default="100,300,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = parser.parse_args()
    results = []
    for count in (int(n) for n in args.migrations.split(",")):
        directory = args.out / f"review_{count}"
        write_directory(directory, count)
        base = [sys.executable, "-m", "schemavet", "review", str(directory)]
        full = statistics.median(timed(base, count) for _ in range(args.repeat))
        latest = statistics.median(timed([*base, "--latest", "1"], 1) for _ in range(args.repeat))
        results.append({"migrations": count, "review_s": round(full, 3), "latest_1_s": round(latest, 3)})
        print(f"{count:>6} migrations: review {full:7.2f} s   --latest 1 {latest:6.2f} s")
    (args.out / "review_speed.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
