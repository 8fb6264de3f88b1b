"""The cyclic garbage collector paused while a large model is built and compared.

A 1,000-table model is some 100,000 objects, none of them in a cycle that outlives the run;
each pass of the collector over them would find nothing to free.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
