"""``riskeval ledger verify|list|show|export|head``, ``riskeval audit`` and ``riskeval gate assess|require|decide``.

Exit codes: 0 ok; 1 findings (tampering, a gate refusal, decisions without a valid assessment);
2 usage or input errors (missing files, bad CSV, wrong options). Messages are Chinese by default,
English with ``--lang en``; never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar, cast

import typer

from ..assess import load_project
from ..check import ProjectError
from ..engine import EngineError
from ..gate import Gate, GateError, Ledger, LedgerError, LedgerRecord, audit, read_decisions
from ..gate.audit import CHINA_TZ, AuditInputError, parse_tz
from ..i18n import normalize_lang, register_messages, t
from ..model.project import Project
from ..ruleset import RuleSetError
from .common import LangOption, load_rules_or_exit

__all__ = ["register"]

register_messages(
    {
        "lcmd.key_both": {"zh": "--key-env 与 --key-file 只能用一个", "en": "use either --key-env or --key-file, not both"},
        "lcmd.key_env": {"zh": "环境变量 {name} 未设置或为空", "en": "environment variable {name} is unset or empty"},
        "lcmd.key_file": {"zh": "无法读取密钥文件：{detail}", "en": "cannot read the key file: {detail}"},
        "lcmd.bad_head": {"zh": "--head 应为 64 位十六进制哈希", "en": "--head must be a 64-digit hex hash"},
        "lcmd.bad_format": {"zh": "--format 只能是 text 或 json", "en": "--format must be text or json"},
        "lcmd.no_record": {"zh": "台账中没有记录 {ref}", "en": "no record {ref} in the ledger"},
        "lcmd.ambiguous": {"zh": "哈希前缀 {ref} 对应多条记录", "en": "hash prefix {ref} matches several records"},
        "lcmd.empty": {"zh": "台账中没有记录", "en": "the ledger holds no records"},
        "lcmd.exported": {"zh": "已导出 {count} 条记录到 {out}；链头哈希 {head}", "en": "exported {count} records to {out}; head hash {head}"},
        "lcmd.appended": {
            "zh": "已记入台账：第 {seq} 号记录（{kind}，项目 {id}，{summary}，记录人 {actor}）",
            "en": "recorded in the ledger: record #{seq} ({kind}, project {id}, {summary}, by {actor})",
        },
        "lcmd.head": {
            "zh": "链头哈希：{head}\n（请把它留存在决策文件中，日后用 riskeval ledger verify --head 核对）",
            "en": "head hash: {head}\n(keep it in the decision document; check later with riskeval ledger verify --head)",
        },
        "lcmd.pass": {
            "zh": "门槛：通过（依据台账第 {seq} 号记录，{summary}）",
            "en": "gate: passed (ledger record #{seq}, {summary})",
        },
        "lcmd.refused": {"zh": "门槛：不通过", "en": "gate: refused"},
        "lcmd.out_of_scope": {"zh": "不属于须评估事项", "en": "out of scope"},
        "lcmd.kind.assessment": {"zh": "评估", "en": "assessment"},
        "lcmd.kind.decision": {"zh": "决策", "en": "decision"},
        "lcmd.incomplete": {"zh": "评估不完整", "en": "incomplete"},
        "lcmd.decision_outcome": {"zh": "决策：{outcome}（依据第 {ref} 号记录）", "en": "decision: {outcome} (on record #{ref})"},
        "lcmd.value": {"zh": "输入无效：{detail}", "en": "invalid input: {detail}"},
        "lcmd.io": {"zh": "读写失败：{detail}", "en": "read/write failure: {detail}"},
        "lcmd.sqlite": {"zh": "台账读写失败：{detail}", "en": "ledger read/write failure: {detail}"},
        "lcmd.project_errors": {"zh": "项目数据有错误：", "en": "the project data have errors:"},
        "lcmd.ruleset_errors": {"zh": "规则集有错误：", "en": "the rule set has errors:"},
        "lcmd.engine": {"zh": "规则引擎异常，拒绝给出结论：{detail}", "en": "rule engine anomaly, no conclusion given: {detail}"},
        "lcmd.field.seq": {"zh": "序号", "en": "seq"},
        "lcmd.field.kind": {"zh": "类型", "en": "kind"},
        "lcmd.field.project_id": {"zh": "项目编号", "en": "project"},
        "lcmd.field.ruleset": {"zh": "规则集", "en": "rule set"},
        "lcmd.field.actor": {"zh": "记录人", "en": "actor"},
        "lcmd.field.ts": {"zh": "时间（UTC）", "en": "time (UTC)"},
        "lcmd.field.project_hash": {"zh": "项目哈希", "en": "project hash"},
        "lcmd.field.prev_hash": {"zh": "前一记录哈希", "en": "previous hash"},
        "lcmd.field.record_hash": {"zh": "记录哈希", "en": "record hash"},
        "lcmd.field.outcome": {"zh": "决策", "en": "outcome"},
        "lcmd.field.integrity": {"zh": "本条哈希", "en": "this record's hash"},
        "lcmd.field.ok": {"zh": "相符", "en": "matches"},
        "lcmd.field.bad": {"zh": "不符！", "en": "DOES NOT MATCH!"},
    }
)

F = TypeVar("F", bound=Callable[..., Any])

KeyEnvOption = Annotated[str | None, typer.Option("--key-env", help="存放 HMAC 密钥的环境变量名 / env var holding the key")]
KeyFileOption = Annotated[str | None, typer.Option("--key-file", help="HMAC 密钥文件 / file holding the key")]
LedgerArg = Annotated[str, typer.Argument(help="台账文件（SQLite）/ ledger file")]


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _handled(func: F) -> F:
    """Library errors become messages and exit codes (1 findings, 2 input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = normalize_lang(str(kwargs.get("lang", "zh")))
        try:
            return func(*args, **kwargs)
        except LedgerError as exc:
            _fail(exc.message(lang), 2 if exc.input_error else 1)
        except GateError as exc:
            _fail(t("lcmd.refused", lang) + "\n" + exc.message(lang), 1)
        except AuditInputError as exc:
            _fail(exc.message(lang), 2)
        except ProjectError as exc:
            _fail(t("lcmd.project_errors", lang) + "\n" + exc.render(lang), 2)
        except RuleSetError as exc:
            _fail(t("lcmd.ruleset_errors", lang) + "\n" + exc.render(lang), 2)
        except EngineError as exc:
            _fail(t("lcmd.engine", lang, detail=str(exc)), 3)
        except sqlite3.Error as exc:
            _fail(t("lcmd.sqlite", lang, detail=str(exc)), 2)
        except OSError as exc:
            _fail(t("lcmd.io", lang, detail=exc.strerror or str(exc)), 2)
        except ValueError as exc:
            _fail(t("lcmd.value", lang, detail=str(exc)), 2)

    return cast(F, wrapper)


def _key(key_env: str | None, key_file: str | None, lang: str) -> bytes | None:
    if key_env and key_file:
        _fail(t("lcmd.key_both", lang), 2)
    if key_env:
        value = os.environ.get(key_env, "")
        if not value:
            _fail(t("lcmd.key_env", lang, name=key_env), 2)
        return value.encode("utf-8")
    if key_file:
        try:
            raw = Path(key_file).read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            _fail(t("lcmd.key_file", lang, detail=exc.strerror or str(exc)), 2)
        if not raw:
            _fail(t("lcmd.key_file", lang, detail="empty"), 2)
        return raw
    return None


def _open(path: str, key: bytes | None) -> Ledger:
    ledger = Ledger(path, key=key, create=False)
    len(ledger)  # opens and checks the file and the key now
    return ledger


def _summary(record: LedgerRecord, lang: str) -> str:
    if record.kind == "decision":
        return t("lcmd.decision_outcome", lang, outcome=record.outcome, ref=record.ref_seq)
    assessment = record.assessment
    if assessment is None or not assessment.in_scope:
        return t("lcmd.out_of_scope", lang)
    text = f"{t(f'level.{assessment.level}', lang)}，{t(f'decision.{assessment.decision}', lang)}"
    if lang == "en":
        text = text.replace("，", ", ")
    if assessment.incomplete:
        text += ("，" if lang == "zh" else ", ") + t("lcmd.incomplete", lang)
    return text


def _echo_appended(record: LedgerRecord, lang: str) -> None:
    typer.echo(
        t(
            "lcmd.appended", lang, seq=record.seq, kind=t(f"lcmd.kind.{record.kind}", lang), id=record.project_id,
            summary=_summary(record, lang), actor=record.actor,
        )
    )
    typer.echo(t("lcmd.head", lang, head=record.record_hash))


PanelOption = Annotated[str | None, typer.Option("--panel", help="专家组评分汇总文件（PANEL.csv）")]


def _open_gate(
    project: str, rules: str, ledger: str, key_env: str | None, key_file: str | None, panel: str | None, lang: str
) -> tuple[Gate, Project]:
    """The gate over ``ledger`` for ``rules`` and the project (with its panel file, if any)."""
    key = _key(key_env, key_file, lang)
    ruleset = load_rules_or_exit(rules, lang)
    return Gate(ruleset, ledger=ledger, key=key), _with_panel(load_project(project), panel)


def _with_panel(project: Project, panel: str | None) -> Project:
    """The project with the panel's values and record from ``panel`` (``riskeval review aggregate``)."""
    if panel is None:
        return project
    from ..panel import apply_panel

    return apply_panel(project, panel)


def _check_format(format: str, lang: str) -> None:
    if format not in ("text", "json"):
        _fail(t("lcmd.bad_format", lang), 2)


def register(app: typer.Typer) -> None:
    """Add the ``ledger`` and ``gate`` groups and the ``audit`` command to ``app``."""
    ledger_app = typer.Typer(help="评估台账：核验、列出、查看、导出。/ The assessment ledger.", no_args_is_help=True)
    gate_app = typer.Typer(help="决策前置门槛：评估入账、放行检查、决策入账。/ The pre-decision gate.", no_args_is_help=True)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(gate_app, name="gate")

    @ledger_app.command("verify")
    @_handled
    def verify_cmd(
        path: LedgerArg,
        head: Annotated[str | None, typer.Option("--head", help="留存的链头哈希 / anchored head hash")] = None,
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """核验台账：每条记录的哈希、链接与（可选）留存的链头。/ Verify the hash chain."""
        lang = normalize_lang(lang)
        if head is not None and (len(head) != 64 or any(c not in "0123456789abcdefABCDEF" for c in head)):
            _fail(t("lcmd.bad_head", lang), 2)
        key = _key(key_env, key_file, lang)
        try:
            report = _open(path, key).verify(head=head)
        except LedgerError as exc:
            if exc.reason in ("wrong_key", "key_unexpected"):
                _fail(exc.message(lang), 1)
            raise
        if not report.ok:
            _fail(report.message(lang), 1)
        typer.echo(report.message(lang))

    @ledger_app.command("list")
    @_handled
    def list_cmd(
        path: LedgerArg,
        project: Annotated[str | None, typer.Option("--project", help="只列出该项目 / only this project")] = None,
        format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """列出台账记录。/ List the records."""
        lang = normalize_lang(lang)
        _check_format(format, lang)
        ledger = _open(path, _key(key_env, key_file, lang))
        count = 0
        for record in ledger.records(project_id=project):
            count += 1
            if format == "json":
                typer.echo(json.dumps(_brief(record), ensure_ascii=False))
                continue
            typer.echo(
                f"#{record.seq}  {record.ts}  {t(f'lcmd.kind.{record.kind}', lang)}  {record.project_id}  "
                f"{record.ruleset_id}@{record.ruleset_version}  {_summary(record, lang)}  {record.actor}  "
                f"{record.record_hash[:16]}"
            )
        if count == 0 and format == "text":
            typer.echo(t("lcmd.empty", lang))

    @ledger_app.command("show")
    @_handled
    def show_cmd(
        path: LedgerArg,
        ref: Annotated[str, typer.Argument(help="记录序号或哈希前缀 / record number or hash prefix")],
        format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """查看一条记录（含评估解释）。/ Show one record."""
        lang = normalize_lang(lang)
        _check_format(format, lang)
        ledger = _open(path, _key(key_env, key_file, lang))
        record = _find(ledger, ref, lang)
        if format == "json":
            data = record.to_dict()
            data["project"] = json.loads(record.project_json)
            data["assessment"] = json.loads(record.assessment_json) if record.assessment_json else None
            data["hash_ok"] = ledger.check(record)
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        ok = ledger.check(record)
        rows = [
            ("seq", record.seq),
            ("kind", t(f"lcmd.kind.{record.kind}", lang)),
            ("project_id", record.project_id),
            ("ruleset", f"{record.ruleset_id}@{record.ruleset_version} ({record.ruleset_hash[:16]})"),
            ("actor", record.actor),
            ("ts", record.ts),
            ("project_hash", record.project_hash),
            ("prev_hash", record.prev_hash),
            ("record_hash", record.record_hash),
            ("integrity", t("lcmd.field.ok" if ok else "lcmd.field.bad", lang)),
        ]
        if record.kind == "decision":
            rows.insert(3, ("outcome", f"{record.outcome} (#{record.ref_seq})"))
        for name, value in rows:
            typer.echo(f"{t(f'lcmd.field.{name}', lang)}: {value}")
        assessment = record.assessment
        if assessment is not None:
            typer.echo("")
            typer.echo(assessment.explain(lang))

    @ledger_app.command("export")
    @_handled
    def export_cmd(
        path: LedgerArg,
        out: Annotated[str, typer.Option("--out", help="输出 JSONL 文件 / output JSONL file")],
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """导出全部记录为 JSONL（字段原样，可据此重算哈希）。/ Export every record as JSONL."""
        lang = normalize_lang(lang)
        ledger = _open(path, _key(key_env, key_file, lang))
        target = Path(out)
        partial = target.with_name(target.name + ".partial")
        count, head = 0, ""
        with open(partial, "w", encoding="utf-8", newline="\n") as f:
            for record in ledger.records():
                f.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
                count, head = count + 1, record.record_hash
        os.replace(partial, target)
        typer.echo(t("lcmd.exported", lang, count=count, out=out, head=head or "-"))

    @ledger_app.command("head")
    @_handled
    def head_cmd(path: LedgerArg, key_env: KeyEnvOption = None, key_file: KeyFileOption = None, lang: LangOption = "zh") -> None:
        """打印链头哈希。/ Print the head hash."""
        lang = normalize_lang(lang)
        record = _open(path, _key(key_env, key_file, lang)).head()
        if record is None:
            _fail(t("lcmd.empty", lang), 1)
        typer.echo(record.record_hash)

    @app.command("audit")
    @_handled
    def audit_cmd(
        path: LedgerArg,
        decisions: Annotated[str, typer.Option("--decisions", help="决策清单 CSV：project_id,date[,outcome] / decisions taken")],
        rules: Annotated[str | None, typer.Option("--rules", help="现行规则集（默认按台账推断）/ rule set in force")] = None,
        tz: Annotated[str, typer.Option("--tz", help="无时区日期的时区 / zone of plain dates")] = "+08:00",
        format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """评估工作考核：列出没有有效事前评估的决策。/ Audit decisions against the ledger."""
        lang = normalize_lang(lang)
        _check_format(format, lang)
        zone = parse_tz(tz) if tz != "+08:00" else CHINA_TZ
        ruleset = load_rules_or_exit(rules, lang) if rules else None
        rows = read_decisions(decisions, zone)
        ledger = _open(path, _key(key_env, key_file, lang))
        report = audit(ledger, rows, ruleset)
        if format == "json":
            typer.echo(
                json.dumps(
                    {
                        "ok": report.ok,
                        "ledger_ok": report.integrity.ok,
                        "ledger": report.integrity.message(lang),
                        "decisions": report.total,
                        "findings": [f.to_dict(lang) for f in report.findings],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            typer.echo(report.message(lang))
        if not report.ok:
            raise typer.Exit(1)

    @gate_app.command("assess")
    @_handled
    def gate_assess_cmd(
        project: Annotated[str, typer.Argument(help="项目文件（YAML 或 JSON）")],
        rules: Annotated[str, typer.Option("--rules", help="规则集名称或文件")],
        ledger: Annotated[str, typer.Option("--ledger", help="台账文件（不存在则新建）")],
        actor: Annotated[str, typer.Option("--actor", help="评估人 / who assesses")],
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        panel: PanelOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """评估项目并记入台账，打印新的链头哈希。/ Assess, append, print the head hash."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(project, rules, ledger, key_env, key_file, panel, lang)
        gate.assess(proj, actor=actor)
        assert gate.last_record is not None
        _echo_appended(gate.last_record, lang)
        try:
            record = gate.require(proj)
        except GateError as exc:
            typer.echo(t("lcmd.refused", lang) + "\n" + exc.message(lang))
        else:
            typer.echo(t("lcmd.pass", lang, seq=record.seq, summary=_summary(record, lang)))

    @gate_app.command("require")
    @_handled
    def gate_require_cmd(
        project: Annotated[str, typer.Argument(help="项目文件（YAML 或 JSON）")],
        rules: Annotated[str, typer.Option("--rules", help="规则集名称或文件")],
        ledger: Annotated[str, typer.Option("--ledger", help="台账文件")],
        actor: Annotated[str | None, typer.Option("--actor", help="经办人（仅用于“无需评估”记录）")] = None,
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        panel: PanelOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """检查项目能否决策：通过退出 0，否则说明原因并退出 1。/ Check the gate (exit 0 pass, 1 refused)."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(project, rules, ledger, key_env, key_file, panel, lang)
        record = gate.require(proj, actor=actor)
        if gate.last_record is not None:
            _echo_appended(gate.last_record, lang)
        typer.echo(t("lcmd.pass", lang, seq=record.seq, summary=_summary(record, lang)))

    @gate_app.command("decide")
    @_handled
    def gate_decide_cmd(
        project: Annotated[str, typer.Argument(help="项目文件（YAML 或 JSON）")],
        rules: Annotated[str, typer.Option("--rules", help="规则集名称或文件")],
        ledger: Annotated[str, typer.Option("--ledger", help="台账文件")],
        outcome: Annotated[str, typer.Option("--outcome", help="决策内容，如 批准实施 / what was decided")],
        actor: Annotated[str, typer.Option("--actor", help="决策人 / who decided")],
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        panel: PanelOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """记入决策（门槛不通过则拒绝并退出 1）。/ Record a decision (refused unless the gate passes)."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(project, rules, ledger, key_env, key_file, panel, lang)
        record = gate.record_decision(proj, outcome, actor)
        _echo_appended(record, lang)


def _brief(record: LedgerRecord) -> dict[str, Any]:
    assessment = record.assessment
    return {
        "seq": record.seq,
        "kind": record.kind,
        "project_id": record.project_id,
        "ruleset": f"{record.ruleset_id}@{record.ruleset_version}",
        "in_scope": assessment.in_scope if assessment else None,
        "level": assessment.level if assessment else None,
        "decision": assessment.decision if assessment else None,
        "incomplete": assessment.incomplete if assessment else None,
        "outcome": record.outcome,
        "actor": record.actor,
        "ts": record.ts,
        "record_hash": record.record_hash,
    }


def _find(ledger: Ledger, ref: str, lang: str) -> LedgerRecord:
    text = ref.strip().lstrip("#")
    if text.isdigit() and len(text) < 12:
        record = ledger.get(int(text))
        if record is None:
            _fail(t("lcmd.no_record", lang, ref=ref), 2)
        return record
    if len(text) < 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        _fail(t("lcmd.no_record", lang, ref=ref), 2)
    found = ledger.find(text)
    if not found:
        _fail(t("lcmd.no_record", lang, ref=ref), 2)
    if len(found) > 1:
        _fail(t("lcmd.ambiguous", lang, ref=ref), 2)
    return found[0]
