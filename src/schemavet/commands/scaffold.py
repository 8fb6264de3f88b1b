"""``schemavet init``: the files a project needs to run schemavet, written only where none exists.

Every file is planned before any is written, so a refusal leaves the project as it was; a file
that exists is kept as it is (a second run changes nothing). ``pyproject.toml`` is the one file
added to: its ``[tool.schemavet…]`` tables are appended as text (tomllib only reads, and a
rewrite would lose the user's comments and layout), after checking that the file with them
appended still parses and says what was meant.
"""

from __future__ import annotations

import json
import os
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemavet.dialect import registry
from schemavet.errors import ConfigError

PYPROJECT = "pyproject.toml"
PRE_COMMIT = ".pre-commit-config.yaml"
WORKFLOW = os.path.join(".github", "workflows", "schemavet.yml")
REPOSITORY = "https://github.com/schemavet/schemavet"


@dataclass(frozen=True)
class Planned:
    """One file of the scaffold: its path, and its new text (None: kept as it is, for ``why``)."""

    path: str
    text: str | None
    why: str = ""
    appended: bool = False

    def said(self) -> str:
        """What ``init`` did with the file, for its report."""
        if self.text is None:
            return f"Kept {self.path} ({self.why})"
        if not self.appended:
            return f"Wrote {self.path}"
        tables = [line for line in self.text.splitlines() if line.startswith("[")]
        return f"Added {', '.join(tables)} to {self.path}"


@dataclass(frozen=True)
class Project:
    """What ``init`` scaffolds: the app, its migrations and spec (relative to ``root``)."""

    root: str
    app: str
    migrations: str
    spec: str
    dialect: str
    version: str

    def at(self, path: str) -> str:
        """``path`` inside the project."""
        return os.path.join(self.root, path)


def plan(project: Project, write_spec: Callable[[], str]) -> list[Planned]:
    """Every file of the scaffold, new or kept; ``write_spec`` gives the spec's text (called only
    when the spec does not exist yet). Raises before anything is written."""
    from schemavet.migrations.sums import SUM_FILE, compute_sum, render_sum

    sum_path = os.path.join(project.migrations, SUM_FILE)
    return [
        _pyproject(project),
        _new(project, project.spec, write_spec),
        _new(project, sum_path, lambda: render_sum(compute_sum(project.at(project.migrations)))),
        _new(project, PRE_COMMIT, lambda: pre_commit_config(project), "add the schemavet-lint hook to it"),
        _new(project, WORKFLOW, lambda: workflow(project)),
    ]


def write(project: Project, planned: list[Planned]) -> None:
    """Write the planned files that are new (``pyproject.toml`` appended to)."""
    from schemavet.commands.snapshot import write_new

    for item in planned:
        if item.text is None:
            continue
        if item.appended:
            with open(project.at(PYPROJECT), "a", encoding="utf-8", newline="\n") as f:
                f.write(item.text)
        else:
            write_new(project.at(item.path), item.text, make_directories=True)


def _new(project: Project, path: str, text: Callable[[], str], hint: str = "") -> Planned:
    if os.path.lexists(project.at(path)):
        return Planned(path, None, f"exists; {hint}" if hint else "exists")
    return Planned(path, text())


# --- pyproject.toml ---------------------------------------------------------------------------


def _pyproject(project: Project) -> Planned:
    path = project.at(PYPROJECT)
    if not os.path.exists(path):
        return Planned(PYPROJECT, _tables(project, {}).lstrip("\n"))
    with open(path, encoding="utf-8") as f:
        before = f.read()
    config = _within(_within(_parsed(before, path), "tool"), "schemavet")
    app = _within(config, "apps").get(project.app)
    if app is not None:
        if app == {"migrations": project.migrations, "spec": project.spec}:
            return Planned(PYPROJECT, None, f"configures app {project.app} already")
        raise ConfigError(
            f'[tool.schemavet.apps.{project.app}] in "{path}" exists with other paths; '
            f"change it by hand, or give this app another name with --app"
        )
    added = _tables(project, config)
    _check_appended(before, added, project, path)
    return Planned(PYPROJECT, ("" if before.endswith("\n") or not before else "\n") + added, appended=True)


def _tables(project: Project, config: dict[str, Any]) -> str:
    """The TOML text that configures the app (and its lint dialect, when not the default)."""
    text = (
        f"\n[tool.schemavet.apps.{_key(project.app)}]\n"
        f"migrations = {_string(project.migrations)}\n"
        f"spec = {_string(project.spec)}\n"
    )
    lint = config.get("lint")
    if project.dialect != registry.default_name() and not (isinstance(lint, dict) and "dialects" in lint):
        text += (
            f"\n[tool.schemavet.lint.dialects]\n{_string(project.migrations)} = {_string(project.dialect)}\n"
        )
    return text


def _check_appended(before: str, added: str, project: Project, path: str) -> None:
    """Refuse when the appended tables would not parse (a table defined twice, an inline table)."""
    try:
        after = tomllib.loads(before + ("\n" if before and not before.endswith("\n") else "") + added)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            f'Cannot add [tool.schemavet.apps.{project.app}] to "{path}" without rewriting it ({e}); '
            f"add these lines by hand: {' '.join(added.split())}"
        ) from e
    app = _within(_within(_within(after, "tool"), "schemavet"), "apps").get(project.app)
    if app != {"migrations": project.migrations, "spec": project.spec}:
        raise ConfigError(
            f'Cannot add [tool.schemavet.apps.{project.app}] to "{path}": the file would then say '
            f"{app!r}; add these lines by hand: {' '.join(added.split())}"
        )


def _within(table: dict[str, Any], key: str) -> dict[str, Any]:
    """The table at ``key`` (empty when there is none, or something else is there)."""
    value = table.get(key)
    return value if isinstance(value, dict) else {}


def _parsed(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f'Malformed TOML in "{path}": {e}') from e


def _string(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def _key(name: str) -> str:
    """A TOML key: bare when it can be."""
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else _string(name)


# --- pre-commit and CI ------------------------------------------------------------------------


def pre_commit_config(project: Project) -> str:
    """A ``.pre-commit-config.yaml``: this repository's ``schemavet-lint`` hook on the app's migrations."""
    files = "^" + _regex(_posix(project.migrations)) + "/.*\\.sql$"
    return (
        "# Written by schemavet init: lint the migrations before each commit (pip install pre-commit;\n"
        "# pre-commit install).\n"
        "repos:\n"
        f"  - repo: {REPOSITORY}\n"
        f"    rev: v{project.version}\n"
        "    hooks:\n"
        "      - id: schemavet-lint\n"
        f"        files: {json.dumps(files)}\n"
    )


def workflow(project: Project) -> str:
    """A GitHub Actions workflow running ``check`` and ``lint`` with annotations on the diff."""
    extra = "" if project.dialect == registry.default_name() else "[postgres]"
    migrations = _posix(project.migrations)
    return (
        "# Written by schemavet init: check the migrations build the spec, and lint them.\n"
        "name: schemavet\n"
        "on: [push, pull_request]\n"
        "jobs:\n"
        "  schemavet:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        '          python-version: "3.11"\n'
        f'      - run: pip install "schemavet{extra} @ git+{REPOSITORY}@v{project.version}"\n'
        "      - name: schemavet check\n"
        "        run: schemavet check --format github\n"
        "      - name: schemavet lint\n"
        "        if: success() || failure()\n"
        f"        run: {json.dumps(f'schemavet lint {shlex.quote(migrations)} --format github')}\n"
    )


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _regex(text: str) -> str:
    import re

    return re.escape(text)
