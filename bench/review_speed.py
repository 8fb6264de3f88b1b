#!/usr/bin/env python3
"""How long does `schemavet review` take on a long migration history?

For each N in --migrations, a synthetic yoyo directory of N migrations is written (each one
creates a table with a foreign key and an index; every tenth rebuilds an earlier table and
recreates its index, so the review must compare and find nothing lost). It times, as whole
processes, `python -m schemavet review DIR` (every step inspected) and `... --latest 1` (all
applied, the last one inspected), medians of --repeat rounds, and checks each run exits 0
with one report line per reported migration.

    python bench/review_speed.py --migrations 100,300,1000

With ``--old SRC`` (the ``src`` of a worktree of an older commit) the same runs of the older
code are timed too, rounds interleaved, and each full review's output must be the same as the
older code's byte for byte (else exit 2).

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


def timed(
    command: list[str], reported: int, src: str = str(REPO / "src"), outputs: list[str] | None = None
) -> float:
    """Wall time of one run of the code in ``src``; exits 2 when the run does not behave."""
    env = {**os.environ, "PYTHONPATH": src}
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    headers = [line for line in result.stdout.splitlines() if line.endswith(".sql")]
    if result.returncode != 0 or len(headers) != reported:
        print("failed:", " ".join(command), result.returncode, result.stderr[-500:], file=sys.stderr)
        sys.exit(2)
    if outputs is not None:
        outputs.append(result.stdout)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", default="100,300,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--old", help="the src directory of an older tree, timed beside this one")
    args = parser.parse_args()
    results = []
    trees = [("new", str(REPO / "src"))] + ([("old", args.old)] if args.old else [])
    for count in (int(n) for n in args.migrations.split(",")):
        directory = args.out / f"review_{count}"
        write_directory(directory, count)
        base = [sys.executable, "-m", "schemavet", "review", str(directory)]
        full: dict[str, list[float]] = {name: [] for name, _ in trees}
        latest: dict[str, list[float]] = {name: [] for name, _ in trees}
        outputs: dict[str, list[str]] = {name: [] for name, _ in trees}
        for _ in range(args.repeat):
            for name, src in trees:  # interleaved: the machine's load hits both alike
                full[name].append(timed(base, count, src, outputs[name]))
                latest[name].append(timed([*base, "--latest", "1"], 1, src))
        if args.old and set(outputs["new"]) != set(outputs["old"]):
            print(f"{count} migrations: the review's output differs from the old tree's", file=sys.stderr)
            sys.exit(2)
        row: dict[str, object] = {"migrations": count}
        for name, _ in trees:
            row[f"{name}_review_s"] = round(statistics.median(full[name]), 3)
            row[f"{name}_latest_1_s"] = round(statistics.median(latest[name]), 3)
        results.append(row)
        print(", ".join(f"{k} {v}" for k, v in row.items()))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "review_speed.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
