"""The ``[tool.schemavet]`` table of ``pyproject.toml``: the applications ``check`` covers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from schemavet.diagnostics import ERROR, WARNING
from schemavet.dialect import registry
from schemavet.errors import ConfigError
from schemavet.lint.settings import LintSettings

_APP_KEYS = frozenset({"migrations", "spec", "engine"})
_LINT_KEYS = frozenset({"dialect", "dialects", "select", "ignore", "per-file-ignores", "severity", "fail-on"})
_SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True)
class App:
    """One application's migrations directory and its spec, as paths from the project root.

    ``engine`` is the engine the migrations are written for, when the spec names several (one
    spec for an app's SQLite and PostgreSQL migrations); None: the spec's first engine.
    """

    name: str
    migrations: str
    spec: str
    engine: str | None = None


def find_pyproject(start: str = ".", instead: str = "pass --migrations and --spec") -> str:
    """The nearest ``pyproject.toml`` at or above ``start``; ``instead``: what the refusal
    tells a user without one to do (the options of the command that asked)."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            raise ConfigError(f'No pyproject.toml found in "{os.path.abspath(start)}" or above it; {instead}')
        directory = parent


def load_apps(pyproject: str) -> list[App]:
    """Every ``[tool.schemavet.apps.NAME]`` table, paths made absolute."""
    apps = _schemavet_table(pyproject).get("apps")
    if not isinstance(apps, dict) or not apps:
        raise ConfigError(f'"{pyproject}" has no [tool.schemavet.apps.NAME] table')
    root = os.path.dirname(pyproject)
    return [_app(name, table, root, pyproject) for name, table in apps.items()]


def _schemavet_table(pyproject: str) -> dict[str, object]:
    """``[tool.schemavet]`` of ``pyproject`` (empty when there is none); a file that is not
    TOML, or a ``tool`` or ``tool.schemavet`` that is not a table, in a sentence."""
    import tomllib  # only where there is a file to read

    try:
        with open(pyproject, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f'Malformed TOML in "{pyproject}": {e}') from e
    except UnicodeDecodeError as e:
        raise ConfigError(f'"{pyproject}" is not UTF-8 text (byte {e.start})') from e
    except OSError as e:
        raise ConfigError(f'Cannot read "{pyproject}": {e.strerror or e}') from e
    table: dict[str, object] = data
    for key, where in (("tool", "tool"), ("schemavet", "tool.schemavet")):
        inner = table.get(key, {})
        if not isinstance(inner, dict):
            raise ConfigError(f'[{where}] in "{pyproject}" should be a table')
        table = inner
    return table


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
    engine = table.get("engine")
    if engine is not None and (not isinstance(engine, str) or registry.find(engine) is None):
        raise ConfigError(
            f'[tool.schemavet.apps.{name}] engine in "{pyproject}" is "{engine}"; expected '
            f"{registry.choices()}"
        )
    dialect = registry.find(engine) if isinstance(engine, str) else None
    return App(
        name,
        _path(table, "migrations", name, root, pyproject),
        _path(table, "spec", name, root, pyproject),
        dialect.name if dialect is not None else None,
    )


def app_of(migrations: str, start: str = ".") -> App | None:
    """The configured app whose migrations directory is ``migrations``; None when none is."""
    try:
        apps = load_apps(find_pyproject(start))
    except ConfigError:
        return None
    wanted = os.path.realpath(migrations)
    return next((app for app in apps if os.path.realpath(app.migrations) == wanted), None)


def _path(table: dict[str, object], key: str, name: str, root: str, pyproject: str) -> str:
    """An app's configured path: a non-empty string naming a file, shown relative."""
    value = table[key]
    if not isinstance(value, str) or not value or "\0" in value:
        raise ConfigError(
            f'"{key}" of [tool.schemavet.apps.{name}] in "{pyproject}" should be a path, found {value!r}'
        )
    return _shown(root, value)


def _shown(root: str, path: str) -> str:
    """A configured path as messages show it: relative to the working directory."""
    return os.path.relpath(os.path.join(root, path))


def ignore_patterns(start: str = ".") -> tuple[str, ...]:
    """``[tool.schemavet] ignore`` of the nearest pyproject.toml: globs of tables any spec may
    leave undeclared (none without a pyproject.toml)."""
    try:
        pyproject = find_pyproject(start)
    except ConfigError:
        return ()
    patterns = _schemavet_table(pyproject).get("ignore", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f'[tool.schemavet] ignore in "{pyproject}" should be a list of strings')
    return tuple(patterns)


def lint_dialect(start: str = ".", directory: str | None = None) -> str:
    """The dialect lint reads ``directory``'s migrations in, from the nearest pyproject.toml.

    ``[tool.schemavet.lint.dialects]`` maps migration directories (relative to the
    pyproject.toml) to their dialect; any other directory is in ``[tool.schemavet.lint]
    dialect``; without either, the default dialect (SQLite).
    """
    try:
        pyproject = find_pyproject(start)
    except ConfigError:
        return registry.default_name()
    table = _lint_table(pyproject)
    for place, dialect in _directory_dialects(table, pyproject).items():
        if directory is not None and _within(directory, place):
            return dialect
    return _checked_dialect(table.get("dialect", registry.default_name()), "dialect", pyproject)


def _lint_table(pyproject: str) -> dict[str, object]:
    table = _schemavet_table(pyproject).get("lint", {})
    if not isinstance(table, dict):
        raise ConfigError(f'[tool.schemavet.lint] in "{pyproject}" should be a table')
    unknown = set(table) - _LINT_KEYS
    if unknown:
        raise ConfigError(
            f'Unknown key "{sorted(unknown)[0]}" in [tool.schemavet.lint] of "{pyproject}"; '
            "expected: " + ", ".join(sorted(_LINT_KEYS))
        )
    return table


def _directory_dialects(table: dict[str, object], pyproject: str) -> dict[str, str]:
    """``[tool.schemavet.lint.dialects]``: absolute directory → dialect."""
    mapping = table.get("dialects", {})
    if not isinstance(mapping, dict):
        raise ConfigError(f'[tool.schemavet.lint.dialects] in "{pyproject}" should be a table')
    root = os.path.dirname(os.path.abspath(pyproject))
    return {
        os.path.normpath(os.path.join(root, place)): _checked_dialect(value, f'dialects."{place}"', pyproject)
        for place, value in mapping.items()
    }


def _checked_dialect(dialect: object, key: str, pyproject: str) -> str:
    if not isinstance(dialect, str) or registry.find(dialect) is None:
        raise ConfigError(
            f'[tool.schemavet.lint] {key} in "{pyproject}" is "{dialect}"; expected {registry.choices()}'
        )
    return dialect


def _within(path: str, directory: str) -> bool:
    path = os.path.abspath(path)
    return path == directory or path.startswith(directory + os.sep)


def lint_settings(start: str = ".", directory: str | None = None) -> LintSettings:
    """The lint settings of the nearest pyproject.toml (defaults without one); unknown keys,
    rule codes and severities are errors."""
    try:
        pyproject = find_pyproject(directory or start)
    except ConfigError:
        return LintSettings()
    table = _lint_table(pyproject)
    where = f'[tool.schemavet.lint] of "{pyproject}"'
    select = table.get("select")
    return LintSettings(
        select=None if select is None else tuple(_codes(select, "select", where)),
        ignore=frozenset(_codes(table.get("ignore", []), "ignore", where)),
        per_file_ignores=_per_file_ignores(table.get("per-file-ignores", {}), where),
        severity=_severities(table.get("severity", {}), where),
        fail_on=_severity(table.get("fail-on", ERROR), "fail-on", where),
        root=os.path.dirname(os.path.abspath(pyproject)),
    )


def _codes(value: object, key: str, where: str) -> list[str]:
    from schemavet.lint.registry import load_rules

    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ConfigError(f"{key} in {where} should be a list of rule codes")
    known = load_rules()
    for code in value:
        if code.upper() not in known:
            raise ConfigError(f'{key} in {where} names "{code}", which is not a lint rule')
    return [code.upper() for code in value]


def _per_file_ignores(value: object, where: str) -> dict[str, frozenset[str]]:
    if not isinstance(value, dict):
        raise ConfigError(f"per-file-ignores in {where} should be a table of pattern = [codes]")
    return {
        str(pattern): frozenset(_codes(codes, f'per-file-ignores."{pattern}"', where))
        for pattern, codes in value.items()
    }


def _severities(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f'severity in {where} should be a table of code = "error" or "warning"')
    return {
        _codes([code], "severity", where)[0]: _severity(level, f"severity.{code}", where)
        for code, level in value.items()
    }


def _severity(value: object, key: str, where: str) -> str:
    if value not in _SEVERITIES:
        raise ConfigError(f'{key} in {where} is "{value}"; expected "error" or "warning"')
    return str(value)
