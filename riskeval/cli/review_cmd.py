"""``riskeval review template`` and ``riskeval review aggregate``: the expert panel's scores.

A thin shell over :mod:`expert_pool.review` (the CLI is the one place riskeval may import expert_pool).

Exit codes of ``aggregate``: 0 all rows valid; 1 some rows had errors (each listed; the valid rows are
still aggregated and the PANEL.csv written); 2 an input file cannot be used at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..assess import load_project
from ..i18n import normalize_lang, register_messages, t
from .common import LangOption, fail, guarded, load_rules_or_exit

__all__ = ["register"]

register_messages(
    {
        "review.template_written": {
            "zh": "已写出评分表 {path}：{n} 个专家组（{sheets}），{items} 个评分条目{note}",
            "en": "wrote score sheets {path}: {n} panels ({sheets}), {items} scored items{note}",
        },
        "review.all_items": {
            "zh": "；规则集未指定专家评分条目（panel: true），列出全部条目",
            "en": "; the rule set marks no item panel: true, so every item is offered",
        },
        "review.empty_assignment": {"zh": "分配结果中没有专家组：{path}", "en": "the assignment has no panel: {path}"},
        "review.bad_method": {
            "zh": "--method 只能是 median、mean 或 trimmed",
            "en": "--method must be median, mean or trimmed",
        },
        "review.bad_share": {"zh": "{option} 须在 0 到 1 之间", "en": "{option} must lie between 0 and 1"},
        "review.written": {"zh": "已写出 {path}", "en": "wrote {path}"},
        "review.row_errors": {
            "zh": "{n} 行有错误，未计入汇总（其余有效行已汇总并写出）：",
            "en": "{n} rows have errors and were not aggregated (the valid rows were aggregated and written):",
        },
        "review.delphi_written": {"zh": "第二轮评分清单已写出 {path}", "en": "wrote the second-round list {path}"},
    }
)


def register(app: typer.Typer) -> None:
    review_app = typer.Typer(help="专家评审：评分表、汇总、分歧与第二轮 / expert review", no_args_is_help=True)
    app.add_typer(review_app, name="review")

    @review_app.command("template")
    @guarded
    def template_cmd(
        assignment: Annotated[str, typer.Option("--assignment", help="专家分配结果 OUT.csv（project,expert,score）")],
        rules: Annotated[str, typer.Option("--rules", help="规则集名称或文件")],
        out: Annotated[str, typer.Option("--out", help="输出的评分表 sheets.xlsx")],
        experts: Annotated[str | None, typer.Option("--experts", help="专家表 CSV（显示姓名）")] = None,
        lang: LangOption = "zh",
    ) -> None:
        """生成评分表：每个专家组一个工作表。/ Write one score sheet per panel."""
        from expert_pool.errors import PoolError
        from expert_pool.review import load_assignment, load_expert_names, scored_items, write_template

        lang = normalize_lang(lang)
        ruleset = load_rules_or_exit(rules, lang)
        try:
            panels = load_assignment(assignment)
            names = load_expert_names(experts) if experts else {}
        except PoolError as exc:
            fail(exc.message(lang), 2)
        if not panels:
            fail(t("review.empty_assignment", lang, path=assignment), 2)
        items = scored_items(ruleset)
        try:
            titles = write_template(out, panels, ruleset, names=names, items=items)
        except OSError as exc:
            fail(str(exc), 2)
        note = "" if any(i.panel for i in items) else t("review.all_items", lang)
        shown = ", ".join(titles[:5]) + ("…" if len(titles) > 5 else "")
        typer.echo(
            t("review.template_written", lang, path=out, n=len(titles), sheets=shown, items=len(items), note=note)
        )

    @review_app.command("aggregate")
    @guarded
    def aggregate_cmd(
        scores: Annotated[str, typer.Option("--scores", help="评分文件 SCORES.csv 或 .xlsx（project,expert,item,score[,opinion]）")],
        rules: Annotated[str, typer.Option("--rules", help="规则集名称或文件")],
        out: Annotated[str, typer.Option("--out", help="输出的专家组汇总 PANEL.csv")],
        assignment: Annotated[str | None, typer.Option("--assignment", help="专家分配结果 OUT.csv（校验专家是否分配）")] = None,
        experts: Annotated[str | None, typer.Option("--experts", help="专家表 CSV（校验专家编号，记录姓名）")] = None,
        method: Annotated[str, typer.Option("--method", help="median | mean | trimmed（去掉一个最高分和一个最低分）")] = "median",
        spread: Annotated[float, typer.Option("--spread", help="极差上限，占条目量程的比例")] = 0.4,
        agree_share: Annotated[float, typer.Option("--agree-share", help="距中位数一个步长以内的评分至少占的比例")] = 0.6,
        round2: Annotated[str | None, typer.Option("--round2", help="第二轮（德尔菲）评分文件，只含分歧条目")] = None,
        calibrate: Annotated[bool, typer.Option("--calibrate", help="校准专家宽严（加性模型，最小二乘）")] = False,
        project: Annotated[
            list[str] | None, typer.Option("--project", help="项目文件（可多次）：按项目实际等级判断是否跨等级分界")
        ] = None,
        delphi_out: Annotated[str | None, typer.Option("--delphi-out", help="写出第二轮评分清单 CSV")] = None,
        lang: LangOption = "zh",
    ) -> None:
        """汇总专家评分：校验、专家组分值、分歧标记、第二轮、宽严校准。/ Aggregate the panel's scores."""
        from expert_pool.errors import PoolError
        from expert_pool.review import load_assignment, load_expert_names, read_score_rows, review_panel

        lang = normalize_lang(lang)
        if method not in ("median", "mean", "trimmed"):
            fail(t("review.bad_method", lang), 2)
        for option, value in (("--spread", spread), ("--agree-share", agree_share)):
            if not 0.0 <= value <= 1.0:
                fail(t("review.bad_share", lang, option=option), 2)
        ruleset = load_rules_or_exit(rules, lang)
        try:
            panels = load_assignment(assignment) if assignment else None
            names = load_expert_names(experts) if experts else None
            rows = read_score_rows(scores)
            rows2 = read_score_rows(round2) if round2 else None
        except PoolError as exc:
            fail(exc.message(lang), 2)
        projects = {}
        for path in project or []:
            proj = load_project(path)
            projects[proj.id] = proj
        review = review_panel(
            rows,
            ruleset,
            round2=rows2,
            assignment=panels,
            experts=names,
            method=method,
            spread=spread,
            agree_share=agree_share,
            calibrate=calibrate,
            projects=projects or None,
        )
        try:
            review.write(out, lang)
        except OSError as exc:
            fail(str(exc), 2)
        typer.echo(t("review.written", lang, path=out))
        typer.echo(review.summary(lang))
        if delphi_out:
            _write_delphi(delphi_out, review, lang)
            typer.echo(t("review.delphi_written", lang, path=delphi_out))
        errors = review.errors
        if errors:
            typer.echo(t("review.row_errors", lang, n=len(errors)), err=True)
            for err in errors:
                typer.echo("  " + err.message(lang), err=True)
            raise typer.Exit(1)


def _write_delphi(path: str, review: object, lang: str) -> None:
    import csv

    from expert_pool.review import PanelReview

    assert isinstance(review, PanelReview)
    with open(Path(path), "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["project", "item", "label", "value", "min", "max", "flags", "reason", "scores"])
        for r in review.delphi:
            row = r.row(lang)
            writer.writerow([r.project, r.key, r.item.label, row["value"], row["min"], row["max"], row["flags"],
                             row["reason"], row["scores"]])
