"""The messages of ``riskeval check`` and ``riskeval test --coverage`` (zh default, en)."""

from __future__ import annotations

from ...i18n import register_messages, t

__all__ = ["Text", "Many"]


class Text:
    """A message parameter shown in the message's language (a catalogue key and its parameters)."""

    def __init__(self, code: str, **params: object) -> None:
        self.code, self.params = code, params

    def short(self, lang: str = "zh") -> str:
        params = {k: (v.short(lang) if isinstance(v, Text) else v) for k, v in self.params.items()}
        return t(self.code, lang, **params)

    def __str__(self) -> str:
        return self.short("zh")


class Many:
    """Several labels, joined in the message's language."""

    def __init__(self, labels: list[Text] | list[str], more: int = 0, sep: str = "check.list_sep") -> None:
        self.labels, self.more, self.sep = labels, more, sep

    def short(self, lang: str = "zh") -> str:
        text = t(self.sep, lang).join(x.short(lang) if isinstance(x, Text) else x for x in self.labels)
        return text + (t("check.list_more", lang, count=self.more) if self.more else "")

    def __str__(self) -> str:
        return self.short("zh")


register_messages(
    {
        "check.list_sep": {"zh": "、", "en": "', '"},
        "check.level_sep": {"zh": "、", "en": ", "},
        "check.list_more": {"zh": " 等 {count} 项", "en": " (+{count})"},
        "check.severity.error": {"zh": "错误", "en": "error"},
        "check.severity.warning": {"zh": "警告", "en": "warning"},
        "check.level_unreachable": {
            "zh": "等级“{level}”仅凭分值无法达到：不触发直接认定情形时可得分值为 {range}，等级区间为 {band}",
            "en": "level '{level}' cannot be reached by score: without a direct trigger the attainable score is {range}, the level's band is {band}",
        },
        "check.level_unreachable_base": {
            "zh": "等级“{level}”对不涉及任何条件条目（{items}）的项目仅凭分值无法达到：不触发直接认定情形时可得分值为 {range}，等级区间为 {band}",
            "en": "level '{level}' cannot be reached by score by a project to which no conditional item ('{items}') applies: without a direct trigger the attainable score is {range}, the level's band is {band}",
        },
        "check.level_unreachable_cases": {
            "zh": "等级“{level}”在 {count}/{total} 种条目适用情形下仅凭分值无法达到，例如{case}时可得分值为 {range}，等级区间为 {band}",
            "en": "level '{level}' cannot be reached by score in {count} of {total} cases of applicable items, e.g. when {case} the attainable score is {range}, the level's band is {band}",
        },
        "check.case_applies": {"zh": "仅“{items}”适用", "en": "only '{items}' apply"},
        "check.case_none": {"zh": "条件条目都不适用", "en": "no conditional item applies"},
        "check.decision_unreachable": {
            "zh": "决策“{decision}”仅凭分值无法得出：对应的等级（{levels}）都无法仅凭分值达到",
            "en": "decision '{decision}' cannot result from the score: none of its levels ({levels}) can be reached by score",
        },
        "check.no_score": {
            "zh": "没有任何项目能得到分值：事实的声明与条件互相矛盾（或每个项目都会触发直接认定）",
            "en": "no project can get a score: the fact declarations contradict the conditions (or every project meets a direct trigger)",
        },
        "check.dim_max": {
            "zh": "维度“{dimension}”可得最高分为 {attained}，与声明的满分 {max} 不一致",
            "en": "dimension '{dimension}' attains at most {attained}, not its declared maximum {max}",
        },
        "check.item_max": {
            "zh": "条目“{item}”可得最高分为 {attained}，与声明的最高分 {max} 不一致",
            "en": "item '{item}' attains at most {attained}, not its declared maximum {max}",
        },
        "check.item_never": {
            "zh": "条目“{item}”的适用条件在事实声明的取值范围内永远不成立，该条目从不计分",
            "en": "the condition of item '{item}' never holds within the declared values of its facts: it never scores",
        },
        "check.band_empty": {
            "zh": "条目“{item}”的区间 {band} 与事实“{fact}”声明的取值范围 {domain} 没有交集，永远不会用到",
            "en": "band {band} of item '{item}' lies outside the declared range {domain} of fact '{fact}': it never applies",
        },
        "check.band_unused": {
            "zh": "条目“{item}”的区间 {band} 在本条目适用时（{condition}）永远不会用到",
            "en": "band {band} of item '{item}' never applies while the item applies ({condition})",
        },
        "check.option_value_partial": {
            "zh": "事实“{fact}”的选项“{option}”没有数值（value），而其他选项有：在算式中无法使用该事实",
            "en": "option '{option}' of fact '{fact}' has no value while other options have one: formulas cannot use the fact",
        },
        "check.trigger_never": {
            "zh": "直接认定情形“{trigger}”的条件在事实声明的取值范围内永远不成立",
            "en": "the condition of trigger '{trigger}' never holds within the declared values of its facts",
        },
        "check.trigger_subsumed": {
            "zh": "直接认定情形“{trigger}”被“{other}”涵盖：凡满足本条时“{other}”也成立，且其等级（{other_level}）不低于本条（{level}）",
            "en": "trigger '{trigger}' is subsumed by '{other}': whenever it holds '{other}' holds too, at a level ({other_level}) no lower than its own ({level})",
        },
        "check.scope_always": {
            "zh": "评估范围条件“{entry}”对所有项目都成立：其他范围条件不起作用",
            "en": "scope entry '{entry}' holds for every project: the other entries have no effect",
        },
        "check.scope_never": {
            "zh": "评估范围条件“{entry}”对任何项目都不成立",
            "en": "scope entry '{entry}' holds for no project",
        },
        "check.fact_unused": {
            "zh": "事实“{fact}”已声明，但没有任何条目、直接认定、程序、范围或专家组规则读取它",
            "en": "fact '{fact}' is declared but no item, trigger, procedure, scope entry or panel rule reads it",
        },
        "check.not_analysed": {
            "zh": "未能精确分析：{what}",
            "en": "not analysed exactly: {what}",
        },
        "check.why.repeated": {
            "zh": "条目“{item}”的算式多次使用同一事实，分值范围只是外包估计",
            "en": "the formula of item '{item}' uses a fact more than once; its score bounds are outer bounds only",
        },
        "check.why.shared": {
            "zh": "条目“{item}”的算式与其他条目的算式共用事实，分值范围只是外包估计",
            "en": "the formula of item '{item}' shares a fact with another item's formula; the score bounds are outer bounds only",
        },
        "check.why.compound": {
            "zh": "复合直接认定情形“{trigger}”（按命中条目数触发）不计入“仅凭分值”的范围",
            "en": "compound trigger '{trigger}' (fired by a count of items) is not taken into account for 'by score'",
        },
        "check.why.too_large": {
            "zh": "事实取值组合过多（{size} 个），未逐一枚举",
            "en": "too many combinations of fact values ({size}) to enumerate",
        },
        "check.why.list": {
            "zh": "条件中与列表类事实比较的成员超过 {limit} 个，未逐一枚举",
            "en": "more than {limit} members are compared with a list fact: not enumerated",
        },
        "check.summary": {
            "zh": "{files} 个文件：{errors} 个错误，{warnings} 个警告",
            "en": "{files} file(s): {errors} error(s), {warnings} warning(s)",
        },
        "coverage.header": {
            "zh": "{file}：覆盖率 {percent}%（条目 {items}，直接认定 {triggers}，范围 {scope}，程序 {procedures}）",
            "en": "{file}: coverage {percent}% (items {items}, triggers {triggers}, scope {scope}, procedures {procedures})",
        },
        "coverage.row": {"zh": "  {kind:<6} {covered}/{total}", "en": "  {kind:<10} {covered}/{total}"},
        "coverage.uncovered": {"zh": "  未覆盖：{what}", "en": "  not covered: {what}"},
        "coverage.kind.items": {"zh": "条目", "en": "items"},
        "coverage.kind.triggers": {"zh": "直接认定", "en": "triggers"},
        "coverage.kind.scope": {"zh": "范围", "en": "scope"},
        "coverage.kind.procedures": {"zh": "程序", "en": "procedures"},
        "coverage.below": {
            "zh": "覆盖率 {percent}% 低于要求的 {minimum}%：{file}",
            "en": "coverage {percent}% is below the required {minimum}%: {file}",
        },
    }
)
