"""The engines schemavet can verify, each a set of functions from its own modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemavet.dburl import DatabaseURL
from schemavet.errors import SchemavetError
from schemavet.model import Schema


@dataclass(frozen=True)
class Engine:
    """What the pipeline needs from a dialect: read a database, normalize, match names."""

    name: str
    inspect: Callable[[DatabaseURL], Schema]
    normalize: Callable[[Schema], Schema]
    name_key: Callable[[str], str]


def _inspect_sqlite(url: DatabaseURL) -> Schema:
    from schemavet.sqlite.connect import open_readonly
    from schemavet.sqlite.inspect import inspect_sqlite

    with open_readonly(url.location) as conn:
        return inspect_sqlite(conn)


def _sqlite() -> Engine:
    from schemavet.sqlite.expressions import fold
    from schemavet.sqlite.normalize import normalize_sqlite

    return Engine("sqlite", _inspect_sqlite, normalize_sqlite, fold)


_FACTORIES: dict[str, Callable[[], Engine]] = {"sqlite": _sqlite}


def get_engine(name: str) -> Engine:
    """The engine called ``name``."""
    factory = _FACTORIES.get(name)
    if factory is None:
        supported = ", ".join(sorted(_FACTORIES))
        raise SchemavetError(f"schemavet cannot inspect {name} databases yet; supported: {supported}")
    return factory()
