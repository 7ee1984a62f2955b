"""Generate the bundled example expert pool (EXAMPLE DATA: every person is fictitious).

A city-level pool built from 27 key units (as Guiyang's was, domain.md §7): party and government bodies,
the intermediate court and the procuratorate, people's organisations, a party school, research and
teaching institutions, and state-owned enterprises.  Each unit nominates experts of the three categories
(社科研究 / 工程技术 / 综合管理) in the domains of domain.md §6, drawn with a fixed seed from the unit's
profile.  Run from anywhere::

    python examples/pool/make_pool.py            # writes pool.yaml, experts.csv, projects.csv here
    python examples/pool/make_pool.py --check    # and runs one optimal assignment as a smoke test

The output is deterministic (``SEED``); re-running reproduces the committed files byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

SEED = 20120406  # any fixed number; changing it regenerates a different pool
HERE = Path(__file__).resolve().parent

DOMAINS = ["建筑工程", "农林", "水利", "交通", "自然资源", "征地拆迁", "环保", "医疗",
           "社保", "安全生产", "法律", "经济", "金融", "财务", "社会治理", "舆情处置"]

# id, name, kind, number of experts, preferred domains, category weights (社科研究, 工程技术, 综合管理)
UNITS: list[tuple[str, str, str, int, list[str], tuple[int, int, int]]] = [
    ("U01", "市委政法委员会", "党政机关", 10, ["社会治理", "法律", "舆情处置"], (2, 0, 8)),
    ("U02", "市委宣传部（市委网信办）", "党政机关", 9, ["舆情处置", "社会治理"], (3, 1, 6)),
    ("U03", "市信访局", "党政机关", 9, ["社会治理", "征地拆迁", "法律"], (1, 0, 9)),
    ("U04", "市发展和改革委员会", "党政机关", 11, ["经济", "交通", "金融", "环保"], (3, 3, 4)),
    ("U05", "市自然资源和规划局", "党政机关", 11, ["自然资源", "征地拆迁", "建筑工程"], (1, 6, 3)),
    ("U06", "市住房和城乡建设局", "党政机关", 11, ["建筑工程", "征地拆迁", "安全生产"], (1, 7, 2)),
    ("U07", "市生态环境局", "党政机关", 10, ["环保", "水利", "舆情处置"], (2, 6, 2)),
    ("U08", "市交通运输局", "党政机关", 10, ["交通", "建筑工程", "安全生产"], (1, 6, 3)),
    ("U09", "市水务管理局", "党政机关", 9, ["水利", "环保", "建筑工程"], (1, 6, 3)),
    ("U10", "市人力资源和社会保障局", "党政机关", 10, ["社保", "法律", "财务"], (3, 0, 7)),
    ("U11", "市卫生健康委员会", "党政机关", 10, ["医疗", "社保", "安全生产"], (3, 4, 3)),
    ("U12", "市应急管理局", "党政机关", 10, ["安全生产", "舆情处置", "建筑工程"], (1, 5, 4)),
    ("U13", "市财政局", "党政机关", 10, ["财务", "经济", "金融"], (3, 0, 7)),
    ("U14", "市司法局", "党政机关", 10, ["法律", "社会治理"], (4, 0, 6)),
    ("U15", "市农业农村局", "党政机关", 10, ["农林", "自然资源", "征地拆迁"], (2, 5, 3)),
    ("U16", "市中级人民法院", "法院", 12, ["法律", "征地拆迁", "金融"], (6, 0, 6)),
    ("U17", "市人民检察院", "检察院", 10, ["法律", "社会治理", "安全生产"], (5, 0, 5)),
    ("U18", "市总工会", "人民团体", 9, ["社保", "社会治理", "安全生产"], (3, 0, 7)),
    ("U19", "市妇女联合会", "人民团体", 8, ["社会治理", "社保", "法律"], (4, 0, 6)),
    ("U20", "市工商业联合会", "人民团体", 8, ["经济", "金融", "财务"], (3, 1, 6)),
    ("U21", "中共市委党校（市行政学院）", "党校", 16, ["社会治理", "法律", "经济", "舆情处置"], (12, 0, 4)),
    ("U22", "市社会科学院", "科研院所", 15, ["社会治理", "经济", "征地拆迁", "环保"], (13, 1, 1)),
    ("U23", "市属理工大学", "高校", 18, ["建筑工程", "交通", "水利", "环保", "安全生产"], (3, 14, 1)),
    ("U24", "市属财经学院", "高校", 15, ["经济", "金融", "财务", "社保", "法律"], (12, 1, 2)),
    ("U25", "市城市建设投资集团有限公司", "企业", 13, ["建筑工程", "征地拆迁", "财务", "金融"], (0, 9, 4)),
    ("U26", "市轨道交通集团有限公司", "企业", 13, ["交通", "建筑工程", "安全生产"], (0, 10, 3)),
    ("U27", "市水务环境集团有限公司", "企业", 13, ["水利", "环保", "安全生产"], (0, 9, 4)),
]
CATEGORIES = ["社科研究", "工程技术", "综合管理"]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
            "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国志文斌宇浩凯健俊帆帅旭宁龙林欣晨"
         "雪琳晓云飞鑫波婷倩颖佳慧嘉瑞琦悦昊思远博宏毅诚彬松涵蕾璐菲露岚怡楠雯")

# name, proposing unit (id, or a body outside the pool), kind, investment (万元, projects only),
# decision level, domains
PROJECTS: list[tuple[str, str, str, float | None, str, str]] = [
    ("轨道交通3号线一期工程", "U08", "project", 2_850_000, "city", "交通;征地拆迁;建筑工程;安全生产"),
    ("东部生活垃圾焚烧发电厂", "U07", "project", 180_000, "city", "环保;舆情处置;社会治理"),
    ("老城区棚户区改造征收", "U06", "project", 420_000, "city", "征地拆迁;社会治理;法律;财务"),
    ("中心城区居民用水价格调整", "U04", "policy", None, "city", "经济;社会治理;舆情处置"),
    ("公立医院综合改革实施方案", "U11", "reform", None, "city", "医疗;社保;财务"),
    ("国际山地马拉松赛", "市体育局", "event", None, "city", "安全生产;舆情处置;交通"),
    ("城市快速路北延线", "U08", "project", 650_000, "city", "交通;征地拆迁;自然资源"),
    ("南郊水库扩容工程", "U09", "project", 95_000, "city", "水利;征地拆迁;环保"),
    ("污水处理厂提标改造", "U27", "project", 60_000, "department", "环保;水利;建筑工程"),
    ("撤销街道办事处设立社区改革", "市委编办", "reform", None, "city", "社会治理;法律;舆情处置"),
    ("出租汽车经营权管理改革", "U08", "reform", None, "department", "交通;经济;社会治理"),
    ("农村集体经营性建设用地入市试点", "U05", "reform", None, "city", "自然资源;农林;法律;经济"),
    ("城乡居民基本医疗保险市级统筹", "市医疗保障局", "policy", None, "city", "社保;医疗;财务"),
    ("中心城区停车收费标准调整", "U04", "policy", None, "department", "交通;经济;舆情处置"),
    ("高新区化工园区搬迁", "U07", "project", 260_000, "city", "环保;安全生产;征地拆迁"),
    ("城市综合管廊（一期）", "U06", "project", 300_000, "city", "建筑工程;安全生产;财务"),
    ("义务教育学校划片招生调整", "市教育局", "policy", None, "department", "社会治理;舆情处置"),
    ("国有企业职工安置方案", "市国资委", "reform", None, "city", "社保;法律;财务;社会治理"),
    ("大型商业综合体消防改造", "U12", "project", 40_000, "department", "安全生产;建筑工程"),
    ("高铁站片区综合开发", "U25", "project", 1_200_000, "city", "建筑工程;征地拆迁;交通;金融"),
    ("城市更新老旧小区改造", "U06", "project", 85_000, "county", "建筑工程;社会治理;财务"),
    ("生猪规模养殖场建设", "U15", "project", 30_000, "county", "农林;环保;征地拆迁"),
    ("殡葬设施布局规划", "市民政局", "policy", None, "city", "自然资源;社会治理;舆情处置"),
    ("220千伏输变电工程", "市供电局", "project", 50_000, "city", "建筑工程;环保;征地拆迁"),
    ("最低工资标准调整", "U10", "policy", None, "city", "社保;经济;社会治理"),
    ("城市轨道交通票价方案", "U26", "policy", None, "city", "交通;经济;舆情处置"),
    ("集中供暖试点", "U04", "project", 120_000, "city", "建筑工程;环保;经济"),
    ("农贸市场整体搬迁", "市商务局", "project", 25_000, "county", "征地拆迁;经济;社会治理"),
    ("渣土运输专项整治", "U12", "policy", None, "department", "安全生产;交通;法律"),
    ("河道综合治理与生态修复", "U09", "project", 150_000, "city", "水利;环保;农林"),
    ("地方金融组织监管办法", "市金融办", "policy", None, "city", "金融;法律;经济"),
    ("新能源汽车产业园", "U25", "project", 800_000, "city", "建筑工程;征地拆迁;经济"),
    ("医疗废物集中处置中心", "U11", "project", 20_000, "city", "医疗;环保;舆情处置"),
    ("城中村改造（西片区）", "U05", "project", 380_000, "city", "征地拆迁;社会治理;法律;财务"),
    ("大型演唱会活动", "市文化和旅游局", "event", None, "department", "安全生产;舆情处置;社会治理"),
    ("公交线网优化调整", "U08", "policy", None, "department", "交通;社会治理"),
    ("工业园区电镀企业集中入园", "U07", "project", 70_000, "county", "环保;安全生产;经济"),
    ("市级储备粮库迁建", "市粮食和物资储备局", "project", 45_000, "city", "农林;建筑工程;征地拆迁"),
    ("养老服务机构收费政策", "市民政局", "policy", None, "city", "社保;医疗;经济"),
    ("城市生活垃圾分类收费", "U06", "policy", None, "city", "环保;经济;舆情处置"),
]


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name not in used:
            used.add(name)
            return name


def _domains(rng: random.Random, preferred: list[str]) -> list[str]:
    n = rng.choices((1, 2, 3, 4), weights=(2, 5, 4, 1))[0]
    out: list[str] = []
    while len(out) < n:
        pool = preferred if rng.random() < 0.8 else DOMAINS
        d = rng.choice(pool)
        if d not in out:
            out.append(d)
    return out


def make(seed: int = SEED) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    """Units, experts and projects as plain dicts."""
    rng = random.Random(seed)
    units = [{"id": uid, "name": name, "kind": kind} for uid, name, kind, *_ in UNITS]
    experts: list[dict[str, object]] = []
    used: set[str] = set()
    for uid, _unit_name, _kind, count, preferred, weights in UNITS:
        for _ in range(count):
            category = rng.choices(CATEGORIES, weights=weights)[0]
            max_load = rng.choices((2, 3, 4, 5), weights=(2, 5, 3, 1))[0]
            experts.append({
                "id": f"E{len(experts) + 1:03d}",
                "name": _name(rng, used),
                "unit": uid,
                "category": category,
                "domains": _domains(rng, preferred),
                "max_load": max_load,
                "min_load": 1 if rng.random() < 0.05 else 0,
                "available": rng.random() >= 0.04,
            })
    projects = [
        {"project": f"P{i + 1:03d}", "name": name, "unit": unit, "kind": kind,
         "investment": "" if inv is None else int(inv), "decision_level": level, "domains": domains}
        for i, (name, unit, kind, inv, level, domains) in enumerate(PROJECTS)
    ]
    return units, experts, projects


def _yaml_str(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def write(directory: Path = HERE, seed: int = SEED) -> None:
    units, experts, projects = make(seed)
    lines = [
        "# 示例数据：示例市社会稳定风险评估专家库（27 个重点单位）。人员姓名均为虚构。",
        "# EXAMPLE DATA: a fictitious city-level pool built from 27 key units. Generated by make_pool.py",
        f"# (seed {seed}); do not edit by hand.",
        "name: 示例市稳评专家库（示例数据）",
        "units:",
    ]
    for u in units:
        lines.append(f"  - {{id: {u['id']}, name: {u['name']}, kind: {u['kind']}}}")
    lines.append("experts:")
    for e in experts:
        fields = ", ".join(f"{k}: {_yaml_str(v)}" for k, v in e.items())
        lines.append(f"  - {{{fields}}}")
    (directory / "pool.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    unit_names = {u["id"]: u["name"] for u in units}
    with open(directory / "experts.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["expert", "name", "unit", "unit_name", "category", "domains", "max_load", "min_load", "available"])
        for e in experts:
            domains = e["domains"]
            assert isinstance(domains, list)
            w.writerow([e["id"], e["name"], e["unit"], unit_names[str(e["unit"])], e["category"], ";".join(domains),
                        e["max_load"], e["min_load"], "true" if e["available"] else "false"])
    with open(directory / "projects.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["project", "name", "unit", "kind", "investment", "decision_level", "domains"])
        for p in projects:
            w.writerow([p["project"], p["name"], p["unit"], p["kind"], p["investment"], p["decision_level"],
                        p["domains"]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write into (default: here)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="run one assignment on the result")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out, args.seed)
    units, experts, projects = make(args.seed)
    print(f"{len(units)} units, {len(experts)} experts, {len(projects)} projects -> {args.out}")
    if args.check:
        sys.path.insert(0, str(HERE.parents[1]))
        import expert_pool

        a = expert_pool.assign(expert_pool.load_pool(args.out / "pool.yaml"),
                               expert_pool.load_projects(args.out / "projects.csv"), max_per_unit=1)
        print(f"optimal assignment: {a.metrics.seats} seats, total affinity {a.metrics.total:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
