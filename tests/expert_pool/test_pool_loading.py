"""Models, the pool graph, and loading from CSV and YAML with clear errors (file, row, field; zh and en)."""

from __future__ import annotations

import json

import pytest

import expert_pool as ep
from riskeval.errors import exit_code_for


def _one(info, kind):
    """The single problem of a raised error: a PoolInputError with one problem, or a file error itself."""
    err = info.value
    if isinstance(err, ep.PoolInputError):
        assert len(err.problems) == 1, err.render("en")
        err = err.problems[0]
    assert isinstance(err, kind), err.render("en")
    return err


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_experts_csv_full(tmp_path):
    path = _write(tmp_path, "E.csv", "\ufeffexpert,name,unit,category,domains,max_load,min_load,available\n"
                  "E1,张三,市司法局,社科研究,法律;社会治理,3,1,是\n"
                  "E2,李四,市财政局,engineering,财务,2,,false\n\n")
    pool = ep.load_experts_csv(path)
    e1, e2 = pool.expert("E1"), pool.expert("E2")
    assert (e1.name, e1.unit, e1.category, e1.domains, e1.max_load, e1.min_load, e1.available) == (
        "张三", "市司法局", "社科研究", ["法律", "社会治理"], 3, 1, True)
    assert (e2.category, e2.min_load, e2.available) == ("工程技术", 0, False)
    assert {u.id for u in pool.units} == {"市司法局", "市财政局"}
    assert pool.graph.has_edge(("unit", "市司法局"), ("expert", "E1"))


@pytest.mark.parametrize(
    ("text", "error", "row", "field", "zh_part", "en_part"),
    [
        ("expert,unit\nE1,U1\n", ep.MissingColumnError, 1, "max_load", "缺少", "missing"),
        ("expert,unit,max_load\nE1,U1,x\n", ep.InvalidValueError, 2, "max_load", "不是≥0的整数", "not an integer"),
        ("expert,unit,max_load\nE1,U1,-1\n", ep.InvalidValueError, 2, "max_load", "“-1”", "'-1'"),
        ("expert,unit,max_load\nE1,U1,2.5\n", ep.InvalidValueError, 2, "max_load", "整数", "integer"),
        ("expert,unit,max_load,min_load\nE1,U1,2,3\n", ep.InvalidValueError, 2, "min_load", "大于 max_load",
         "exceeds max_load"),
        ("expert,unit,max_load\nE1,U1,2\nE2,U1,2\nE1,U2,1\n", ep.DuplicateIdError, 4, "expert", "第 2 行", "row 2"),
        ("expert,unit,max_load\nE1,,2\n", ep.InvalidValueError, 2, "unit", "为空", "empty"),
        ("expert,unit,max_load,category\nE1,U1,2,教授\n", ep.InvalidValueError, 2, "category", "教授", "教授"),
        ("expert,unit,max_load,available\nE1,U1,2,maybe\n", ep.InvalidValueError, 2, "available", "布尔", "boolean"),
        ("expert,unit,max_load\nE1,U1,2,extra\n", ep.UnreadableRowError, 2, None, "比表头多", "more cells"),
        ("expert,unit,unit,max_load\nE1,U1,U2,2\n", ep.PoolFileError, 1, "unit", "unit", "unit"),
        ("expert,id,unit,max_load\nE1,E2,U1,2\n", ep.DuplicateIdError, 1, "header", "expert", "expert"),
        ("", ep.PoolFileError, None, None, "为空", "empty"),
    ],
)
def test_experts_csv_errors(tmp_path, text, error, row, field, zh_part, en_part):
    path = _write(tmp_path, "E.csv", text)
    with pytest.raises(ep.PoolError) as info:
        ep.load_experts_csv(path)
    err = _one(info, error)
    assert err.file == str(path) and err.row == row and err.field == field
    assert str(path) in err.render("zh") and str(path) in err.render("en")
    assert zh_part in err.message("zh") and en_part in err.message("en")
    if row is not None and err.location.line is None:
        assert f"第 {row} 行" in str(err) and f"row {row}" in err.render("en")
    assert err.to_dict()["code"] == err.code and err.code.startswith("pool.")
    assert info.value.to_dict("en")["message"]


def test_file_errors(tmp_path):
    with pytest.raises(ep.PoolFileError, match="文件不存在") as info:
        ep.load_experts_csv(tmp_path / "none.csv")
    assert "file not found" in info.value.message("en") and exit_code_for(info.value) == 2
    with pytest.raises(ep.PoolFileError):
        ep.load_experts_csv(tmp_path)
    with pytest.raises(ep.PoolFileError):
        ep.load_experts_csv(_write(tmp_path, "E.txt.json", "{}"))


def test_gb18030_bom_and_xlsx_are_read(tmp_path):
    gbk = ep.load_experts_csv(_write(tmp_path, "gbk.csv", "expert,unit,max_load\nE1,市司法局,2\n", encoding="gb18030"))
    assert gbk.expert("E1").unit == "市司法局"
    bom = ep.load_experts_csv(_write(tmp_path, "bom.csv", "\ufeffexpert,unit,max_load\nE1,市司法局,2\n"))
    assert bom.expert("E1").max_load == 2
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Expert", "Unit", "Max_Load", "domains"])
    ws.append(["E1", "市司法局", 3, "法律;经济"])
    ws.append(["E2", "市财政局", 2.0, None])
    wb.save(tmp_path / "E.xlsx")
    pool = ep.load_experts_csv(tmp_path / "E.xlsx")
    assert (pool.expert("E1").max_load, pool.expert("E1").domains, pool.expert("E2").max_load) == (3, ["法律", "经济"], 2)


def test_undecodable_row_is_one_problem_among_others(tmp_path):
    path = tmp_path / "E.csv"
    path.write_bytes(b"expert,unit,max_load\nE1,U1,2\nE2,\xff\xfe,1\nE3,U3,x\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_experts_csv(path)
    assert [type(p) for p in info.value.problems] == [ep.UnreadableRowError, ep.InvalidValueError]
    assert [p.row for p in info.value.problems] == [3, 4]


def test_known_units_enforced(tmp_path):
    path = _write(tmp_path, "E.csv", "expert,unit,max_load\nE1,U9,2\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_experts_csv(path, units=[ep.Unit(id="U1")])
    err = _one(info, ep.UnknownReferenceError)
    assert err.row == 2 and err.field == "unit" and "U9" in str(err) and "U9" in str(info.value)


def test_projects_csv(tmp_path):
    path = _write(tmp_path, "P.csv", "project,unit,reviewers,domains,investment,kind,decision_level,location\n"
                  "P1,U1,3,交通;环保,120000,project,city,北区\nP2,U2,,,,policy,county,\n")
    p1, p2 = ep.load_projects_csv(path)
    assert (p1.panel_size, p1.domains, p1.investment, p1.kind, p1.extra) == (3, ["交通", "环保"], 120000.0, "project",
                                                                            {"location": "北区"})
    assert (p2.panel_size, p2.investment, p2.decision_level) == (None, None, "county")


@pytest.mark.parametrize(
    ("text", "error", "row", "field"),
    [
        ("project,name\nP1,x\n", ep.MissingColumnError, 1, "unit"),
        ("project,unit,panel_size\nP1,U1,0\n", ep.InvalidValueError, 2, "panel_size"),
        ("project,unit,panel_size\nP1,U1,three\n", ep.InvalidValueError, 2, "panel_size"),
        ("project,unit,investment\nP1,U1,很多\n", ep.InvalidValueError, 2, "investment"),
        ("project,unit\nP1,U1\nP1,U2\n", ep.DuplicateIdError, 3, "project"),
        ("project,unit\n,U1\n", ep.InvalidValueError, 2, "project"),
    ],
)
def test_projects_csv_errors(tmp_path, text, error, row, field):
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_projects_csv(_write(tmp_path, "P.csv", text))
    err = _one(info, error)
    assert (err.row, err.field) == (row, field)


def test_affinity_and_conflicts_csv_errors(tmp_path):
    a = _write(tmp_path, "A.csv", "project,expert,score\nP1,E1,0.5\nP1,E2,abc\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_affinity_csv(a)
    assert (_one(info, ep.InvalidValueError).row, _one(info, ep.InvalidValueError).field) == (3, "score")
    a = _write(tmp_path, "A.csv", "project,expert,score\nP1,E1,nan\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_affinity_csv(a)
    _one(info, ep.InvalidValueError)
    a = _write(tmp_path, "A.csv", "project,expert,score\nP1,E1,1\nP1,E1,2\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_affinity_csv(a)
    assert _one(info, ep.DuplicateIdError).row == 3
    a = _write(tmp_path, "A.csv", "project,expert,score\nP1,E9,1\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_affinity_csv(a, project_ids=["P1"], expert_ids=["E1"])
    err = _one(info, ep.UnknownReferenceError)
    assert (err.row, err.field) == (2, "expert")
    c = _write(tmp_path, "C.csv", "project,expert\nP9,E1\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_conflicts_csv(c, project_ids=["P1"], expert_ids=["E1"])
    err = _one(info, ep.UnknownReferenceError)
    assert (err.row, err.field) == (2, "project")
    c = _write(tmp_path, "C.csv", "project\nP1\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_conflicts_csv(c)
    _one(info, ep.MissingColumnError)


POOL_YAML = """\
name: 测试库
units:
  - {id: U1, name: 市信访局, kind: 党政机关}
  - id: U2
    name: 市总工会
experts:
  - {id: E1, name: 甲, unit: U1, category: 综合管理, domains: [社会治理], max_load: 3}
  - id: E2
    unit: 市总工会
    domains: 社保;法律
    max_load: 2
    min_load: 1
    available: false
"""


def test_load_pool_yaml(tmp_path):
    pool = ep.load_pool(_write(tmp_path, "pool.yaml", POOL_YAML))
    assert pool.name == "测试库" and len(pool) == 2
    assert pool.expert("E2").unit == "U2" and pool.expert("E2").domains == ["社保", "法律"]
    assert pool.unit("市信访局").kind == "党政机关"
    assert [e.id for e in pool.members("U2")] == ["E2"]


@pytest.mark.parametrize(
    ("text", "error", "row", "field"),
    [
        (POOL_YAML.replace("max_load: 2", "max_load: two"), ep.InvalidValueError, 11, "experts[1].max_load"),
        (POOL_YAML.replace("unit: 市总工会", "unit: 市妇联"), ep.UnknownReferenceError, 9, "experts[1].unit"),
        (POOL_YAML.replace("id: E2", "id: E1"), ep.DuplicateIdError, 8, "experts[1].id"),
        (POOL_YAML.replace("id: U2", "id: U1"), ep.DuplicateIdError, 4, "units[1].id"),
        (POOL_YAML.replace("category: 综合管理", "category: 院士"), ep.InvalidValueError, 7, "experts[0].category"),
        (POOL_YAML.replace("max_load: 3}", "max_load: 3, title: 教授}"), ep.InvalidValueError, 7, "experts[0].title"),
        (POOL_YAML.replace("  - id: E2\n", "  - name: 无名\n"), ep.MissingColumnError, 8, "experts[1].id"),
        (POOL_YAML.replace("  - id: E2\n", "  - unit: U2\n"), ep.PoolFileError, 9, None),  # duplicate key
        ("a: &a [1, 2]\nunits: *a\nunits: []\n", ep.PoolFileError, 3, None),
        (POOL_YAML + "  - [oops\n", ep.PoolFileError, None, None),
        ("- 1\n- 2\n", ep.PoolFileError, 1, None),
        ("units: []\n", ep.MissingColumnError, None, "experts"),
        ("experts: {a: 1}\n", ep.InvalidValueError, 1, "experts"),
    ],
)
def test_load_pool_yaml_errors(tmp_path, text, error, row, field):
    with pytest.raises(ep.PoolError) as info:
        ep.load_pool(_write(tmp_path, "pool.yaml", text))
    err = _one(info, error)
    assert err.field == field
    if row is not None:
        assert err.row == row and err.location.line == row
        assert f"pool.yaml:{row}" in err.render("en")
    assert "pool.yaml" in err.render("en")


def test_yaml_syntax_error_has_line(tmp_path):
    with pytest.raises(ep.PoolFileError) as info:
        ep.load_pool(_write(tmp_path, "pool.yaml", "units:\n  - {id: U1\nexperts: []\n"))
    assert info.value.row in (2, 3) and "never closed" in info.value.message("en")


def test_load_pool_csv_path(tmp_path):
    pool = ep.load_pool(_write(tmp_path, "E.csv", "expert,unit,max_load\nE1,U1,1\n"))
    assert [e.id for e in pool.experts] == ["E1"]


def test_load_projects_other_formats(tmp_path):
    y = _write(tmp_path, "p.yaml", "projects:\n  - {id: P1, unit: U1, kind: project, investment: 5}\n")
    assert [p.id for p in ep.load_projects(y)] == ["P1"]
    j = _write(tmp_path, "p.jsonl", json.dumps({"id": "P2", "panel_size": 5}) + "\n\n")
    assert ep.load_projects(j)[0].panel_size == 5
    bad = _write(tmp_path, "b.jsonl", "{oops\n" + json.dumps({"id": "P3", "panel_size": 0}) + "\n[1]\n")
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_projects(bad)
    assert [(type(p), p.row) for p in info.value.problems] == [
        (ep.UnreadableRowError, 1), (ep.InvalidValueError, 2), (ep.UnreadableRowError, 3)]
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_projects([{"id": "P1"}, {"project": "P1"}])
    _one(info, ep.DuplicateIdError)
    with pytest.raises(ep.PoolInputError) as info:
        ep.load_projects([{"id": "P1", "panel_size": 0}])
    _one(info, ep.InvalidValueError)


def test_pool_graph_and_candidates():
    pool = ep.Pool(
        units=[ep.Unit(id="U1", name="市司法局"), ep.Unit(id="U2", name="市财政局")],
        experts=[ep.Expert(id="E1", unit="市司法局", domains=["法律"], max_load=1),
                 ep.Expert(id="E2", unit="U2", domains=["法律"], max_load=1),
                 ep.Expert(id="E3", unit="U2", domains=["法律"], max_load=1, available=False)],
    )
    assert pool.graph.number_of_nodes() == 5 and pool.graph.number_of_edges() == 3
    g = pool.candidate_graph([ep.ProjectNeed(id="P1", unit="市财政局", domains=["法律"], panel_size=1)],
                             conflicts=[("P1", "E9")])
    assert list(g.predecessors(("project", "P1"))) == [("expert", "E1")]
    assert g.edges[("expert", "E1"), ("project", "P1")]["score"] == 1.0
    with pytest.raises(ep.DuplicateIdError):
        ep.Pool(experts=[ep.Expert(id="E1", unit="U"), ep.Expert(id="E1", unit="V")])
    with pytest.raises(ep.UnknownReferenceError):
        ep.Pool(units=[ep.Unit(id="U1")], experts=[ep.Expert(id="E1", unit="U2")])
    assert "experts=3" in repr(pool)


def test_unknown_conflict_reference_in_api():
    experts = [ep.Expert(id="E1", unit="U1", max_load=1)]
    with pytest.raises(ep.UnknownReferenceError):
        ep.assign(experts, [ep.ProjectNeed(id="P1", panel_size=1)], conflicts=[("P1", "E7")])
    with pytest.raises(ep.InvalidParameterError):
        ep.assign(experts, [ep.ProjectNeed(id="P1", panel_size=1)], max_per_unit=0)
    with pytest.raises(ep.InvalidParameterError):
        ep.assign(experts, [ep.ProjectNeed(id="P1", panel_size=1)], unit_max_load=-1)


def test_pool_yaml_alias_bomb_and_full_width_colon_are_refused(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = "a" if i == 1 else f"a{i - 1}"
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*{prev}"] * 10) + "]")
    bomb = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\nunits: []\nexperts: []\n")
    with pytest.raises(ep.PoolFileError) as info:
        ep.load_pool(bomb)
    assert "alias" in info.value.message("en") and exit_code_for(info.value) == 2
    colon = _write(tmp_path, "colon.yaml", "units: []\nexperts：\n  - {id: E1, unit: U1}\n")
    with pytest.raises(ep.PoolFileError) as info:
        ep.load_pool(colon)
    assert info.value.location.line is not None and info.value.location.file.endswith("colon.yaml")
