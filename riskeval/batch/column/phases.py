"""A timeline of a column run for benchmarks: off unless ``$RISKEVAL_PHASES`` names a file.

Each :func:`mark` appends one JSON line ``{"event", "t", "cpu", "pid", ...}`` (``t``: wall-clock seconds
since the epoch, comparable across the processes of a run; ``cpu``: the CPU seconds of the marking process)
to that file; ``benchmarks/bench_column.py --phases`` reads
them back and prints when the sample worker was ready, when each sample batch returned and when the main
process finished writing.  When the variable is unset a mark costs one dictionary lookup.

Examples
--------
>>> import os, tempfile, json
>>> path = os.path.join(tempfile.mkdtemp(), "phases.jsonl")
>>> os.environ["RISKEVAL_PHASES"] = path
>>> mark("demo", rows=3)
>>> del os.environ["RISKEVAL_PHASES"]
>>> mark("ignored")
>>> [json.loads(line)["event"] for line in open(path, encoding="utf-8")]
['demo']
"""

from __future__ import annotations

import json
import os
import time

__all__ = ["mark", "ENV"]

ENV = "RISKEVAL_PHASES"


def mark(event: str, **info: object) -> None:
    """Append ``event`` with the current time to the file named by ``$RISKEVAL_PHASES`` (if set)."""
    path = os.environ.get(ENV)
    if not path:
        return
    record = {"event": event, "t": time.time(), "cpu": time.process_time(), "pid": os.getpid(), **info}
    line = json.dumps(record) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
