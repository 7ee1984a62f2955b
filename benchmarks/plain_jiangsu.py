"""Baseline: a hand-written plain-Python evaluation of the Jiangsu table (DB32/T 4013-2021) with the csv module.

Reads a project list (the columns of :mod:`riskeval.batch.synthetic`), scores each row by the points table
(option maps, the satisfaction bands, the opposition formula capped at 35), applies the direct triggers and
the measures' new opposition rate, and writes ``id, score, level``.  A row with an unreadable value gets the
level ``error``.  No riskeval import: this is what a careful programmer writes for one table.

Usage::

    python benchmarks/plain_jiangsu.py INPUT.csv OUTPUT.csv
"""

from __future__ import annotations

import csv
import sys

MAPS = {
    "subject_authority": {"full": 0, "basic": 2, "none": 3, "全部符合": 0, "基本符合": 2, "不符合": 3},
    "legal_compliance": {"full": 0, "basic": 2, "none": 5, "全部符合": 0, "基本符合": 2, "不符合": 5},
    "stakeholders_defined": {"clear": 0, "basic": 1, "unclear": 2, "明确": 0, "基本明确": 1, "不明确": 2},
    "comparison_risk": {"low": 0, "possible": 2, "high": 4, "较小": 0, "有可能": 2, "较大": 4},
    "compensation_adequacy": {"full": 0, "basic": 2, "inadequate": 4, "到位": 0, "基本到位": 2, "不到位": 4},
    "local_support": {"support": 0, "indifferent": 2, "oppose": 4, "支持": 0, "无所谓": 2, "不支持": 4},
    "environmental_impact": {"none": 0, "some": 2, "nimby": 4, "不涉及": 0, "有影响": 2, "涉邻避": 4},
    "technical_readiness": {"ready": 0, "basic": 1, "not_ready": 3, "具备": 0, "基本具备": 1, "不具备": 3},
    "negative_publicity": {"none": 0, "some": 1, "serious": 3, "无": 0, "有": 1, "较大": 3},
    "malicious_hype": {"none": 0, "some": 1, "serious": 3, "无": 0, "有": 1, "较多": 3},
    "activist_involvement": {"none": 0, "some": 1, "serious": 3, "无": 0, "有": 1, "较多": 3},
    "instability_ledger": {"established": 0, "incomplete": 1, "none": 3, "建立": 0, "不完善": 1, "未建立": 3},
    "contingency_plan": {"detailed": 0, "basic": 1, "incomplete": 2, "详实": 0, "基本详实": 1, "不完整": 2},
    "publicity_guidance": {"full": 0, "basic": 1, "inadequate": 3, "到位": 0, "基本到位": 1, "不到位": 3},
}
# Booleans: points when the answer is the bad one.
BOOLS_BAD_FALSE = {"procedure_compliant": 2, "information_disclosed": 2, "expert_feasible": 3, "fiscal_capacity": 3}
BOOLS_BAD_TRUE = {"hostile_forces": 3}
TRUE = {"true", "yes", "y", "1", "是", "有", "对"}
FALSE = {"false", "no", "n", "0", "否", "无", "不"}
INTENSITY = {"strong": 1.0, "fairly_strong": 0.7, "moderate": 0.3, "强烈": 1.0, "较强烈": 0.7, "一般": 0.3}
MEASURES = ("measure:publicity_guidance", "measure:contingency_plan")


def boolean(text: str) -> bool:
    text = text.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(text)


def number(text: str) -> float:
    value = float(text.strip().rstrip("%").replace(",", ""))
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


def score(row: dict[str, str], rate: float, overrides: dict[str, str]) -> tuple[float, str]:
    points = 0.0
    for name, table in MAPS.items():
        points += table[overrides.get(name) or row[name].strip()]
    for name, p in BOOLS_BAD_FALSE.items():
        if not boolean(row[name]):
            points += p
    for name, p in BOOLS_BAD_TRUE.items():
        if boolean(row[name]):
            points += p
    satisfaction = number(row["satisfaction_rate"])
    points += 0 if satisfaction >= 85 else 4 if satisfaction >= 70 else 6
    opposition = max(min(35 * min(rate / 50, 1) * INTENSITY[row["opposition_intensity"].strip()], 35.0), 0.0)
    points += opposition
    points = round(points, 9)
    level = "low" if points <= 20 else "medium" if points <= 35 else "high"
    size = int(float(row.get("possible_incident_size") or 0))
    violent = boolean(row["possible_violent_case"]) if row.get("possible_violent_case", "").strip() else False
    extreme = boolean(row["possible_extreme_event"]) if row.get("possible_extreme_event", "").strip() else False
    if rate > 50 or size >= 200 or violent or extreme:
        level = "high"
    elif level == "low" and (20 <= rate <= 50 or size >= 100):
        level = "medium"
    return points, level


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8-sig", newline="") as fin, open(dst, "w", encoding="utf-8", newline="") as fout:
        writer = csv.writer(fout)
        writer.writerow(["id", "score", "level"])
        for row in csv.DictReader(fin):
            try:
                rate = number(row["opposition_rate"])
                measured = row.get("measure:opposition_rate", "").strip()
                overrides = {m.split(":", 1)[1]: row[m].strip() for m in MEASURES if row.get(m, "").strip()}
                if measured:
                    rate = number(measured)
                points, level = score(row, rate, overrides)
            except (KeyError, ValueError):
                writer.writerow([row.get("id", ""), "", "error"])
                continue
            writer.writerow([row["id"], points, level])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
