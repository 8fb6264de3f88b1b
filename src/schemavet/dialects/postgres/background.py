"""Reading the catalog in a child process while the parent reads the spec.

On PostgreSQL most of a catalog read is the server's work, but not all of it: importing psycopg,
turning some 30,000 rows into Python values and grouping them is interpreter work, which a
thread would do under the same interpreter lock as the spec's parsing. A forked child
(:mod:`schemavet.forking`) does it beside the parent on a second core, on its own connection,
and the parent never imports psycopg. The child sends the rows back as ``marshal`` data kind by
kind, each as soon as the server has sent it, so the parent makes the first kinds into its
model while the server is still at work on the last (:func:`~.inspect.build_schema` takes them
in that order). The child reads exactly as the parent would (one read-only snapshot, the same
settings) and its errors come back as the same one-sentence
:class:`~schemavet.errors.DatabaseError`. Where no child can run, a thread reads while the spec
is parsed, as before; a child that dies midway leaves the parent to read it all again itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar

from schemavet import forking
from schemavet.dialects.postgres.catalog import Catalog

_T = TypeVar("_T")


class CatalogReader:
    """A catalog being read (in a child, else in a thread), for :meth:`use` to make something of.

    ``read_here`` gives the whole catalog (the thread's result, or a read in this process);
    ``arriving`` is the child's catalog, kind by kind, where a child reads it.
    """

    def __init__(self, read_here: Callable[[], Catalog], arriving: forking.Arriving | None = None) -> None:
        self._read_here = read_here
        self._arriving = arriving

    def use(self, make: Callable[[Catalog], _T]) -> _T:
        """``make(catalog)``, given the catalog as its kinds arrive from the child; made again
        from a catalog read here if the child died before giving every kind."""
        if self._arriving is not None:
            try:
                return make(_ArrivingCatalog(self._arriving))
            except forking.Unanswered:
                pass  # read again from the start: never kinds of two snapshots in one model
        return make(self._read_here())


@contextmanager
def catalog_reader(location: str, schemas: Sequence[str]) -> Iterator[CatalogReader]:
    """The catalog at ``location`` (the schemas matching ``schemas``), its reading already under
    way (in a child, else in a thread) when the block begins."""

    def read_here() -> Catalog:
        return Catalog(*read(location, schemas))

    if forking.can_fork():
        with forking.read_in_parts(lambda: read(location, schemas)) as arriving:
            if arriving is not None:
                yield CatalogReader(read_here, arriving)
                return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemavet-pg") as pool:
        yield CatalogReader(pool.submit(read_here).result)


def read(location: str, schemas: Sequence[str] = ()) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of the catalog of the schemas matching ``schemas`` (every user schema when
    empty), kind by kind in the order of :class:`Catalog`'s fields, read here.

    The last kind comes once the connection is closed: the parent, done with the last kind,
    may end the child at once, and a server should see its client say goodbye, not vanish.
    """
    from schemavet.dialects.postgres.catalog import read_kinds
    from schemavet.dialects.postgres.connect import connect

    with connect(location) as conn:
        kinds = read_kinds(conn, schemas)
        yield from islice(kinds, len(_INDEX) - 1)
        last = list(kinds)  # the last kind, its transaction ended
    yield from last


class _ArrivingCatalog(Catalog):
    """A :class:`Catalog` whose kinds are taken from the child as they are first asked for."""

    def __init__(self, arriving: forking.Arriving) -> None:  # no rows yet: no dataclass __init__
        object.__setattr__(self, "_arriving", arriving)

    def __getattr__(self, kind: str) -> Any:  # asked only for a kind not taken yet
        index = _INDEX.get(kind)
        if index is None:
            raise AttributeError(kind)
        rows = self._arriving[index]
        object.__setattr__(self, kind, rows)
        return rows


_INDEX = {name: i for i, name in enumerate(Catalog.__dataclass_fields__)}
