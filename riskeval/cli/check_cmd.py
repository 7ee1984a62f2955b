"""``riskeval check``: the static analysis of rule files (deeper than ``riskeval validate``)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from ..i18n import normalize_lang, t
from ..ruleset.analysis import check_file
from .common import LangOption

__all__ = ["register"]


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command()
    def check(
        files: Annotated[list[str], typer.Argument(help="规则文件或内置规则集名称")],
        format: Annotated[CheckFormat, typer.Option("--format", help="text | json")] = CheckFormat.text,
        lang: LangOption = "zh",
    ) -> None:
        """静态分析规则集：不可达等级、无用区间、被涵盖的直接认定等。/ Static analysis of rule sets."""
        lang = normalize_lang(lang)
        found = [p for file in files for p in check_file(file)]
        if format == CheckFormat.json:
            rows = [
                {
                    "file": p.file,
                    "line": p.line,
                    "column": p.column,
                    "severity": p.severity,
                    "code": p.code,
                    "message": p.message(lang),
                }
                for p in found
            ]
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for p in found:
                severity = t(f"check.severity.{p.severity}", lang)
                typer.echo(f"{p.file}:{p.line}:{p.column}: {severity}: {p.message(lang)}")
            errors = sum(1 for p in found if p.severity == "error")
            typer.echo(t("check.summary", lang, files=len(files), errors=errors, warnings=len(found) - errors), err=True)
        if any(p.severity == "error" for p in found):
            raise typer.Exit(1)
