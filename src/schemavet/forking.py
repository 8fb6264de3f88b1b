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

import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress


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
