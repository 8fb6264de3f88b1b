"""The ``[tool.schemavet]`` table of ``pyproject.toml``: the applications ``check`` covers."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass

from schemavet.dialects import registry
from schemavet.errors import ConfigError

_APP_KEYS = frozenset({"migrations", "spec"})


@dataclass(frozen=True)
class App:
    """One application: its migrations directory and its spec, as paths from the project root."""

    name: str
    migrations: str
    spec: str


def find_pyproject(start: str = ".") -> str:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            raise ConfigError(
                f'No pyproject.toml found in "{os.path.abspath(start)}" or above it; '
                f"pass --migrations and --spec"
            )
        directory = parent


def load_apps(pyproject: str) -> list[App]:
    """Every ``[tool.schemavet.apps.NAME]`` table, paths made absolute."""
    try:
        with open(pyproject, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f'Malformed TOML in "{pyproject}": {e}') from e
    apps = data.get("tool", {}).get("schemavet", {}).get("apps")
    if not isinstance(apps, dict) or not apps:
        raise ConfigError(f'"{pyproject}" has no [tool.schemavet.apps.NAME] table')
    root = os.path.dirname(pyproject)
    return [_app(name, table, root, pyproject) for name, table in apps.items()]


def _app(name: str, table: object, root: str, pyproject: str) -> App:
    if not isinstance(table, dict):
        raise ConfigError(f'[tool.schemavet.apps.{name}] in "{pyproject}" should be a table')
    unknown = set(table) - _APP_KEYS
    if unknown:
        raise ConfigError(
            f'Unknown key "{sorted(unknown)[0]}" in [tool.schemavet.apps.{name}] '
            f'of "{pyproject}"; expected: ' + ", ".join(sorted(_APP_KEYS))
        )
    missing = {"migrations", "spec"} - set(table)
    if missing:
        raise ConfigError(f'[tool.schemavet.apps.{name}] in "{pyproject}" has no "{sorted(missing)[0]}"')
    return App(name, _shown(root, str(table["migrations"])), _shown(root, str(table["spec"])))


def _shown(root: str, path: str) -> str:
    """A configured path as messages show it: relative to the working directory."""
    return os.path.relpath(os.path.join(root, path))


def lint_dialect(start: str = ".") -> str:
    """``[tool.schemavet.lint] dialect`` of the nearest pyproject.toml; the default dialect without one."""
    try:
        pyproject = find_pyproject(start)
    except ConfigError:
        return registry.default_name()
    try:
        with open(pyproject, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f'Malformed TOML in "{pyproject}": {e}') from e
    table = data.get("tool", {}).get("schemavet", {}).get("lint", {})
    dialect = table.get("dialect", registry.default_name())
    if not isinstance(dialect, str) or registry.find(dialect) is None:
        raise ConfigError(
            f'[tool.schemavet.lint] dialect in "{pyproject}" is "{dialect}"; expected {registry.choices()}'
        )
    return dialect
