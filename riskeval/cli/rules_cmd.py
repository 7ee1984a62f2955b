"""``riskeval validate``, ``riskeval test``, ``riskeval schema`` and ``riskeval rules show|list|import``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import normalize_lang, register_messages, t
from ..ruleset import RuleSetError, RuleSetNotFound, bundled_names, load_ruleset, validate_file
from ..ruleset.testing import run_tests
from ..schema import ruleset_json_schema, ruleset_json_schema_text
from .common import LangOption, fail

__all__ = ["register", "ruleset_json_schema"]

register_messages(
    {
        "validate.ok": {"zh": "{file}：通过（{items} 个条目，{triggers} 个直接触发，{tests} 个测试）", "en": "{file}: OK ({items} items, {triggers} triggers, {tests} tests)"},
        "validate.summary": {"zh": "共 {errors} 个错误", "en": "{errors} error(s)"},
        "test.pass": {"zh": "通过  {file} :: {name}", "en": "PASS  {file} :: {name}"},
        "test.fail": {"zh": "失败  {file} :: {name}", "en": "FAIL  {file} :: {name}"},
        "test.summary": {"zh": "{passed} 个通过，{failed} 个失败", "en": "{passed} passed, {failed} failed"},
        "test.none": {"zh": "{file}：没有内嵌测试", "en": "{file}: no embedded tests"},
        "rules.xlsx_needs_out": {"zh": "xlsx 格式需要 --out 文件", "en": "xlsx needs --out FILE"},
        "rules.written": {"zh": "已写入 {path}", "en": "wrote {path}"},
    }
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class TableFormat(StrEnum):
    markdown = "markdown"
    xlsx = "xlsx"


def register(app: typer.Typer) -> None:
    rules_app = typer.Typer(help="内置规则集 / bundled rule sets", no_args_is_help=True)
    app.add_typer(rules_app, name="rules")

    @app.command()
    def validate(
        files: Annotated[list[str], typer.Argument(help="规则文件或内置规则集名称")],
        lang: LangOption = "zh",
    ) -> None:
        """校验规则文件，逐条报告 文件:行:列: 问题。/ Validate rule files."""
        lang = normalize_lang(lang)
        errors = 0
        for file in files:
            problems = validate_file(file)
            for problem in problems:
                typer.echo(problem.render(lang), err=problem.severity == "error")
            file_errors = [p for p in problems if p.severity == "error"]
            errors += len(file_errors)
            if not file_errors:
                rs = load_ruleset(file)
                typer.echo(t("validate.ok", lang, file=file, items=len(rs.items), triggers=len(rs.triggers), tests=len(rs.tests)))
        if errors:
            fail(t("validate.summary", lang, errors=errors), 1)

    @app.command("test")
    def test_cmd(
        files: Annotated[list[str], typer.Argument(help="规则文件或内置规则集名称")],
        coverage: Annotated[bool, typer.Option("--coverage", help="报告内嵌测试的覆盖率")] = False,
        format: Annotated[OutputFormat, typer.Option("--format", help="text | json")] = OutputFormat.text,
        min_coverage: Annotated[
            float | None, typer.Option("--min-coverage", help="覆盖率低于 N% 时失败（隐含 --coverage）", min=0, max=100)
        ] = None,
        lang: LangOption = "zh",
    ) -> None:
        """运行规则集内嵌测试（类似 opa test）。/ Run the embedded tests of rule sets."""
        from ..ruleset.analysis import coverage as measure

        lang = normalize_lang(lang)
        text = format == OutputFormat.text
        with_coverage = coverage or min_coverage is not None
        passed = failed = 0
        report: list[dict[str, Any]] = []
        below: list[str] = []
        for file in files:
            try:
                rs = load_ruleset(file)
            except RuleSetError as exc:
                if isinstance(exc, RuleSetNotFound):
                    raise
                if text:
                    typer.echo(exc.render(lang), err=True)
                report.append({"file": file, "problems": [p.to_dict(lang) for p in exc.problems], "tests": []})
                failed += 1
                continue
            results = run_tests(rs, lang)
            if not results and text:
                typer.echo(t("test.none", lang, file=file))
            entry: dict[str, Any] = {"file": file, "ruleset": rs.name, "tests": []}
            for result in results:
                entry["tests"].append({"name": result.name, "passed": result.passed, "differences": result.differences})
                if result.passed:
                    passed += 1
                    if text:
                        typer.echo(t("test.pass", lang, file=file, name=result.name))
                else:
                    failed += 1
                    if text:
                        typer.echo(t("test.fail", lang, file=file, name=result.name))
                        for diff in result.differences:
                            typer.echo(f"      {diff}")
            if with_coverage:
                cov = measure(rs)
                entry["coverage"] = cov.to_dict()
                if text:
                    for line in cov.render(lang):
                        typer.echo(line)
                if min_coverage is not None and cov.percent < min_coverage:
                    below.append(t("coverage.below", lang, percent=f"{cov.percent:g}", minimum=f"{min_coverage:g}", file=file))
            report.append(entry)
        if text:
            typer.echo(t("test.summary", lang, passed=passed, failed=failed))
        else:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        for line in below:
            typer.echo(line, err=True)
        if failed or below:
            raise typer.Exit(1)

    @app.command()
    def schema(out: Annotated[Path | None, typer.Option("--out", help="写入文件")] = None) -> None:
        """输出规则文件格式的 JSON Schema（供编辑器补全和检查）。/ Print the rule-file JSON Schema."""
        text = ruleset_json_schema_text()
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")

    @rules_app.command("list")
    def rules_list() -> None:
        """列出内置规则集。/ List bundled rule sets."""
        for name in bundled_names():
            rs = load_ruleset(name)
            typer.echo(f"{name}\t{rs.version}\t{rs.title}")

    @rules_app.command("show")
    def rules_show(
        name: Annotated[str, typer.Argument(help="规则集名称或文件")],
        format: Annotated[TableFormat, typer.Option("--format", help="markdown | xlsx")] = TableFormat.markdown,
        out: Annotated[Path | None, typer.Option("--out", help="输出文件")] = None,
        lang: LangOption = "zh",
    ) -> None:
        """以评估细则表的形式显示规则集。/ Show a rule set as the scoring table."""
        from ..report.ruletable import rules_markdown, rules_xlsx

        rs = load_ruleset(name)
        if format == "markdown":
            text = rules_markdown(rs)
            if out:
                out.write_text(text, encoding="utf-8")
            else:
                typer.echo(text, nl=False)
        else:
            if out is None:
                fail(t("rules.xlsx_needs_out", lang), 2)
            rules_xlsx(rs, out)
            typer.echo(t("rules.written", lang, path=out))

    @rules_app.command("import")
    def rules_import(
        table: Annotated[str, typer.Argument(help="在 Excel 中修改过的评估细则表（rules show --format xlsx 写出）")],
        base: Annotated[str, typer.Option("--base", help="表格所依据的规则文件")],
        out: Annotated[Path, typer.Option("--out", help="写出的新规则文件")],
        lang: LangOption = "zh",
    ) -> None:
        """把 Excel 中修改的评估细则表写回规则文件（保留注释和表格未显示的内容）。/ Apply an edited rule table to a rule file."""
        from ..report.ruletable_import import write_imported_rules
        from ..ruleset.source import bundled_rules_dir

        lang = normalize_lang(lang)
        base_path = Path(base)
        if not base_path.exists() and not base.endswith((".yaml", ".yml")):
            base_path = bundled_rules_dir() / f"{base}.yaml"  # a bundled name
        write_imported_rules(table, base_path, out)
        typer.echo(t("rules.written", lang, path=out))
