#!/usr/bin/env python3
"""How fast is a fleet verify of many Samsara databases, against a shell loop of single verifies?

For each N in --sizes, a fleet of N copies of the Samsara schema (migrations/samsara applied
by yoyo once, then copied) with planted drift: every 200th copy lost an index, every 500th has an
extra column, every 1000th is not a database at all. In the same run this measures:

* fleet: wall time of one `python -m schemavet verify --db DIR --spec schema/samsara.yaml
  --format json` process, and the peak resident memory of its whole process tree (parent plus
  workers, summed, sampled every 20 ms from /proc) and of its largest single process;
* loop: `python -m schemavet verify --db FILE --spec …` run once per file over a sample of
  --sample files of the same fleet (what a shell loop does), its mean per file extrapolated to N;
* with --distinct stats, also a fleet of the same size whose every file has its own statistics
  (a `sqlite_stat1` row that differs per file): the catalogs compare alike, but every file's
  query plans are checked; with --distinct schema, every file also has a table of its own that
  verify ignores (`_yoyo_bench_<n>`, matched by the bookkeeping preset `_yoyo_*`): no two files
  read alike, so none shares any comparison, the worst case for the fleet.

Every fleet run must exit 1 with exactly the planted groups (checked from its JSON); a failed
check exits 2. Results go to <out>/fleet_speed.json (default bench/out/, git-ignored).

    python bench/fleet_speed.py --sizes 1000,10000

Stdlib only, plus schemavet itself. The machine is shared: say so with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "schema" / "samsara.yaml"
MIGRATIONS = REPO / "migrations" / "samsara"
DRIFT = {  # every k-th file (offset so they do not coincide): SQL, or None for a broken file
    "index": (200, 7, "DROP INDEX idx_cvs_project;"),
    "column": (500, 11, "ALTER TABLE cvs ADD COLUMN note TEXT;"),
    "corrupt": (1000, 13, None),
}


def build_template(directory: Path) -> Path:
    """The Samsara schema as yoyo builds it, in one file."""
    sys.path.insert(0, str(REPO / "src"))
    from schemavet.migrations.runner import apply_all

    template = directory / "template.db"
    apply_all(f"sqlite:///{template}", str(MIGRATIONS))
    return template


def build_fleet(template: Path, directory: Path, size: int, distinct: str | None) -> dict[str, int]:
    """``size`` copies with the planted drift; returns how many got each kind."""
    directory.mkdir(parents=True)
    counts = {kind: 0 for kind in DRIFT}
    for i in range(size):
        path = directory / f"install-{i:05d}.db"
        shutil.copyfile(template, path)
        kind = next((k for k, (every, offset, _) in DRIFT.items() if i % every == offset), None)
        if kind is not None:
            counts[kind] += 1
            sql = DRIFT[kind][2]
            if sql is None:
                path.write_bytes(b"this install's database was overwritten\n" * 64)
                continue
            _run(path, sql)
        if distinct == "schema":
            _run(path, f"CREATE TABLE _yoyo_bench_{i} (id INTEGER PRIMARY KEY);")
        if distinct:
            _run(
                path, f"ANALYZE sqlite_master; INSERT INTO sqlite_stat1 VALUES ('app_meta', NULL, '{i + 1}');"
            )
    return counts


def _run(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(sql)
    finally:
        conn.close()


def _tree_rss(root: int) -> tuple[int, int]:
    """Resident memory (kB) of ``root`` and its descendants: the sum, and the largest one."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as f:
                rss[int(entry)] = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += children.get(pid, [])
    sizes = [rss.get(pid, 0) for pid in tree]
    return sum(sizes), max(sizes, default=0)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str, int, int]:
    """Wall time, exit code, stdout, peak summed RSS and peak single-process RSS (kB)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            total, largest = _tree_rss(process.pid)
            peaks[0], peaks[1] = max(peaks[0], total), max(peaks[1], largest)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{err}")
    return elapsed, process.returncode, out, peaks[0], peaks[1]


def check_groups(document: dict, size: int, counts: dict[str, int]) -> None:
    """The fleet's JSON must hold exactly the planted groups."""
    got = sorted(g["count"] for g in document["groups"])
    broken = sum(counts.values())
    want = sorted([size - broken, *(c for c in counts.values() if c)])
    if got != want or document["verified"] != size:
        raise SystemExit(f"wrong groups for {size} files: {got}, expected {want}")


def measure(
    template: Path, work: Path, size: int, sample: int, distinct: str | None, env: dict[str, str]
) -> dict:
    fleet = work / f"fleet-{size}-{distinct or 'alike'}"
    t0 = time.perf_counter()
    counts = build_fleet(template, fleet, size, distinct)
    built = time.perf_counter() - t0
    command = [sys.executable, "-m", "schemavet", "verify", "--db", str(fleet), "--spec", str(SPEC)]
    elapsed, code, out, total_kb, largest_kb = timed([*command, "--format", "json"], env)
    check_groups(json.loads(out), size, counts)
    files = sorted(fleet.iterdir())
    step = max(1, len(files) // sample)
    chosen = files[::step][:sample]
    loop = 0.0
    for path in chosen:
        loop += timed(
            [sys.executable, "-m", "schemavet", "verify", "--db", str(path), "--spec", str(SPEC)], env
        )[0]
    per_file = loop / len(chosen)
    shutil.rmtree(fleet)
    return {
        "files": size,
        "distinct": distinct,
        "planted": counts,
        "build_s": round(built, 1),
        "fleet_s": round(elapsed, 2),
        "fleet_exit": code,
        "fleet_peak_rss_total_mb": round(total_kb / 1024, 1),
        "fleet_peak_rss_largest_mb": round(largest_kb / 1024, 1),
        "loop_sample": len(chosen),
        "loop_per_file_s": round(per_file, 3),
        "loop_extrapolated_s": round(per_file * size, 1),
        "speedup": round(per_file * size / elapsed, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--sample", type=int, default=20, help="files the single-verify loop runs on")
    parser.add_argument(
        "--distinct", choices=["stats", "schema"], help="also time a fleet whose files differ so (see above)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--work", type=Path, default=None, help="where the fleets are built (a temp dir)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONPYCACHEPREFIX": str(args.out / "pycache")}
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        work = Path(scratch)
        template = build_template(work)
        for size in (int(s) for s in args.sizes.split(",")):
            for distinct in (None, args.distinct) if args.distinct else (None,):
                result = measure(template, work, size, args.sample, distinct, env)
                print(json.dumps(result), flush=True)
                results.append(result)
    meta = {"cores": len(os.sched_getaffinity(0)), "load_average_at_end": os.getloadavg()}
    (args.out / "fleet_speed.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
