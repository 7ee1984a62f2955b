"""Every endpoint of ``riskeval serve`` against the real server."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from riskeval.gate import Ledger

from .conftest import RULESET, Server, make_project

PROBLEM = "application/problem+json"


def _problem(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = resp.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("urn:riskeval:problem:")
    assert set(body["message"]) == {"zh", "en"} and body["message"]["zh"] != "" and body["message"]["en"] != ""
    assert "Traceback" not in resp.text
    if code is not None:
        assert body["code"] == code, body
    return body


def test_health_needs_no_token(client: httpx.Client) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["version"] == "0.1.0"
    assert body["rulesets"] == [RULESET, "guiyang"]


def test_rulesets_list_and_show(client: httpx.Client, server: Server) -> None:
    listed = client.get("/api/v1/rulesets", headers=server.headers("decider")).json()
    assert [r["id"] for r in listed] == [RULESET, "guiyang"]
    shown = client.get(f"/api/v1/rulesets/{RULESET}", headers=server.headers("auditor")).json()
    assert shown["facts"]["opposition_rate"]["label"] == "反对率"
    options = shown["facts"]["subject_authority"]["options"]
    assert [o["code"] for o in options] == ["full", "basic", "none"] and options[0]["label"] == "全部符合"
    assert len(shown["items"]) == 21 and shown["triggers"][0]["id"] == "JS-TRG-H1"
    assert set(shown["levels"]) == {"low", "medium", "high"}


def test_unknown_ruleset_is_404(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    _problem(client.get("/api/v1/rulesets/nope", headers=server.headers("admin")), 404, "service.ruleset_unknown")
    resp = client.post("/api/v1/assess", json={"ruleset": "nope", "project": project_data}, headers=server.headers("admin"))
    _problem(resp, 404, "service.ruleset_unknown")


def test_validate_text(client: httpx.Client, server: Server) -> None:
    good = "extends: jiangsu-db32-4013-2021\nid: my-rules\nversion: '1'\ntitle: 测试\n"
    resp = client.post("/api/v1/rulesets/validate", json={"text": good}, headers=server.headers("assessor"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["id"] == "my-rules" and resp.json()["items"] == 21
    bad = "id: x\nversion: '1'\ntitle: t\nitems: 7\n"
    body = _problem(client.post("/api/v1/rulesets/validate", json={"text": bad}, headers=server.headers("admin")), 422)
    assert body["problems"] and all(p["location"]["file"] == "text" for p in body["problems"])
    assert all(isinstance(p["location"]["line"], int) for p in body["problems"])


def test_validate_refuses_paths_in_extends(client: httpx.Client, server: Server) -> None:
    text = "id: x\nversion: '1'\ntitle: t\nextends: /etc/passwd\n"
    body = _problem(client.post("/api/v1/rulesets/validate", json={"text": text}, headers=server.headers("admin")), 422)
    assert body["problems"][0]["location"] == {"file": "text", "line": 4, "column": 1}
    assert "passwd" not in body["problems"][0]["message"].replace("/etc/passwd", "")


def test_assess_records_nothing(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    before = len(Ledger(server.ledger))
    resp = client.post("/api/v1/assess", json={"ruleset": RULESET, "project": make_project(project_data, "A-1")},
                       headers=server.headers("decider"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["decision"] == "proceed" and resp.json()["level"] == "low"
    assert len(Ledger(server.ledger)) == before


def test_gate_flow_assess_require_decide(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    project = make_project(project_data, "G-1")
    body = {"ruleset": RULESET, "project": project}
    _problem(client.post("/api/v1/gate/require", json=body, headers=server.headers("decider")), 409, "assessment_required")
    _problem(client.post("/api/v1/gate/decide", json={**body, "outcome": "批准实施"}, headers=server.headers("decider")),
             409, "assessment_required")
    resp = client.post("/api/v1/gate/assess", json={**body, "on_behalf_of": "王五"}, headers=server.headers("assessor"))
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["assessment"]["decision"] == "proceed"
    assert re.fullmatch(r"[0-9a-f]{64}", out["record_hash"]) and out["head"] == out["record_hash"]
    assert out["record"]["actor"] == "assessor-组" and out["record"]["on_behalf_of"] == "王五"
    required = client.post("/api/v1/gate/require", json=body, headers=server.headers("auditor")).json()
    assert required["ok"] is True and required["record"]["seq"] == out["seq"]
    decided = client.post("/api/v1/gate/decide", json={**body, "outcome": "批准实施"}, headers=server.headers("decider"))
    assert decided.status_code == 200, decided.text
    assert decided.json()["kind"] == "decision" and decided.json()["ref_seq"] == out["seq"]
    assert decided.json()["actor"] == "decider-组" and decided.json()["outcome"] == "批准实施"
    stored = Ledger(server.ledger).get(decided.json()["seq"])
    assert stored is not None and stored.actor == "decider-组"


def test_gate_refusals_have_their_codes(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    risky = make_project(project_data, "G-2", opposition_rate=60)
    body = {"ruleset": RULESET, "project": risky}
    assert client.post("/api/v1/gate/assess", json=body, headers=server.headers("admin")).status_code == 200
    blocked = _problem(client.post("/api/v1/gate/require", json=body, headers=server.headers("admin")), 409, "gate_blocked")
    assert blocked["reason"] == "reject" and blocked["project_id"] == "G-2" and isinstance(blocked["seq"], int)
    changed = make_project(project_data, "G-2", opposition_rate=10)
    stale = client.post("/api/v1/gate/require", json={"ruleset": RULESET, "project": changed}, headers=server.headers("admin"))
    assert "opposition_rate" in _problem(stale, 409, "assessment_stale")["message"]["en"]


def test_decision_actor_is_never_taken_from_the_body(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    body = {"ruleset": RULESET, "project": make_project(project_data, "G-3"), "actor": "冒名者"}
    _problem(client.post("/api/v1/gate/assess", json=body, headers=server.headers("admin")), 422, "service.validation")


def test_project_errors_are_422_with_locations(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    bad = make_project(project_data, "E-1", opposition_rate="很多")
    body = _problem(client.post("/api/v1/assess", json={"ruleset": RULESET, "project": bad}, headers=server.headers("admin")), 422)
    assert any(p["location"].get("field") == "opposition_rate" for p in body["problems"])


def test_unreadable_bodies_are_400(client: httpx.Client, server: Server) -> None:
    headers = {**server.headers("admin"), "content-type": "application/json"}
    _problem(client.post("/api/v1/assess", content=b"{bad", headers=headers), 400, "service.bad_body")
    _problem(client.post("/api/v1/assess", content=b"\xff\xfe", headers=headers), 400, "service.bad_body")
    _problem(client.post("/api/v1/assess", content=b"not json", headers=server.headers("admin")), 400, "service.bad_body")


def test_bodies_over_the_limit_are_413(client: httpx.Client, server: Server) -> None:
    big = b'{"ruleset": "x", "project": {"pad": "' + b"a" * (10 * 1024 * 1024) + b'"}}'
    headers = {**server.headers("admin"), "content-type": "application/json"}
    _problem(client.post("/api/v1/assess", content=big, headers=headers), 413, "service.body_too_large")

    def chunks() -> Any:  # no Content-Length: counted while reading
        for _ in range(11):
            yield b"a" * (1024 * 1024)

    _problem(client.post("/api/v1/assess", content=chunks(), headers=headers), 413, "service.body_too_large")


def test_unknown_path_and_method_are_problems(client: httpx.Client) -> None:
    _problem(client.get("/api/v1/nothing"), 404, "service.not_found")
    _problem(client.delete("/api/v1/health"), 405, "service.method")


def test_ledger_endpoints(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    headers = server.headers("auditor")
    client.post("/api/v1/gate/assess", json={"ruleset": RULESET, "project": make_project(project_data, "L-1")},
                headers=server.headers("assessor"))
    head = client.get("/api/v1/ledger/head", headers=headers).json()
    assert head["records"] >= 1 and head["head"] == head["record"]["record_hash"]
    page = client.get("/api/v1/ledger", params={"offset": 0, "limit": 2}, headers=headers).json()
    assert page["total"] == head["records"] and [r["seq"] for r in page["records"]] == list(range(1, min(2, page["total"]) + 1))
    last = client.get(f"/api/v1/ledger/{head['records']}", headers=headers).json()
    assert last["record_hash"] == head["head"] and last["project"]["id"] == head["record"]["project_id"]
    _problem(client.get(f"/api/v1/ledger/{head['records'] + 1000}", headers=headers), 404, "service.record_not_found")
    verified = client.post("/api/v1/ledger/verify", headers=headers).json()
    assert verified["ok"] is True and verified["first_bad"] is None and verified["records"] >= head["records"]
    anchored = client.post("/api/v1/ledger/verify", params={"head": "0" * 64}, headers=headers).json()
    assert anchored["ok"] is False and anchored["reason"] == "head_missing"


def test_docs_page_works_offline(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(r.startswith("/") for r in refs), refs
    assert "http://" not in page.text and "https://" not in page.text
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.content) > 500, ref
    assert client.get("/openapi.json").json()["paths"]["/api/v1/gate/assess"]["post"]


def test_metrics_count_requests_appends_and_refusals(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    body = {"ruleset": RULESET, "project": make_project(project_data, "M-1")}
    client.post("/api/v1/gate/require", json=body, headers=server.headers("admin"))
    client.post("/api/v1/gate/assess", json=body, headers=server.headers("admin"))
    text = client.get("/metrics").text
    assert 'riskeval_gate_refusals_total{code="assessment_required"}' in text
    assert re.search(r'riskeval_ledger_appends_total\{kind="assessment"\} [1-9]', text)
    assert re.search(r'riskeval_http_requests_total\{method="POST",route="/api/v1/gate/assess",status="200"\} [1-9]', text)
    assert 'riskeval_http_request_duration_seconds_bucket{method="POST",route="/api/v1/gate/assess",le="+Inf"}' in text


def test_token_added_while_running_is_accepted(client: httpx.Client, server: Server) -> None:
    from riskeval.service.tokens import add_token

    token = add_token(server.tokens_file, "后加的组", "auditor")
    resp = client.get("/api/v1/ledger/head", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text


def test_serve_created_an_empty_ledger_that_verifies(tmp_path: Any) -> None:
    from riskeval.ledger import generate_keys
    from riskeval.service.state import ensure_ledger

    key, pub = generate_keys(tmp_path / "keys")
    path = tmp_path / "new.sqlite"
    ensure_ledger(path, key).close()
    report = Ledger(path, create=False).verify(public_key=pub)
    assert path.is_file() and report.ok and report.count == 0 and report.signed


def test_ledger_is_signed_and_gives_receipts(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    from riskeval.ledger import load_public_key, verify_receipt

    body = {"ruleset": RULESET, "project": make_project(project_data, "S-1")}
    seq = client.post("/api/v1/gate/assess", json=body, headers=server.headers("assessor")).json()["seq"]
    verified = client.post("/api/v1/ledger/verify", headers=server.headers("auditor")).json()
    assert verified["ok"] and verified["signed"] and verified["checkpoints"] >= 1 and verified["key_id"]
    cp = client.get("/api/v1/ledger/checkpoint", headers=server.headers("auditor")).json()
    assert cp["size"] >= seq and cp["signature"]
    receipt = client.get(f"/api/v1/ledger/{seq}/receipt", headers=server.headers("admin")).json()
    assert receipt["seq"] == seq and receipt["signed"] is True
    report = verify_receipt(receipt, load_public_key(server.signing_key.with_name("signing.pub")))
    assert report.ok, report
    _problem(client.get("/api/v1/ledger/999999/receipt", headers=server.headers("admin")), 404, "service.record_not_found")
    _problem(client.get(f"/api/v1/ledger/{seq}/receipt", headers=server.headers("assessor")), 403, "service.forbidden")


def test_detail_follows_accept_language(client: httpx.Client) -> None:
    body = client.get("/api/v1/rulesets", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert body["detail"] == body["message"]["en"] and body["detail"].startswith("missing or invalid")


def test_text_that_is_not_unicode_is_refused_not_a_crash(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    headers = {**server.headers("admin"), "content-type": "application/json"}
    body = json.dumps({"ruleset": RULESET, "project": make_project(project_data, "\ud800")}).encode()
    for path in ("/api/v1/assess", "/api/v1/gate/assess", "/api/v1/gate/require"):
        _problem(client.post(path, content=body, headers=headers), 422, "service.validation")
    text = json.dumps({"text": "id: \ud800\n"}).encode()
    _problem(client.post("/api/v1/rulesets/validate", content=text, headers=headers), 422, "service.validation")
    form = (
        b"--B\r\nContent-Disposition: form-data; name=\"ruleset\"\r\n\r\n\xff\xfe\r\n"
        b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n"
        b"Content-Type: text/csv\r\n\r\nid\nx\n\r\n--B--\r\n"
    )
    unknown = client.post("/api/v1/batch", content=form,
                          headers={**server.headers("admin"), "content-type": "multipart/form-data; boundary=B"})
    assert unknown.status_code in (400, 404, 422) and unknown.headers["content-type"].startswith(PROBLEM)


def test_on_behalf_of_must_be_one_plain_line(client: httpx.Client, server: Server, project_data: dict[str, Any]) -> None:
    for bad in ("a | on_behalf_of=b", "two\nlines", "   "):
        body = {"ruleset": RULESET, "project": make_project(project_data, "O-1"), "on_behalf_of": bad}
        _problem(client.post("/api/v1/gate/assess", json=body, headers=server.headers("admin")), 422, "service.validation")
