"""Benchmark of ``riskeval serve``: latency (p50/p99) and throughput of ``assess`` and ``gate/assess`` over HTTP,
beside the in-process library call measured in the same run (the baseline).

Rows of the table:

* ``library assess``       -- :func:`riskeval.assess` in this process (no HTTP, nothing recorded);
* ``library gate.assess``  -- :meth:`riskeval.Gate.assess` in this process (assess + one signed ledger append);
* ``http assess``          -- ``POST /api/v1/assess`` against a real ``riskeval serve`` (uvicorn subprocess);
* ``http gate/assess``     -- ``POST /api/v1/gate/assess`` (records in the ledger);

each HTTP row once with 1 client and once with ``--clients`` concurrent clients, for ``--workers`` 1 and 2.

Usage::

    python benchmarks/bench_service.py [--requests 400] [--clients 16] [--workers 1 2]

Prints the table and writes ``benchmarks/results/service.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import riskeval  # noqa: E402
from riskeval.ledger import generate_keys  # noqa: E402
from riskeval.service.tokens import add_token  # noqa: E402

RULESET = "jiangsu-db32-4013-2021"


def _project(base: dict[str, Any], pid: str) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["id"] = pid
    return data


def _stats(name: str, clients: int, workers: int | None, latencies: list[float], wall: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {
        "name": name,
        "clients": clients,
        "workers": workers,
        "requests": len(latencies),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": p99 * 1000,
        "per_s": len(latencies) / wall if wall > 0 else 0.0,
    }


def _library(base: dict[str, Any], n: int, tmp: Path) -> list[dict[str, Any]]:
    rs = riskeval.load_ruleset(RULESET)
    rows = []
    for name, call in (
        ("library assess", lambda i: riskeval.assess(_project(base, f"L-{i}"), rs)),
        ("library gate.assess", _gate_call(rs, base, tmp)),
    ):
        call(-1)  # warm-up
        latencies = []
        start = time.perf_counter()
        for i in range(n):
            t0 = time.perf_counter()
            call(i)
            latencies.append(time.perf_counter() - t0)
        rows.append(_stats(name, 1, None, latencies, time.perf_counter() - start))
    return rows


def _gate_call(rs: Any, base: dict[str, Any], tmp: Path) -> Callable[[int], Any]:
    key, _ = generate_keys(tmp / "library-keys")
    gate = riskeval.Gate(rs, ledger=tmp / "library-ledger.sqlite", signing_key=key)
    return lambda i: gate.assess(_project(base, f"G-{i}"), actor="bench")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp: Path, workers: int) -> tuple[subprocess.Popen[bytes], str, str]:
    tokens = tmp / f"tokens-{workers}.yaml"
    token = add_token(tokens, "bench", "admin")
    port = _free_port()
    key, _ = generate_keys(tmp / f"keys-{workers}")
    cmd = [sys.executable, "-m", "riskeval", "serve", "--rules", RULESET, "--ledger", str(tmp / f"ledger-{workers}.sqlite"),
           "--tokens", str(tokens), "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--signing-key", str(key)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                return proc, url, token
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _http(url: str, token: str, path: str, base: dict[str, Any], n: int, clients: int, tag: str) -> tuple[list[float], float]:
    headers = {"Authorization": f"Bearer {token}"}
    per_client = max(1, n // clients)

    def run(c: int) -> list[float]:
        out = []
        with httpx.Client(base_url=url, timeout=120, headers=headers) as client:
            for i in range(per_client):
                body = {"ruleset": RULESET, "project": _project(base, f"{tag}-{c}-{i}")}
                t0 = time.perf_counter()
                resp = client.post(path, json=body)
                out.append(time.perf_counter() - t0)
                if resp.status_code != 200:
                    raise RuntimeError(resp.text)
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [x for part in pool.map(run, range(clients)) for x in part]
    return latencies, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "service.json")
    args = parser.parse_args()
    rs = riskeval.load_ruleset(RULESET)
    base = {"id": "x", "kind": "project", "facts": rs.tests[0].project["facts"]}
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows += _library(base, args.requests, tmp)
        for workers in args.workers:
            proc, url, token = _serve(tmp, workers)
            try:
                for name, path in (("http assess", "/api/v1/assess"), ("http gate/assess", "/api/v1/gate/assess")):
                    _http(url, token, path, base, 20, 1, f"warm{workers}")
                    for clients in (1, args.clients):
                        lat, wall = _http(url, token, path, base, args.requests, clients, f"{workers}-{clients}")
                        rows.append(_stats(name, clients, workers, lat, wall))
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    header = f"{'row':<22}{'workers':>8}{'clients':>8}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['name']:<22}{r['workers'] or '-':>8}{r['clients']:>8}{r['requests']:>9}"
              f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['per_s']:>9.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
