"""Work done in a forked child while the parent goes on, its answer sent back to the parent.

Two places overlap work this way on two cores: verify reads a SQLite catalog while the spec is
parsed (``dialects/sqlite/background.py``), and review lints while the steps are applied
(``lint/background.py``). This module is what they share: whether forking is safe here, the
child and its pipe, and ending it. What the answer means, and what the parent does when there
is none, is theirs.

Linux only (macOS's system libraries are not safe in a child forked without exec), with more
than one usable core, and never with other threads running: otherwise there is no child and
the caller does the work itself.

The answer is megabytes (a 1,000-table catalog is 2–3 MB of ``marshal`` data), far more than
a pipe holds (64 KB): written into a pipe, the child would stall at its first 64 KB until the
parent, busy with its own half, came to read, and then hand the rest over 64 KB at a time
(20–50 ms at 1,000 tables, all of it on the critical path). So the child writes its answer
into an anonymous in-memory file (``memfd_create``), done in a millisecond whatever the parent
is doing, and the pipe only says how long it is, or, closed with nothing said, that the child
gave no answer. Where no such file can be made, the answer goes through the pipe as before.
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
        self.store: int | None = _memory_file()
        try:
            reader, writer = os.pipe()
        except OSError:
            self._close(self.store)
            raise
        try:
            self.pid = os.fork()
        except OSError:
            self._close(reader, writer, self.store)
            raise
        if self.pid == 0:  # pragma: no cover - runs in the child, which never returns
            os.close(reader)
            _serve(answer, writer, self.store)
        os.close(writer)
        self.reader: int | None = reader

    def answer(self) -> bytes:
        """Wait for the child's bytes (empty when it gave none), then reap it: at once if it
        has exited, else when it is stopped (the parent need not wait for its exit)."""
        if self.reader is None:
            return b""
        with os.fdopen(self.reader, "rb", closefd=False) as pipe:
            # through the file, the length is said as soon as the answer is whole
            data = pipe.read() if self.store is None else _stored(self.store, pipe.read(_LENGTH))
        self._close_files()
        with suppress(ChildProcessError):
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                self.pid = 0
        if not data:
            self.stop()  # no answer: make sure it is gone
        return data

    def stop(self) -> None:
        """Close the pipe and the answer's file and reap the child, ending it first if it has
        not finished.

        Safe at any point, also after an interruption while the answer was read.
        """
        self._close_files()
        if self.pid:
            with suppress(ProcessLookupError):
                os.kill(self.pid, self.ending)  # after a full answer it has exited already
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0

    def _close_files(self) -> None:
        self._close(self.reader, self.store)
        self.reader = self.store = None

    @staticmethod
    def _close(*descriptors: int | None) -> None:
        for fd in descriptors:
            if fd is not None:
                os.close(fd)


_LENGTH = 8  # bytes of the answer's length, said through the pipe when it is in the file


def _memory_file() -> int | None:
    """An anonymous in-memory file for the answer, or None where none can be made."""
    try:
        return os.memfd_create("schemavet-answer", os.MFD_CLOEXEC)
    except (AttributeError, OSError):  # not Linux 3.17+, or no descriptor to spare
        return None


def _stored(store: int, said: bytes) -> bytes:
    """The answer the child wrote into ``store``, as long as it said; empty when it said nothing."""
    if len(said) != _LENGTH:
        return b""  # the child ended before its answer was whole
    length = int.from_bytes(said, "little")
    parts, read = [], 0
    while read < length:
        part = os.pread(store, length - read, read)
        if not part:
            return b""
        parts.append(part)
        read += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


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


def _serve(answer: Callable[[], bytes], writer: int, store: int | None) -> None:  # pragma: no cover
    """In the child: compute, write the bytes (into ``store``, then their length to the pipe;
    else all of them to the pipe), and exit at once."""
    status = 0
    try:
        signal.signal(signal.SIGTERM, _leave)
        data = answer()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if store is not None:
            _write_all(store, data)
            data = len(data).to_bytes(_LENGTH, "little")
        _write_all(writer, data)
    except BaseException:
        status = 1  # the parent gets no (or part of an) answer and does the work itself
    finally:
        os._exit(status)  # no atexit handlers, no flushing of buffers inherited from the parent


def _write_all(fd: int, data: bytes) -> None:  # pragma: no cover - in the child
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _leave(signum: int, frame: object) -> None:  # pragma: no cover - runs in the child
    raise SystemExit(1)
