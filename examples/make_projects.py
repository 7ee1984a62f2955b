"""Generate a realistic, seeded list of Guiyang matters for batch assessment (``examples/projects.csv``/``.xlsx``).

Guiyang assessed 484 major decisions, projects and events before 2014 (metro lines 1 and 2 among them); this
script produces a list of the same size and kind, in the standard fact vocabulary (domain.md §8), so that every
row loads under each bundled rule set (``guiyang``, ``jiangsu-db32-4013-2021``, ``national``).

How the data are made
---------------------
* Each row is drawn from a *template* (road widening, waste incinerator, water-price adjustment, SOE restructuring,
  marathon, ...) with its own kind, proposing units, expertise domains and risk profile.  Template frequencies
  follow what a city actually assesses: mostly construction projects, then policies, events and reforms, and a few
  internal matters (kind ``other``) that are out of the Guiyang scope.
* A latent *tension* per row (a Beta draw whose parameters depend on the template: NIMBY facilities and
  expropriation are tense, events and public-service projects rarely are) drives the correlated facts: opposition
  rate and intensity, satisfaction, publicity, activists, petitions, possible incident size.  Legality facts are
  mostly in order; relocation projects carry households, land and compensation issues; NIMBY projects carry a
  distance to residents; price matters a price change; reforms the number of workers affected.
* Investments are log-normal (projects: median ≈ 3 亿元), population and attendance figures log-normal too.
* Procedures are mostly done (公示 ≥ 10 days, hearings where relocation or a price rise requires one, legality
  review, expert review, collective decision) with realistic omissions.
* Risky rows usually carry mitigation measures.  Following the batch input convention, a ``measure:<fact>`` column
  gives the residual value of that fact after the measures (blank = unchanged) and ``measure_label`` names them.

Usage::

    python examples/make_projects.py                      # 500 rows, seed 20140709, into examples/
    python examples/make_projects.py --n 1000 --seed 7 --out-dir /tmp/projects

The same seed always gives the same CSV, byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from riskeval.model.vocabulary import IDENTITY_FIELDS

__all__ = [
    "IDENTITY_COLUMNS",
    "FACT_COLUMNS",
    "MEASURE_FACTS",
    "columns",
    "generate",
    "to_csv",
    "write_xlsx",
    "main",
]

DEFAULT_SEED = 20140709
DEFAULT_N = 500
HERE = Path(__file__).resolve().parent

IDENTITY_COLUMNS = list(IDENTITY_FIELDS)
FACT_COLUMNS = [
    # 合法性
    "subject_authority", "legal_compliance", "procedure_compliant",
    # 合理性
    "stakeholders_defined", "information_disclosed", "satisfaction_rate", "comparison_risk", "expert_feasible",
    "compensation_adequacy", "local_support",
    # 可行性
    "fiscal_capacity", "environmental_impact", "technical_readiness",
    # 可控性
    "opposition_rate", "opposition_intensity", "negative_publicity", "malicious_hype", "activist_involvement",
    "hostile_forces", "instability_ledger", "contingency_plan", "publicity_guidance",
    # 直接触发
    "possible_incident_size", "possible_violent_case", "possible_extreme_event",
    # 范围与情况
    "households_relocated", "land_area_mu", "affected_population", "workers_affected", "event_attendance",
    "price_change_pct", "petitions_12m", "prior_mass_incident", "distance_to_residents_m",
    # 程序
    "public_notice_days", "hearing_held", "survey_sample_size", "legality_reviewed", "expert_reviewed",
    "collective_decision",
]  # fmt: skip
MEASURE_FACTS = [
    "opposition_rate", "opposition_intensity", "satisfaction_rate", "compensation_adequacy", "publicity_guidance",
    "negative_publicity", "malicious_hype", "activist_involvement", "contingency_plan", "instability_ledger",
    "possible_incident_size", "price_change_pct",
]  # fmt: skip

DISTRICTS = [
    ("南明区", 14), ("云岩区", 14), ("观山湖区", 12), ("花溪区", 11), ("白云区", 8), ("乌当区", 8),
    ("清镇市", 7), ("修文县", 5), ("开阳县", 5), ("息烽县", 4), ("贵安新区", 6),
]  # fmt: skip
CITY_UNITS = {
    "发改": "贵阳市发展和改革委员会",
    "住建": "贵阳市住房和城乡建设局",
    "规划": "贵阳市自然资源和规划局",
    "生态": "贵阳市生态环境局",
    "交通": "贵阳市交通委员会",
    "水务": "贵阳市水务管理局",
    "人社": "贵阳市人力资源和社会保障局",
    "教育": "贵阳市教育局",
    "卫健": "贵阳市卫生和计划生育委员会",
    "民政": "贵阳市民政局",
    "城管": "贵阳市城市管理局",
    "国资": "贵阳市人民政府国有资产监督管理委员会",
    "公安": "贵阳市公安局",
    "文旅": "贵阳市文化和旅游局",
    "体育": "贵阳市体育局",
    "商务": "贵阳市商务局",
    "编办": "中共贵阳市委机构编制委员会办公室",
    "轨道": "贵阳市城市轨道交通集团有限公司",
    "城投": "贵阳市城市建设投资（集团）有限公司",
    "供电": "贵阳供电局",
    "燃气": "贵阳燃气集团有限公司",
    "群工": "中共贵阳市委群众工作委员会",
}
ROADS = ["北京路", "中华路", "瑞金路", "宝山路", "花溪大道", "遵义路", "富源路", "金阳大道", "黔灵山路", "甲秀路",
         "枣山路", "百花大道", "观山路", "兴筑路", "长岭路", "贵黄路", "小河大道", "水东路"]  # fmt: skip


@dataclass(frozen=True)
class Template:
    """One kind of matter and its risk profile."""

    key: str
    kind: str
    names: Sequence[str]
    units: Sequence[str]
    domains: Sequence[str]
    weight: float
    tension: tuple[float, float]  # Beta(a, b) of the latent tension
    env: tuple[float, float, float] = (0.7, 0.3, 0.0)  # P(none), P(some), P(nimby)
    relocation: float = 0.0  # probability of land expropriation / relocation
    households: float = 0.0  # median households when relocating
    investment: tuple[float, float] | None = None  # log-normal (median 万元, sigma)
    population: float = 5000  # median affected population
    workers: float = 0.0  # median workers affected (0 = none)
    price: bool = False
    attendance: float = 0.0  # median attendance (0 = not an event)
    district_unit: bool = False  # proposed by a district government
    extra_domains: Sequence[str] = field(default_factory=tuple)


TEMPLATES = [
    Template("road", "project", ["{district}{road}道路改扩建工程", "{district}{road}综合管廊工程", "{road}立交桥工程"],
             ["交通", "城投"], ["交通", "建筑工程", "征地拆迁"], 13, (2.0, 5.0), (0.5, 0.5, 0.0), 0.75, 60,
             (30000, 1.0), 20000, extra_domains=("自然资源", "安全生产")),
    Template("shantytown", "project", ["{district}棚户区城市更新改造项目", "{district}城中村改造项目（{n}号地块）"],
             ["住建", "district"], ["征地拆迁", "建筑工程", "社会治理"], 10, (2.6, 3.6), (0.6, 0.4, 0.0), 1.0, 400,
             (80000, 0.9), 8000, district_unit=True, extra_domains=("法律", "财务")),
    Template("metro", "project", ["贵阳市城市轨道交通{n}号线工程", "轨道交通{n}号线{district}段车辆段工程"],
             ["轨道"], ["交通", "建筑工程", "征地拆迁"], 3, (2.2, 4.5), (0.2, 0.8, 0.0), 0.95, 500,
             (600000, 0.6), 150000, extra_domains=("安全生产",)),
    Template("incinerator", "project", ["{district}生活垃圾焚烧发电厂", "{district}餐厨垃圾处理厂"],
             ["城管", "生态"], ["环保", "安全生产", "舆情处置"], 3, (4.5, 2.5), (0.0, 0.15, 0.85), 0.4, 40,
             (90000, 0.6), 40000, extra_domains=("医疗", "社会治理")),
    Template("sewage", "project", ["{district}污水处理厂（{n}期）", "{district}再生水厂工程"],
             ["水务"], ["环保", "水利"], 4, (2.5, 4.0), (0.0, 0.5, 0.5), 0.5, 20, (40000, 0.7), 20000),
    Template("substation", "project", ["{district}220千伏变电站工程", "{district}110千伏输变电工程"],
             ["供电"], ["安全生产", "自然资源"], 4, (3.0, 4.0), (0.0, 0.4, 0.6), 0.6, 10, (15000, 0.6), 6000),
    Template("funeral", "project", ["{district}殡仪馆迁建工程", "{district}公益性公墓建设项目"],
             ["民政"], ["社会治理", "自然资源"], 1.5, (4.0, 3.0), (0.0, 0.2, 0.8), 0.7, 30, (12000, 0.6), 8000),
    Template("hospital", "project", ["{district}人民医院新院区", "贵阳市第{n}人民医院（传染病院区）建设项目"],
             ["卫健"], ["医疗", "建筑工程"], 4, (1.6, 6.0), (0.5, 0.4, 0.1), 0.5, 30, (50000, 0.7), 30000),
    Template("school", "project", ["{district}第{n}中学新建工程", "{district}九年制学校建设项目"],
             ["教育", "district"], ["建筑工程", "社会治理"], 6, (1.3, 8.0), (0.8, 0.2, 0.0), 0.5, 15,
             (12000, 0.6), 6000, district_unit=True),
    Template("park", "project", ["{district}城市湿地公园", "{district}生态公园提升工程"],
             ["住建", "district"], ["自然资源", "农林"], 4, (1.2, 8.0), (0.8, 0.2, 0.0), 0.4, 10,
             (8000, 0.8), 30000, district_unit=True),
    Template("industrial", "project", ["{district}大数据产业园（{n}期）", "{district}工业园区标准厂房"],
             ["发改", "district"], ["经济", "征地拆迁", "自然资源"], 5, (2.2, 4.5), (0.4, 0.5, 0.1), 0.9, 150,
             (60000, 1.0), 6000, district_unit=True, extra_domains=("金融",)),
    Template("reservoir", "project", ["{district}{n}号水库工程", "{district}引水工程"],
             ["水务"], ["水利", "征地拆迁", "农林"], 2.5, (2.4, 4.2), (0.2, 0.8, 0.0), 1.0, 250,
             (45000, 0.8), 10000),
    Template("gasstation", "project", ["{district}LNG加气站", "{district}天然气门站工程"],
             ["燃气"], ["安全生产", "环保"], 2, (2.5, 4.5), (0.2, 0.4, 0.4), 0.2, 5, (3000, 0.6), 3000),
    Template("commercial", "project", ["{district}商业综合体项目", "{district}农贸市场改造"],
             ["商务", "district"], ["经济", "建筑工程"], 3, (1.6, 6.0), (0.7, 0.3, 0.0), 0.4, 30, (25000, 1.0),
             10000, district_unit=True),
    Template("price", "policy", ["贵阳市居民生活用水价格调整", "贵阳市管道天然气销售价格调整", "贵阳市公交票价调整",
                                 "贵阳市中心城区停车收费标准调整", "贵阳市出租汽车运价调整", "贵阳市物业服务收费指导价调整"],
             ["发改"], ["经济", "社保", "法律"], 6, (2.6, 3.8), (1.0, 0.0, 0.0), 0.0, 0, None, 1500000,
             price=True),
    Template("social_policy", "policy", ["贵阳市城乡居民医疗保险实施办法", "贵阳市义务教育阶段招生入学办法",
                                         "贵阳市养犬管理规定", "贵阳市户籍制度改革实施意见", "贵阳市最低工资标准调整",
                                         "贵阳市公共租赁住房管理办法", "贵阳市城市市容和环境卫生管理办法"],
             ["人社", "教育", "公安", "住建", "城管", "民政"], ["社保", "法律", "社会治理"], 12, (1.8, 5.0),
             (0.95, 0.05, 0.0), 0.0, 0, None, 500000),
    Template("soe_reform", "reform", ["贵阳市{n}家市属国有企业改制重组", "市属公交企业混合所有制改革",
                                      "市属国有林场改革", "市属事业单位分类改革（{n}批）"],
             ["国资", "编办", "人社"], ["经济", "社保", "法律", "金融"], 5, (2.8, 3.6), (0.95, 0.05, 0.0),
             0.1, 0, None, 5000, workers=600),
    Template("admin_reform", "reform", ["{district}撤销街道办事处设立新型社区", "{district}社区网格化管理改革",
                                        "{district}综合行政执法体制改革"],
             ["编办", "群工", "district"], ["社会治理", "法律"], 4, (1.8, 4.5), (1.0, 0.0, 0.0), 0.0, 0, None,
             200000, workers=300, district_unit=True),
    Template("event", "event", ["贵阳国际马拉松赛", "中国国际大数据产业博览会", "贵阳{district}迎春灯会",
                                "{district}大型演唱会", "贵州省运动会（贵阳赛区）", "贵阳避暑季开幕式"],
             ["体育", "商务", "文旅", "district"], ["安全生产", "交通", "舆情处置"], 9, (1.5, 6.0),
             (0.9, 0.1, 0.0), 0.0, 0, (2000, 0.8), 100000, attendance=12000, district_unit=True),
    Template("other", "other", ["{unit_short}机关办公用房维修", "{unit_short}内部管理制度修订",
                                "{unit_short}信息系统升级改造", "{unit_short}年度培训计划"],
             ["发改", "住建", "教育", "民政", "文旅"], ["财务"], 6, (1.1, 12.0), (1.0, 0.0, 0.0), 0.0, 0,
             (300, 0.8), 50),
]  # fmt: skip


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _clip(x: float, low: float, high: float) -> float:
    return max(low, min(high, x))


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _grade(
    rng: random.Random, t: float, options: Sequence[str], shift: float = 0.0, spread: float = 0.15
) -> str:
    """Pick the good / middle / bad option of a three-step scale from the tension ``t``."""
    x = t + shift + rng.gauss(0.0, spread)
    return options[0] if x < 0.5 else options[1] if x < 0.8 else options[2]


def _better(options: Sequence[str], value: str, steps: int = 1) -> str:
    return options[max(0, options.index(value) - steps)]


def _bool(x: bool) -> str:
    return "true" if x else "false"


def _num(x: float, digits: int = 1) -> str:
    text = f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


THREE = {
    "subject_authority": ["full", "basic", "none"],
    "legal_compliance": ["full", "basic", "none"],
    "stakeholders_defined": ["clear", "basic", "unclear"],
    "comparison_risk": ["low", "possible", "high"],
    "compensation_adequacy": ["full", "basic", "inadequate"],
    "local_support": ["support", "indifferent", "oppose"],
    "technical_readiness": ["ready", "basic", "not_ready"],
    "negative_publicity": ["none", "some", "serious"],
    "malicious_hype": ["none", "some", "serious"],
    "activist_involvement": ["none", "some", "serious"],
    "instability_ledger": ["established", "incomplete", "none"],
    "contingency_plan": ["detailed", "basic", "incomplete"],
    "publicity_guidance": ["full", "basic", "inadequate"],
    "opposition_intensity": ["moderate", "fairly_strong", "strong"],
}


def _row(rng: random.Random, index: int, tpl: Template) -> dict[str, str]:
    district = _weighted(rng, DISTRICTS)
    unit_key = rng.choice(list(tpl.units))
    unit = f"{district}人民政府" if unit_key == "district" else CITY_UNITS[unit_key]
    unit_short = unit.replace("贵阳市", "").replace("中共", "") or unit
    name = rng.choice(list(tpl.names)).format(
        district=district, road=rng.choice(ROADS), n=rng.randint(1, 6), unit_short=unit_short
    )
    t = rng.betavariate(*tpl.tension)
    env = _weighted(rng, list(zip(("none", "some", "nimby"), tpl.env, strict=True)))
    if env == "nimby":
        t = _clip(t + 0.15, 0.0, 1.0)
    relocating = rng.random() < tpl.relocation
    households = int(_lognormal(rng, tpl.households, 0.9)) if relocating and tpl.households else 0
    land = _lognormal(rng, max(households, 10) * 0.8, 0.7) if relocating else 0.0
    if relocating:
        t = _clip(t + 0.05 * math.log10(1 + households), 0.0, 1.0)

    investment = ""
    if tpl.investment is not None:
        investment = _num(_clip(_lognormal(rng, *tpl.investment), 50, 5_000_000), 1)
    if tpl.kind == "project":
        big = investment != "" and float(investment) >= 100000
        regime = "ndrc_project" if big and rng.random() < 0.8 else "major_decision"
    else:
        regime = "major_decision"
    if unit_key == "district":
        level = "county"
    elif tpl.kind in ("reform", "policy") or (investment and float(investment) >= 100000):
        level = "city"
    else:
        level = rng.choice(["department", "department", "city"])
    domains = list(tpl.domains) + [d for d in tpl.extra_domains if rng.random() < 0.4]

    # 群众意见
    opposition = _clip(75 * t**2.2 + rng.gauss(0, 2.5), 0, 95)
    if opposition < 0.5:
        opposition = rng.uniform(0, 2)
    undecided = rng.uniform(3, 20)
    satisfaction = _clip(100 - opposition - undecided + rng.gauss(0, 3), 5, 100)
    intensity = _grade(rng, t, THREE["opposition_intensity"], shift=0.05)
    incident = 0
    if t > 0.45 and rng.random() < 0.35 + 0.6 * (t - 0.45):
        incident = int(_clip(_lognormal(rng, 40 + 300 * (t - 0.45), 0.7), 5, 3000))
    price_change = 0.0
    if tpl.price:
        price_change = rng.uniform(3, 40) if rng.random() < 0.88 else -rng.uniform(2, 12)
        t = _clip(t + price_change / 200, 0.0, 1.0)
    workers = int(_lognormal(rng, tpl.workers, 0.9)) if tpl.workers else 0
    attendance = int(_clip(_lognormal(rng, tpl.attendance, 1.0), 300, 200_000)) if tpl.attendance else 0

    f: dict[str, str] = {}
    f["subject_authority"] = _grade(rng, t, THREE["subject_authority"], shift=-0.35, spread=0.12)
    f["legal_compliance"] = _grade(rng, t, THREE["legal_compliance"], shift=-0.3, spread=0.12)
    f["procedure_compliant"] = _bool(rng.random() > 0.04 + 0.1 * t)
    f["stakeholders_defined"] = _grade(rng, t, THREE["stakeholders_defined"], shift=-0.1)
    f["information_disclosed"] = _bool(rng.random() > 0.05 + 0.35 * t)
    f["satisfaction_rate"] = _num(satisfaction)
    f["comparison_risk"] = _grade(
        rng, t, THREE["comparison_risk"], shift=0.1 if relocating or workers else -0.1
    )
    f["expert_feasible"] = _bool(rng.random() > 0.03 + 0.05 * t)
    f["compensation_adequacy"] = (
        _grade(rng, t, THREE["compensation_adequacy"], shift=0.05) if relocating or workers else "full"
    )
    f["local_support"] = _grade(rng, t, THREE["local_support"], shift=-0.2)
    f["fiscal_capacity"] = _bool(rng.random() > 0.06)
    f["environmental_impact"] = env
    f["technical_readiness"] = _grade(rng, 0.2, THREE["technical_readiness"], shift=0.0, spread=0.2)
    f["opposition_rate"] = _num(opposition)
    f["opposition_intensity"] = intensity
    f["negative_publicity"] = _grade(rng, t, THREE["negative_publicity"])
    f["malicious_hype"] = _grade(rng, t, THREE["malicious_hype"], shift=-0.15)
    f["activist_involvement"] = _grade(
        rng, t, THREE["activist_involvement"], shift=-0.1 + (0.1 if relocating else 0)
    )
    f["hostile_forces"] = _bool(t > 0.7 and rng.random() < 0.03)
    f["instability_ledger"] = _grade(rng, 0.3, THREE["instability_ledger"], spread=0.2)
    f["contingency_plan"] = _grade(rng, 0.35, THREE["contingency_plan"], spread=0.2)
    f["publicity_guidance"] = _grade(rng, t, THREE["publicity_guidance"], shift=-0.05)
    f["possible_incident_size"] = str(incident)
    f["possible_violent_case"] = _bool(t > 0.7 and rng.random() < 0.08)
    f["possible_extreme_event"] = _bool(t > 0.6 and relocating and rng.random() < 0.08)
    f["households_relocated"] = str(households)
    f["land_area_mu"] = _num(land)
    f["affected_population"] = str(int(_lognormal(rng, tpl.population, 0.8)))
    f["workers_affected"] = str(workers)
    f["event_attendance"] = str(attendance)
    f["price_change_pct"] = _num(price_change)
    f["petitions_12m"] = str(int(_clip(rng.expovariate(1 / (1 + 40 * t**2)), 0, 400)))
    f["prior_mass_incident"] = _bool(rng.random() < (0.25 if env == "nimby" else 0.02) * (0.5 + t))
    f["distance_to_residents_m"] = (
        _num(_clip(_lognormal(rng, 600, 0.7), 50, 5000), 0) if env == "nimby" else ""
    )
    notice = rng.choice([10, 10, 15, 15, 20, 30]) if rng.random() > 0.04 else rng.randint(3, 9)
    f["public_notice_days"] = str(notice) if rng.random() > 0.01 else ""
    needs_hearing = households > 0 or price_change > 0
    f["hearing_held"] = _bool(needs_hearing and rng.random() < 0.95)
    f["survey_sample_size"] = str(int(_clip(_lognormal(rng, 600, 0.6), 50, 10000)))
    f["legality_reviewed"] = _bool(rng.random() < 0.98)
    f["expert_reviewed"] = _bool(rng.random() < 0.97)
    f["collective_decision"] = _bool(rng.random() < 0.98)

    m: dict[str, str] = {}
    labels: list[str] = []
    risky = opposition >= 12 or incident >= 50 or f["compensation_adequacy"] == "inadequate" or t > 0.5
    if risky and tpl.kind != "other" and rng.random() < 0.85:
        effective = rng.random() < 0.8
        factor = rng.uniform(0.1, 0.5) if effective else rng.uniform(0.6, 0.95)
        m["opposition_rate"] = _num(opposition * factor)
        m["satisfaction_rate"] = _num(_clip(satisfaction + (opposition - opposition * factor) * 0.8, 5, 100))
        if intensity != "moderate" and effective:
            m["opposition_intensity"] = _better(THREE["opposition_intensity"], intensity)
        labels.append("入户宣传解释、座谈听取意见")
        if f["publicity_guidance"] != "full":
            m["publicity_guidance"] = (
                "full" if effective else _better(THREE["publicity_guidance"], f["publicity_guidance"])
            )
        if f["compensation_adequacy"] != "full" and (relocating or workers):
            m["compensation_adequacy"] = _better(THREE["compensation_adequacy"], f["compensation_adequacy"])
            labels.append("提高补偿安置标准" if relocating else "完善职工分流安置方案")
        if incident:
            m["possible_incident_size"] = str(int(incident * (rng.uniform(0.0, 0.4) if effective else 0.8)))
            labels.append("制定化解预案、落实稳控责任")
            m["contingency_plan"] = "detailed"
        if f["negative_publicity"] != "none" and effective:
            m["negative_publicity"] = _better(THREE["negative_publicity"], f["negative_publicity"])
            labels.append("主动发布信息、回应舆论关切")
        if f["malicious_hype"] != "none" and effective:
            m["malicious_hype"] = "none"
        if f["activist_involvement"] != "none" and effective:
            m["activist_involvement"] = _better(THREE["activist_involvement"], f["activist_involvement"])
        if f["instability_ledger"] != "established":
            m["instability_ledger"] = "established"
            labels.append("建立不稳定因素台账")
        if env == "nimby":
            labels.insert(0, "科普参观、扩大防护范围、利益共享")
        if price_change > 10 and effective:
            m["price_change_pct"] = _num(price_change * rng.uniform(0.5, 0.8))
            labels.append("分步调价、低收入群体减免")
    row = {
        "id": f"GY-{index + 1:04d}",
        "name": name,
        "kind": tpl.kind,
        "regime": regime,
        "unit": unit,
        "domains": ";".join(dict.fromkeys(domains)),
        "decision_level": level,
        "investment": investment,
        "location": f"贵州省贵阳市{district}",
        **f,
        "measure_label": "；".join(dict.fromkeys(labels)),
    }
    for fact in MEASURE_FACTS:
        row[f"measure:{fact}"] = m.get(fact, "")
    return row


def columns() -> list[str]:
    """The CSV header: identity columns, fact columns, then the measure columns."""
    return [*IDENTITY_COLUMNS, *FACT_COLUMNS, "measure_label", *(f"measure:{f}" for f in MEASURE_FACTS)]


def generate(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[dict[str, str]]:
    """``n`` rows (strings, CSV-ready) drawn with ``random.Random(seed)``."""
    rng = random.Random(seed)
    pairs = [(tpl, tpl.weight) for tpl in TEMPLATES]
    return [_row(rng, i, _weighted(rng, pairs)) for i in range(n)]


def to_csv(rows: list[dict[str, str]]) -> str:
    """The rows as CSV text (UTF-8, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_xlsx(rows: list[dict[str, str]], path: Path) -> None:
    """The same table as an Excel workbook (sheet ``projects``); numbers are written as numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "projects"
    header = columns()
    ws.append(header)
    for row in rows:
        ws.append([_cell(row[c]) for c in header])
    ws.freeze_panes = "C2"
    wb.properties.creator = "examples/make_projects.py"
    wb.properties.created = datetime(2014, 7, 9)
    wb.properties.modified = datetime(2014, 7, 9)
    wb.save(path)


def _cell(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    try:
        number = float(value)
    except ValueError:
        return value if value != "" else None
    return int(number) if number.is_integer() and "." not in value else number


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="生成贵阳示例项目清单（CSV 与 Excel）/ generate the example project list"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"项目数（默认 {DEFAULT_N}）")
    parser.add_argument("--out-dir", type=Path, default=HERE, help="输出目录（默认 examples/）")
    parser.add_argument("--no-xlsx", action="store_true", help="只写 CSV")
    args = parser.parse_args(argv)
    rows = generate(args.n, args.seed)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.out_dir / "projects.csv"
    csv_path.write_text(to_csv(rows), encoding="utf-8")
    print(f"wrote {csv_path} ({len(rows)} rows)")
    if not args.no_xlsx:
        xlsx_path = args.out_dir / "projects.xlsx"
        write_xlsx(rows, xlsx_path)
        print(f"wrote {xlsx_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
