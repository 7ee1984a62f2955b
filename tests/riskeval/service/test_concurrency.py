"""One ledger, many clients: 16 concurrent clients x 200 ``gate/assess`` requests lose nothing and the chain
verifies, with one server process and with two (``--workers 2``) on the same SQLite ledger.

``RISKEVAL_SERVICE_LOAD_REQUESTS`` scales the requests per client (default 200, as in CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from riskeval.gate import Ledger

from .conftest import RULESET, Server, make_project

CLIENTS = 16
REQUESTS = int(os.environ.get("RISKEVAL_SERVICE_LOAD_REQUESTS", "200"))


@pytest.fixture(scope="module", params=[1, 2], ids=["workers1", "workers2"])
def load_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp(f"load{request.param}"), workers=int(request.param))
    srv.add_tokens()
    srv.start()
    yield srv
    srv.stop()


def _client_run(server: Server, project: dict[str, Any], client_no: int) -> list[tuple[int, int, str]]:
    out = []
    headers = server.headers("assessor")
    with httpx.Client(base_url=server.url, timeout=120) as client:
        for i in range(REQUESTS):
            body = {"ruleset": RULESET, "project": make_project(project, f"C{client_no}-{i}"), "on_behalf_of": f"c{client_no}"}
            resp = client.post("/api/v1/gate/assess", json=body, headers=headers)
            out.append((resp.status_code, resp.json().get("seq", -1), resp.json().get("record_hash", "")))
    return out


def test_concurrent_gate_assess_loses_nothing(load_server: Server, project_data: dict[str, Any]) -> None:
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [r for batch in pool.map(lambda n: _client_run(load_server, project_data, n), range(CLIENTS)) for r in batch]
    assert len(results) == CLIENTS * REQUESTS
    assert {status for status, _, _ in results} == {200}
    seqs = sorted(seq for _, seq, _ in results)
    assert seqs == list(range(1, CLIENTS * REQUESTS + 1))
    ledger = Ledger(load_server.ledger)
    assert len(ledger) == CLIENTS * REQUESTS
    report = ledger.verify()
    assert report.ok and report.count == CLIENTS * REQUESTS
    stored = {r.seq: r.record_hash for r in ledger.records()}
    assert all(stored[seq] == digest for _, seq, digest in results)
    with httpx.Client(base_url=load_server.url, timeout=120) as client:
        verified = client.post("/api/v1/ledger/verify", headers=load_server.headers("auditor")).json()
    assert verified == {**verified, "ok": True, "records": CLIENTS * REQUESTS, "first_bad": None}
