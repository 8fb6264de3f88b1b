#!/usr/bin/env python3
"""How fast is `schemavet verify` compared with the floor, and how does it grow with N tables?

For each N in --tables, on a synthetic SQLite database of N tables (shared gen_schema.py,
fixed seed), this measures:

* the floor (shared pipeline_floor.py: load expected JSON, set-based introspection, dict diff):
  its own in-process figure `inproc_s` (module imports + JSON load + introspect + diff,
  interpreter start excluded) and the wall time of its whole process;
* schemavet in-process: `schemavet.verify(db, spec)` timed with time.perf_counter inside a
  subprocess (interpreter start and importing the pipeline's modules excluded);
* schemavet whole-process: wall time of `python -m schemavet verify --db DB --spec SPEC`;
* once, schemavet on a drifted copy (gen_schema.py drift --mutations 10): time and findings.

The spec is `schemavet snapshot` of the same database, so every clean verify must exit 0 with
no findings; the drifted verify must exit 1. Runs are interleaved over --repeat rounds (the order
alternates every round) so machine noise hits both tools; medians are reported, not means.
Every run uses a bytecode cache under <out>/pycache and an untimed warm-up run comes first,
so neither tool is timed compiling modules from source (see bench_env).

    python bench/verify_speed.py --tables 100,1000,5000

Results go to <out>/verify_speed.json (default out: bench/out/, git-ignored).
Exit 0 when every run behaved; exit 2 (printing the failing command) otherwise.
Stdlib only, plus schemavet itself; the shared tools are called, never copied.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

from benchlib import RunFailed, bench_env, bench_line, median_of, missing_shared, report_failure, run

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
SHARED_TOOLS = ("gen_schema.py", "introspect.py", "pipeline_floor.py")
SEED = 1
DRIFT_MUTATIONS = 10

# Runs schemavet.verify in-process; prints findings (if any) and one BENCH line.
INPROC_PROGRAM = """\
import json, sys, time
t0 = time.perf_counter()
import schemavet
# the modules verify's pipeline uses (schemavet imports its names lazily): importing them is
# start-up, which the whole-process figure counts, not verification work
import schemavet.commands.verify, schemavet.compare.diff, schemavet.spec.load
import schemavet.dialects.sqlite.background, schemavet.dialects.sqlite.inspect
import schemavet.dialects.sqlite.normalize
t1 = time.perf_counter()
report = schemavet.verify(sys.argv[1], sys.argv[2])
t2 = time.perf_counter()
for f in report.findings[:20]:
    print(f.message)
print("BENCH " + json.dumps({"import_s": t1 - t0, "inproc_s": t2 - t1,
                             "findings": len(report.findings)}))
"""


# --------------------------------------------------------------------------- preparing inputs


def prepare(n: int, shared: Path, out: Path, env: dict[str, str]) -> dict[str, Path]:
    """Generate the db, its schemavet spec, the floor's expected JSON and a drifted copy."""
    d = out / f"n{n}"
    d.mkdir(parents=True, exist_ok=True)
    paths = {
        "db": d / "schema.db",
        "spec": d / "spec.yaml",
        "expected": d / "expected.json",
        "drift_db": d / "drift.db",
        "manifest": d / "drift_manifest.json",
    }
    for p in (paths["db"], paths["drift_db"]):
        p.unlink(missing_ok=True)
    py = sys.executable
    run(
        [py, str(shared / "gen_schema.py"), "db", "--tables", str(n), "--seed", str(SEED), str(paths["db"])],
        env=env,
    )
    run(
        [py, "-m", "schemavet", "snapshot", "--db", str(paths["db"]), "-o", str(paths["spec"]), "--force"],
        env=env,
    )
    run(
        [py, str(shared / "introspect.py"), "setbased", str(paths["db"]), "--json", str(paths["expected"])],
        env=env,
    )
    run(
        [
            py,
            str(shared / "gen_schema.py"),
            "drift",
            "--mutations",
            str(DRIFT_MUTATIONS),
            "--seed",
            str(SEED),
            str(paths["db"]),
            str(paths["drift_db"]),
            "--manifest",
            str(paths["manifest"]),
        ],
        env=env,
    )
    return paths


# --------------------------------------------------------------------------- single timed runs


def time_floor(shared: Path, paths: dict[str, Path], env: dict[str, str]) -> dict[str, float]:
    cmd = [sys.executable, str(shared / "pipeline_floor.py"), str(paths["db"]), str(paths["expected"])]
    proc, wall = run(cmd, env=env)
    return {**bench_line(cmd, proc), "whole_s": wall}


def time_schemavet_inproc(
    db: Path, spec: Path, env: dict[str, str], expect_findings: bool = False
) -> dict[str, float]:
    cmd = [sys.executable, "-c", INPROC_PROGRAM, str(db), str(spec)]
    proc, _ = run(cmd, env=env)
    result = bench_line(cmd, proc)
    if not expect_findings and result["findings"]:
        raise RunFailed(cmd, proc, f"{result['findings']} findings on the clean round trip")
    return result


def time_schemavet_cli(
    db: Path, spec: Path, env: dict[str, str], expect: int = 0
) -> tuple[subprocess.CompletedProcess[str], float]:
    cmd = [sys.executable, "-m", "schemavet", "verify", "--db", str(db), "--spec", str(spec)]
    return run(cmd, expect=(expect,), env=env)


# --------------------------------------------------------------------------- one size


def one_round(
    shared: Path, paths: dict[str, Path], env: dict[str, str], floor_first: bool
) -> tuple[dict[str, float], dict[str, float]]:
    """One floor run and one schemavet pair (in-process, CLI), in the given order."""

    def floor() -> dict[str, float]:
        return time_floor(shared, paths, env)

    def schemavet() -> dict[str, float]:
        r = time_schemavet_inproc(paths["db"], paths["spec"], env)
        _, wall = time_schemavet_cli(paths["db"], paths["spec"], env)
        return {**r, "whole_s": wall}

    if floor_first:
        f = floor()
        return f, schemavet()
    s = schemavet()
    return floor(), s


def measure_size(n: int, shared: Path, out: Path, repeat: int) -> dict[str, object]:
    env = bench_env(out)
    print(f"[N={n}] preparing db, spec, expected JSON, drifted copy ...", flush=True)
    t0 = time.perf_counter()
    paths = prepare(n, shared, out, env)
    prep_s = time.perf_counter() - t0
    print(f"[N={n}] prepared in {prep_s:.1f}s; warm-up round (untimed)", flush=True)
    one_round(shared, paths, env, floor_first=True)

    floor_runs, sv_runs = [], []
    for i in range(repeat):
        f, s = one_round(shared, paths, env, floor_first=(i % 2 == 0))
        floor_runs.append(f)
        sv_runs.append(s)
        print(
            f"[N={n}] round {i + 1}/{repeat}: floor {f['inproc_s']:.3f}/{f['whole_s']:.3f}s"
            f"  schemavet {s['inproc_s']:.3f}/{s['whole_s']:.3f}s",
            flush=True,
        )

    drift = measure_drift(paths, env)
    print(
        f"[N={n}] drifted: {drift['findings']} findings, in-process {drift['inproc_s']:.3f}s,"
        f" whole {drift['whole_s']:.3f}s",
        flush=True,
    )
    return {
        "tables": n,
        "prepare_s": prep_s,
        "spec_bytes": paths["spec"].stat().st_size,
        "floor": {
            "inproc_s": median_of(floor_runs, "inproc_s"),
            "whole_s": median_of(floor_runs, "whole_s"),
            "phases_s": {k: median_of(floor_runs, k) for k in ("load_s", "introspect_s", "diff_s")},
            "runs": floor_runs,
        },
        "schemavet": {
            "inproc_s": median_of(sv_runs, "inproc_s"),
            "whole_s": median_of(sv_runs, "whole_s"),
            "import_s": median_of(sv_runs, "import_s"),
            "runs": sv_runs,
        },
        "drift": drift,
    }


def measure_drift(paths: dict[str, Path], env: dict[str, str]) -> dict[str, object]:
    """Verify the drifted copy once in-process and once via the CLI (which must exit 1),
    after one untimed run: only a drifted schema imports deepdiff, so warm its bytecode too."""
    time_schemavet_inproc(paths["drift_db"], paths["spec"], env, expect_findings=True)
    r = time_schemavet_inproc(paths["drift_db"], paths["spec"], env, expect_findings=True)
    _, wall = time_schemavet_cli(paths["drift_db"], paths["spec"], env, expect=1)
    manifest = json.loads(paths["manifest"].read_text())
    return {
        "inproc_s": r["inproc_s"],
        "whole_s": wall,
        "findings": r["findings"],
        "mutations": DRIFT_MUTATIONS,
        "manifest": manifest,
    }


# --------------------------------------------------------------------------- reporting


def print_table(results: list[dict]) -> None:
    head = (
        f"{'N':>6} | {'floor in-proc':>13} {'whole':>7} | {'schemavet in-proc':>17} "
        f"{'whole':>7} | {'ratio in-proc':>13} {'whole':>6} | {'drift in-proc':>13} "
        f"{'whole':>7} {'findings':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        f, s, d = r["floor"], r["schemavet"], r["drift"]
        print(
            f"{r['tables']:>6} | {f['inproc_s']:>12.3f}s {f['whole_s']:>6.3f}s | "
            f"{s['inproc_s']:>16.3f}s {s['whole_s']:>6.3f}s | "
            f"{s['inproc_s'] / f['inproc_s']:>12.2f}x {s['whole_s'] / f['whole_s']:>5.2f}x | "
            f"{d['inproc_s']:>12.3f}s {d['whole_s']:>6.3f}s {d['findings']:>8}"
        )


def growth(results: list[dict]) -> list[dict[str, float]]:
    """Time ratios between consecutive sizes (linear growth = the ratio of N)."""
    rows = []
    for a, b in itertools.pairwise(results):
        rows.append(
            {
                "from": a["tables"],
                "to": b["tables"],
                "linear": b["tables"] / a["tables"],
                **{
                    f"{tool}_{k}": b[tool][k] / a[tool][k]
                    for tool in ("floor", "schemavet")
                    for k in ("inproc_s", "whole_s")
                },
            }
        )
    return rows


def print_growth(rows: list[dict[str, float]]) -> None:
    for g in rows:
        print(
            f"growth {g['from']}->{g['to']} tables (linear = x{g['linear']:.1f}): "
            f"floor in-proc x{g['floor_inproc_s']:.2f}, whole x{g['floor_whole_s']:.2f}; "
            f"schemavet in-proc x{g['schemavet_inproc_s']:.2f}, "
            f"whole x{g['schemavet_whole_s']:.2f}"
        )


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--tables", default="100,1000,5000", help="comma-separated table counts (default: 100,1000,5000)"
    )
    p.add_argument("--repeat", type=int, default=7, help="timed rounds per size (default: 7)")
    p.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out",
        help="work directory for dbs, specs and results (default: bench/out/)",
    )
    p.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"the shared reference tools (default: {DEFAULT_SHARED})",
    )
    args = p.parse_args(argv)
    args.tables = [int(t) for t in args.tables.split(",") if t.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    shared = args.shared.resolve()
    problem = missing_shared(shared, SHARED_TOOLS)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for n in args.tables:
            results.append(measure_size(n, shared, out, args.repeat))
    except RunFailed as e:
        report_failure(e)
        return 2
    print(f"\nmedians over {args.repeat} interleaved rounds; ratio = schemavet / floor\n")
    print_table(results)
    rows = growth(results)
    print_growth(rows)
    result_path = out / "verify_speed.json"
    result_path.write_text(
        json.dumps(
            {
                "python": sys.version,
                "repeat": args.repeat,
                "seed": SEED,
                "pycache_prefix": str(out / "pycache"),
                "sizes": results,
                "growth": rows,
            },
            indent=2,
        )
    )
    print(f"\nwrote {result_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
