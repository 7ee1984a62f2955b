"""The ``GateError`` family: why a decision may not go ahead, in Chinese (default) or English.

Every error carries the project id (``project_id``), a machine-readable ``reason`` code, the
parameters of its message (``params``) and, when one was involved, the ledger record (``record``).
``str(exc)`` is the Chinese message; ``exc.message("en")`` the English one.

Examples
--------
>>> exc = AssessmentRequired("P-7")
>>> exc.reason, exc.project_id
('no_assessment', 'P-7')
>>> print(exc.message("en"))
project P-7 must be assessed (social-stability risk assessment) and the ledger holds no assessment of it: no decision may be taken without one.
>>> isinstance(exc, GateError)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import RiskevalError
from ..i18n import normalize_lang, register_messages, t

if TYPE_CHECKING:  # pragma: no cover
    from ..ledger import LedgerRecord

__all__ = [
    "GateError",
    "AssessmentRequired",
    "AssessmentStale",
    "AssessmentIncomplete",
    "GateBlocked",
]

register_messages(
    {
        "gate.required.no_assessment": {
            "zh": "项目 {id} 属于须评估事项，台账中没有它的社会稳定风险评估记录：未经评估不得作出决策。",
            "en": "project {id} must be assessed (social-stability risk assessment) and the ledger holds no "
            "assessment of it: no decision may be taken without one.",
        },
        "gate.required.scope_unknown": {
            "zh": "项目 {id} 没有评估记录，且其数据无法核对（{detail}），不能认定为无需评估：须先评估。",
            "en": "project {id} has no assessment and its data cannot be checked ({detail}), so it cannot be "
            "taken as outside the scope: assess it first.",
        },
        "gate.required.none_before": {
            "zh": "决策（{date}）之前，台账中没有项目 {id} 的评估记录，也没有“不属于须评估事项”的记录。",
            "en": "before the decision ({date}) the ledger holds no assessment of project {id}, nor a record "
            "that it is out of scope.",
        },
        "gate.stale.project_hash": {
            "zh": "决策所依据的项目（哈希 {new}）不是所评估的项目（哈希 {old}）",
            "en": "the project decided on (hash {new}) is not the one assessed (hash {old})",
        },
        "gate.stale": {
            "zh": "项目 {id} 的评估（台账第 {seq} 号记录）已过期：{changes}。须重新评估后方可决策。",
            "en": "the assessment of project {id} (ledger record #{seq}) is stale: {changes}. Assess it again "
            "before deciding.",
        },
        "gate.stale.facts": {"zh": "事实 {names} 已变化", "en": "facts {names} changed"},
        "gate.stale.measures": {"zh": "防范化解措施已变化", "en": "the measures changed"},
        "gate.stale.identity": {"zh": "项目基本信息 {names} 已变化", "en": "identity fields {names} changed"},
        "gate.stale.panel": {"zh": "专家组评分 {names} 已变化", "en": "panel data {names} changed"},
        "gate.stale.project": {"zh": "项目内容已变化", "en": "the project changed"},
        "gate.stale.ruleset_id": {"zh": "规则集由 {old} 换为 {new}", "en": "the rule set changed from {old} to {new}"},
        "gate.stale.ruleset_version": {
            "zh": "规则集 {rid} 的版本由 {old} 变为 {new}",
            "en": "rule set {rid} changed from version {old} to {new}",
        },
        "gate.stale.ruleset_content": {
            "zh": "规则集 {rid}（版本 {version}）的内容已变化（内容哈希 {old} → {new}）",
            "en": "the content of rule set {rid} (version {version}) changed (content hash {old} → {new})",
        },
        "gate.incomplete": {
            "zh": "项目 {id} 的评估不完整（台账第 {seq} 号记录）：{reasons}。补齐后重新评估。",
            "en": "the assessment of project {id} (ledger record #{seq}) is incomplete: {reasons}. Complete it "
            "and assess again.",
        },
        "gate.incomplete.control_measures": {
            "zh": "存在低风险但有可靠防控措施的，可以审批、核准（发改投资〔2012〕2492号）；本项目既未列出防范化解措施，"
            "也没有风险防范化解预案（预案缺失或不完整）",
            "en": "low risk is approvable only with reliable control measures (NDRC 2492/2012: \"存在低风险但有可靠防控措施的，"
            "可以审批、核准\"); the project lists no risk-mitigation measures and has no contingency plan (missing or incomplete)",
        },
        "gate.blocked.reject": {
            "zh": "项目 {id} 评估为{level}（{regime}），决策为“{decision}”（台账第 {seq} 号记录）：不得实施。",
            "en": "project {id} was assessed as {level} ({regime}); the decision is '{decision}' (ledger record "
            "#{seq}): it may not go ahead.",
        },
        "gate.blocked.postpone": {
            "zh": "项目 {id} 评估为{level}，决策为“{decision}”（台账第 {seq} 号记录）：暂不得实施。",
            "en": "project {id} was assessed as {level}; the decision is '{decision}' (ledger record #{seq}): it "
            "may not go ahead for now.",
        },
        "gate.blocked.measures_missing": {
            "zh": "项目 {id} 评估为{level}（{regime}），须落实防范化解措施后方可实施，但项目未列出任何措施"
            "（台账第 {seq} 号记录）。",
            "en": "project {id} was assessed as {level} ({regime}) and may only go ahead after risk-mitigation "
            "measures, but it lists none (ledger record #{seq}).",
        },
        "gate.regime.ndrc_project": {"zh": "项目审批规则：中、高风险均不予审批", "en": "project-approval rule: medium and high are not approvable"},
        "gate.regime.major_decision": {"zh": "重大决策规则", "en": "major-decision rule"},
        "gate.regime.custom": {"zh": "规则集自定义决策", "en": "the rule set's own decision table"},
    }
)


class GateError(RiskevalError):
    """A decision may not go ahead (or the record it would rest on cannot be trusted).

    Parameters
    ----------
    project_id
        The project concerned (``None`` for ledger-wide problems).
    reason
        A machine-readable code, e.g. ``"no_assessment"``, ``"facts"``, ``"reject"``.
    record
        The ledger record the check looked at, if any.
    **params
        Values for the message.
    """

    prefix = "gate"

    def __init__(self, project_id: str | None, reason: str, *, record: LedgerRecord | None = None, **params: Any) -> None:
        self.project_id = project_id
        self.reason = reason
        self.record = record
        super().__init__(self.key(), **params)

    def key(self) -> str:
        """The catalogue key of the message."""
        return f"{self.prefix}.{self.reason}"

    def render_params(self, lang: str) -> dict[str, Any]:
        """Message parameters in ``lang`` (subclasses translate codes such as levels)."""
        params = dict(self.params)
        params.setdefault("id", self.project_id)
        if self.record is not None:
            params.setdefault("seq", self.record.seq)
        return params

    def message(self, lang: str | None = "zh") -> str:
        """The message in Chinese (``"zh"``, default) or English (``"en"``)."""
        lang = normalize_lang(lang)
        return t(self.key(), lang, **self.render_params(lang))

    def __str__(self) -> str:
        return self.message("zh")

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The base dict plus ``error``, ``reason``, ``project_id`` and ``seq``."""
        out = super().to_dict(lang)
        out.update(
            {
                "error": type(self).__name__,
                "reason": self.reason,
                "project_id": self.project_id,
                "seq": self.record.seq if self.record is not None else None,
            }
        )
        return out


class AssessmentRequired(GateError):
    """The project is in scope and the ledger holds no assessment of it (``reason``: ``no_assessment``
    or ``scope_unknown``)."""

    prefix = "gate.required"

    def __init__(self, project_id: str | None, reason: str = "no_assessment", **params: Any) -> None:
        super().__init__(project_id, reason, **params)


class AssessmentStale(GateError):
    """The project or the rule set changed since the last assessment.

    ``reason`` is the first change (``facts``, ``measures``, ``identity``, ``panel``, ``project``,
    ``ruleset_id``, ``ruleset_version``, ``ruleset_content``); ``changes`` lists them all as
    ``(code, params)`` pairs.
    """

    def __init__(self, project_id: str | None, changes: list[tuple[str, dict[str, Any]]], *, record: LedgerRecord | None = None) -> None:
        self.changes = changes
        super().__init__(project_id, changes[0][0] if changes else "project", record=record)

    def key(self) -> str:
        return "gate.stale"

    def render_params(self, lang: str) -> dict[str, Any]:
        params = super().render_params(lang)
        sep = t("punct.list", lang)
        params["changes"] = sep.join(t(f"gate.stale.{code}", lang, **p) for code, p in self.changes)
        return params


class AssessmentIncomplete(GateError):
    """Required procedures (``reason`` ``procedures``), panel scores (``panel``) or, for a low-risk
    ``ndrc_project``, reliable control measures (``control_measures``: 2492号) are missing.

    ``params`` holds ``procedures`` (labels), ``panel_items`` (item ids) and ``control_measures`` (bool).
    """

    def key(self) -> str:
        return "gate.incomplete"

    def render_params(self, lang: str) -> dict[str, Any]:
        params = super().render_params(lang)
        parts = [t("incomplete.procedure", lang, label=label) for label in self.params.get("procedures", [])]
        items = self.params.get("panel_items", [])
        if items:
            parts.append(t("incomplete.panel", lang, items=", ".join(items)))
        if self.params.get("control_measures"):
            parts.append(t("gate.incomplete.control_measures", lang))
        params["reasons"] = t("punct.list", lang).join(parts)
        return params


class GateBlocked(GateError):
    """The assessment forbids going ahead: ``reason`` is ``reject``, ``postpone`` or ``measures_missing``.

    ``params`` holds ``level``, ``decision`` and ``regime`` codes.
    """

    prefix = "gate.blocked"

    def render_params(self, lang: str) -> dict[str, Any]:
        params = super().render_params(lang)
        params["level"] = t(f"level.{self.params.get('level')}", lang)
        params["decision"] = t(f"decision.{self.params.get('decision')}", lang)
        params["regime"] = t(f"gate.regime.{self.params.get('regime') or 'custom'}", lang)
        return params
