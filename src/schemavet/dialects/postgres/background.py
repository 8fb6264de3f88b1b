"""Reading the catalog in a child process while the parent reads the spec.

On PostgreSQL most of a catalog read is the server's work, but not all of it: importing psycopg,
turning some 30,000 rows into Python values and grouping them is interpreter work, which a
thread would do under the same interpreter lock as the spec's parsing. A forked child
(:mod:`schemavet.forking`) does it beside the parent on a second core, on its own connection,
and sends the rows back as ``marshal`` data; the parent never imports psycopg. The child reads
exactly as the parent would (one read-only snapshot, the same settings) and its errors come back
as the same one-sentence :class:`~schemavet.errors.DatabaseError`. Where no child can run, a
thread reads while the spec is parsed, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from schemavet import forking
from schemavet.dialects.postgres.catalog import Catalog


@contextmanager
def catalog_reader(location: str, schemas: Sequence[str]) -> Iterator[Callable[[], Catalog]]:
    """A function giving the catalog at ``location`` (the schemas matching ``schemas``); the
    reading may already be under way (in a child, else in a thread)."""
    if not forking.can_fork():
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemavet-pg") as pool:
            future = pool.submit(read, location, schemas)
            yield future.result
        return
    with forking.read_in_background(lambda: read(location, schemas), _rows, _catalog) as catalog:
        yield catalog


def read(location: str, schemas: Sequence[str] = ()) -> Catalog:
    """The catalog of the schemas matching ``schemas`` (every user schema when empty), read here."""
    from schemavet.dialects.postgres.catalog import read_catalog
    from schemavet.dialects.postgres.connect import connect

    with connect(location) as conn:
        return read_catalog(conn, schemas)


def _rows(catalog: Catalog) -> tuple[Any, ...]:
    """The catalog as marshal data: its rows, kind by kind (``astuple`` would copy every row)."""
    return tuple(getattr(catalog, f.name) for f in fields(Catalog))


def _catalog(rows: Any) -> Catalog:
    return Catalog(*rows)
