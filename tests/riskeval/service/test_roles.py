"""Who may call what: every endpoint × no token, a bad token and each role, against the real server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import ROLES, RULESET, Server, make_project

ALL = set(ROLES)
# (method, path, body kind, roles allowed)
ENDPOINTS: list[tuple[str, str, str, set[str]]] = [
    ("GET", "/api/v1/rulesets", "", ALL),
    ("GET", f"/api/v1/rulesets/{RULESET}", "", ALL),
    ("POST", "/api/v1/rulesets/validate", "validate", ALL),
    ("POST", "/api/v1/assess", "project", ALL),
    ("POST", "/api/v1/gate/require", "project", ALL),
    ("POST", "/api/v1/gate/assess", "project", {"assessor", "admin"}),
    ("POST", "/api/v1/gate/decide", "decide", {"decider", "admin"}),
    ("POST", "/api/v1/batch", "upload", {"assessor", "admin"}),
    ("GET", "/api/v1/batch/0123456789abcdef0123456789abcdef", "", {"assessor", "admin"}),
    ("GET", "/api/v1/batch/0123456789abcdef0123456789abcdef/result", "", {"assessor", "admin"}),
    ("GET", "/api/v1/ledger", "", {"auditor", "admin"}),
    ("GET", "/api/v1/ledger/1", "", {"auditor", "admin"}),
    ("GET", "/api/v1/ledger/head", "", {"auditor", "admin"}),
    ("POST", "/api/v1/ledger/verify", "", {"auditor", "admin"}),
]
OPEN = ["/api/v1/health", "/openapi.json", "/docs", "/metrics"]


def _call(client: httpx.Client, method: str, path: str, kind: str, headers: dict[str, str], project: dict[str, Any]) -> httpx.Response:
    if kind == "validate":
        return client.request(method, path, json={"text": "id: x\n"}, headers=headers)
    if kind == "project":
        return client.request(method, path, json={"ruleset": RULESET, "project": project}, headers=headers)
    if kind == "decide":
        return client.request(method, path, json={"ruleset": RULESET, "project": project, "outcome": "批准实施"}, headers=headers)
    if kind == "upload":
        files = {"file": ("p.csv", b"id,opposition_rate\nX,1\n", "text/csv")}
        return client.request(method, path, files=files, data={"ruleset": RULESET}, headers=headers)
    return client.request(method, path, headers=headers)


@pytest.mark.parametrize(("method", "path", "kind", "allowed"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_roles_per_endpoint(
    client: httpx.Client, server: Server, project_data: dict[str, Any], method: str, path: str, kind: str, allowed: set[str]
) -> None:
    project = make_project(project_data, "R-1")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        resp = _call(client, method, path, kind, headers, project)
        assert resp.status_code == 401, (headers, resp.text)
        assert resp.json()["code"] == "service.unauthorized"
    for role in ROLES:
        resp = _call(client, method, path, kind, server.headers(role), project)
        if role in allowed:
            assert resp.status_code not in (401, 403), (role, resp.text)
        else:
            assert resp.status_code == 403, (role, resp.text)
            assert resp.json()["code"] == "service.forbidden" and f"{role}-组" in resp.json()["message"]["zh"]


@pytest.mark.parametrize("path", OPEN)
def test_open_endpoints_need_no_token(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 200
