"""The cyclic garbage collector held off while a chunk runs.

A chunk allocates tens of thousands of containers (rows, records, parameters): enough to
start collections that walk the whole heap (the interpreter, SQLAlchemy, the workspace)
again and again, about a tenth of the chunk's CPU time on the bench. Reference counting
frees those objects as usual; the collector comes back when the last chunk running in the
process ends, and its next collection runs once over what the chunk kept.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0
_held = False
"""Whether the collector was on when the first of the running chunks began (and so is to be
turned on again when the last one ends)."""


@contextmanager
def collector_held() -> Iterator[None]:
    """Hold the collector off for the block; nested and concurrent blocks share one hold."""
    global _running, _held
    with _lock:
        if _running == 0:
            _held = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _held:
                gc.enable()
