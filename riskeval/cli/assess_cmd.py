"""``riskeval assess PROJECT --rules R [--format text|json] [--lenient] [--detail] [--lang zh|en]``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..i18n import normalize_lang, register_messages, t
from ..pipeline import evaluate_project, load_project
from ..ruleset import load_ruleset
from .common import LangOption, ProjectFileArg, RulesOption

__all__ = ["register"]

register_messages(
    {
        "assess.note": {"zh": "提示：{text}", "en": "note: {text}"},
    }
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("assess")
    def assess_cmd(
        project: ProjectFileArg,
        rules: RulesOption,
        format: Annotated[OutputFormat, typer.Option("--format", help="text | json")] = OutputFormat.text,
        panel: Annotated[str | None, typer.Option("--panel", help="专家组评分汇总文件（PANEL.csv）")] = None,
        lenient: Annotated[
            bool, typer.Option("--lenient", help="未知事实（规则集未声明、也不是标准事实）只提示、不报错")
        ] = False,
        lang: LangOption = "zh",
        detail: Annotated[bool, typer.Option("--detail", help="显示规则编号、条件与事实名称 / technical detail")] = False,
    ) -> None:
        """评估一个项目：措施前、措施后、等级、决策与解释。/ Assess one project."""
        lang = normalize_lang(lang)
        ruleset = load_ruleset(rules)
        proj = load_project(project)
        if panel is not None:
            from ..panel_scores import apply_panel

            # panel values and the panel record (组长's opinion, signature lines) become part of the project
            proj = apply_panel(proj, panel)
        outcome = evaluate_project(proj, ruleset, strict=not lenient)
        result = outcome.assessment(proj, ruleset, what_if=True)
        for problem in [*outcome.checked.warnings, *outcome.checked.notes]:
            typer.echo(t("assess.note", lang, text=problem.message(lang)), err=True)
        if format == "json":
            typer.echo(result.to_json())
        else:
            typer.echo(result.explain(lang, detail=detail))
