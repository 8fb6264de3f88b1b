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

An answer may come in parts (:func:`start_parts`, :func:`read_in_parts`), each handed over as
soon as the child has it: a catalog read kind by kind lets the parent make the first kinds
into its model while the server still works on the last.
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, BinaryIO, TypeVar

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
    """A forked child computing the parts of an answer (bytes each), and the pipe they come
    back through.

    ``ending`` is the signal :meth:`stop` sends a child still at work: SIGTERM lets it leave
    its context managers (the child raises SystemExit), SIGKILL ends it at once. Raises
    OSError when no process or pipe is to spare.
    """

    def __init__(self, parts: Callable[[], Iterable[bytes]], ending: signal.Signals = signal.SIGTERM) -> None:
        self.ending = ending
        self.store: int | None = _memory_file()
        self.read_to = 0  # how far into the store the parts said so far reach
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
            _serve(parts, writer, self.store)
        os.close(writer)
        self.pipe: BinaryIO | None = os.fdopen(reader, "rb")

    def part(self) -> bytes:
        """Wait for the child's next part; empty when it has no more (it ended, or died)."""
        if self.pipe is None:
            return b""
        said = self.pipe.read(_LENGTH)
        if len(said) != _LENGTH:
            return b""  # the child ended before saying another part
        length = int.from_bytes(said, "little")
        if self.store is None:
            data = self.pipe.read(length)
            return data if len(data) == length else b""
        data = _stored(self.store, self.read_to, length)
        self.read_to += length
        return data

    def answer(self) -> bytes:
        """Wait for the child's (one-part) answer, empty when it gave none, then :meth:`let_go`."""
        data = self.part()
        self.let_go()
        if not data:
            self.stop()  # no answer: make sure it is gone
        return data

    def let_go(self) -> None:
        """Close the pipe and the answer's file, and reap the child if it has exited (else
        :meth:`stop` does): the parent need not wait for the child's exit."""
        self._close_files()
        with suppress(ChildProcessError):
            if self.pid and os.waitpid(self.pid, os.WNOHANG)[0]:
                self.pid = 0

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
        if self.pipe is not None:
            self.pipe.close()
        self._close(self.store)
        self.pipe, self.store = None, None

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


def _stored(store: int, offset: int, length: int) -> bytes:
    """The ``length`` bytes the child wrote into ``store`` at ``offset``; empty unless all there."""
    parts, read = [], 0
    while read < length:
        part = os.pread(store, length - read, offset + read)
        if not part:
            return b""
        parts.append(part)
        read += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def start(answer: Callable[[], bytes], ending: signal.Signals = signal.SIGTERM) -> Child | None:
    """A child computing ``answer``, or None when the system would not start one (ask
    :func:`can_fork` first)."""
    return start_parts(lambda: (answer(),), ending)


def start_parts(
    parts: Callable[[], Iterable[bytes]], ending: signal.Signals = signal.SIGTERM
) -> Child | None:
    """A child computing the parts of an answer, each handed over as soon as it is made; None
    when the system would not start one (ask :func:`can_fork` first)."""
    try:
        return Child(parts, ending)
    except OSError:  # no process or pipe to spare (EAGAIN, EMFILE): the caller does the work
        return None


class Unanswered(Exception):
    """The child ended (or died) before giving the part asked for."""


class Arriving:
    """The parts of a child's answer (:func:`read_in_parts`), each ``marshal``-loaded as it
    arrives: asking for one waits for it and for those before it, never for those after."""

    def __init__(self, child: Child) -> None:
        self._child = child
        self._parts: list[Any] = []
        self._error: str | None = None

    def __getitem__(self, index: int) -> Any:
        while len(self._parts) <= index:
            self._take()
        return self._parts[index]

    def _take(self) -> None:
        if self._error is not None:
            raise DatabaseError(self._error)
        try:
            status, value = marshal.loads(self._child.part())
        except (EOFError, ValueError, TypeError):
            raise Unanswered from None  # no part, or not a whole one: the child is gone
        if status == _ERROR:
            self._error = value
            raise DatabaseError(value)
        self._parts.append(value)


@contextmanager
def read_in_parts(read: Callable[[], Iterable[Any]]) -> Iterator[Arriving | None]:
    """The values ``read()`` yields (``marshal`` data each), read by a child and handed over one
    by one as the child has them; None where no child can run (the caller reads them itself).

    A :class:`~schemavet.errors.SchemavetError` in the child comes back as a ``DatabaseError``
    with the same sentence, at the first part it kept the child from giving. A child that died
    first raises :class:`Unanswered` there instead, and the caller reads again from the start
    in its own process (a part from the child and one read here would be from two snapshots).
    Leaving the block ends a child still at work (SIGKILL: a reader holds nothing that needs
    leaving).
    """
    child = start_parts(lambda: _marshalled_parts(read), signal.SIGKILL) if can_fork() else None
    if child is None:
        yield None
        return
    try:
        yield Arriving(child)
    finally:
        child.stop()


def _marshalled_parts(
    read: Callable[[], Iterable[Any]],
) -> Iterator[bytes]:  # pragma: no cover - in the child
    try:
        for value in read():
            yield marshal.dumps((_OK, value))
    except SchemavetError as e:
        yield marshal.dumps((_ERROR, str(e)))


def _serve(parts: Callable[[], Iterable[bytes]], writer: int, store: int | None) -> None:  # pragma: no cover
    """In the child: compute the parts and hand each over as it is made (its bytes into
    ``store``, then their length to the pipe; else length and bytes to the pipe), and exit at once."""
    status = 0
    try:
        signal.signal(signal.SIGTERM, _leave)
        for data in parts():
            length = len(data).to_bytes(_LENGTH, "little")
            if store is not None:
                _write_all(store, data)
                _write_all(writer, length)
            else:
                _write_all(writer, length + data)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except BaseException:
        status = 1  # the parent gets no (or not every) part and does the work itself
    finally:
        os._exit(status)  # no atexit handlers, no flushing of buffers inherited from the parent


def _write_all(fd: int, data: bytes) -> None:  # pragma: no cover - in the child
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _leave(signum: int, frame: object) -> None:  # pragma: no cover - runs in the child
    raise SystemExit(1)
