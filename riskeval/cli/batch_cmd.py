"""``riskeval batch`` (assess a project list) and ``riskeval diff`` (impact of a rule change).

``riskeval batch INPUT --rules R --out OUTPUT [--workers N] [--report REPORT.html] [--report-xlsx FILE] [--lenient] [--headers code|zh|en] [--lang]``
``riskeval diff OLD_RULES NEW_RULES --projects INPUT [--out FILE] [--workers N] [--lang]``

Exit status: 0 all rows assessed; 1 some rows failed (the summary says which); 2 unusable arguments, rule set
or input; 130 interrupted (the output holds every row completed before Ctrl-C).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from .._startup import paused_gc
from ..batch.rows import HEADER_LANGS
from ..batch.run import run_batch
from ..batch.writers import output_kind
from ..i18n import normalize_lang, register_messages, t
from ..ruleset import load_ruleset
from .common import LangOption, RulesOption, fail

__all__ = ["register"]

register_messages(
    {
        "batchcli.bad_output": {
            "zh": "输出文件类型 “{suffix}” 无法识别（可用 .csv、.xlsx、.jsonl）",
            "en": "unknown output type '{suffix}' (use .csv, .xlsx, .jsonl)",
        },
        "batchcli.bad_diff_output": {
            "zh": "输出文件类型 “{suffix}” 无法识别（可用 .csv、.xlsx、.jsonl、.json）",
            "en": "unknown output type '{suffix}' (use .csv, .xlsx, .jsonl, .json)",
        },
        "batchcli.bad_headers": {
            "zh": "--headers 的值 “{value}” 无法识别（可用 {allowed}）",
            "en": "unknown --headers value '{value}' (use {allowed})",
        },
        "batchcli.same_file": {"zh": "输出文件不能是输入文件", "en": "the output must not be the input file"},
        "batchcli.unknown_columns": {
            "zh": "提示：以下列未能识别，已忽略：{columns}",
            "en": "note: these columns were not recognised and are ignored: {columns}",
        },
        "batchcli.unused_columns": {
            "zh": "提示：以下标准事实列本规则集未使用，已忽略：{columns}",
            "en": "note: these standard-fact columns are not used by this rule set and are ignored: {columns}",
        },
        "batchcli.interrupted": {
            "zh": "已中断：已完成的 {count} 行已写入 {path}",
            "en": "interrupted: the {count} rows completed are in {path}",
        },
        "batchcli.path.column": {
            "zh": "评估方式：列式评估（{reader}），其中 {sampled} 行经逐行评估（durable-rules）核对一致（{mode}）",
            "en": "path: column evaluator ({reader}); {sampled} rows checked identical by the row path (durable-rules) ({mode})",
        },
        "batchcli.path.row": {
            "zh": "评估方式：逐行评估（durable-rules），原因：{reason}",
            "en": "path: row by row (durable-rules), because: {reason}",
        },
        "batchcli.path.requested": {"zh": "按要求（--engine row）", "en": "requested (--engine row)"},
        "batchcli.verify.sample": {"zh": "抽样核对", "en": "sample check"},
        "batchcli.verify.full": {"zh": "全部核对", "en": "every row checked"},
        "batchcli.bad_verify": {
            "zh": "--verify 的值 “{value}” 无法识别（可用 sample、full）",
            "en": "unknown --verify value '{value}' (use sample, full)",
        },
        "batchcli.bad_engine": {
            "zh": "--engine 的值 “{value}” 无法识别（可用 auto、row）",
            "en": "unknown --engine value '{value}' (use auto, row)",
        },
        "batchcli.written": {"zh": "结果已写入 {path}", "en": "results written to {path}"},
        "batchcli.report": {"zh": "报告已写入 {path}", "en": "report written to {path}"},
        "batchcli.progress": {"zh": "评估中", "en": "assessing"},
        "batchcli.more_changes": {
            "zh": "  …… 另有 {count} 个项目的变化见输出文件",
            "en": "  ... {count} more changed projects in the output file",
        },
        "batchcli.more_changes_no_out": {
            "zh": "  …… 另有 {count} 个项目有变化（用 --out 写出全部）",
            "en": "  ... {count} more changed projects (use --out to write them all)",
        },
    }
)


class _Stop:
    """The first Ctrl-C asks the run to stop (the output is completed); a second one aborts."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self) -> bool:
        return self.requested

    def handler(self, signum: int, frame: Any) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def _sigint() -> Iterator[_Stop]:
    stop = _Stop()
    previous = signal.signal(signal.SIGINT, stop.handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _interactive() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def _progress(lang: str) -> Iterator[Callable[[int, int | None], None] | None]:
    if not _interactive():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(t("batchcli.progress", lang)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("batch", total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=max(total, done) if total else None)

        yield update


def _check_output(out: str, lang: str, allowed_json: bool = False) -> None:
    if allowed_json and Path(out).suffix.lower() == ".json":
        return
    try:
        output_kind(out)
    except ValueError:
        key = "batchcli.bad_diff_output" if allowed_json else "batchcli.bad_output"
        fail(t(key, lang, suffix=Path(out).suffix or out), 2)


def _same(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def _path_line(outcome: Any, lang: str) -> str:
    """Which path the batch took, and why."""
    if outcome.path == "column":
        mode = t(f"batchcli.verify.{outcome.path_reason}", lang)
        return t("batchcli.path.column", lang, reader=outcome.reader, sampled=outcome.sampled, mode=mode)
    reason = outcome.path_reason
    if reason == "requested":
        reason = t("batchcli.path.requested", lang)
    return t("batchcli.path.row", lang, reason=reason)


def register(app: typer.Typer) -> None:
    @app.command("batch")
    def batch_cmd(
        input: Annotated[str, typer.Argument(help="项目清单：CSV、Excel（.xlsx）、JSON Lines 或 YAML")],
        rules: RulesOption,
        out: Annotated[str, typer.Option("--out", help="结果文件：.csv、.xlsx 或 .jsonl")],
        workers: Annotated[
            int | None, typer.Option("--workers", help="工作进程数（默认：CPU 数；0 为本进程）")
        ] = None,
        report: Annotated[str | None, typer.Option("--report", help="HTML 报告文件")] = None,
        report_xlsx: Annotated[str | None, typer.Option("--report-xlsx", help="Excel 报告文件")] = None,
        chunk_size: Annotated[int, typer.Option("--chunk-size", hidden=True)] = 256,
        lenient: Annotated[
            bool, typer.Option("--lenient", help="未知的列或事实只提示、不报错（默认在评估前报错）")
        ] = False,
        headers: Annotated[
            str, typer.Option("--headers", help="结果文件的列名：code（英文代码，默认）、zh（中文）或 en")
        ] = "code",
        verify: Annotated[
            str,
            typer.Option(
                "--verify",
                help="列式评估的核对：sample（默认，抽样经 durable-rules 逐行评估核对）或 full（每行核对）",
            ),
        ] = "sample",
        engine: Annotated[
            str, typer.Option("--engine", help="auto（默认：规则集可编译时列式评估）或 row（全部逐行评估）")
        ] = "auto",
        lang: LangOption = "zh",
    ) -> None:
        """批量评估项目清单，逐行输出结果（可选 HTML/Excel 报告）。/ Assess a project list."""
        lang = normalize_lang(lang)
        _check_output(out, lang)
        if _same(input, out):
            fail(t("batchcli.same_file", lang), 2)
        if headers not in HEADER_LANGS:
            fail(t("batchcli.bad_headers", lang, value=headers, allowed=", ".join(HEADER_LANGS)), 2)
        if verify not in ("sample", "full"):
            fail(t("batchcli.bad_verify", lang, value=verify), 2)
        if engine not in ("auto", "row"):
            fail(t("batchcli.bad_engine", lang, value=engine), 2)
        with paused_gc():  # start-up: long-lived objects only
            ruleset = load_ruleset(rules)
        explain = ("high", "medium") if (report or report_xlsx) else ()
        with _sigint() as stop, _progress(lang) as progress:
            outcome = run_batch(
                input,
                ruleset,
                out,
                workers=workers,
                lang=lang,
                explain=explain,
                stop=stop,
                progress=progress,
                chunk_size=chunk_size,
                strict=not lenient,
                headers=headers,
                verify=verify,
                engine=engine,
            )
        if outcome.unknown_columns:
            typer.echo(
                t("batchcli.unknown_columns", lang, columns=t("punct.enum", lang).join(sorted(outcome.unknown_columns))),
                err=True,
            )
        if outcome.unused_columns:
            typer.echo(t("batchcli.unused_columns", lang, columns=", ".join(outcome.unused_columns)), err=True)
        stats = outcome.stats
        meta: dict[str, Any] = {
            "ruleset": ruleset,
            "source": Path(input).name,
            "lang": lang,
            "interrupted": outcome.interrupted,
        }
        if report:
            from ..report.html import write_html_report

            write_html_report(report, stats, **meta)
        if report_xlsx:
            from ..report.xlsx import write_xlsx_report

            write_xlsx_report(report_xlsx, stats, **meta)
        typer.echo(stats.summary(lang))
        for line in stats.details_text(lang):
            typer.echo(line)
        typer.echo(_path_line(outcome, lang))
        if outcome.interrupted:
            typer.echo(t("batchcli.interrupted", lang, count=outcome.written, path=out), err=True)
            raise typer.Exit(130)
        typer.echo(t("batchcli.written", lang, path=out))
        for path in (report, report_xlsx):
            if path:
                typer.echo(t("batchcli.report", lang, path=path))
        if stats.error_rows:
            raise typer.Exit(1)

    @app.command("diff")
    def diff_cmd(
        old_rules: Annotated[str, typer.Argument(help="原规则集（名称或文件）")],
        new_rules: Annotated[str, typer.Argument(help="修改后的规则集（名称或文件）")],
        projects: Annotated[str, typer.Option("--projects", help="项目清单（CSV、Excel、JSON Lines、YAML）")],
        out: Annotated[
            str | None, typer.Option("--out", help="变化清单：.csv、.xlsx、.jsonl 或 .json（含规则变化）")
        ] = None,
        workers: Annotated[
            int | None, typer.Option("--workers", help="工作进程数（默认：CPU 数；0 为本进程）")
        ] = None,
        show: Annotated[int, typer.Option("--show", help="屏幕上列出的变化项目数")] = 30,
        lang: LangOption = "zh",
    ) -> None:
        """规则修改的影响：条目增删改，以及等级或决策发生变化的项目。/ Impact of a rule change."""
        lang = normalize_lang(lang)
        if out is not None:
            _check_output(out, lang, allowed_json=True)
        from ..batch.impact_run import run_diff  # the rule-change analysis is not loaded for ``batch``

        old = load_ruleset(old_rules)
        new = load_ruleset(new_rules)
        with _sigint() as stop:
            outcome = run_diff(old, new, projects, out=out, keep=show, workers=workers, lang=lang, stop=stop)
        typer.echo(outcome.rules.text(lang))
        total, changed = outcome.total, outcome.changed
        shown = [change.text(lang) for change in outcome.changes[:show]]
        interrupted = outcome.interrupted
        typer.echo(t("diff.projects", lang, total=total, changed=changed))
        for line in shown:
            typer.echo(line)
        if changed > len(shown):
            key = "batchcli.more_changes" if out else "batchcli.more_changes_no_out"
            typer.echo(t(key, lang, count=changed - len(shown)))
        if interrupted:
            typer.echo(t("cli.interrupted", lang), err=True)
            raise typer.Exit(130)
