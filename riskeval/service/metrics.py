"""Counters and latency histograms in the Prometheus text format (``GET /metrics``), per server process.

Examples
--------
>>> m = Metrics()
>>> m.observe_request("POST", "/api/v1/assess", 200, 0.012)
>>> m.count_refusal("gate_blocked")
>>> text = m.render()
>>> 'riskeval_http_requests_total{method="POST",route="/api/v1/assess",status="200"} 1' in text
True
>>> 'riskeval_gate_refusals_total{code="gate_blocked"} 1' in text
True
"""

from __future__ import annotations

import threading
from collections import defaultdict

__all__ = ["BUCKETS", "Metrics"]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}" if pairs else ""


class Metrics:
    """Requests, latencies, ledger appends, gate refusals (by riskeval code) and batch jobs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
        self.latency_buckets: dict[tuple[tuple[str, str], ...], list[int]] = {}
        self.latency_sum: dict[tuple[tuple[str, str], ...], float] = defaultdict(float)
        self.latency_count: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
        self.appends: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
        self.refusals: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)
        self.jobs: dict[tuple[tuple[str, str], ...], int] = defaultdict(int)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request and its latency."""
        key = (("method", method), ("route", route), ("status", str(status)))
        lkey = (("method", method), ("route", route))
        with self._lock:
            self.requests[key] += 1
            buckets = self.latency_buckets.setdefault(lkey, [0] * len(BUCKETS))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            self.latency_sum[lkey] += seconds
            self.latency_count[lkey] += 1

    def count_append(self, kind: str) -> None:
        """Count one ledger record appended (``assessment`` or ``decision``)."""
        with self._lock:
            self.appends[(("kind", kind),)] += 1

    def count_refusal(self, code: str) -> None:
        """Count one gate refusal by its riskeval code (``gate_blocked``...)."""
        with self._lock:
            self.refusals[(("code", code),)] += 1

    def count_job(self, status: str) -> None:
        """Count one batch job reaching ``status``."""
        with self._lock:
            self.jobs[(("status", status),)] += 1

    def render(self) -> str:
        """The Prometheus text exposition (version 0.0.4)."""
        out: list[str] = []
        with self._lock:
            out += ["# HELP riskeval_http_requests_total HTTP requests.", "# TYPE riskeval_http_requests_total counter"]
            out += [f"riskeval_http_requests_total{_labels(k)} {v}" for k, v in sorted(self.requests.items())]
            name = "riskeval_http_request_duration_seconds"
            out += [f"# HELP {name} Latency of HTTP requests.", f"# TYPE {name} histogram"]
            for lkey, buckets in sorted(self.latency_buckets.items()):
                for bound, n in zip(BUCKETS, buckets, strict=True):
                    out.append(f"{name}_bucket{_labels((*lkey, ('le', repr(bound))))} {n}")
                out.append(f"{name}_bucket{_labels((*lkey, ('le', '+Inf')))} {self.latency_count[lkey]}")
                out.append(f"{name}_sum{_labels(lkey)} {self.latency_sum[lkey]:.6f}")
                out.append(f"{name}_count{_labels(lkey)} {self.latency_count[lkey]}")
            for metric, table, help_text in (
                ("riskeval_ledger_appends_total", self.appends, "Ledger records appended."),
                ("riskeval_gate_refusals_total", self.refusals, "Gate refusals by riskeval code."),
                ("riskeval_batch_jobs_total", self.jobs, "Batch jobs by final status."),
            ):
                out += [f"# HELP {metric} {help_text}", f"# TYPE {metric} counter"]
                out += [f"{metric}{_labels(k)} {v}" for k, v in sorted(table.items())]
        return "\n".join(out) + "\n"
