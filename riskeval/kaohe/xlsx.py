"""The audit as a workbook: ranking, deductions, and the scheme (every cell through ``xlsx_row``)."""

from __future__ import annotations

from pathlib import Path

from ..i18n import normalize_lang, register_messages, t
from ..io.tables import xlsx_row
from .result import AuditResult, _num

__all__ = ["write_audit_xlsx"]

register_messages(
    {
        "kaohe.x.ranking": {"zh": "排名", "en": "Ranking"},
        "kaohe.x.deductions": {"zh": "扣分明细", "en": "Deductions"},
        "kaohe.x.scheme": {"zh": "考核方案", "en": "Scheme"},
        "kaohe.x.rank": {"zh": "名次", "en": "Rank"},
        "kaohe.x.unit": {"zh": "单位", "en": "Unit"},
        "kaohe.x.total": {"zh": "总分", "en": "Total"},
        "kaohe.x.indicator": {"zh": "指标", "en": "Indicator"},
        "kaohe.x.project_id": {"zh": "事项编号", "en": "Matter id"},
        "kaohe.x.project_name": {"zh": "事项名称", "en": "Matter"},
        "kaohe.x.date": {"zh": "日期", "en": "Date"},
        "kaohe.x.points": {"zh": "扣分", "en": "Points deducted"},
        "kaohe.x.reason": {"zh": "原因", "en": "Reason"},
        "kaohe.x.seq": {"zh": "台账记录号", "en": "Ledger record"},
        "kaohe.x.weight": {"zh": "权重（满分）", "en": "Weight (full marks)"},
        "kaohe.x.rule": {"zh": "扣分方法", "en": "Deduction"},
        "kaohe.x.proportional": {"zh": "按比例", "en": "proportional"},
        "kaohe.x.per_item": {"zh": "每项扣 {points} 分", "en": "{points} per item"},
        "kaohe.x.items": {"zh": "{label}（适用/不合格）", "en": "{label} (items/failures)"},
    }
)


def write_audit_xlsx(result: AuditResult, out: str | Path, lang: str | None = "zh") -> Path:
    """Write ``result`` to the workbook ``out`` (openpyxl; no cell is ever a formula)."""
    from openpyxl import Workbook

    lang = normalize_lang(lang)
    scheme = result.scheme
    names = [n for n, _ in scheme.indicators.items()]
    wb = Workbook()
    ws = wb.active
    ws.title = t("kaohe.x.ranking", lang)
    ws.append(xlsx_row(ws, [result.heading(lang)]))
    head = [t("kaohe.x.rank", lang), t("kaohe.x.unit", lang), t("kaohe.x.total", lang)]
    head += [scheme.label(n, lang) for n in names]
    head += [t("kaohe.x.items", lang, label=scheme.label(n, lang)) for n in names]
    ws.append(xlsx_row(ws, head))
    for u in result.units:
        scores = [_num(u.indicators[n].score) for n in names]
        counts = [f"{u.indicators[n].applicable}/{u.indicators[n].failures}" for n in names]
        ws.append(xlsx_row(ws, [u.rank, u.unit, _num(u.total), *scores, *counts]))
    wd = wb.create_sheet(t("kaohe.x.deductions", lang))
    wd.append(xlsx_row(wd, [t(f"kaohe.x.{k}", lang) for k in ("unit", "indicator", "project_id", "project_name", "date", "points", "reason", "seq")]))
    for d in result.deductions:
        wd.append(xlsx_row(wd, [d.unit, scheme.label(d.indicator, lang), d.project_id, d.project_name or "", d.day or "",
                                _num(d.points), d.reason_text(lang), d.seq]))
    wsch = wb.create_sheet(t("kaohe.x.scheme", lang))
    wsch.append(xlsx_row(wsch, [scheme.title, scheme.version or "", scheme.source or ""]))
    wsch.append(xlsx_row(wsch, [t("kaohe.x.indicator", lang), t("kaohe.x.weight", lang), t("kaohe.x.rule", lang)]))
    for n, ind in scheme.indicators.items():
        rule = t("kaohe.x.proportional", lang) if isinstance(ind.deduct, str) else t("kaohe.x.per_item", lang, points=_num(ind.deduct))
        wsch.append(xlsx_row(wsch, [scheme.label(n, lang), _num(ind.weight), rule]))
    path = Path(out)
    wb.save(path)
    return path
