"""Linting a migrations directory in a child process while the parent does something else.

``review`` reports each step's lint findings, and the linter replays the directory on its own
scratch database, independent of the replay the review inspects. On two cores the two replays
can run at the same time: a forked child (:mod:`schemavet.forking`) lints and sends the
findings back pickled (plain frozen dataclasses of text and numbers). The findings are the same
objects the parent would have computed, so the report is the same byte for byte.

The child answers only with findings. Whatever else happens in it (an error of the directory,
a crash, no answer at all), the parent lints in its own process when it asks, exactly as
without a child, so an error is raised where and as it would have been. Where no child can be
forked, the parent lints in its own process when it asks.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from schemavet import forking
from schemavet.diagnostics import Diagnostic

Linter = Callable[[], list[Diagnostic]]

_can_fork = forking.can_fork


@contextmanager
def linted_in_background(lint: Linter) -> Iterator[Linter]:
    """A function giving ``lint()``'s findings; a child may already be computing them.

    Leaving the block without asking (the review failed first) ends the child (with SIGTERM:
    it leaves its context managers, so an embedded server it started stops).
    """
    child = forking.start(lambda: _pickled(lint)) if _can_fork() else None
    if child is None:
        yield lint
        return
    try:
        yield lambda: _findings(child, lint)
    finally:
        child.stop()


def _pickled(lint: Linter) -> bytes:  # pragma: no cover - runs in the child
    try:
        return pickle.dumps(lint(), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return b""  # the parent lints itself and raises the error there


def _findings(child: forking.Child, lint: Linter) -> list[Diagnostic]:
    """The child's findings; linted in this process when the child gave none."""
    try:
        answer = pickle.loads(child.answer())
    except Exception:  # no answer, or a partial one: the child failed or was ended
        answer = None
    if not isinstance(answer, list):
        return lint()  # raises what the child met, here and as without a child
    return answer
