"""Linting a migrations directory in a child process while the parent does something else.

``review`` reports each step's lint findings, and the linter replays the directory on its own
scratch database, independent of the replay the review inspects. On two cores the two replays
can run at the same time: a forked child lints and sends the findings back pickled (plain
frozen dataclasses of text and numbers). The findings are the same objects the parent would
have computed, so the report is the same byte for byte.

The child answers only with findings. Whatever else happens in it (an error of the directory,
a crash, no answer at all), the parent lints in its own process when it asks, exactly as
without a child, so an error is raised where and as it would have been. Off Linux, with one
usable core, with other threads running (forking them is unsafe), or when no process can be
started, the parent lints in its own process when it asks.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from schemavet.diagnostics import Diagnostic

Linter = Callable[[], list[Diagnostic]]


@contextmanager
def linted_in_background(lint: Linter) -> Iterator[Linter]:
    """A function giving ``lint()``'s findings; a child may already be computing them.

    Leaving the block without asking (the review failed first) ends the child.
    """
    child = _start(lint) if _can_fork() else None
    if child is None:
        yield lint
        return
    try:
        yield child.findings
    finally:
        child.stop()


def _can_fork() -> bool:
    # Linux only: macOS's system libraries are not safe to use in a child forked without exec
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    affinity = getattr(os, "sched_getaffinity", None)
    cores = len(affinity(0)) if affinity is not None else os.cpu_count() or 1
    return cores > 1


def _start(lint: Linter) -> _Child | None:
    try:
        return _Child(lint)
    except OSError:  # no process or pipe to spare: lint in this process
        return None


class _Child:
    """A forked linter and the pipe its findings come back through."""

    def __init__(self, lint: Linter) -> None:
        self.lint = lint
        reader, writer = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            raise
        if self.pid == 0:  # pragma: no cover - runs in the child, which never returns
            os.close(reader)
            _serve(lint, writer)
        os.close(writer)
        self.reader: int | None = reader

    def findings(self) -> list[Diagnostic]:
        """The child's findings; linted in this process when the child gave none."""
        if self.reader is None:
            return self.lint()
        with os.fdopen(self.reader, "rb", closefd=False) as pipe:
            data = pipe.read()
        self.stop()
        try:
            answer = pickle.loads(data)
        except Exception:  # no answer, or a partial one: the child failed or was ended
            answer = None
        if not isinstance(answer, list):
            return self.lint()  # raises what the child met, here and as without a child
        return answer

    def stop(self) -> None:
        """Close the pipe and reap the child, ending it first if it has not finished."""
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        if self.pid:
            # SIGTERM: the child leaves its context managers (an embedded server stops)
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def _serve(lint: Linter, writer: int) -> None:  # pragma: no cover - runs in the child
    """In the child: lint, write the findings (or nothing) to the pipe, and exit at once."""
    status = 0
    try:
        signal.signal(signal.SIGTERM, _leave)
        try:
            data = pickle.dumps(lint(), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            data = b""  # the parent lints itself and raises the error there
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        view = memoryview(data)
        while view:
            view = view[os.write(writer, view) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # no atexit handlers, no flushing of buffers inherited from the parent


def _leave(signum: int, frame: object) -> None:  # pragma: no cover - runs in the child
    raise SystemExit(1)
