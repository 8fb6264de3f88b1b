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
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import fields
from typing import Any

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
    child = _start(path) if _can_fork() else None
    if child is None:
        yield lambda: read(path)
        return
    try:
        yield child.catalog
    finally:
        child.stop()


def _start(path: str) -> _Child | None:
    """A child reading ``path``, or None when the system would not start one."""
    try:
        return _Child(path)
    except OSError:  # no process or pipe to spare (EAGAIN, EMFILE): read in this process
        return None


def _can_fork() -> bool:
    # Linux only: macOS's system libraries are not safe to use in a child forked without exec
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    return cores > 1


class _Child:
    """A forked reader of one catalog, and the pipe its answer comes back through."""

    def __init__(self, path: str) -> None:
        self.path = path
        reader, writer = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            raise
        if self.pid == 0:  # pragma: no cover - runs in the child, which never returns
            os.close(reader)
            _serve(path, writer)
        os.close(writer)
        self.reader: int | None = reader

    def catalog(self) -> Catalog:
        """Wait for the child's answer; read in this process if the child could not answer."""
        assert self.reader is not None
        with os.fdopen(self.reader, "rb", closefd=False) as pipe:
            data = pipe.read()
        self.stop()
        try:
            answer = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return self.read_here()  # the child died before answering: no worse than no child
        if answer[0] == _ERROR:
            raise DatabaseError(answer[1])
        return Catalog(*answer[1])

    def read_here(self) -> Catalog:
        """The catalog read in this process, when the child gave no answer."""
        return read(self.path)

    def stop(self) -> None:
        """Close the pipe and reap the child, ending it first if it has not finished.

        Safe to call at any point, also after an interruption while the answer was read.
        """
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        if self.pid:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)  # after a full answer it has exited already
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def _serve(path: str, writer: int) -> None:  # pragma: no cover - runs in the child
    """In the child: read the catalog, write it (or the error) to the pipe, and exit at once."""
    status = 0
    try:
        try:
            catalog = read(path)
            answer: tuple[Any, ...] = (_OK, tuple(getattr(catalog, f.name) for f in fields(Catalog)))
        except SchemavetError as e:
            answer = (_ERROR, str(e))
        data = marshal.dumps(answer)
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:
        status = 1  # the parent sees no answer and reads the catalog itself
    finally:
        # no atexit handlers, no flushing of buffers inherited from the parent
        os._exit(status)
