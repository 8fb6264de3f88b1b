"""What the bench scripts share: running a timed command, reading its BENCH line, the environment.

Imported by the scripts beside it (``python bench/NAME.py`` puts this folder on the path).
Stdlib only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


class RunFailed(Exception):
    """A benchmarked command exited unexpectedly or misbehaved."""

    def __init__(self, cmd: list[str], proc: subprocess.CompletedProcess[str] | None, why: str) -> None:
        super().__init__(why)
        self.cmd, self.proc, self.why = cmd, proc, why


def run(
    cmd: list[str], expect: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run cmd, return (process, wall seconds); raise RunFailed on an unexpected exit code."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode not in expect:
        raise RunFailed(cmd, proc, f"exit code {proc.returncode}, expected {expect}")
    return proc, wall


def bench_line(cmd: list[str], proc: subprocess.CompletedProcess[str]) -> dict[str, float]:
    """The JSON of the last `BENCH {...}` line a command printed."""
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH "):
            return json.loads(line[len("BENCH ") :])
    raise RunFailed(cmd, proc, "no BENCH line in output")


def bench_env(out: Path, first_on_path: Path | None = None) -> dict[str, str]:
    """Environment for every run: bytecode written to and read from out/pycache (and
    ``first_on_path``, a checkout's src, ahead of whatever is installed).

    As after a normal install, nothing is compiled from source once the warm-up has run, for
    any tool: not schemavet's modules, not the floor's (its shared dir is read-only), not the
    stdlib. PYTHONDONTWRITEBYTECODE is dropped: with it, a cache prefix would make every run
    recompile every module it imports.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    if first_on_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(first_on_path), env.get("PYTHONPATH")) if p)
    return env


def median_of(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def missing_shared(shared: Path, tools: tuple[str, ...]) -> str | None:
    """A clear message when the shared reference tools are not where --shared says."""
    missing = [t for t in tools if not (shared / t).is_file()]
    if not missing:
        return None
    return (
        f"error: shared bench tools not found in {shared} (missing: {', '.join(missing)}); pass --shared DIR"
    )


def report_failure(e: RunFailed) -> None:
    print(f"\nFAILED ({e.why}): {subprocess.list2cmdline(e.cmd)}", file=sys.stderr)
    if e.proc is not None:
        print(f"--- stdout ---\n{e.proc.stdout[-4000:]}", file=sys.stderr)
        print(f"--- stderr ---\n{e.proc.stderr[-4000:]}", file=sys.stderr)
