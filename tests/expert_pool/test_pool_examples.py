"""The bundled example pool: shape, consistency, and reproducibility of its generator."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import expert_pool as ep

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pool"


def _generator():
    spec = importlib.util.spec_from_file_location("make_pool", EXAMPLES / "make_pool.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_pool_shape():
    pool = ep.load_pool(EXAMPLES / "pool.yaml")
    assert len(pool.units) == 27
    assert 250 <= len(pool) <= 350
    kinds = Counter(u.kind for u in pool.units)
    assert {"党政机关", "法院", "人民团体", "高校", "企业"} <= set(kinds)
    categories = Counter(e.category for e in pool.experts)
    assert set(categories) == set(ep.CATEGORIES)
    assert all(set(e.domains) <= set(ep.DOMAINS) and e.domains for e in pool.experts)
    assert {d for e in pool.experts for d in e.domains} == set(ep.DOMAINS)
    assert all(len(pool.members(u.id)) >= 5 for u in pool.units)
    assert "示例数据" in (EXAMPLES / "pool.yaml").read_text(encoding="utf-8").splitlines()[0]


def test_csv_matches_yaml():
    from_yaml = ep.load_pool(EXAMPLES / "pool.yaml")
    from_csv = ep.load_experts_csv(EXAMPLES / "experts.csv")
    assert [e.model_dump() for e in from_yaml.experts] == [e.model_dump() for e in from_csv.experts]
    projects = ep.load_projects_csv(EXAMPLES / "projects.csv")
    assert 30 <= len(projects) <= 50
    assert all(set(p.domains) <= set(ep.DOMAINS) for p in projects)


def test_generator_is_deterministic(tmp_path):
    gen = _generator()
    assert gen.main(["--out", str(tmp_path)]) == 0
    for name in ("pool.yaml", "experts.csv", "projects.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name


def test_example_assignments():
    pool = ep.load_pool(EXAMPLES / "pool.yaml")
    projects = ep.load_projects(EXAMPLES / "projects.csv")
    best = ep.assign(pool, projects, max_per_unit=1)
    flow_total = best.metrics.total
    lp = ep.assign(pool, projects, max_per_unit=1, backend="lp")
    assert abs(lp.metrics.total - flow_total) <= 1e-6
    drawn = ep.assign(pool, projects, max_per_unit=1, method="random", seed=1)
    assert drawn.metrics.total <= flow_total + 1e-9
    assert {p.panel_size for p in best.panels} == {3, 5}
