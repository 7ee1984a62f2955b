"""``riskeval ledger checkpoint|receipt|consistency|report`` and ``riskeval receipt verify`` (registered by
``ledger_cmd``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import EXIT_PROBLEMS, EXIT_USAGE
from ..i18n import normalize_lang, register_messages, t
from ..ledger import (
    Checkpoint,
    load_public_key,
    make_consistency,
    make_receipt,
    verify_consistency_data,
    verify_receipt,
)
from .common import LangOption
from .ledger_cmd import LedgerArg, PublicKeyOption, _fail, _handled, _read_json, _reader

__all__ = ["register_proofs", "report_receipt"]

register_messages(
    {
        "lcmd.report_not_docx": {"zh": "--out 须为 .docx 文件：{path}", "en": "--out must be a .docx file: {path}"},
        "lcmd.report_not_assessment": {
            "zh": "第 {seq} 号记录不是评估记录（是决策记录），没有可写成报告的评估",
            "en": "record #{seq} is not an assessment record (it is a decision); there is no assessment to report",
        },
        "lcmd.report_written": {
            "zh": "已写出第 {seq} 号记录的稳评报告（附台账凭证）：{path}",
            "en": "wrote the assessment report of record #{seq} (with its ledger receipt): {path}",
        },
    }
)


def report_receipt(receipt: dict[str, Any], head: str | None) -> dict[str, Any]:
    """The fields the Word report's 附件：台账凭证 shows, from a receipt of :func:`riskeval.ledger.make_receipt`:
    sequence number, record hash, ``head`` (the hash of the ledger's last record), rule set id/version/hash,
    time.

    Examples
    --------
    >>> report_receipt({"seq": 2, "leaf_hash": "ab",
    ...                 "record": {"ruleset_id": "x", "ruleset_version": "1", "ruleset_hash": "ef", "ts": "t"}}, "cd")
    {'seq': 2, 'record_hash': 'ab', 'head': 'cd', 'ruleset_id': 'x', 'ruleset_version': '1', 'ruleset_hash': 'ef', 'time': 't'}
    """
    record = receipt.get("record") or {}
    return {
        "seq": receipt.get("seq"),
        "record_hash": record.get("record_hash") or receipt.get("leaf_hash"),
        "head": head,
        "ruleset_id": record.get("ruleset_id"),
        "ruleset_version": record.get("ruleset_version"),
        "ruleset_hash": record.get("ruleset_hash"),
        "time": record.get("ts"),
    }


def register_proofs(ledger_app: typer.Typer, receipt_app: typer.Typer) -> None:
    """Add the checkpoint, receipt and consistency commands to ``ledger`` and ``verify`` to ``receipt``."""
    @ledger_app.command("checkpoint")
    @_handled
    def checkpoint_cmd(
        path: LedgerArg,
        public_key: PublicKeyOption = None,
        out: Annotated[Path | None, typer.Option("--out", help="写入 JSON 文件 / write to a JSON file")] = None,
        lang: LangOption = "zh",
    ) -> None:
        """打印最新的签名检查点（核验后），供留存。/ Print the latest checkpoint, after verifying."""
        lang = normalize_lang(lang)
        ledger = _reader(path, lang, public_key)
        ledger.ensure_verified()
        cp = ledger.checkpoint()
        assert cp is not None
        text = json.dumps(cp.to_dict(), ensure_ascii=False, indent=2)
        if out is not None:
            out.write_text(text + "\n", encoding="utf-8")
        typer.echo(text)

    @ledger_app.command("receipt")
    @_handled
    def receipt_cmd(
        path: LedgerArg,
        seq: Annotated[int, typer.Argument(min=1, help="记录序号 / record number")],
        out: Annotated[Path, typer.Option("--out", help="回执 JSON 文件 / receipt file")],
        public_key: PublicKeyOption = None,
        lang: LangOption = "zh",
    ) -> None:
        """写出一条记录的回执（包含证明 + 签名检查点）。/ Write a record's receipt."""
        lang = normalize_lang(lang)
        data = make_receipt(_reader(path, lang, public_key), seq)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        signed = "" if data["signed"] else t("lcmd.receipt_unsigned", lang)
        typer.echo(t("lcmd.receipt", lang, seq=seq, out=out, size=data["checkpoint"]["size"], signed=signed))

    @ledger_app.command("consistency")
    @_handled
    def consistency_cmd(
        path: LedgerArg,
        old: Annotated[Path | None, typer.Option("--old", help="留存的旧检查点（或回执）JSON / old checkpoint")] = None,
        old_size: Annotated[int | None, typer.Option("--old-size", min=0, help="台账中旧检查点的记录数 / old size")] = None,
        public_key: PublicKeyOption = None,
        out: Annotated[Path | None, typer.Option("--out", help="写出一致性证明 JSON / write the proof")] = None,
        lang: LangOption = "zh",
    ) -> None:
        """证明最新检查点是旧检查点的延续（只有追加）。/ Prove the latest checkpoint extends an old one."""
        lang = normalize_lang(lang)
        if (old is None) == (old_size is None):
            _fail(t("lcmd.old_needed", lang), EXIT_USAGE)
        ledger = _reader(path, lang, public_key)
        base: Checkpoint | int
        if old is not None:
            data = _read_json(old, lang)
            try:
                base = Checkpoint.from_dict(data.get("checkpoint", data) if isinstance(data, dict) else {})
            except ValueError as exc:
                _fail(t("lcmd.bad_json", lang, path=str(old), detail=str(exc)), EXIT_USAGE)
        else:
            assert old_size is not None
            base = old_size
        proof, report = make_consistency(ledger, base, load_public_key(public_key) if public_key else None)
        if out is not None:
            out.write_text(json.dumps(proof, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if not report.ok:
            _fail(report.message(lang), EXIT_PROBLEMS)
        typer.echo(report.message(lang))

    @ledger_app.command("report")
    @_handled
    def report_cmd(
        path: LedgerArg,
        seq: Annotated[int, typer.Argument(min=1, help="记录序号 / record number")],
        out: Annotated[Path, typer.Option("--out", help="输出的 Word 文件（.docx）/ the report")],
        public_key: PublicKeyOption = None,
        template: Annotated[
            Path | None, typer.Option("--template", help="自己的 Word 模板（.docx）/ your own template")
        ] = None,
        lang: LangOption = "zh",
    ) -> None:
        """写出台账中一条评估记录的稳评报告（Word，附台账凭证）。/ The Word report of a recorded assessment."""
        from ..report.docx import write_report

        lang = normalize_lang(lang)
        if out.suffix.lower() != ".docx":
            _fail(t("lcmd.report_not_docx", lang, path=str(out)), EXIT_USAGE)
        ledger = _reader(path, lang, public_key)
        receipt = make_receipt(ledger, seq)  # verifies the ledger and the record first
        record = ledger.get(seq)
        assessment = record.assessment if record is not None else None
        if assessment is None:
            _fail(t("lcmd.report_not_assessment", lang, seq=seq), EXIT_PROBLEMS)
        last = ledger.head()
        data = report_receipt(receipt, last.record_hash if last is not None else None)
        written = write_report(assessment, out, template=template, receipt=data, lang=lang)
        typer.echo(t("lcmd.report_written", lang, seq=seq, path=str(written)))

    @receipt_app.command("verify")
    @_handled
    def receipt_verify_cmd(
        receipt: Annotated[Path, typer.Argument(help="回执或一致性证明 JSON / receipt file")],
        public_key: PublicKeyOption = None,
        allow_unsigned: Annotated[bool, typer.Option("--allow-unsigned", help="接受未签名回执 / accept unsigned")] = False,
        lang: LangOption = "zh",
    ) -> None:
        """离线核验回执（不需要台账）：有效退出 0，否则 1。/ Verify a receipt offline (exit 0 valid, 1 not)."""
        lang = normalize_lang(lang)
        data = _read_json(receipt, lang)
        key = load_public_key(public_key) if public_key is not None else None
        if not isinstance(data, dict):
            data = {}
        if str(data.get("format", "")).startswith("riskeval-consistency"):
            report = verify_consistency_data(data, key)
        else:
            report = verify_receipt(data, key, allow_unsigned=allow_unsigned)
        if not report.ok:
            _fail(report.message(lang), EXIT_PROBLEMS)
        typer.echo(report.message(lang))


