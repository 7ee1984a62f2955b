"""Start-up helpers: what a command pays before its real work begins.

Start-up (imports, the command group, loading a rule set, compiling the column program) allocates
long-lived objects almost only: the cyclic garbage collector's passes there are pure overhead (about 130
of them for ``riskeval batch``, collecting a few hundred objects in all).  :func:`paused_gc` suspends it
for such a phase and restores it afterwards, whatever happens; reference counting frees everything else
as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Suspend the cyclic garbage collector for a start-up phase (nested uses are fine).

    Examples
    --------
    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
