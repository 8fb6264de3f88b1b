"""PostgreSQL as the pipeline sees it: read a server, normalize, match names exactly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from schemavet.dialects.base import Engine
from schemavet.dialects.url import DatabaseURL
from schemavet.model import Schema


def inspect(url: DatabaseURL) -> Schema:
    """The database's schema, every user schema of it, as the catalog states it."""
    from schemavet.dialects.postgres.inspect import inspect_postgres

    return inspect_postgres(url.location)


@contextmanager
def inspecting(url: DatabaseURL) -> Iterator[Callable[[], Schema]]:
    """``inspect`` started at once in a thread (the server works while the caller reads its spec)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemavet-pg") as pool:
        future = pool.submit(inspect, url)
        yield future.result


def _identity(name: str) -> str:
    """PostgreSQL's name key: a quoted name is case-sensitive, so names match exactly."""
    return name


def _normalize(schema: Schema) -> Schema:
    from schemavet.dialects.postgres.normalize import normalize_postgres

    return normalize_postgres(schema)


def _normalize_pair(expected: Schema, actual: Schema, whole: bool) -> tuple[Schema, Schema]:
    from schemavet.dialects.postgres.normalize import normalize_postgres_pair

    return normalize_postgres_pair(expected, actual, whole)


ENGINE = Engine("postgresql", inspect, inspecting, _normalize, _normalize_pair, _identity)
