"""规则集 (/rules): the loaded rule sets, the 评估细则 table, and the rule-file editor.

The editor sends the whole file on every change (debounced htmx request); the answer lists each problem
by line (the loader's, and ``riskeval.check_ruleset``'s when it exists) and the page's script puts a
marker and the message beside that line. The embedded tests, the impact of the edit on a project list
(the ``diff`` report) and saving as a new version into the service's rule directory (``--rules-dir``)
are buttons of the same form. Activating a version (the gate then uses it; recorded in the ledger) is
for admins only: not offered to other roles, refused by the handler anyway.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ...errors import InputError, RiskevalError
from ...i18n import register_messages, t
from ...report.ruletable import HEADERS, rule_rows
from ...ruleset.compiled import RuleSet
from ...ruleset.editing import EditSession, edit_session
from ...ruleset.problems import RuleSetError
from ...ruleset.versions import RuleDirectory, RuleVersion
from ...service.deps import ANY, ASSESSORS
from ...service.rule_versions import activate, rule_directory
from ...service.state import ServiceState
from ...service.tokens import Role
from ..core import Page, Viewer, form_viewer, render, service_state, viewer
from ..errors import WebError
from ..examples import example_projects

__all__ = ["ADMINS", "PAGE", "router"]

ADMINS: tuple[Role, ...] = (Role.admin,)
"""Who may activate a version (admins only)."""

PAGE = Page(name="rules", path="/rules", label="web.nav.rules", roles=ANY, order=10)
router = APIRouter(include_in_schema=False)

register_messages(
    {
        "web.nav.rules": {"zh": "规则集", "en": "Rule sets"},
        "web.rules.title": {"zh": "规则集", "en": "Rule sets"},
        "web.rules.loaded": {"zh": "已加载的规则集", "en": "Loaded rule sets"},
        "web.rules.col.title": {"zh": "名称", "en": "Title"},
        "web.rules.col.id": {"zh": "编号", "en": "Id"},
        "web.rules.col.version": {"zh": "版本", "en": "Version"},
        "web.rules.col.hash": {"zh": "内容哈希", "en": "Content hash"},
        "web.rules.col.state": {"zh": "状态", "en": "State"},
        "web.rules.col.actions": {"zh": "操作", "en": "Actions"},
        "web.rules.in_use": {"zh": "门槛使用中", "en": "used by the gate"},
        "web.rules.not_in_use": {"zh": "未启用", "en": "not in use"},
        "web.rules.table": {"zh": "评估细则", "en": "Rule table"},
        "web.rules.edit": {"zh": "编辑", "en": "Edit"},
        "web.rules.activate": {"zh": "启用此版本", "en": "Activate"},
        "web.rules.activated": {
            "zh": "已启用规则集 {id} 版本 {version}（台账第 {seq} 号记录，哈希 {hash}）",
            "en": "rule set {id} version {version} activated (ledger record #{seq}, hash {hash})",
        },
        "web.rules.versions": {"zh": "规则目录中的版本", "en": "Versions in the rule directory"},
        "web.rules.no_dir": {
            "zh": "服务未指定规则目录（riskeval serve --rules-dir DIR），不能保存新版本",
            "en": "the service has no rule directory (riskeval serve --rules-dir DIR); versions cannot be saved",
        },
        "web.rules.no_versions": {"zh": "规则目录中还没有版本", "en": "no version saved yet"},
        "web.rules.editor": {"zh": "编辑规则文件：{title}", "en": "Edit the rule file: {title}"},
        "web.rules.editor_help": {
            "zh": "每次修改都会自动校验，问题显示在所在行旁边。保存时版本号取自文件中的 version，已有的版本不会被覆盖。",
            "en": "Every change is validated; each problem appears beside its line. Saving takes the version from the "
            "file's version field; an existing version is never overwritten.",
        },
        "web.rules.ok": {"zh": "未发现问题", "en": "no problem found"},
        "web.rules.problem_count": {"zh": "发现 {count} 个问题", "en": "{count} problems found"},
        "web.rules.line": {"zh": "第 {line} 行", "en": "line {line}"},
        "web.rules.elsewhere": {"zh": "所继承的规则文件中的问题：", "en": "Problems in the files it extends:"},
        "web.rules.checked_aside": {"zh": "（已做静态检查）", "en": " (static checks run)"},
        "web.rules.run_tests": {"zh": "运行内置测试", "en": "Run the embedded tests"},
        "web.rules.tests_none": {"zh": "规则文件中没有内置测试", "en": "the file has no embedded tests"},
        "web.rules.tests_passed": {"zh": "内置测试全部通过（{count} 项）", "en": "all {count} embedded tests pass"},
        "web.rules.tests_failed": {
            "zh": "内置测试 {failed} 项未通过（共 {count} 项）",
            "en": "{failed} of {count} embedded tests fail",
        },
        "web.rules.tests_blocked": {
            "zh": "规则文件有错误，先改正再运行测试",
            "en": "the file has errors: fix them before running the tests",
        },
        "web.rules.impact": {"zh": "影响分析", "en": "Impact"},
        "web.rules.impact_help": {
            "zh": "与当前使用的规则集比较，对项目清单逐项评估，列出等级或决策发生变化的项目。",
            "en": "Compared with the rule set in use, every project of the list is assessed under both; the projects "
            "whose level or decision changes are listed.",
        },
        "web.rules.impact_file": {"zh": "项目清单（CSV / XLSX）", "en": "Project list (CSV / XLSX)"},
        "web.rules.impact_example": {"zh": "使用示例清单（{count} 项）", "en": "use the example list ({count} rows)"},
        "web.rules.impact_run": {"zh": "分析影响", "en": "Show the impact"},
        "web.rules.impact_none_file": {"zh": "请选择项目清单文件", "en": "choose a project list"},
        "web.rules.impact_summary": {
            "zh": "共 {total} 个项目，{changed} 个项目的等级或决策发生变化",
            "en": "{total} projects, {changed} change level or decision",
        },
        "web.rules.impact_shown": {"zh": "（列出前 {shown} 项）", "en": " (first {shown} shown)"},
        "web.rules.col.project": {"zh": "项目", "en": "Project"},
        "web.rules.col.row": {"zh": "行", "en": "Row"},
        "web.rules.col.before": {"zh": "修改前", "en": "Before"},
        "web.rules.col.after": {"zh": "修改后", "en": "After"},
        "web.rules.col.why": {"zh": "变化原因", "en": "Why"},
        "web.rules.save": {"zh": "另存为新版本", "en": "Save as a new version"},
        "web.rules.saved": {
            "zh": "已保存规则集 {id} 版本 {version}：{file}",
            "en": "saved rule set {id} version {version}: {file}",
        },
        "web.rules.base": {"zh": "比较基准：{title}（版本 {version}）", "en": "Compared with: {title} (version {version})"},
        "web.rules.unknown": {"zh": "没有规则集 {id}", "en": "no rule set {id}"},
        "web.rules.level_decision": {"zh": "{level}，{decision}", "en": "{level}, {decision}"},
        "web.rules.initial": {"zh": "（措施前{level}）", "en": " ({level} before measures)"},
        "web.rules.score": {"zh": "得分 {old} → {new}", "en": "score {old} → {new}"},
        "web.rules.back": {"zh": "返回规则集列表", "en": "Back to the rule sets"},
        "web.rules.print": {"zh": "打印", "en": "Print"},
        "web.rules.table_title": {"zh": "评估细则：{title}", "en": "Rule table: {title}"},
        "web.rules.table_meta": {
            "zh": "编号 {id}，版本 {version}，计分方法 {method}",
            "en": "id {id}, version {version}, scoring {method}",
        },
    }
)

MAX_IMPACT_ROWS = 200
"""Changed projects listed on the page (the summary counts all)."""


def _num(x: float | None) -> str:
    return "-" if x is None else f"{round(x, 2):g}"


def _loaded(state: ServiceState) -> list[RuleSet]:
    """The rule sets in use, one per id, in the order given."""
    seen: dict[str, RuleSet] = {}
    for rs in state.rulesets.values():
        seen.setdefault(rs.id, rs)
    return list(seen.values())


def _ruleset(state: ServiceState, ruleset_id: str) -> RuleSet:
    rs = next((r for r in _loaded(state) if r.id == ruleset_id), None)
    if rs is None:
        raise RuleSetUnknownPage(id=ruleset_id[:80])
    return rs


class RuleSetUnknownPage(WebError):
    """The page names a rule set the service has not loaded."""

    code = "web.rules.unknown"
    status: ClassVar[int] = 404


def _versions(state: ServiceState) -> list[RuleVersion] | None:
    if state.settings.rules_dir is None:
        return None
    return RuleDirectory(state.settings.rules_dir).versions()


def _in_use(state: ServiceState) -> set[tuple[str, str]]:
    return {(rs.id, rs.content_hash) for rs in _loaded(state)}


@router.get("/rules")
async def rules_page(request: Request, who: Annotated[Viewer, Depends(viewer(*ANY))]) -> Response:
    state = service_state(request)
    versions = await state.call(_versions, state)
    return render(
        request,
        "rules/page.html",
        {"rulesets": _loaded(state), "versions": versions, "in_use": _in_use(state), "ADMINS": ADMINS},
        who=who,
    )


@router.get("/rules/{ruleset_id}/table")
async def rule_table(request: Request, ruleset_id: str, who: Annotated[Viewer, Depends(viewer(*ANY))]) -> Response:
    state = service_state(request)
    rs = _ruleset(state, ruleset_id)
    return render(request, "rules/table.html", {"rs": rs, "headers": HEADERS, "rows": rule_rows(rs)}, who=who)


@router.get("/rules/{ruleset_id}/edit")
async def editor(request: Request, ruleset_id: str, who: Annotated[Viewer, Depends(viewer(*ANY))]) -> Response:
    state = service_state(request)
    rs = _ruleset(state, ruleset_id)
    text = rs.path.read_text(encoding="utf-8")
    example = example_projects()
    context: dict[str, Any] = {
        "rs": rs,
        "text": text,
        "lines": text.count("\n") + 1,
        "can_save": who.can(ASSESSORS) and state.settings.rules_dir is not None,
        "has_dir": state.settings.rules_dir is not None,
        "example_rows": _count_rows(example) if example is not None else None,
    }
    return render(request, "rules/editor.html", context, who=who)


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return max(0, sum(1 for line in handle if line.strip()) - 1)


async def _form(request: Request) -> tuple[str, str, Any]:
    form = await request.form()
    text = form.get("text")
    base = form.get("base")
    return (text if isinstance(text, str) else ""), (base if isinstance(base, str) else ""), form


def _rule_dirs(state: ServiceState) -> list[Path]:
    return [state.settings.rules_dir] if state.settings.rules_dir is not None else []


def _check(state: ServiceState, text: str, lang: str, tests: bool) -> dict[str, Any]:
    """Validate (and test) on the library thread: the template's context."""
    with edit_session(text, rule_dirs=_rule_dirs(state), lang=lang) as session:
        results = session.run_tests() if tests and session.report.ok else None
        return {"report": session.report, "results": results, "tested": tests}


@router.post("/rules/check")
async def check(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ANY))]) -> Response:
    return await _checked(request, who, "rules/_check.html", tests=False)


@router.post("/rules/test")
async def test(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ANY))]) -> Response:
    return await _checked(request, who, "rules/_tests.html", tests=True)


async def _checked(request: Request, who: Viewer, template: str, *, tests: bool) -> Response:
    state = service_state(request)
    text, _, _ = await _form(request)
    try:
        context = await state.call(_check, state, text, who.lang, tests)
    except InputError as exc:
        return render(request, "rules/_error.html", {"message": exc.render(who.lang)}, who=who)
    return render(request, template, context, who=who)


def _impact(state: ServiceState, text: str, base: RuleSet, projects: Path, lang: str) -> dict[str, Any]:
    with edit_session(text, rule_dirs=_rule_dirs(state), lang=lang, check=False) as session:
        return _impact_context(session, base, projects)


def _impact_context(session: EditSession, base: RuleSet, projects: Path) -> dict[str, Any]:
    if session.ruleset is None:
        return {"report": session.report, "outcome": None, "base": base}
    new = session.ruleset
    outcome = session.impact(base, projects, keep=MAX_IMPACT_ROWS)
    labels: dict[str, str] = {}
    for rs in (base, new):
        labels.update({i.id: i.label for i in rs.items})
        labels.update({g.id: g.label for g in rs.triggers})
    lang = session.lang

    def state(row: Any) -> str:
        if row.status != "ok" or not row.residual_level:
            return t(f"batch.status.{row.status}", lang)
        text = t("web.rules.level_decision", lang, level=t(f"level.{row.residual_level}", lang),
                 decision=t(f"decision.{row.decision}", lang))
        if row.initial_level and row.initial_level != row.residual_level:
            text += t("web.rules.initial", lang, level=t(f"level.{row.initial_level}", lang))
        return text

    def why(change: Any) -> str:
        named = t("punct.enum", lang).join(dict.fromkeys(labels.get(x, x) for x in change.responsible))
        score = t("web.rules.score", lang, old=_num(change.old.residual_score), new=_num(change.new.residual_score))
        return t("punct.list", lang).join(filter(None, [named, score]))

    changes = [
        {
            "row": c.row,
            "id": c.id or "",
            "before": state(c.old),
            "after": state(c.new),
            "why": why(c),
        }
        for c in outcome.changes
    ]
    return {"report": session.report, "outcome": outcome, "base": base, "shown": len(changes), "changes": changes}


@router.post("/rules/impact")
async def impact(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ANY))]) -> Response:
    state = service_state(request)
    text, base_id, form = await _form(request)
    base = _ruleset(state, base_id)
    upload = form.get("projects")
    example = example_projects()
    try:
        with tempfile.TemporaryDirectory(prefix="riskeval-impact-") as tmp:
            if isinstance(upload, UploadFile) and upload.filename:
                suffix = Path(upload.filename).suffix.lower()
                if suffix not in (".csv", ".xlsx", ".jsonl"):
                    raise InputError("input.unreadable", path=upload.filename[:100], detail=suffix or "?")
                projects = Path(tmp) / f"projects{suffix}"
                projects.write_bytes(await upload.read())
            elif form.get("example") == "1" and example is not None:
                projects = example
            else:
                return render(request, "rules/_error.html", {"message_key": "web.rules.impact_none_file"}, who=who)
            context = await state.call(_impact, state, text, base, projects, who.lang)
    except RiskevalError as exc:
        return render(request, "rules/_error.html", {"message": exc.render(who.lang)}, who=who)
    return render(request, "rules/_impact.html", context, who=who)


@router.post("/rules/save")
async def save(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ASSESSORS))]) -> Response:
    state = service_state(request)
    text, _, _ = await _form(request)

    def _save() -> RuleVersion:
        return rule_directory(state).save(text, lang=who.lang)

    try:
        saved = await state.call(_save)
    except RuleSetError as exc:
        return render(request, "rules/_error.html", {"message": exc.render(who.lang)}, who=who)
    except RiskevalError as exc:
        return render(request, "rules/_error.html", {"message": exc.message(who.lang)}, who=who)
    return render(request, "rules/_saved.html", {"saved": saved}, who=who)


@router.post("/rules/activate")
async def activate_version(request: Request, who: Annotated[Viewer, Depends(form_viewer(*ADMINS))]) -> Response:
    state = service_state(request)
    form = await request.form()
    ruleset_id, version = str(form.get("ruleset") or ""), str(form.get("version") or "")
    try:
        record = await state.call(activate, state, ruleset_id, version, actor=who.name)
    except RiskevalError as exc:
        return render(request, "rules/_error.html", {"message": exc.message(who.lang)}, who=who)
    versions = await state.call(_versions, state)
    return render(
        request,
        "rules/page.html",
        {
            "rulesets": _loaded(state),
            "versions": versions,
            "in_use": _in_use(state),
            "ADMINS": ADMINS,
            "activated": record,
        },
        who=who,
    )
