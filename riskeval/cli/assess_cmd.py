"""``riskeval assess PROJECT --rules R [--format text|json] [--lang zh|en] [--detail]``."""

from __future__ import annotations

from typing import Annotated

import typer

from ..assess import assess, load_project
from ..i18n import normalize_lang, register_messages, t
from .common import LangOption, fail, guarded, load_rules_or_exit

__all__ = ["register"]

register_messages({"assess.bad_format": {"zh": "--format 只能是 text 或 json", "en": "--format must be text or json"}})


def register(app: typer.Typer) -> None:
    @app.command("assess")
    @guarded
    def assess_cmd(
        project: Annotated[str, typer.Argument(help="项目文件（YAML 或 JSON）")],
        rules: Annotated[str, typer.Option("--rules", help="规则集名称或文件")],
        format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
        panel: Annotated[str | None, typer.Option("--panel", help="专家组评分汇总文件（PANEL.csv）")] = None,
        lang: LangOption = "zh",
        detail: Annotated[bool, typer.Option("--detail", help="显示规则编号、条件与事实名称 / technical detail")] = False,
    ) -> None:
        """评估一个项目：措施前、措施后、等级、决策与解释。/ Assess one project."""
        lang = normalize_lang(lang)
        if format not in ("text", "json"):
            fail(t("assess.bad_format", lang), 2)
        ruleset = load_rules_or_exit(rules, lang)
        proj = load_project(project)
        if panel is not None:
            from ..panel import apply_panel

            # panel values and the panel record (组长's opinion, signature lines) become part of the project
            proj = apply_panel(proj, panel)
        result = assess(proj, ruleset)
        for warning in result.warnings:
            typer.echo(("提示：" if lang == "zh" else "note: ") + warning, err=True)
        if format == "json":
            typer.echo(result.to_json())
        else:
            typer.echo(result.explain(lang, detail=detail))
