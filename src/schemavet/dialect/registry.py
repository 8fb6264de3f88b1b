"""The one table of dialects: a canonical name and the package that defines it.

Adding a dialect is a folder under ``dialects/`` and one line here. Everything else (the CLI's
choices, config, URL schemes, spec ``engine:`` values, lint's ``--dialect``) asks this module.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from schemavet.dialect.base import Dialect
from schemavet.errors import SchemavetError

#: Canonical name → the module whose ``DIALECT`` is that dialect. The first is the default.
_TABLE: dict[str, str] = {
    "sqlite": "schemavet.dialects.sqlite",
    "postgresql": "schemavet.dialects.postgres",
}
_LOADED: dict[str, Dialect] = {}
#: The dialect a plain file path and a spec without ``engine:`` mean.
DEFAULT_DIALECT = next(iter(_TABLE))


def default_name() -> str:
    """The dialect a plain file path and a spec without ``engine:`` mean."""
    return DEFAULT_DIALECT


def names() -> tuple[str, ...]:
    """Every canonical dialect name, in table order."""
    return tuple(_TABLE)


def spellings() -> tuple[str, ...]:
    """Every name a user may write: canonical names and their aliases."""
    return tuple(spelling for dialect in all_dialects() for spelling in (dialect.name, *dialect.aliases))


def choices() -> str:
    """The dialects as a sentence names them: each by its shortest name (``sqlite or postgres``)."""
    shortest = [min((d.name, *d.aliases), key=len) for d in all_dialects()]
    return ", ".join(shortest[:-1]) + " or " + shortest[-1] if len(shortest) > 1 else shortest[0]


def all_dialects() -> Iterator[Dialect]:
    """Every registered dialect, loaded."""
    for name in _TABLE:
        yield get(name)


def get(name: str) -> Dialect:
    """The dialect called ``name`` (or one of its aliases); one sentence when there is none."""
    dialect = find(name)
    if dialect is None:
        raise SchemavetError(f'Unknown dialect "{name}"; expected one of: ' + ", ".join(spellings()))
    return dialect


def find(name: str) -> Dialect | None:
    """The dialect called ``name`` or aliased so; None when no dialect is."""
    if name in _TABLE:
        return _load(name)
    lowered = name.lower()
    return next((d for d in all_dialects() if lowered == d.name or lowered in d.aliases), None)


def for_scheme(scheme: str) -> Dialect | None:
    """The dialect whose URLs start with ``scheme://``."""
    lowered = scheme.lower()
    return next((d for d in all_dialects() if lowered in d.url_schemes), None)


def register(name: str, module: str) -> None:
    """Add a dialect: ``module`` defines ``DIALECT`` (tests use this for a dialect of their own)."""
    _TABLE[name] = module
    _LOADED.pop(name, None)


def unregister(name: str) -> None:
    """Remove a dialect added with :func:`register`."""
    _TABLE.pop(name, None)
    _LOADED.pop(name, None)


def _load(name: str) -> Dialect:
    dialect = _LOADED.get(name)
    if dialect is None:
        dialect = importlib.import_module(_TABLE[name]).DIALECT
        _LOADED[name] = dialect
    return dialect
