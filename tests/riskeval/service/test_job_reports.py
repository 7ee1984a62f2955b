"""A finished batch job keeps its HTML report and charts (for the workbench's 批量 page)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from riskeval import load_ruleset
from riskeval.service.job_reports import job_charts, job_report_path
from riskeval.service.jobs import JobStore
from riskeval.service.metrics import Metrics

ROOT = Path(__file__).resolve().parents[3]


def test_a_done_job_has_reports_and_charts_in_both_languages(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs", Metrics(), workers=0)
    try:
        job, input_path = store.new_job(".csv")
        lines = (ROOT / "examples" / "projects.csv").read_text(encoding="utf-8").splitlines()[:41]
        input_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        store.submit(job, input_path, load_ruleset("guiyang"))
        deadline = time.monotonic() + 120
        while store.status(job).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)
        status = store.status(job)
        assert status.status == "done" and status.rows_done == 40
        directory = store.directory(job)
        zh = job_report_path(directory, "zh")
        en = job_report_path(directory, "en")
        assert zh is not None and en is not None
        assert "社会稳定风险评估" in zh.read_text(encoding="utf-8") and "<svg" in zh.read_text(encoding="utf-8")
        charts = job_charts(directory, "zh")
        assert charts and all(c["svg"].startswith("<svg") for c in charts)
        assert {c["key"] for c in charts} >= {"levels", "decisions"}
        assert job_charts(directory, "en")[0]["title"] != charts[0]["title"]
        shutil.rmtree(directory / ".." / job, ignore_errors=False)
        assert job_charts(tmp_path, "zh") == [] and job_report_path(tmp_path, "zh") is None
    finally:
        store.close()
