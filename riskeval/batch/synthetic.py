"""Seeded synthetic project lists in the standard fact vocabulary (domain.md §8), for benchmarks and tests.

Each matter draws a latent risk propensity; option facts lean to worse options, opposition and possible incident
size grow with it, and a share of the riskier matters carries measures (``measure:`` columns) that lower the
opposition and improve publicity and contingency planning.  Option values are written partly as codes and
partly as Chinese labels, booleans as ``true/false`` or ``是/否``, as lists from different offices would be.

Examples
--------
>>> rows = list(generate_rows(3, seed=1))
>>> len(rows), sorted(rows[0])[:3]
(3, ['activist_involvement', 'affected_population', 'comparison_risk'])
>>> list(generate_rows(2, seed=1)) == list(generate_rows(2, seed=1))
True
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["generate_rows", "write_csv", "COLUMNS"]

_OPTIONS: dict[str, list[tuple[str, str]]] = {
    "subject_authority": [("full", "全部符合"), ("basic", "基本符合"), ("none", "不符合")],
    "legal_compliance": [("full", "全部符合"), ("basic", "基本符合"), ("none", "不符合")],
    "stakeholders_defined": [("clear", "明确"), ("basic", "基本明确"), ("unclear", "不明确")],
    "comparison_risk": [("low", "较小"), ("possible", "有可能"), ("high", "较大")],
    "compensation_adequacy": [("full", "到位"), ("basic", "基本到位"), ("inadequate", "不到位")],
    "local_support": [("support", "支持"), ("indifferent", "无所谓"), ("oppose", "不支持")],
    "environmental_impact": [("none", "不涉及"), ("some", "有影响"), ("nimby", "涉邻避")],
    "technical_readiness": [("ready", "具备"), ("basic", "基本具备"), ("not_ready", "不具备")],
    "opposition_intensity": [("moderate", "一般"), ("fairly_strong", "较强烈"), ("strong", "强烈")],
    "negative_publicity": [("none", "无"), ("some", "有"), ("serious", "较大")],
    "malicious_hype": [("none", "无"), ("some", "有"), ("serious", "较多")],
    "activist_involvement": [("none", "无"), ("some", "有"), ("serious", "较多")],
    "instability_ledger": [("established", "建立"), ("incomplete", "不完善"), ("none", "未建立")],
    "contingency_plan": [("detailed", "详实"), ("basic", "基本详实"), ("incomplete", "不完整")],
    "publicity_guidance": [("full", "到位"), ("basic", "基本到位"), ("inadequate", "不到位")],
}
_BOOLS_GOOD_TRUE = ("procedure_compliant", "information_disclosed", "expert_feasible", "fiscal_capacity")
_BOOLS_GOOD_FALSE = (
    "hostile_forces",
    "possible_violent_case",
    "possible_extreme_event",
    "prior_mass_incident",
)
_KINDS = [
    ("project", "重大工程项目", 0.55),
    ("policy", "重大政策", 0.2),
    ("reform", "重大改革", 0.12),
    ("event", "重大活动", 0.08),
    ("other", "其他", 0.05),
]
_LEVELS = ["county", "department", "city", "province"]
_CITIES = [
    "南京",
    "苏州",
    "无锡",
    "常州",
    "镇江",
    "扬州",
    "泰州",
    "南通",
    "盐城",
    "淮安",
    "宿迁",
    "徐州",
    "连云港",
]
_OFFICES = [
    "发展和改革委员会",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "生态环境局",
    "人力资源和社会保障局",
    "教育局",
    "卫生健康委员会",
    "水务局",
    "城市管理局",
]
_DOMAINS = [
    "land",
    "housing",
    "transport",
    "environment",
    "labour",
    "education",
    "health",
    "water",
    "energy",
    "finance",
]
_WORKS = [
    "道路改扩建",
    "垃圾焚烧发电",
    "棚户区改造",
    "地铁站点",
    "污水处理厂",
    "学校新建",
    "医院迁建",
    "变电站",
    "物流园区",
    "工业园区",
]

#: Column order of :func:`write_csv`.
COLUMNS: list[str] = [
    "id",
    "name",
    "kind",
    "unit",
    "domains",
    "decision_level",
    "investment",
    "location",
    *_OPTIONS,
    *_BOOLS_GOOD_TRUE,
    *_BOOLS_GOOD_FALSE,
    "satisfaction_rate",
    "opposition_rate",
    "possible_incident_size",
    "households_relocated",
    "affected_population",
    "measure_label",
    "measure:opposition_rate",
    "measure:publicity_guidance",
    "measure:contingency_plan",
]


def _pick(rng: random.Random, options: list[tuple[str, str]], risk: float) -> str:
    u = rng.random()
    index = 0 if u > risk * 0.9 else (1 if u > risk * 0.25 else 2)
    code, label = options[index]
    return label if rng.random() < 0.2 else code


def _bool(rng: random.Random, value: bool) -> str:
    if rng.random() < 0.25:
        return "是" if value else "否"
    return "true" if value else "false"


def generate_rows(n: int, seed: int = 2021, bad_fraction: float = 0.0) -> Iterator[dict[str, Any]]:
    """Yield ``n`` project rows (column → text) of a realistic mix, reproducible for a seed.

    Parameters
    ----------
    n
        Number of rows.
    seed
        Random seed.
    bad_fraction
        Share of rows made invalid on purpose (a non-numeric rate or a missing required fact).

    Returns
    -------
    Iterator[dict]
        Rows keyed by :data:`COLUMNS` (measure columns are empty for matters without measures).
    """
    rng = random.Random(seed)
    kinds, weights = [(k[0], k[1]) for k in _KINDS], [k[2] for k in _KINDS]
    for i in range(1, n + 1):
        risk = rng.betavariate(1.6, 5.0)
        kind, kind_label = rng.choices(kinds, weights)[0]
        city = rng.choice(_CITIES)
        row: dict[str, Any] = {
            "id": f"JS-{i:06d}",
            "name": f"{city}{rng.choice(_WORKS)}{i}",
            "kind": kind_label if rng.random() < 0.3 else kind,
            "unit": f"{city}市{rng.choice(_OFFICES)}",
            "domains": ";".join(rng.sample(_DOMAINS, rng.randint(1, 3))),
            "decision_level": rng.choice(_LEVELS),
            "investment": f"{rng.lognormvariate(9, 1.2):.0f}" if kind == "project" else "",
            "location": f"江苏省{city}市",
        }
        for name, options in _OPTIONS.items():
            row[name] = _pick(rng, options, risk)
        for name in _BOOLS_GOOD_TRUE:
            row[name] = _bool(rng, rng.random() > risk * 0.5)
        for name in _BOOLS_GOOD_FALSE:
            row[name] = _bool(rng, rng.random() < risk * 0.04)
        opposition = min(100.0, max(0.0, rng.gauss(70 * risk**1.4, 4 + 10 * risk)))
        row["opposition_rate"] = f"{opposition:.1f}"
        row["satisfaction_rate"] = f"{min(100.0, max(0.0, 100 - opposition * 0.9 - rng.uniform(0, 12))):.1f}"
        row["possible_incident_size"] = str(
            int(rng.expovariate(1 / (150 * risk))) if rng.random() < risk else 0
        )
        row["households_relocated"] = str(rng.randint(0, 800)) if kind == "project" else ""
        row["affected_population"] = str(rng.randint(100, 200_000))
        has_measures = risk > 0.25 and rng.random() < 0.6
        row["measure_label"] = "入户走访、补偿协商与舆论引导" if has_measures else ""
        row["measure:opposition_rate"] = f"{opposition * rng.uniform(0.2, 0.6):.1f}" if has_measures else ""
        row["measure:publicity_guidance"] = "full" if has_measures else ""
        row["measure:contingency_plan"] = "detailed" if has_measures and rng.random() < 0.7 else ""
        if bad_fraction and rng.random() < bad_fraction:
            if rng.random() < 0.5:
                row["opposition_rate"] = "约三成"
            else:
                row["legal_compliance"] = ""
        yield row


def write_csv(path: str | Path, n: int, seed: int = 2021, bad_fraction: float = 0.0) -> Path:
    """Write :func:`generate_rows` to a UTF-8 CSV file; return its path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        for row in generate_rows(n, seed, bad_fraction):
            writer.writerow(row)
    return out
