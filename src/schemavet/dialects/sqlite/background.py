"""Reading the catalog in a child process while the parent reads the spec.

The two halves of a verification are independent until the comparison: the catalog queries
spend their time inside SQLite, the spec's parsing inside libyaml and Python. Threads cannot
overlap them (each row SQLite returns has to wait for the interpreter lock), a forked child
can: it runs the queries on its own connection, parses what the ``CREATE`` texts say beyond
them, and sends it all back as ``marshal`` data, which is plain tuples, lists and dicts of
text and numbers and costs a few milliseconds to load.

The child only ever reads, exactly as the parent would (same read-only open, same checks), and
its errors come back as the same one-sentence :class:`DatabaseError`. Off Linux, with one
usable core, with other threads running (forking them is unsafe), or when no process can be
started, the catalog is read in the parent when it is asked for, as before.
"""

from __future__ import annotations

import marshal
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from schemavet import forking
from schemavet.dialects.sqlite.connect import open_readonly
from schemavet.dialects.sqlite.inspect import Catalog, read_catalog
from schemavet.errors import DatabaseError, SchemavetError

_OK, _ERROR = "ok", "error"


def read(path: str) -> Catalog:
    """The catalog of the database file at ``path``, read in this process."""
    with open_readonly(path) as conn:
        return read_catalog(conn)


@contextmanager
def catalog_reader(path: str) -> Iterator[Callable[[], Catalog]]:
    """A function giving the catalog of ``path``; the reading may already be under way.

    Leaving the block without asking for the catalog (the spec was bad, say) stops the child.
    """
    child = _Child.start(path) if _can_fork() else None
    if child is None:
        yield lambda: read(path)
        return
    try:
        yield child.catalog
    finally:
        child.stop()


_can_fork = forking.can_fork


class _Child:
    """A forked reader of one catalog (:mod:`schemavet.forking`); its answer is ``marshal`` data."""

    def __init__(self, path: str, child: forking.Child) -> None:
        self.path = path
        self.child = child

    @classmethod
    def start(cls, path: str) -> _Child | None:
        """A child reading ``path``, or None when the system would not start one. A child still
        reading when it is stopped is killed: it holds nothing that needs leaving."""
        child = forking.start(lambda: _serve(path), signal.SIGKILL)
        return cls(path, child) if child is not None else None

    def catalog(self) -> Catalog:
        """Wait for the child's answer; read in this process if the child could not answer."""
        try:
            answer = marshal.loads(self.child.answer())
        except (EOFError, ValueError, TypeError):
            return self.read_here()  # the child died before answering: no worse than no child
        if answer[0] == _ERROR:
            raise DatabaseError(answer[1])
        return Catalog(*answer[1])

    def read_here(self) -> Catalog:
        """The catalog read in this process, when the child gave no answer."""
        return read(self.path)

    def stop(self) -> None:
        """End the child (if it is still reading) and reap it; safe at any point."""
        self.child.stop()


def _serve(path: str) -> bytes:  # pragma: no cover - runs in the child
    """In the child: the catalog (or the error reading it) as ``marshal`` data."""
    try:
        catalog = read(path)
        answer: tuple[Any, ...] = (_OK, tuple(getattr(catalog, f.name) for f in fields(Catalog)))
    except SchemavetError as e:
        answer = (_ERROR, str(e))
    return marshal.dumps(answer)
