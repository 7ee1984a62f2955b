"""``riskeval report PROJECT --rules R --out report.docx [--template T.docx] [--panel PANEL.csv] [--lang zh|en]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import normalize_lang, register_messages, t
from .common import Lang, LangOption, ProjectFileArg, RulesOption, fail

__all__ = ["register"]

register_messages(
    {
        "reportcmd.not_docx": {"zh": "--out 须为 .docx 文件：{path}", "en": "--out must be a .docx file: {path}"},
        "reportcmd.written": {"zh": "已写出稳评报告：{path}", "en": "wrote the assessment report: {path}"},
    }
)


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(
        project: ProjectFileArg,
        rules: RulesOption,
        out: Annotated[Path, typer.Option("--out", help="输出的 Word 文件（.docx）")],
        template: Annotated[
            Path | None, typer.Option("--template", help="自己的 Word 模板（.docx，使用其样式和版头）")
        ] = None,
        panel: Annotated[str | None, typer.Option("--panel", help="专家组评分汇总文件（PANEL.csv）")] = None,
        lang: LangOption = Lang.zh,
    ) -> None:
        """写出稳评报告（Word，按发改办投资〔2013〕428号大纲）。/ Write the assessment report as a Word file."""
        from ..pipeline import assess, load_project
        from ..report.docx import write_report
        from ..ruleset import load_ruleset

        code = normalize_lang(lang)
        if out.suffix.lower() != ".docx":
            fail(t("reportcmd.not_docx", code, path=str(out)), 2)
        ruleset = load_ruleset(rules)
        proj = load_project(project)
        if panel is not None:
            from ..panel_scores import apply_panel

            proj = apply_panel(proj, panel)
        result = assess(proj, ruleset)
        for warning in result.warnings:
            typer.echo(t("explain.warning", code, text=warning), err=True)
        written = write_report(result, out, template=template, lang=code)
        typer.echo(t("reportcmd.written", code, path=str(written)))
