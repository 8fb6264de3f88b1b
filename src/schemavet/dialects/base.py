"""The engines schemavet can verify, each a set of functions from its own modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from schemavet.dialects.url import DatabaseURL
from schemavet.errors import SchemavetError
from schemavet.model import Schema


@dataclass(frozen=True)
class Engine:
    """What the pipeline needs from a dialect: read a database, normalize, match names.

    ``inspecting(url)`` is ``inspect`` for a caller with other work to do meanwhile: a context
    manager giving a function that returns the schema; the engine may start reading at once.
    ``normalize_pair(expected, actual, whole)`` normalizes both sides of a comparison together,
    free to normalize only once what both sides write alike; with ``whole`` false, free not to
    normalize it at all (a diff needs only to see it is equal, policies need every table in
    normal form).
    """

    name: str
    inspect: Callable[[DatabaseURL], Schema]
    inspecting: Callable[[DatabaseURL], AbstractContextManager[Callable[[], Schema]]]
    normalize: Callable[[Schema], Schema]
    normalize_pair: Callable[[Schema, Schema, bool], tuple[Schema, Schema]]
    name_key: Callable[[str], str]


def _inspect_sqlite(url: DatabaseURL) -> Schema:
    from schemavet.dialects.sqlite.background import read
    from schemavet.dialects.sqlite.inspect import build_schema

    return build_schema(read(url.location))


@contextmanager
def _inspecting_sqlite(url: DatabaseURL) -> Iterator[Callable[[], Schema]]:
    from schemavet.dialects.sqlite.background import catalog_reader
    from schemavet.dialects.sqlite.inspect import build_schema

    with catalog_reader(url.location) as catalog:
        yield lambda: build_schema(catalog())


def _sqlite() -> Engine:
    from schemavet.dialects.sqlite.expressions import fold
    from schemavet.dialects.sqlite.normalize import normalize_sqlite, normalize_sqlite_pair

    return Engine(
        "sqlite", _inspect_sqlite, _inspecting_sqlite, normalize_sqlite, normalize_sqlite_pair, fold
    )


def _postgres() -> Engine:
    from schemavet.dialects.postgres.engine import ENGINE

    return ENGINE


_FACTORIES: dict[str, Callable[[], Engine]] = {"sqlite": _sqlite, "postgresql": _postgres}


def get_engine(name: str) -> Engine:
    """The engine called ``name``."""
    factory = _FACTORIES.get(name)
    if factory is None:
        supported = ", ".join(sorted(_FACTORIES))
        raise SchemavetError(f"schemavet cannot inspect {name} databases yet; supported: {supported}")
    return factory()
