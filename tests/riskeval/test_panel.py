"""riskeval.panel_scores: a PANEL.csv becomes panel values and the panel record (no expert_pool import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import riskeval
from riskeval.panel_scores import (
    PANEL_COLUMNS,
    PanelFileError,
    apply_panel,
    load_panel,
    load_panel_record,
    load_panel_values,
    write_panel_rows,
)

RULES = Path(__file__).resolve().parents[2] / "rules"


def value(project: str, item: str, v: float, *, part: str = "points", rnd: int = 1, final: int = 1, **kw: Any) -> dict[str, Any]:
    return {"project": project, "kind": "value", "item": item, "part": part, "round": rnd, "final": final, "value": v, **kw}


@pytest.fixture()
def panel_file(tmp_path: Path) -> Path:
    path = tmp_path / "PANEL.csv"
    write_panel_rows(
        path,
        [
            value("P1", "JS-RSN-4", 4, rnd=1, final=0, disagreement=1, reason="极差 4"),
            value("P1", "JS-RSN-4", 2, rnd=2, final=1, disagreement=0),
            value("P1", "JS-CTL-1", 11, disagreement=1, reason="跨等级", method="median"),
            {"project": "P1", "kind": "chair", "expert": "E2", "name": "李四", "text": "可以实施，注意宣传"},
            {"project": "P1", "kind": "expert", "expert": "E1", "name": "张三", "text": "同意", "signed": 1,
             "signature": "张三 2024-05-01"},
            {"project": "P1", "kind": "expert", "expert": "E2", "name": "李四", "text": "", "signed": 1, "signature": "李四"},
            {"project": "P1", "kind": "expert", "expert": "E3", "name": "", "text": "", "signed": 0},
            value("P2", "JS-RSN-4", 0),
            {"project": "*", "kind": "bias", "expert": "E1", "value": 0.1},
        ],
    )
    return path


def test_values_use_the_final_round(panel_file: Path) -> None:
    assert load_panel_values(panel_file, "P1") == {"JS-RSN-4": 2.0, "JS-CTL-1": 11.0}
    assert load_panel_values(panel_file, "P2") == {"JS-RSN-4": 0.0}


def test_record(panel_file: Path) -> None:
    record = load_panel_record(panel_file, "P1")
    assert record["chair"] == "E2" and record["chair_name"] == "李四"
    assert record["consolidated_opinion"] == "可以实施，注意宣传"
    assert record["signature_lines"] == ["E1 张三：张三 2024-05-01（已签）", "E2 李四：李四（已签）", "E3：________（未签）"]
    assert [e["signed"] for e in record["experts"]] == [True, True, False]
    assert record["rounds"] == 2
    assert record["unresolved_disagreements"] == [{"item": "JS-CTL-1", "part": "points", "reason": "跨等级"}]
    values, again = load_panel(panel_file, "P1")
    assert again == record and values["JS-RSN-4"] == 2.0
    assert load_panel_record(panel_file, "P2")["chair"] is None


def test_index_values(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_panel_rows(path, [value("P1", "N-1", 0.5, part="probability"), value("P1", "N-1", 0.3, part="impact")])
    assert load_panel_values(path, "P1") == {"N-1": {"probability": 0.5, "impact": 0.3}}


@pytest.mark.parametrize(
    ("rows", "text"),
    [
        ([value("P1", "A", 1)], "no values for project 'P9' (projects in the file: P1)"),
        ([value("P9", "A", "x")], "value 'x' of item 'A' is not a number"),
        ([value("P9", "A", 1, part="weight")], "part 'weight' of item 'A'"),
        ([value("P9", "A", 0.5, part="probability")], "index item 'A' has probability but lacks impact"),
    ],
)
def test_bad_files(tmp_path: Path, rows: list[dict[str, Any]], text: str) -> None:
    path = tmp_path / "p.csv"
    write_panel_rows(path, rows)
    with pytest.raises(PanelFileError) as info:
        load_panel_values(path, "P9")
    assert text in info.value.short("en")
    assert isinstance(info.value, riskeval.ProjectError)


def test_missing_file_and_columns(tmp_path: Path) -> None:
    with pytest.raises(PanelFileError) as info:
        load_panel_values(tmp_path / "none.csv", "P1")
    assert "无法读取专家组评分文件" in info.value.short("zh")
    bad = tmp_path / "bad.csv"
    bad.write_text("project,item,value\nP1,A,1\n", encoding="utf-8")
    with pytest.raises(PanelFileError) as info:
        load_panel_values(bad, "P1")
    assert "kind" in info.value.short("en") and "part" in info.value.short("en")
    assert PANEL_COLUMNS[:2] == ("project", "kind")


def test_assessment_with_panel(tmp_path: Path, panel_file: Path, good_facts: dict[str, Any]) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        f"id: t\ntitle: t\nversion: '1'\nextends: {(RULES / 'jiangsu-db32-4013-2021.yaml').as_posix()}\n"
        "items:\n  - {id: JS-RSN-4, panel: true}\n  - {id: JS-CTL-1, panel: true}\n",
        encoding="utf-8",
    )
    rs = riskeval.load_ruleset(rules)
    project = riskeval.Project(id="P1", kind="project", investment=1000, facts=good_facts)
    missing = riskeval.assess(project, rs)
    assert missing.incomplete and missing.initial is not None
    assert missing.initial.missing_panel_items == ["JS-RSN-4", "JS-CTL-1"]
    full = riskeval.assess(project, rs, panel=load_panel_values(panel_file, "P1"))
    assert not full.incomplete and full.initial is not None and full.initial.score == pytest.approx(13)
    applied = apply_panel(project, panel_file)
    result = riskeval.assess(applied, rs)
    assert result.initial is not None and result.initial.score == pytest.approx(13)
    assert result.panel_record is not None and result.panel_record["chair"] == "E2"
    assert result.project_hash != riskeval.assess(project, rs, panel=applied.panel).project_hash


def test_riskeval_does_not_import_expert_pool() -> None:
    code = "import sys, riskeval, riskeval.panel_scores, riskeval.pipeline; print('expert_pool' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_panel_file_in_gb18030_is_read(tmp_path: Path) -> None:
    path = tmp_path / "PANEL.csv"
    write_panel_rows(path, [value("P1", "A", 3), {"project": "P1", "kind": "chair", "expert": "E1", "name": "张三", "text": "同意"}])
    text = path.read_text(encoding="utf-8-sig")
    path.write_bytes(text.encode("gb18030"))
    assert load_panel_values(path, "P1") == {"A": 3.0}
    assert load_panel_record(path, "P1")["chair_name"] == "张三"


def test_panel_line_that_cannot_be_read_is_located(tmp_path: Path) -> None:
    path = tmp_path / "PANEL.csv"
    write_panel_rows(path, [value("P1", "A", 3), value("P1", "B", 2)])
    with path.open("ab") as fh:
        fh.write(b"P1,value,C,points,,1,1,\xff\xfe\n")
    with pytest.raises(PanelFileError) as info:
        load_panel_values(path, "P1")
    assert [p.code for p in info.value.problems] == ["panel.row"]
    assert info.value.render("en").endswith(":4:1: this line of the panel file cannot be read: the line is not valid utf-8 text")
