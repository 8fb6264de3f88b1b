"""Work done in a forked child while the parent goes on, its answer sent back through a pipe.

Two places overlap work this way on two cores: verify reads a SQLite catalog while the spec is
parsed (``dialects/sqlite/background.py``), and review lints while the steps are applied
(``lint/background.py``). This module is what they share: whether forking is safe here, the
child and its pipe, and ending it. What the answer means, and what the parent does when there
is none, is theirs.

Linux only (macOS's system libraries are not safe in a child forked without exec), with more
than one usable core, and never with other threads running: otherwise there is no child and
the caller does the work itself.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from schemavet.errors import DatabaseError, SchemavetError

_T = TypeVar("_T")
_OK, _ERROR = "ok", "error"


def can_fork() -> bool:
    """Whether a child may be forked here, and would run beside this process."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    return cores > 1


class Child:
    """A forked child computing ``answer()`` (bytes), and the pipe the bytes come back through.

    ``ending`` is the signal :meth:`stop` sends a child still at work: SIGTERM lets it leave
    its context managers (the child raises SystemExit), SIGKILL ends it at once. Raises
    OSError when no process or pipe is to spare.
    """

    def __init__(self, answer: Callable[[], bytes], ending: signal.Signals = signal.SIGTERM) -> None:
        self.ending = ending
        reader, writer = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            raise
        if self.pid == 0:  # pragma: no cover - runs in the child, which never returns
            os.close(reader)
            _serve(answer, writer)
        os.close(writer)
        self.reader: int | None = reader

    def answer(self) -> bytes:
        """Wait for the child's bytes (empty when it gave none), then reap it."""
        if self.reader is None:
            return b""
        with os.fdopen(self.reader, "rb", closefd=False) as pipe:
            data = pipe.read()
        self.stop()
        return data

    def stop(self) -> None:
        """Close the pipe and reap the child, ending it first if it has not finished.

        Safe at any point, also after an interruption while the answer was read.
        """
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        if self.pid:
            with suppress(ProcessLookupError):
                os.kill(self.pid, self.ending)  # after a full answer it has exited already
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def start(answer: Callable[[], bytes], ending: signal.Signals = signal.SIGTERM) -> Child | None:
    """A child computing ``answer``, or None when the system would not start one (ask
    :func:`can_fork` first)."""
    try:
        return Child(answer, ending)
    except OSError:  # no process or pipe to spare (EAGAIN, EMFILE): the caller does the work
        return None


@contextmanager
def read_in_background(
    read: Callable[[], _T], to_data: Callable[[_T], Any], from_data: Callable[[Any], _T]
) -> Iterator[Callable[[], _T]]:
    """A function giving what ``read()`` gives; the reading may already be under way in a child.

    ``to_data`` turns the child's value into ``marshal`` data (plain tuples, lists, dicts, text
    and numbers, a few milliseconds to load), ``from_data`` turns it back in the parent. A
    :class:`~schemavet.errors.SchemavetError` in the child comes back as a ``DatabaseError``
    with the same sentence (a reader's errors are about the database it reads). Where no child
    can run (:func:`can_fork`), or one died before answering, ``read`` runs in the parent when
    asked. Leaving the block without asking ends a child still at work (SIGKILL: a reader holds
    nothing that needs leaving).
    """
    child = start(lambda: _marshalled(read, to_data), signal.SIGKILL) if can_fork() else None
    if child is None:
        yield read
        return
    try:
        yield lambda: _unmarshalled(child, read, from_data)
    finally:
        child.stop()


def _marshalled(
    read: Callable[[], _T], to_data: Callable[[_T], Any]
) -> bytes:  # pragma: no cover - in the child
    try:
        answer: tuple[Any, ...] = (_OK, to_data(read()))
    except SchemavetError as e:
        answer = (_ERROR, str(e))
    return marshal.dumps(answer)


def _unmarshalled(child: Child, read: Callable[[], _T], from_data: Callable[[Any], _T]) -> _T:
    try:
        answer = marshal.loads(child.answer())
    except (EOFError, ValueError, TypeError):
        return read()  # the child died before answering: no worse than no child
    if answer[0] == _ERROR:
        raise DatabaseError(answer[1])
    return from_data(answer[1])


def _serve(answer: Callable[[], bytes], writer: int) -> None:  # pragma: no cover - in the child
    """In the child: compute, write the bytes to the pipe, and exit at once."""
    status = 0
    try:
        signal.signal(signal.SIGTERM, _leave)
        data = answer()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:
        status = 1  # the parent gets no (or part of an) answer and does the work itself
    finally:
        os._exit(status)  # no atexit handlers, no flushing of buffers inherited from the parent


def _leave(signum: int, frame: object) -> None:  # pragma: no cover - runs in the child
    raise SystemExit(1)
