"""``riskeval template --rules R --out projects.xlsx [--no-example] [--lang zh|en]``: the input template of
``riskeval batch`` (see :mod:`riskeval.batch.template`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import normalize_lang, register_messages, t
from ..ruleset import load_ruleset
from .common import LangOption, RulesOption, fail

__all__ = ["register"]

register_messages(
    {
        "templatecmd.not_xlsx": {"zh": "--out 须为 .xlsx 文件：{path}", "en": "--out must be an .xlsx file: {path}"},
        "templatecmd.written": {
            "zh": "已写出输入模板：{path}（{count} 列；填好后用 riskeval batch 评估）",
            "en": "wrote the input template: {path} ({count} columns; fill it in and run riskeval batch)",
        },
    }
)


def register(app: typer.Typer) -> None:
    @app.command("template")
    def template_cmd(
        rules: RulesOption,
        out: Annotated[Path, typer.Option("--out", help="输出的 Excel 模板（.xlsx）")],
        example: Annotated[bool, typer.Option("--example/--no-example", help="是否写入一行示例")] = True,
        lang: LangOption = "zh",
    ) -> None:
        """写出批量评估的输入模板（Excel：中文列名、下拉选项、单位和范围说明、示例行）。/ Write the batch input template."""
        from ..batch.template import template_columns, write_template

        code = normalize_lang(lang)
        if out.suffix.lower() != ".xlsx":
            fail(t("templatecmd.not_xlsx", code, path=str(out)), 2)
        ruleset = load_ruleset(rules)
        written = write_template(ruleset, out, lang=code, example=example)
        typer.echo(t("templatecmd.written", code, path=str(written), count=len(template_columns(ruleset, code))))
