"""Batch jobs against a real server: upload, status, results in three formats, and a restart loses nothing."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from .conftest import RULESET, Server


def _csv_text(project: dict[str, Any], rows: int) -> bytes:
    facts = project["facts"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", *facts])
    for i in range(rows):
        values = dict(facts, opposition_rate=60 if i % 3 == 0 else 3)
        writer.writerow([f"B-{i}", *values.values()])
    writer.writerow(["B-bad", *(["?"] * len(facts))])
    return out.getvalue().encode("utf-8")


def _wait(client: httpx.Client, job: str, headers: dict[str, str], timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(f"/api/v1/batch/{job}", headers=headers).json()
        if status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.3)
    raise AssertionError("batch job did not finish")


@pytest.fixture(scope="module")
def batch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("batch"), extra=["--max-upload-mb", "1"])
    srv.add_tokens()
    srv.start()
    yield srv
    srv.stop()


def test_batch_job_runs_and_survives_a_restart(batch_server: Server, project_data: dict[str, Any]) -> None:
    headers = batch_server.headers("assessor")
    with httpx.Client(base_url=batch_server.url, timeout=60) as client:
        files = {"file": ("projects.csv", _csv_text(project_data, 30), "text/csv")}
        resp = client.post("/api/v1/batch", files=files, data={"ruleset": RULESET}, headers=headers)
        assert resp.status_code == 202, resp.text
        job = resp.json()["job"]
        # requests go on while the job runs
        assert client.get("/api/v1/health").status_code == 200
        status = _wait(client, job, headers)
        assert status["status"] == "done", status
        assert status["rows_done"] == status["rows_total"] == 31
        assert "31" in status["summary"]["en"] and "1 failed" in status["summary"]["en"]
        jsonl = client.get(f"/api/v1/batch/{job}/result", params={"format": "jsonl"}, headers=headers)
        rows = [json.loads(line) for line in jsonl.text.splitlines() if line.strip()]
        assert [r["id"] for r in rows[:2]] == ["B-0", "B-1"] and len(rows) == 31
        assert rows[0]["decision"] == "reject" and rows[1]["decision"] == "proceed" and rows[-1]["status"] == "error"
    batch_server.stop()
    batch_server.start()
    with httpx.Client(base_url=batch_server.url, timeout=60) as client:
        assert client.get(f"/api/v1/batch/{job}", headers=headers).json()["status"] == "done"
        as_csv = client.get(f"/api/v1/batch/{job}/result", params={"format": "csv"}, headers=headers)
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert len(table) == 31 and table[0]["id"] == "B-0"
        as_xlsx = client.get(f"/api/v1/batch/{job}/result", params={"format": "xlsx"}, headers=headers)
        sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).active
        assert sheet is not None and sum(1 for _ in sheet.iter_rows()) == 32


def test_batch_errors(batch_server: Server) -> None:
    headers = batch_server.headers("admin")
    with httpx.Client(base_url=batch_server.url, timeout=60) as client:
        unknown = client.get("/api/v1/batch/0123456789abcdef0123456789abcdef", headers=headers)
        assert unknown.status_code == 404 and unknown.json()["code"] == "service.job_not_found"
        assert client.get("/api/v1/batch/..%2F..%2Fetc", headers=headers).status_code == 404
        files = {"file": ("p.exe", b"x", "application/octet-stream")}
        bad_type = client.post("/api/v1/batch", files=files, data={"ruleset": RULESET}, headers=headers)
        assert bad_type.status_code == 400 and bad_type.json()["code"] == "service.bad_body"
        files = {"file": ("p.csv", b"id\n" + b"x\n" * 600_000, "text/csv")}
        too_big = client.post("/api/v1/batch", files=files, data={"ruleset": RULESET}, headers=headers)
        assert too_big.status_code == 413 and too_big.json()["code"] == "service.body_too_large"
        files = {"file": ("p.csv", b"id\nx\n", "text/csv")}
        no_rules = client.post("/api/v1/batch", files=files, data={"ruleset": "nope"}, headers=headers)
        assert no_rules.status_code == 404
        missing = client.post("/api/v1/batch", data={"ruleset": RULESET}, headers=headers)
        assert missing.status_code == 422 and missing.headers["content-type"].startswith("application/problem+json")
