"""The cyclic garbage collector paused while a large model is built and compared, and a
process that has finished its work left without freeing what it built.

A 1,000-table model is some 100,000 objects, none of them in a cycle that outlives the run;
each pass of the collector over them would find nothing to free. For the same reason a command
that has written its whole report and holds nothing that needs closing can end its process at
once: tearing the interpreter down (a last collection over every object, every module's
namespace cleared) costs some 25 ms after a 1,000-table verify and changes nothing the
operating system does not undo anyway.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

_done = False


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
