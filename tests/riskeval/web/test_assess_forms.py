"""The 评估 form over HTTP: problems beside their inputs, measures read back, recording through the gate."""

from __future__ import annotations

import re
from typing import Any

import httpx

from riskeval import load_ruleset
from riskeval.web.forms import fact_fields, read_project
from tests.riskeval.web.conftest import csrf_of, http_login
from tests.riskeval.web.server import WebServer


def _problems(html: str) -> dict[str, str]:
    found = re.findall(r'<div class="field invalid" data-field="([^"]+)">.*?<div class="problem" role="alert">([^<]*)</div>', html, re.S)
    return dict(found)


def _good_facts() -> dict[str, Any]:
    rs = load_ruleset("guiyang")
    facts: dict[str, Any] = dict(rs.tests[0].project["facts"])
    return facts


def _form(facts: dict[str, Any], **extra: str) -> dict[str, str]:
    data = {"ruleset": "guiyang", "p:id": "P-FORM", "p:kind": "project", **extra}
    for name, value in facts.items():
        data[f"f:{name}"] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return data


def test_problems_appear_beside_their_inputs(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["assessor"])
    token = csrf_of(http.get("/assess?ruleset=guiyang").text)
    bad = http.post("/assess", data={"csrf_token": token, "ruleset": "guiyang", "p:id": "P-1", "f:satisfaction_rate": "120", "f:opposition_rate": "很多"})
    assert bad.status_code == 200
    assert _problems(bad.text) == {"f:satisfaction_rate": "不能大于 100", "f:opposition_rate": "请填写数值"}
    assert 'id="assessment-result"' not in bad.text
    missing = http.post("/assess", data={"csrf_token": token, "ruleset": "guiyang", "p:id": "P-1", "p:kind": "project", "f:satisfaction_rate": "80"})
    problems = _problems(missing.text)
    assert problems["f:opposition_rate"] == "必填" and "f:satisfaction_rate" not in problems
    assert len(problems) == len(load_ruleset("guiyang").required_facts) - 1
    # the values typed stay in the form
    assert 'name="f:satisfaction_rate" value="80"' in missing.text


def test_a_full_form_assesses_and_an_htmx_request_gets_the_fragment(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["auditor"])
    token = csrf_of(http.get("/assess").text)
    form = _form(_good_facts(), csrf_token=token)
    form.update({"mk1:label": "入户宣传", "mk1:owner": "区政府", "mk1:partners": "街道、公安分局", "mk1:due": "开工前",
                 "mk1:setc1:fact": "satisfaction_rate", "mk1:setc1:value": "95"})
    page = http.post("/assess", data=form, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<div id="workspace">') and "<html" not in page.text
    assert 'data-level="low"' in page.text and "低风险" in page.text
    assert "责任主体：区政府" in page.text and "协助单位：街道、公安分局" in page.text and "完成时限：开工前" in page.text
    assert 'name="mk1:partners" value="街道、公安分局"' in page.text  # the measure stays in the form
    assert 'id="record-assess"' not in page.text  # an auditor may assess but not record


def test_measures_are_read_in_form_order_with_people_and_changes() -> None:
    rs = load_ruleset("guiyang")
    form = [
        ("p:id", "P-1"),
        ("mb:label", "第二项"),
        ("mb:setx:fact", "opposition_rate"),
        ("mb:setx:value", "5"),
        ("ma:label", ""),
        ("ma:seta:fact", ""),
        ("ma:seta:value", ""),
        ("mc:label", "第三项"),
        ("mc:owner", "区政府"),
        ("mc:partners", "街道、公安分局"),
        ("mc:due", "开工前"),
        ("mc:sety:fact", "malicious_hype"),
        ("mc:sety:value", "none"),
        ("mc:setz:fact", "nonsense"),
        ("mc:setz:value", "1"),
    ]
    read = read_project(form, rs)
    assert [m["id"] for m in read.data["measures"]] == ["M1", "M2"]
    assert read.data["measures"][0] == {"id": "M1", "label": "第二项", "sets": {"opposition_rate": 5}}
    second = read.data["measures"][1]
    assert second["owner"] == "区政府" and second["partners"] == "街道、公安分局" and second["due"] == "开工前"
    assert second["sets"] == {"malicious_hype": "none"}
    assert read.problems == {"mc:setz:fact": "请选择措施改变的事项"}


def test_every_declared_fact_has_an_input_with_its_declaration() -> None:
    rs = load_ruleset("guiyang")
    specs = {s.name: s for s in fact_fields(rs, "en")}
    assert list(specs) == list(rs.facts)
    decl = rs.facts["households_relocated"]
    spec = specs["households_relocated"]
    assert (spec.widget, spec.unit, spec.min, spec.step, spec.default) == ("integer", decl.unit, 0, "1", 0)
    assert specs["environmental_impact"].options == tuple((o.code, o.label) for o in rs.facts["environmental_impact"].options)
    # the notes of the items that read a fact are its help text (the rule file's explanation of a formula)
    assert specs["opposition_rate"].notes and specs["opposition_rate"].notes[0].startswith("群众意见分析：得分 = a × b × 35")
    assert specs["satisfaction_rate"].notes == ()


def test_recording_goes_through_the_gate_and_shows_seq_and_hash(http: httpx.Client, web_server: WebServer) -> None:
    http_login(http, web_server.tokens["assessor"])
    token = csrf_of(http.get("/assess").text)
    page = http.post("/assess/record", data=_form(_good_facts(), csrf_token=token, **{"p:id": "P-REC"}))
    assert page.status_code == 200
    seq = int(re.search(r'id="record-info" data-seq="(\d+)" data-hash="([0-9a-f]{64})"', page.text).group(1))
    admin = {"Authorization": f"Bearer {web_server.tokens['admin']}"}
    record = httpx.get(f"{web_server.url}/api/v1/ledger/{seq}", headers=admin).json()
    assert record["project_id"] == "P-REC" and record["actor"] == "assessor-组" and record["kind"] == "assessment"
    assert record["record_hash"] in page.text


def test_an_input_shows_its_unit_range_and_default_in_words() -> None:
    from riskeval.i18n import t
    from riskeval.web.core import _environment
    from riskeval.web.forms import FieldSpec

    template = _environment().from_string('{% from "macros.html" import field %}{{ field(spec, "f:x", {}, {}, t) }}')

    def zh(key: str, **params: Any) -> str:
        return t(key, "zh", **params)

    option = template.render(spec=FieldSpec("x", "舆论", "option", options=(("none", "无"), ("some", "有")), default="none"), t=zh)
    assert "未填写时按 无" in option and '<option value="some">有</option>' in option
    number = template.render(spec=FieldSpec("x", "反对率", "number", unit="%", min=0, max=100, required=True), t=zh)
    assert 'min="0"' in number and 'max="100"' in number and '<span class="unit">%</span>' in number
    assert '<span class="req"' in number
