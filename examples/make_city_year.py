"""A seeded year of a city's stability-risk work at Guiyang's scale, written through the Gate API into a ledger.

Guiyang assessed 484 major decisions, projects and events with an expert pool drawn from 27 key units; its 群工委
meets monthly and issues 《社会稳定风险预警参考》. This script plays one calendar year of such work under the
bundled ``guiyang`` rule set, so that the monthly bulletin (``riskeval bulletin``) and the audit of units
(``riskeval audit --scheme``) have realistic material:

* **Matters**: ``n`` (default 484) rows of ``examples/make_projects.py`` (same seed → same matters), each
  proposed by one of **27 units** (16 city departments and companies, 11 district governments). Their measures
  get an owner (责任主体, the unit), partners (协助单位) and a due date (完成时限): a date 45-180 days after the
  assessment, or the text ``开工前`` (never overdue); some matters get a second measure (建立稳控台账).
* **Assessments** on a day drawn over the year (working hours, UTC+08:00); **decisions** 7-45 days later when the
  gate allows (about 1 in 10 matters stays undecided; matters the gate blocks stay undecided or are assessed
  again with an adjusted plan 30-60 days later).
* **Measure updates**: ``in_progress`` soon after the decision, ``done`` around the due date, about a quarter of
  them late and a tenth never done (so some are overdue).
* **Tracking** (跟踪评估) about every 90 days after the decision for medium and high matters and some low ones;
  about one tracked matter in eight **escalates** (opposition and petitions rise, sometimes an incident), and a
  next-stage decision (开工 / 征收决定) is then attempted: recorded when the gate allows, refused (and not
  recorded) when the tracked level forbids it.

Every record is written by :class:`riskeval.gate.Gate` (``assess``, ``record_decision``, ``track``,
``update_measure``) with a ``clock`` that gives the simulated moment, into a ledger signed with a fresh key.
Beside the ledger: ``decisions.csv`` (``project_id,date,outcome,unit``: every decision recorded, plus a few
decisions taken without an assessment and a few taken before it, for the audit), and ``summary.json``.

Determinism: the same seed and ``n`` give the same records (content, timestamps and hashes); only the signing key,
and so the checkpoint signatures, differ between runs.

Usage::

    python examples/make_city_year.py --out-dir /tmp/city-year           # 484 matters, seed 20261101, year 2026
    riskeval bulletin /tmp/city-year/ledger.sqlite --month 2026-11 --out bulletin.docx
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from make_projects import generate  # noqa: E402

from riskeval import Measure, Project, load_ruleset  # noqa: E402
from riskeval.batch.columns import ColumnResolver  # noqa: E402
from riskeval.gate import Gate, GateError  # noqa: E402
from riskeval.ledger import generate_keys  # noqa: E402
from riskeval.pipeline import project_from_data  # noqa: E402

__all__ = ["CHINA_TZ", "DEFAULT_SEED", "UNITS", "YearResult", "build_year", "main"]

DEFAULT_SEED = 20261101
DEFAULT_N = 484
DEFAULT_YEAR = 2026
RULES = "guiyang"
CHINA_TZ = timezone(timedelta(hours=8))

CITY_UNITS = [
    "贵阳市发展和改革委员会", "贵阳市住房和城乡建设局", "贵阳市自然资源和规划局", "贵阳市生态环境局",
    "贵阳市交通委员会", "贵阳市水务管理局", "贵阳市人力资源和社会保障局", "贵阳市教育局",
    "贵阳市卫生和计划生育委员会", "贵阳市民政局", "贵阳市城市管理局", "贵阳市公安局", "贵阳市文化和旅游局",
    "贵阳市商务局", "贵阳市城市轨道交通集团有限公司", "贵阳市城市建设投资（集团）有限公司",
]  # fmt: skip
DISTRICT_UNITS = [
    f"{d}人民政府" for d in ("南明区", "云岩区", "观山湖区", "花溪区", "白云区", "乌当区", "清镇市", "修文县", "开阳县", "息烽县", "贵安新区")
]
UNITS: list[str] = [*CITY_UNITS, *DISTRICT_UNITS]
"""The 27 units (16 city departments and companies, 11 district governments)."""
PARTNERS = ["贵阳市公安局", "贵阳市信访局", "所在街道办事处", "贵阳市司法局", "贵阳市人民政府新闻办公室"]


@dataclass
class YearResult:
    """What :func:`build_year` wrote, and counts for the README and the tests."""

    ledger: Path
    decisions_csv: Path
    public_key: Path
    matters: int
    units: int
    records: dict[str, int]
    escalated: list[str]
    blocked_next_stage: list[str]
    decisions_without_assessment: list[str]
    decisions_before_assessment: list[str]
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ledger": str(self.ledger),
            "decisions_csv": str(self.decisions_csv),
            "public_key": str(self.public_key),
            "matters": self.matters,
            "units": self.units,
            "records": self.records,
            "escalated": self.escalated,
            "blocked_next_stage": self.blocked_next_stage,
            "decisions_without_assessment": self.decisions_without_assessment,
            "decisions_before_assessment": self.decisions_before_assessment,
            "seconds": round(self.seconds, 1),
        }


def _moment(rng: random.Random, day: date) -> datetime:
    """A working-hours moment (09:00-17:30, UTC+08:00) on ``day``."""
    minutes = rng.randrange(9 * 60, 17 * 60 + 30)
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, rng.randrange(60), tzinfo=CHINA_TZ)


def _matters(rs: Any, rng: random.Random, n: int, seed: int, year: int) -> list[tuple[Project, date]]:
    """The matters with their units and measure people, and the day each is assessed."""
    resolver = ColumnResolver(rs)
    out: list[tuple[Project, date]] = []
    start = date(year, 1, 5)
    for i, row in enumerate(generate(n, seed)):
        project = project_from_data(resolver.project_data(row))
        unit = project.unit if project.unit in UNITS else UNITS[(i * 7 + 3) % len(UNITS)]
        day = start + timedelta(days=rng.randrange(0, 350))
        measures: list[Measure] = []
        extra = [Measure(id="M2", label="建立社会稳定风险台账，落实稳控责任")] if rng.random() < 0.3 else []
        for m in [*project.measures, *extra]:
            due = "开工前" if rng.random() < 0.15 else (day + timedelta(days=rng.randrange(45, 181))).isoformat()
            partners = rng.sample(PARTNERS, rng.randrange(1, 3))
            measures.append(m.model_copy(update={"owner": unit, "partners": partners, "due": due}))
        out.append((project.model_copy(update={"unit": unit, "measures": measures}), day))
    return out


def _escalate(project: Project, rng: random.Random) -> Project:
    facts = dict(project.facts)
    facts["opposition_rate"] = min(95.0, float(facts.get("opposition_rate") or 0) + rng.uniform(25, 45))
    facts["petitions_12m"] = int(facts.get("petitions_12m") or 0) + rng.randrange(30, 80)
    facts["opposition_intensity"] = "strong"
    if rng.random() < 0.5:
        facts["prior_mass_incident"] = True
    return project.model_copy(update={"facts": facts})


def _calm(project: Project, rng: random.Random) -> Project:
    facts = dict(project.facts)
    facts["opposition_rate"] = round(max(0.0, float(facts.get("opposition_rate") or 0) * rng.uniform(0.6, 1.0)), 1)
    return project.model_copy(update={"facts": facts})


class _Year:
    """The simulation: a queue of dated actions, run in time order through the gate."""

    def __init__(self, gate: Gate, rng: random.Random, year: int) -> None:
        self.gate, self.rng, self.year = gate, rng, year
        self.end = datetime(year, 12, 31, 23, 0, tzinfo=CHINA_TZ)
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.counter = 0
        self.now = datetime(year, 1, 1, tzinfo=CHINA_TZ)
        self.decided: list[tuple[str, date, str, str]] = []
        self.escalated: list[str] = []
        self.blocked: list[str] = []
        self.undecided: list[tuple[Project, date]] = []

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        if moment <= self.end:
            self.counter += 1
            heapq.heappush(self.queue, (moment, self.counter, action))

    def later(self, days_low: int, days_high: int) -> datetime:
        return _moment(self.rng, (self.now + timedelta(days=self.rng.randrange(days_low, days_high + 1))).date())

    def run(self) -> None:
        while self.queue:
            self.now, _, action = heapq.heappop(self.queue)
            action()

    # -- actions -----------------------------------------------------------------------------------
    def assess(self, project: Project, adjusted: bool = False) -> None:
        result = self.gate.assess(project, actor=f"{project.unit}（评估小组）")
        if not self.gate.allows(project):
            if not adjusted and self.rng.random() < 0.5:  # adjust the plan and assess again
                self.at(self.later(30, 60), lambda: self.assess(_calm(_calm(project, self.rng), self.rng), True))
            else:
                self.undecided.append((project, self.now.date()))
            return
        if self.rng.random() < 0.1 and result.in_scope:
            self.undecided.append((project, self.now.date()))
            return
        self.at(self.later(7, 45), lambda: self.decide(project, result.level))

    def decide(self, project: Project, level: str | None, outcome: str = "批准实施") -> None:
        self.gate.record_decision(project, outcome, actor="贵阳市人民政府常务会议")
        self.decided.append((project.id, self.now.date(), outcome, project.unit or ""))
        if outcome != "批准实施":
            return
        for measure in project.measures:
            self.at(self.later(5, 20), lambda m=measure: self.measure(project.id, m.id, "in_progress"))
            fate = self.rng.random()
            if fate < 0.1:
                continue  # never done
            if measure.due and measure.due[:1].isdigit():
                due = date.fromisoformat(measure.due)
                shift = self.rng.randrange(5, 61) if fate < 0.35 else -self.rng.randrange(0, 30)
                moment = _moment(self.rng, due + timedelta(days=shift))
            else:
                moment = self.later(20, 120)
            self.at(max(moment, self.now + timedelta(days=21)), lambda m=measure: self.measure(project.id, m.id, "done"))
        if level in ("medium", "high") or self.rng.random() < 0.15:
            self.at(self.later(75, 105), lambda: self.track(project, 1))

    def measure(self, project_id: str, measure_id: str, status: str) -> None:
        self.gate.update_measure(project_id, measure_id, status, actor="措施责任单位")

    def track(self, project: Project, round_no: int) -> None:
        escalate = project.id not in self.escalated and self.rng.random() < 0.13
        tracked = _escalate(project, self.rng) if escalate else _calm(project, self.rng)
        note = "群众反映强烈，信访量上升" if escalate else ("持续跟踪" if project.id in self.escalated else "实施平稳")
        self.gate.track(tracked, actor="贵阳市群众工作中心", note=note)
        assert self.gate.last_record is not None and self.gate.last_record.outcome is not None
        if json.loads(self.gate.last_record.outcome)["escalated"] and project.id not in self.escalated:
            self.escalated.append(project.id)
            self.at(self.later(10, 30), lambda: self.next_stage(tracked))
        if self.rng.random() < 0.9:  # now and then a round is missed
            self.at(self.later(75, 105), lambda: self.track(tracked, round_no + 1))

    def next_stage(self, project: Project) -> None:
        try:
            self.gate.require(project)
        except GateError:
            self.blocked.append(project.id)
            return
        self.decide(project, None, outcome=self.rng.choice(["开工", "征收决定"]))


def build_year(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    n: int = DEFAULT_N,
    year: int = DEFAULT_YEAR,
    overwrite: bool = False,
) -> YearResult:
    """Play the year into ``out_dir`` (``ledger.sqlite``, ``signing.key``/``.pub``, ``decisions.csv``, ``summary.json``).

    Raises
    ------
    FileExistsError
        ``out_dir`` holds a ledger already and ``overwrite`` is false.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ledger_path = out / "ledger.sqlite"
    if ledger_path.exists():
        if not overwrite:
            raise FileExistsError(f"{ledger_path} exists (use --overwrite)")
        for suffix in ("", "-wal", "-shm"):
            Path(str(ledger_path) + suffix).unlink(missing_ok=True)
    key, pub = generate_keys(out, overwrite=True)
    rs = load_ruleset(RULES)
    rng = random.Random(seed)
    matters = _matters(rs, rng, n, seed, year)
    clock = _Clock()
    # Every append is fsynced; the year is played in a scratch directory in memory when there is one and
    # the finished file is copied into place.
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as scratch:
        work = Path(scratch) / "ledger.sqlite"
        gate = Gate(rs, ledger=work, signing_key=key, clock=clock)
        sim = _Year(gate, rng, year)
        clock.sim = sim
        for project, day in matters:
            sim.at(_moment(rng, day), lambda p=project: sim.assess(p))
        sim.run()
        kinds = Counter(r.kind for r in gate.ledger.records())
        gate.ledger.close()
        shutil.copyfile(work, ledger_path)
    rows = sorted(sim.decided, key=lambda r: (r[1], r[0]))
    without = [f"GY-X{i:03d}" for i in range(1, 6)]
    for i, pid in enumerate(without):
        rows.append((pid, date(year, 2 + 2 * i, 10 + i), "批准实施", UNITS[(5 * i + 2) % len(UNITS)]))
    before = [p.id for p, _ in sim.undecided[:4]]
    for project, day in sim.undecided[:4]:
        rows.append((project.id, day - timedelta(days=rng.randrange(3, 20)), "批准实施", project.unit or ""))
    decisions_csv = out / "decisions.csv"
    with open(decisions_csv, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["project_id", "date", "outcome", "unit"])
        writer.writerows((pid, day.isoformat(), outcome, unit) for pid, day, outcome, unit in rows)
    result = YearResult(
        ledger=ledger_path,
        decisions_csv=decisions_csv,
        public_key=pub,
        matters=len(matters),
        units=len({p.unit for p, _ in matters}),
        records={k: kinds.get(k, 0) for k in ("assessment", "decision", "tracking", "measure")},
        escalated=sim.escalated,
        blocked_next_stage=sim.blocked,
        decisions_without_assessment=without,
        decisions_before_assessment=before,
        seconds=time.perf_counter() - started,
    )
    (out / "summary.json").write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


class _Clock:
    """The gate's clock: the simulated moment of the action being played."""

    sim: _Year | None = None

    def __call__(self) -> datetime:
        assert self.sim is not None
        return self.sim.now


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out-dir", type=Path, required=True, help="where to write the ledger, keys and decisions.csv")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="number of matters (484)")
    parser.add_argument("--year", type=int, default=DEFAULT_YEAR)
    parser.add_argument("--overwrite", action="store_true", help="replace a ledger already in --out-dir")
    args = parser.parse_args(argv)
    result = build_year(args.out_dir, seed=args.seed, n=args.n, year=args.year, overwrite=args.overwrite)
    width = max(len(k) for k in result.records)
    print(f"{result.matters} matters, {result.units} units, {result.seconds:.1f} s -> {result.ledger}")
    for kind, count in result.records.items():
        print(f"  {kind:<{width}}  {count:>5}")
    print(f"  escalated by tracking: {len(result.escalated)}; next-stage decisions refused: {len(result.blocked_next_stage)}")
    print(f"decisions: {result.decisions_csv}; public key: {result.public_key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
