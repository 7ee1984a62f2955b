"""The reports of a finished batch job: the HTML report and the charts, in Chinese and English.

:class:`~riskeval.service.jobs.JobStore` calls :func:`write_job_reports` when a job is done, from the
run's counters (which are not kept otherwise): ``report.<lang>.html`` (the same page as ``riskeval batch
--report``) and ``charts.<lang>.json`` (the report's inline SVG charts with their titles, for the
workbench's 批量 page). Reading them back is :func:`job_report_path` and :func:`job_charts`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..batch.stats import BatchStats
from ..i18n import LANGS, normalize_lang
from ..report.html import chart_for, render_html
from ..ruleset.compiled import RuleSet

__all__ = ["EXPLAIN_LEVELS", "job_charts", "job_report_path", "write_job_reports"]

EXPLAIN_LEVELS = ("high", "medium")
"""The residual levels whose explanations a job keeps for its report."""


def write_job_reports(directory: Path, stats: BatchStats, ruleset: RuleSet, source: str) -> None:
    """Write the report and the charts of a finished job into its directory, in every language."""
    for lang in LANGS:
        html = render_html(stats, ruleset=ruleset, source=source, lang=lang)
        (directory / f"report.{lang}.html").write_text(html, encoding="utf-8")
        charts: list[dict[str, Any]] = []
        for table in stats.tables(lang):
            svg = chart_for(table)
            if svg:
                charts.append({"key": table.key, "title": table.title, "svg": svg})
        (directory / f"charts.{lang}.json").write_text(json.dumps(charts, ensure_ascii=False), encoding="utf-8")


def job_report_path(directory: Path, lang: str) -> Path | None:
    """The HTML report of the job in ``directory`` (``None`` when it has none)."""
    path = directory / f"report.{normalize_lang(lang)}.html"
    return path if path.is_file() else None


def job_charts(directory: Path, lang: str) -> list[dict[str, str]]:
    """The charts of the job in ``directory``: ``[{"key", "title", "svg"}]`` (empty when it has none)."""
    path = directory / f"charts.{normalize_lang(lang)}.json"
    if not path.is_file():
        return []
    data: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data
