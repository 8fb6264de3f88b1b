#!/usr/bin/env python3
"""How long does `schemavet lint` take over 1,000 migration files?

Generates a yoyo migrations directory with the shared generator (`gen_schema.py migrations
--tables N --migrations M --rollbacks`: M migrations, each with its `.rollback.sql`, building N
tables with their foreign keys and indexes, `-- depends:` chained), then times, over --runs
rounds, the whole command as a user runs it:

    python -m schemavet lint DIR --format json

(wall time of the process; a warm-up run first so bytecode is compiled). It also times the
same lint in-process once (``schemavet.lint.lint_paths``) to show the interpreter and import
share. Prints the median, and writes <out>/lint_speed.json (default out: bench/out/).

    python bench/lint_speed.py                       # 1,000 migrations, 1,000 tables
    python bench/lint_speed.py --migrations 200 --tables 200 --runs 3

Stdlib only, plus schemavet itself; the shared generator is called, never copied.
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
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench"
SEED = 1

INPROC_PROGRAM = """\
import json, sys, time
t0 = time.perf_counter()
from schemavet.lint import lint_paths
findings = lint_paths([sys.argv[1]])
print("BENCH " + json.dumps({"inproc_s": time.perf_counter() - t0, "findings": len(findings)}))
"""


def main() -> int:
    args = _arguments()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    directory = out / f"migrations-{args.migrations}x{args.tables}"
    _generate(Path(args.shared) / "gen_schema.py", directory, args.tables, args.migrations)
    files = sorted(p.name for p in directory.glob("*.sql"))
    env = _env(out)
    command = [sys.executable, "-m", "schemavet", "lint", str(directory), "--format", "json"]
    _run(command, env)  # warm-up: compiles bytecode, fills the OS cache
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        document = json.loads(_run(command, env))
        times.append(time.perf_counter() - start)
    inproc = _inproc(directory, env)
    result = {
        "migrations": args.migrations,
        "files": len(files),
        "tables": args.tables,
        "runs": times,
        "median_s": statistics.median(times),
        "inproc_s": inproc["inproc_s"],
        "findings": len(document["findings"]),
        "by_code": _by_code(document["findings"]),
    }
    (out / "lint_speed.json").write_text(json.dumps(result, indent=2))
    print(
        f"lint of {args.migrations} migrations ({len(files)} .sql files with rollbacks, "
        f"{args.tables} tables): "
        f"median {result['median_s']:.2f} s over {args.runs} runs (whole process), "
        f"{inproc['inproc_s']:.2f} s in-process; {result['findings']} findings {result['by_code']}"
    )
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=int, default=1000)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shared", default=str(DEFAULT_SHARED), help="the shared bench tools directory")
    parser.add_argument("--out", default=str(REPO / "bench" / "out"))
    return parser.parse_args()


def _generate(generator: Path, directory: Path, tables: int, migrations: int) -> None:
    if directory.exists() and any(directory.iterdir()):
        return
    subprocess.run(
        [
            sys.executable,
            str(generator),
            "migrations",
            "--tables",
            str(tables),
            "--seed",
            str(SEED),
            "--migrations",
            str(migrations),
            "--rollbacks",
            str(directory),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _env(out: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        print("failed: " + " ".join(command) + "\n" + done.stderr, file=sys.stderr)
        raise SystemExit(2)
    return done.stdout


def _inproc(directory: Path, env: dict[str, str]) -> dict[str, float]:
    output = _run([sys.executable, "-c", INPROC_PROGRAM, str(directory)], env)
    line = next(x for x in output.splitlines() if x.startswith("BENCH "))
    return json.loads(line[len("BENCH ") :])  # type: ignore[no-any-return]


def _by_code(findings: list[dict[str, object]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[str(finding["code"])] = counts.get(str(finding["code"]), 0) + 1
    return dict(sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main())
