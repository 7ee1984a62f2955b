"""``riskeval ledger ...``, ``riskeval receipt verify``, ``riskeval audit`` and ``riskeval gate ...``.

A shell: each command parses typed options, calls one library function (:mod:`riskeval.ledger`,
:mod:`riskeval.gate`), prints what the library formats, and maps errors through
:func:`riskeval.errors.exit_code_for` (0 ok; 1 findings: tampering, a refusal, an invalid receipt;
2 usage or unreadable input). Messages are Chinese by default, English with ``--lang en``.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar, cast

import typer

from ..errors import EXIT_PROBLEMS, EXIT_USAGE
from ..gate import Gate, GateError, audit, read_decisions
from ..gate.audit import CHINA_TZ, parse_tz
from ..i18n import normalize_lang, register_messages, t
from ..ledger import (
    Checkpoint,
    Ledger,
    LedgerRecord,
    generate_keys,
    load_public_key,
    migrate,
    migrate_in_place,
)
from ..ledger.views import (
    export_jsonl,
    record_brief,
    record_detail,
    record_line,
    record_lines,
    record_summary,
    unsigned_note,
)
from ..model.project import Project
from ..pipeline import load_project
from ..ruleset import load_ruleset
from ..ruleset.compiled import RuleSet
from .common import LangOption, ProjectFileArg, RulesOption

__all__ = ["register"]

register_messages(
    {
        "lcmd.key_both": {"zh": "--key-env 与 --key-file 只能用一个", "en": "use either --key-env or --key-file, not both"},
        "lcmd.key_env": {"zh": "环境变量 {name} 未设置或为空", "en": "environment variable {name} is unset or empty"},
        "lcmd.key_file": {"zh": "无法读取密钥文件：{detail}", "en": "cannot read the key file: {detail}"},
        "lcmd.bad_head": {"zh": "--head 应为 64 位十六进制哈希", "en": "--head must be a 64-digit hex hash"},
        "lcmd.bad_json": {"zh": "无法读取 {path}：{detail}", "en": "cannot read {path}: {detail}"},
        "lcmd.out_or_in_place": {"zh": "请给出 --out 或 --in-place 之一", "en": "give one of --out or --in-place"},
        "lcmd.backup": {"zh": "旧台账已留作 {backup}", "en": "the old ledger is kept as {backup}"},
        "lcmd.old_needed": {"zh": "请给出 --old 或 --old-size 之一", "en": "give one of --old or --old-size"},
        "lcmd.empty": {"zh": "台账中没有记录", "en": "the ledger holds no records"},
        "lcmd.exported": {"zh": "已导出 {count} 条记录到 {out}；链头哈希 {head}", "en": "exported {count} records to {out}; head hash {head}"},
        "lcmd.appended": {
            "zh": "已记入台账：第 {seq} 号记录（{kind}，项目 {id}，{summary}，记录人 {actor}）",
            "en": "recorded in the ledger: record #{seq} ({kind}, project {id}, {summary}, by {actor})",
        },
        "lcmd.head": {
            "zh": "链头哈希：{head}\n（留存在决策文件中；日后用 riskeval ledger receipt 取回执，或 riskeval ledger verify --head 核对）",
            "en": "head hash: {head}\n(keep it in the decision document; get a receipt with riskeval ledger receipt, or check "
            "with riskeval ledger verify --head)",
        },
        "lcmd.pass": {
            "zh": "门槛：通过（依据台账第 {seq} 号记录，{summary}）",
            "en": "gate: passed (ledger record #{seq}, {summary})",
        },
        "lcmd.value": {"zh": "输入无效：{detail}", "en": "invalid input: {detail}"},
        "lcmd.io": {"zh": "读写失败：{detail}", "en": "read/write failure: {detail}"},
        "lcmd.sqlite": {"zh": "台账读写失败：{detail}", "en": "ledger read/write failure: {detail}"},
        "lcmd.keygen": {
            "zh": "已生成签名密钥：{key}（私钥，权限 0600，只给写台账的门槛使用）\n公钥：{pub}（交给核验方）\n公钥指纹：{fp}",
            "en": "signing key written: {key} (private, mode 0600, for the gate that writes the ledger only)\n"
            "public key: {pub} (give it to verifiers)\nfingerprint: {fp}",
        },
        "lcmd.receipt": {
            "zh": "已写出第 {seq} 号记录的回执：{out}（检查点 {size} 条记录{signed}）",
            "en": "receipt of record #{seq} written to {out} (checkpoint of {size} records{signed})",
        },
        "lcmd.receipt_unsigned": {"zh": "，未签名", "en": ", unsigned"},
        "lcmd.migrated": {
            "zh": "已核验旧台账并改写为签名台账 {out}：{count} 条记录，原链头哈希 {old}，检查点根哈希 {root}",
            "en": "the old ledger verified and was re-written signed to {out}: {count} records, old head hash {old}, "
            "checkpoint root {root}",
        },
    }
)

F = TypeVar("F", bound=Callable[..., Any])
Format = Literal["text", "json"]

LedgerArg = Annotated[str, typer.Argument(help="台账文件（SQLite）/ ledger file")]
FormatOption = Annotated[Format, typer.Option("--format", help="text | json")]
SigningKeyOption = Annotated[
    Path | None,
    typer.Option("--signing-key", envvar="RISKEVAL_SIGNING_KEY", help="签名私钥 signing.key / Ed25519 signing key"),
]
PublicKeyOption = Annotated[
    Path | None,
    typer.Option("--public-key", envvar="RISKEVAL_PUBLIC_KEY", help="核验用公钥 signing.pub / public key"),
]
RequireSignedOption = Annotated[bool, typer.Option("--require-signed", help="拒绝未签名台账 / refuse an unsigned ledger")]
KeyEnvOption = Annotated[str | None, typer.Option("--key-env", help="旧台账 HMAC 密钥所在环境变量 / env var with the old HMAC key")]
KeyFileOption = Annotated[Path | None, typer.Option("--key-file", help="旧台账 HMAC 密钥文件 / file with the old HMAC key")]
LedgerOption = Annotated[str, typer.Option("--ledger", help="台账文件")]
PanelOption = Annotated[str | None, typer.Option("--panel", help="专家组评分汇总文件（PANEL.csv）")]


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _handled(func: F) -> F:
    """Database, file and value errors that escape the ledger library become usage errors (exit 2);
    riskeval's own errors travel on to the command group, which reports them."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = normalize_lang(str(kwargs.get("lang", "zh")))
        try:
            return func(*args, **kwargs)
        except sqlite3.Error as exc:
            _fail(t("lcmd.sqlite", lang, detail=str(exc)), EXIT_USAGE)
        except OSError as exc:
            _fail(t("lcmd.io", lang, detail=exc.strerror or str(exc)), EXIT_USAGE)
        except ValueError as exc:
            _fail(t("lcmd.value", lang, detail=str(exc)), EXIT_USAGE)

    return cast(F, wrapper)


def _note(ledger: Ledger, lang: str) -> None:
    """Say "unsigned" on every command that uses an unsigned ledger (on stderr)."""
    note = unsigned_note(ledger, lang)
    if note is not None:
        typer.echo(note, err=True)


def _reader(path: str, lang: str, public_key: Path | None = None) -> Ledger:
    """A read-only ledger that exists and is of this format (never created)."""
    ledger = Ledger(path, create=False, read_only=True, public_key=public_key)
    ledger.meta()
    _note(ledger, lang)
    return ledger


def _read_json(path: Path, lang: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(t("lcmd.bad_json", lang, path=str(path), detail=str(exc)), EXIT_USAGE)


def _hmac_key(key_env: str | None, key_file: Path | None, lang: str) -> bytes | None:
    if key_env and key_file:
        _fail(t("lcmd.key_both", lang), EXIT_USAGE)
    if key_env:
        value = os.environ.get(key_env, "")
        if not value:
            _fail(t("lcmd.key_env", lang, name=key_env), EXIT_USAGE)
        return value.encode("utf-8")
    if key_file:
        try:
            raw = key_file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            _fail(t("lcmd.key_file", lang, detail=exc.strerror or str(exc)), EXIT_USAGE)
        if not raw:
            _fail(t("lcmd.key_file", lang, detail="empty"), EXIT_USAGE)
        return raw
    return None


def _echo_appended(record: LedgerRecord, lang: str) -> None:
    kind = t(f"ledger.view.kind.{record.kind}", lang)
    summary = record_summary(record, lang)
    typer.echo(t("lcmd.appended", lang, seq=record.seq, kind=kind, id=record.project_id, summary=summary, actor=record.actor))
    typer.echo(t("lcmd.head", lang, head=record.record_hash))


def _open_gate(
    project: str,
    rules: str,
    ledger: str,
    signing_key: Path | None,
    public_key: Path | None,
    require_signed: bool,
    panel: str | None,
    lang: str,
    strict: bool = True,
) -> tuple[Gate, Project]:
    """The gate over ``ledger`` for ``rules`` and the project (with its panel file, if any)."""
    ruleset: RuleSet = load_ruleset(rules)
    gate = Gate(
        ruleset,
        ledger=ledger,
        signing_key=signing_key,
        public_key=public_key,
        require_signed=require_signed,
        strict=strict,
    )
    proj = _with_panel(load_project(project), panel)
    if Path(ledger).is_file() or signing_key is None:
        _note(gate.ledger, lang)
    return gate, proj


def _with_panel(project: Project, panel: str | None) -> Project:
    """The project with the panel's values and record from ``panel`` (``riskeval review aggregate``)."""
    if panel is None:
        return project
    from ..panel_scores import apply_panel

    return apply_panel(project, panel)


def register(app: typer.Typer) -> None:
    """Add the ``ledger``, ``receipt`` and ``gate`` groups and the ``audit`` command to ``app``."""
    ledger_app = typer.Typer(help="评估台账：密钥、核验、回执、列出、导出。/ The assessment ledger.", no_args_is_help=True)
    receipt_app = typer.Typer(help="回执：离线核验。/ Receipts, verified offline.", no_args_is_help=True)
    gate_app = typer.Typer(help="决策前置门槛：评估入账、放行检查、决策入账。/ The pre-decision gate.", no_args_is_help=True)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(receipt_app, name="receipt")
    app.add_typer(gate_app, name="gate")
    from .ledger_proofs import register_proofs
    from .tracking_cmd import register_tracking

    _register_ledger(ledger_app)
    register_proofs(ledger_app, receipt_app)
    _register_gate(app, gate_app)
    register_tracking(gate_app)


def _register_ledger(ledger_app: typer.Typer) -> None:
    @ledger_app.command("keygen")
    @_handled
    def keygen_cmd(
        out: Annotated[Path, typer.Option("--out", help="写入 signing.key 与 signing.pub 的目录 / directory")],
        force: Annotated[bool, typer.Option("--force", help="覆盖已有密钥 / overwrite")] = False,
        lang: LangOption = "zh",
    ) -> None:
        """生成 Ed25519 签名密钥对。/ Write DIR/signing.key (0600) and DIR/signing.pub."""
        lang = normalize_lang(lang)
        key_path, pub_path = generate_keys(out, overwrite=force)
        typer.echo(t("lcmd.keygen", lang, key=key_path, pub=pub_path, fp=load_public_key(pub_path).fingerprint))

    @ledger_app.command("verify")
    @_handled
    def verify_cmd(
        path: LedgerArg,
        public_key: PublicKeyOption = None,
        head: Annotated[str | None, typer.Option("--head", help="留存的链头哈希 / anchored head hash")] = None,
        checkpoint: Annotated[Path | None, typer.Option("--checkpoint", help="留存的检查点或回执 JSON / anchored checkpoint")] = None,
        jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="并行进程数 / processes")] = None,
        signatures: Annotated[
            Literal["all", "latest"],
            typer.Option("--signatures", help="核对全部检查点签名，或只核对最新的（它覆盖全部记录）/ all | latest"),
        ] = "all",
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """核验台账：逐条重算叶哈希，核对每个检查点签名。/ Verify every record and checkpoint (exit 1 on any failure)."""
        lang = normalize_lang(lang)
        if head is not None and (len(head) != 64 or any(c not in "0123456789abcdefABCDEF" for c in head)):
            _fail(t("lcmd.bad_head", lang), EXIT_USAGE)
        anchor = None
        if checkpoint is not None:
            data = _read_json(checkpoint, lang)
            try:
                anchor = Checkpoint.from_dict(data.get("checkpoint", data) if isinstance(data, dict) else {})
            except ValueError as exc:
                _fail(t("lcmd.bad_json", lang, path=str(checkpoint), detail=str(exc)), EXIT_USAGE)
        ledger = Ledger(path, create=False, read_only=True)
        report = ledger.verify(
            head=head, public_key=public_key, anchor=anchor, jobs=jobs, every_signature=signatures == "all"
        )
        text = json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2) if format == "json" else report.message(lang)
        if not report.ok:
            _fail(text, EXIT_PROBLEMS)
        typer.echo(text)

    @ledger_app.command("list")
    @_handled
    def list_cmd(
        path: LedgerArg,
        project: Annotated[str | None, typer.Option("--project", help="只列出该项目 / only this project")] = None,
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """列出台账记录。/ List the records."""
        lang = normalize_lang(lang)
        count = 0
        for record in _reader(path, lang).records(project_id=project):
            count += 1
            typer.echo(json.dumps(record_brief(record), ensure_ascii=False) if format == "json" else record_line(record, lang))
        if count == 0 and format == "text":
            typer.echo(t("lcmd.empty", lang))

    @ledger_app.command("show")
    @_handled
    def show_cmd(
        path: LedgerArg,
        ref: Annotated[str, typer.Argument(help="记录序号或哈希前缀 / record number or hash prefix")],
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """查看一条记录（含评估解释）。/ Show one record."""
        lang = normalize_lang(lang)
        ledger = _reader(path, lang)
        record = ledger.lookup(ref)
        if format == "json":
            typer.echo(json.dumps(record_detail(ledger, record), ensure_ascii=False, indent=2))
        else:
            typer.echo("\n".join(record_lines(ledger, record, lang)))

    @ledger_app.command("export")
    @_handled
    def export_cmd(
        path: LedgerArg,
        out: Annotated[str, typer.Option("--out", help="输出 JSONL 文件（--filing 时为 zip）/ output JSONL file (zip with --filing)")],
        filing: Annotated[bool, typer.Option("--filing", help="写出备案包 / write a filing package")] = False,
        since: Annotated[int | None, typer.Option("--since", help="备案起始记录号 / first record to file")] = None,
        public_key: PublicKeyOption = None,
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """导出全部记录为 JSONL，或写出备案包（--filing --since）。/ Export records as JSONL, or a filing package."""
        lang = normalize_lang(lang)
        if filing or since is not None:
            from .filing_cmd import export_filing_command

            export_filing_command(path, 1 if since is None else since, out, public_key, format, lang)
            return
        count, head = export_jsonl(_reader(path, lang), out)
        typer.echo(t("lcmd.exported", lang, count=count, out=out, head=head or "-"))

    @ledger_app.command("head")
    @_handled
    def head_cmd(path: LedgerArg, lang: LangOption = "zh") -> None:
        """打印链头哈希。/ Print the head hash."""
        lang = normalize_lang(lang)
        record = _reader(path, lang).head()
        if record is None:
            _fail(t("lcmd.empty", lang), EXIT_PROBLEMS)
        typer.echo(record.record_hash)

    @ledger_app.command("migrate")
    @_handled
    def migrate_cmd(
        old: LedgerArg,
        signing_key: Annotated[
            Path, typer.Option("--signing-key", envvar="RISKEVAL_SIGNING_KEY", help="签名私钥 / signing key")
        ],
        out: Annotated[Path | None, typer.Option("--out", help="新的签名台账 / the new signed ledger")] = None,
        in_place: Annotated[
            bool, typer.Option("--in-place", help="原地改写，旧文件留作 .bak / replace it, keep OLD.bak")
        ] = False,
        key_env: KeyEnvOption = None,
        key_file: KeyFileOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """核验旧台账（HMAC 或未签名）并改写为签名台账。/ Verify an old ledger and re-write it signed."""
        lang = normalize_lang(lang)
        if (out is None) == (not in_place):
            _fail(t("lcmd.out_or_in_place", lang), EXIT_USAGE)
        hmac_key = _hmac_key(key_env, key_file, lang)
        if out is not None:
            result = migrate(old, out, signing_key, hmac_key=hmac_key)
        else:
            result = migrate_in_place(old, signing_key, hmac_key=hmac_key)
            typer.echo(t("lcmd.backup", lang, backup=result.backup))
        typer.echo(
            t("lcmd.migrated", lang, out=result.path, count=result.count, old=result.old_head or "-", root=result.checkpoint.root)
        )


def _register_gate(app: typer.Typer, gate_app: typer.Typer) -> None:
    @app.command("audit")
    @_handled
    def audit_cmd(
        path: LedgerArg,
        decisions: Annotated[str, typer.Option("--decisions", help="决策清单 CSV：project_id,date[,outcome] / decisions taken")],
        rules: Annotated[str | None, typer.Option("--rules", help="现行规则集（默认按台账推断）/ rule set in force")] = None,
        tz: Annotated[str, typer.Option("--tz", help="无时区日期的时区 / zone of plain dates")] = "+08:00",
        public_key: PublicKeyOption = None,
        scheme: Annotated[Path | None, typer.Option("--scheme", help="考核方案 YAML / audit scheme")] = None,
        period: Annotated[str | None, typer.Option("--period", help="考核期间，如 2026、2026-Q1 / audit period")] = None,
        out: Annotated[Path | None, typer.Option("--out", help="考核结果 .xlsx / workbook to write")] = None,
        format: FormatOption = "text",
        lang: LangOption = "zh",
    ) -> None:
        """评估工作考核：列出没有有效事前评估的决策；给出 --scheme 时按方案评分排名。/ Audit decisions; score units with --scheme."""
        lang = normalize_lang(lang)
        zone = parse_tz(tz) if tz != "+08:00" else CHINA_TZ
        if scheme is not None or period is not None or out is not None:
            from .kaohe_cmd import audit_scheme_command

            if scheme is None or period is None:
                _fail(t("kcmd.period_needed", lang), EXIT_USAGE)
            audit_scheme_command(_reader(path, lang, public_key), decisions, scheme, period, zone, out, format, lang)
            return
        ruleset = load_ruleset(rules) if rules else None
        rows = read_decisions(decisions, zone)
        report = audit(_reader(path, lang, public_key), rows, ruleset)
        if format == "json":
            typer.echo(json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2))
        else:
            typer.echo(report.message(lang))
        if not report.ok:
            raise typer.Exit(EXIT_PROBLEMS)

    @gate_app.command("assess")
    @_handled
    def gate_assess_cmd(
        project: ProjectFileArg,
        rules: RulesOption,
        ledger: Annotated[str, typer.Option("--ledger", help="台账文件（不存在则新建）")],
        actor: Annotated[str, typer.Option("--actor", help="评估人 / who assesses")],
        signing_key: SigningKeyOption = None,
        public_key: PublicKeyOption = None,
        require_signed: RequireSignedOption = False,
        panel: PanelOption = None,
        lenient: Annotated[
            bool, typer.Option("--lenient", help="未知事实（规则集未声明、也不是标准事实）只提示、不报错")
        ] = False,
        lang: LangOption = "zh",
    ) -> None:
        """评估项目并记入台账，打印新的链头哈希。/ Assess, append, print the head hash."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(
            project, rules, ledger, signing_key, public_key, require_signed, panel, lang, strict=not lenient
        )
        gate.assess(proj, actor=actor)
        assert gate.last_record is not None
        _echo_appended(gate.last_record, lang)
        try:
            record = gate.require(proj)
        except GateError as exc:
            typer.echo(t("cli.refused", lang) + "\n" + exc.message(lang))
        else:
            typer.echo(t("lcmd.pass", lang, seq=record.seq, summary=record_summary(record, lang)))

    @gate_app.command("require")
    @_handled
    def gate_require_cmd(
        project: ProjectFileArg,
        rules: RulesOption,
        ledger: LedgerOption,
        actor: Annotated[str | None, typer.Option("--actor", help="经办人（仅用于“无需评估”记录）")] = None,
        signing_key: SigningKeyOption = None,
        public_key: PublicKeyOption = None,
        require_signed: RequireSignedOption = False,
        panel: PanelOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """检查项目能否决策：通过退出 0，否则说明原因并退出 1。/ Check the gate (exit 0 pass, 1 refused)."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(project, rules, ledger, signing_key, public_key, require_signed, panel, lang)
        record = gate.require(proj, actor=actor)
        if gate.last_record is not None:
            _echo_appended(gate.last_record, lang)
        typer.echo(t("lcmd.pass", lang, seq=record.seq, summary=record_summary(record, lang)))

    @gate_app.command("decide")
    @_handled
    def gate_decide_cmd(
        project: ProjectFileArg,
        rules: RulesOption,
        ledger: LedgerOption,
        outcome: Annotated[str, typer.Option("--outcome", help="决策内容，如 批准实施 / what was decided")],
        actor: Annotated[str, typer.Option("--actor", help="决策人 / who decided")],
        signing_key: SigningKeyOption = None,
        public_key: PublicKeyOption = None,
        require_signed: RequireSignedOption = False,
        panel: PanelOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """记入决策（门槛不通过则拒绝并退出 1）。/ Record a decision (refused unless the gate passes)."""
        lang = normalize_lang(lang)
        gate, proj = _open_gate(project, rules, ledger, signing_key, public_key, require_signed, panel, lang)
        record = gate.record_decision(proj, outcome, actor)
        _echo_appended(record, lang)
