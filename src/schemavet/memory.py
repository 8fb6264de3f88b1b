"""The cyclic garbage collector paused while a large model is built and compared, and a
process that has finished its work left without freeing what it built.

A 1,000-table model is some 100,000 objects, none of them in a cycle that outlives the run;
each pass of the collector over them would find nothing to free. For the same reason a command
that has written its whole report and holds nothing that needs closing can end its process at
once: tearing the interpreter down (a last collection over every object, every module's
namespace cleared) costs some 25 ms after a 1,000-table verify and changes nothing the
operating system does not undo anyway. Freeing the two models one by one as the comparison
returns costs as much again (some 20 ms at 1,000 tables): the program (:func:`ends_after_command`)
keeps them (:func:`keep`) until its process ends, once the command has said it is done.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

_done = False
_ends_after = False  # the process ends as soon as its command returns (the program, not a test)
_kept: list[object] | None = None  # what keep() holds, in the innermost kept_to_the_end block
_forever: list[object] = []  # what the process's end frees


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many short-lived-free objects are built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def nothing_left_to_close() -> None:
    """Say that this process has written all it will write and holds nothing that must be
    closed, flushed or removed at exit: :func:`leave` may then skip the interpreter's teardown.

    Only a command's last step says it (verify, once its report is written and every database,
    server and temporary file it used is closed by its own ``with`` blocks).
    """
    global _done
    _done = True


def ends_after_command() -> None:
    """Say that this process ends as soon as its command returns (the ``schemavet`` program
    says it; a test calling the CLI's ``main`` does not)."""
    global _ends_after
    _ends_after = True


@contextmanager
def kept_to_the_end() -> Iterator[None]:
    """A command's run, with the cyclic collector paused throughout: what :func:`keep` is given
    in it is freed at its end, unless the command said :func:`nothing_left_to_close` in a
    process that then ends (:func:`ends_after_command`), which frees it all at once (and the
    collector stays paused: it would only walk what is about to go)."""
    global _kept
    outer, _kept = _kept, []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        kept, _kept = _kept, outer
        if _done and _ends_after:
            _forever.append(kept)
        else:
            del kept
            if was_enabled:
                gc.enable()


def keep(*objects: object) -> None:
    """Hold ``objects`` until the innermost :func:`kept_to_the_end` block ends; outside one,
    nothing (they are freed when they are no longer used, as usual)."""
    if _kept is not None:
        _kept.extend(objects)


def leave(code: int) -> NoReturn:
    """End the process with ``code``: at once if :func:`nothing_left_to_close` was said (its
    standard streams flushed first), else by the usual ``SystemExit`` and teardown."""
    if not _done:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: the usual exit's own handling
            sys.exit(code)
    os._exit(code)
