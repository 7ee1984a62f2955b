"""Start-up and exit helpers: what a command pays before its real work begins and after it has ended.

Start-up (imports, the command group, loading a rule set, compiling the column program) allocates
long-lived objects almost only: the cyclic garbage collector's passes there are pure overhead (about 130
of them for ``riskeval batch``, collecting a few hundred objects in all).  :func:`paused_gc` suspends it
for such a phase and restores it afterwards, whatever happens; reference counting frees everything else
as usual.

Exit: once a command has finished, tearing the interpreter down (clearing every module, the final
collections, freeing every object of numpy, pyarrow, pydantic and the run) changes nothing outside the
process but takes 0.1-0.35 s of CPU after a ``riskeval batch``.  :func:`exit_now` does what the
interpreter's own shutdown does before that teardown (wait for non-daemon threads, run the ``atexit``
handlers, flush the standard streams) and then ends the process.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["exit_code", "exit_now", "paused_gc"]


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


def exit_code(code: object) -> int:
    """The process exit status for a ``SystemExit`` code, as the interpreter computes it (a non-integer
    code other than ``None`` is printed on stderr and gives 1).

    >>> exit_code(None), exit_code(2), exit_code(True)
    (0, 2, 1)
    """
    if code is None:
        return 0
    if isinstance(code, int):
        return int(code)
    print(code, file=sys.stderr)
    return 1


def exit_now(code: int) -> NoReturn:
    """End the process with status ``code`` after the steps of the interpreter's shutdown that reach outside
    it, without its teardown.

    The steps, in the interpreter's order: wait for non-daemon threads and run the callbacks they registered
    (``concurrent.futures`` joins its pools there), run the :mod:`atexit` handlers (``multiprocessing`` joins
    its children, ``logging`` flushes its handlers), flush ``sys.stdout`` and ``sys.stderr`` (a failure gives
    status 120, as it does in the interpreter).  Files still open are not flushed by a finaliser afterwards:
    call it only once every output has been closed.
    """
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None:
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            code = 120
    os._exit(code)
