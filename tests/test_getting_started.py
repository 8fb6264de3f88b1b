"""docs/getting-started.md runs: every ``sh`` block, in order, in one empty directory, with the
schemavet of this checkout. A block ending in ``# exit N`` must exit N, every other block 0.

The one block not run is the installation (it holds ``pip install``): the test runs the
schemavet it is testing, through a ``schemavet`` on PATH that runs this checkout's code.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```sh\n(.*?)^```", PAGE, flags=re.S | re.M)
INSTALL = [b for b in BLOCKS if "pip install" in b]
RUN = [b for b in BLOCKS if b not in INSTALL]


def _expected_exit(block: str) -> int:
    last = block.strip().splitlines()[-1]
    found = re.search(r"#\s*exit (\d+)\s*$", last)
    return int(found.group(1)) if found else 0


def _shims(directory: Path) -> dict[str, str]:
    """An environment whose ``schemavet`` and ``python`` are this checkout's, on this interpreter."""
    directory.mkdir()
    for name, command in (
        ("schemavet", f'"{sys.executable}" -m schemavet'),
        ("python", f'"{sys.executable}"'),
    ):
        shim = directory / name
        shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{directory}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT / "src")
    return env


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_the_page_has_the_whole_way() -> None:
    assert len(INSTALL) == 1, "exactly one installation block, the one the test does not run"
    commands = "\n".join(RUN)
    for step in ("schemavet init", "schemavet check", "schemavet lint", "schemavet status", "schemavet sum"):
        assert step in commands, step
    last = {step: commands.rindex(step) for step in ("schemavet check", "schemavet lint", "schemavet status")}
    # the page ends green: its last check, lint and status are in blocks that must exit 0
    for step, at in last.items():
        block = next(b for b in RUN if step in b and commands.index(b) <= at < commands.index(b) + len(b))
        assert _expected_exit(block) == 0, step


@pytest.mark.skipif(shutil.which("git") is None, reason="the page commits with git")
def test_every_command_of_the_page_runs(tmp_path: Path) -> None:
    env = _shims(tmp_path / "bin")
    work = tmp_path / "project"
    work.mkdir()
    for number, block in enumerate(RUN, 1):
        done = subprocess.run(
            ["bash", "-e", "-c", block], cwd=work, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == _expected_exit(block), (
            f"block {number} of docs/getting-started.md exited {done.returncode}:\n{block}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    before = _tree(work)
    again = subprocess.run(
        ["schemavet", "init", "--migrations", "migrations/shop"], cwd=work, env=env, capture_output=True
    )
    assert again.returncode == 0, again.stderr
    assert _tree(work) == before  # a second init changes nothing


def test_readme_sets_up_in_a_venv_and_shows_use_from_another_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", setup)
    installs = [c for c in commands if "pip install" in c]
    assert len(installs) == 2, installs  # the two set-up commands, untouched by what surrounds them
    assert not any("venv" in c for c in installs)
    assert setup.index("venv") < setup.index(installs[0])  # made before the first one
    assert "[postgres]" in setup
    assert ".pre-commit-config.yaml" in setup and ".github/workflows/schemavet.yml" in setup
    assert "docs/getting-started.md" in readme
