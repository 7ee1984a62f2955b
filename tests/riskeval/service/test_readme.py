"""The README's "HTTP service" lines, run as written (only the port is changed to a free one)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.riskeval.serve_process import free_port

ROOT = Path(__file__).resolve().parents[3]


def _block(marker: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split(marker, 1)[1]
    body = after.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in body.splitlines() if line.strip()]


def test_readme_service_lines_work(tmp_path: Path) -> None:
    start, curls = _block("<!-- service-start -->"), _block("<!-- service-curl -->")
    assert len(start) == 3 and len(curls) == 3
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "gate-request.json", tmp_path / "examples")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(["bash", "-c", start[0]], cwd=tmp_path, env=env, capture_output=True, check=True)
    token = subprocess.run(
        ["bash", "-c", start[1] + '\nprintf %s "$TOKEN"'], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert len(token) >= 40 and (tmp_path / "tokens.yaml").is_file() and (tmp_path / "keys" / "signing.key").is_file()
    port = free_port()
    serve = start[2].split(" &", 1)[0].replace("--port 8000", f"--port {port}")
    assert serve.startswith("riskeval serve ") and str(port) in serve
    proc = subprocess.Popen(["bash", "-c", f"exec {serve} --log-level warning"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        outputs = []
        for line in curls:
            assert "127.0.0.1:8000" in line
            done = subprocess.run(["bash", "-c", line.replace("127.0.0.1:8000", f"127.0.0.1:{port}")], cwd=tmp_path,
                                  env={**env, "TOKEN": token}, capture_output=True, text=True, check=True)
            outputs.append(json.loads(done.stdout))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    refused, recorded, passed = outputs
    assert refused["status"] == 409 and refused["code"] == "assessment_required"
    assert recorded["seq"] == 1 and recorded["head"] == recorded["record_hash"]
    assert recorded["record"]["actor"] == "市住建局评估组"
    assert passed["ok"] is True and passed["record"]["seq"] == 1
