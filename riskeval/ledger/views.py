"""What the shells show of a ledger: record summaries, the list's JSON, a record's detail, export.

Every shell (the CLI, the HTTP service) prints what these functions return.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..i18n import normalize_lang, register_messages, t
from .records import LedgerRecord
from .store import Ledger

__all__ = ["export_jsonl", "record_brief", "record_detail", "record_line", "record_lines", "record_summary", "unsigned_note"]

register_messages(
    {
        "ledger.view.out_of_scope": {"zh": "不属于须评估事项", "en": "out of scope"},
        "ledger.view.kind.assessment": {"zh": "评估", "en": "assessment"},
        "ledger.view.kind.decision": {"zh": "决策", "en": "decision"},
        "ledger.view.kind.activation": {"zh": "启用规则集", "en": "rule set activated"},
        "ledger.view.activation": {
            "zh": "启用规则集 {ruleset} 版本 {version}",
            "en": "rule set {ruleset} version {version} activated",
        },
        "ledger.view.kind.tracking": {"zh": "跟踪评估", "en": "tracking"},
        "ledger.view.kind.measure": {"zh": "措施进展", "en": "measure"},
        "ledger.view.escalated": {"zh": "风险升级（决策时为{previous}）", "en": "escalated (was {previous} at the decision)"},
        "ledger.view.tracking_ref": {"zh": "跟踪第 {ref} 号决策", "en": "tracking decision #{ref}"},
        "ledger.view.measure_status": {"zh": "措施 {measure}：{status}", "en": "measure {measure}: {status}"},
        "ledger.view.status.planned": {"zh": "计划", "en": "planned"},
        "ledger.view.status.in_progress": {"zh": "落实中", "en": "in progress"},
        "ledger.view.status.done": {"zh": "已完成", "en": "done"},
        "ledger.view.incomplete": {"zh": "评估不完整", "en": "incomplete"},
        "ledger.view.level_decision": {"zh": "{level}，{decision}", "en": "{level}, {decision}"},
        "ledger.view.and": {"zh": "{a}，{b}", "en": "{a}, {b}"},
        "ledger.view.decision_outcome": {"zh": "决策：{outcome}（依据第 {ref} 号记录）", "en": "decision: {outcome} (on record #{ref})"},
        "ledger.view.field.seq": {"zh": "序号", "en": "seq"},
        "ledger.view.field.kind": {"zh": "类型", "en": "kind"},
        "ledger.view.field.project_id": {"zh": "项目编号", "en": "project"},
        "ledger.view.field.ruleset": {"zh": "规则集", "en": "rule set"},
        "ledger.view.field.actor": {"zh": "记录人", "en": "actor"},
        "ledger.view.field.ts": {"zh": "时间（UTC）", "en": "time (UTC)"},
        "ledger.view.field.project_hash": {"zh": "项目哈希", "en": "project hash"},
        "ledger.view.field.prev_hash": {"zh": "前一记录哈希", "en": "previous hash"},
        "ledger.view.field.record_hash": {"zh": "记录哈希", "en": "record hash"},
        "ledger.view.field.outcome": {"zh": "决策", "en": "outcome"},
        "ledger.view.field.integrity": {"zh": "本条哈希", "en": "this record's hash"},
        "ledger.view.field.ok": {"zh": "相符", "en": "matches"},
        "ledger.view.field.bad": {"zh": "不符！", "en": "DOES NOT MATCH!"},
        "ledger.view.unsigned": {
            "zh": "注意：台账未签名（仅供本地试用）",
            "en": "note: the ledger is unsigned (local trials only)",
        },
    }
)


def record_summary(record: LedgerRecord, lang: str = "zh") -> str:
    """One phrase: the level and decision of an assessment, or a decision's outcome.

    Examples
    --------
    >>> from riskeval.ledger.records import GENESIS
    >>> r = LedgerRecord(2, "decision", "P", "{}", "h", "r", "1", "rh", None, "批准", 1, "x", "李四", "t", GENESIS, "y")
    >>> record_summary(r, "en")
    'decision: 批准 (on record #1)'
    """
    lang = normalize_lang(lang)
    if record.kind == "decision":
        return t("ledger.view.decision_outcome", lang, outcome=record.outcome, ref=record.ref_seq)
    if record.kind == "activation":
        return t("ledger.view.activation", lang, ruleset=record.ruleset_id, version=record.ruleset_version)
    if record.kind == "measure":
        info = _outcome_data(record)
        status = t(f"ledger.view.status.{info.get('status')}", lang)
        return t("ledger.view.measure_status", lang, measure=info.get("measure_id"), status=status)
    text = _assessment_summary(record, lang)
    if record.kind == "tracking":
        text = t("ledger.view.and", lang, a=text, b=t("ledger.view.tracking_ref", lang, ref=record.ref_seq))
        info = _outcome_data(record)
        if info.get("escalated"):
            previous = info.get("previous_level")
            was = t(f"level.{previous}", lang) if previous else t("ledger.view.out_of_scope", lang)
            text = t("ledger.view.and", lang, a=text, b=t("ledger.view.escalated", lang, previous=was))
    return text


def _outcome_data(record: LedgerRecord) -> dict[str, Any]:
    try:
        data = json.loads(record.outcome or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _assessment_summary(record: LedgerRecord, lang: str) -> str:
    assessment = record.assessment
    if assessment is None or not assessment.in_scope:
        return t("ledger.view.out_of_scope", lang)
    text = t(
        "ledger.view.level_decision", lang, level=t(f"level.{assessment.level}", lang), decision=t(f"decision.{assessment.decision}", lang)
    )
    if assessment.incomplete:
        text = t("ledger.view.and", lang, a=text, b=t("ledger.view.incomplete", lang))
    return text


def record_line(record: LedgerRecord, lang: str = "zh") -> str:
    """One line of ``riskeval ledger list``."""
    lang = normalize_lang(lang)
    return (
        f"#{record.seq}  {record.ts}  {t(f'ledger.view.kind.{record.kind}', lang)}  {record.project_id}  "
        f"{record.ruleset_id}@{record.ruleset_version}  {record_summary(record, lang)}  {record.actor}  "
        f"{record.record_hash[:16]}"
    )


def record_brief(record: LedgerRecord) -> dict[str, Any]:
    """The JSON object of one record in ``riskeval ledger list --format json``."""
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
        "escalated": bool(_outcome_data(record).get("escalated")) if record.kind == "tracking" else None,
        "actor": record.actor,
        "ts": record.ts,
        "record_hash": record.record_hash,
    }


def record_detail(ledger: Ledger, record: LedgerRecord) -> dict[str, Any]:
    """Every column, the parsed project and assessment, and whether the record matches its hash."""
    data = record.to_dict()
    data["project"] = json.loads(record.project_json)
    data["assessment"] = json.loads(record.assessment_json) if record.assessment_json else None
    data["hash_ok"] = ledger.check(record)
    return data


def record_lines(ledger: Ledger, record: LedgerRecord, lang: str = "zh") -> list[str]:
    """``riskeval ledger show`` as lines: the fields, then the assessment's explanation."""
    lang = normalize_lang(lang)
    ok = ledger.check(record)
    rows: list[tuple[str, Any]] = [
        ("seq", record.seq),
        ("kind", t(f"ledger.view.kind.{record.kind}", lang)),
        ("project_id", record.project_id),
        ("ruleset", f"{record.ruleset_id}@{record.ruleset_version} ({record.ruleset_hash[:16]})"),
        ("actor", record.actor),
        ("ts", record.ts),
        ("project_hash", record.project_hash),
        ("prev_hash", record.prev_hash),
        ("record_hash", record.record_hash),
        ("integrity", t("ledger.view.field.ok" if ok else "ledger.view.field.bad", lang)),
    ]
    if record.kind in ("decision", "tracking", "measure"):
        rows.insert(3, ("outcome", f"{record_summary(record, lang)} (#{record.ref_seq})"))
    lines = [f"{t(f'ledger.view.field.{name}', lang)}: {value}" for name, value in rows]
    assessment = record.assessment
    if assessment is not None:
        lines += ["", assessment.explain(lang)]
    return lines


def export_jsonl(ledger: Ledger, out: str | Path) -> tuple[int, str | None]:
    """Write every record as one JSON line (columns verbatim); returns ``(count, head hash)``.

    The file appears complete or not at all (written beside, then renamed).
    """
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    count, head = 0, None
    with open(partial, "w", encoding="utf-8", newline="\n") as f:
        for record in ledger.records():
            f.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            count, head = count + 1, record.record_hash
    os.replace(partial, target)
    return count, head


def unsigned_note(ledger: Ledger, lang: str = "zh") -> str | None:
    """The "unsigned" note every command prints for an unsigned ledger, else ``None``."""
    try:
        signed = ledger.signed
    except Exception:  # noqa: BLE001 - the command itself reports what is wrong with the file
        return None
    return None if signed else t("ledger.view.unsigned", normalize_lang(lang))
