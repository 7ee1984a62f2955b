"""The rule-file format: these pydantic models *are* the schema (``riskeval schema`` prints it).

A rule file is data edited by policy staff; every field has a Chinese description that
editors show on hover. The resolved, checked rule set is :class:`riskeval.ruleset.RuleSet`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "Level",
    "Decision",
    "Regime",
    "OptionDecl",
    "FactDecl",
    "Dimension",
    "ValueTable",
    "Item",
    "Trigger",
    "Procedure",
    "PanelRule",
    "ScopeRule",
    "PanelSpec",
    "LevelBand",
    "Scoring",
    "Expect",
    "RuleTest",
    "Removal",
    "RuleFile",
    "LEVEL_ORDER",
]

Level = Literal["low", "medium", "high"]
Decision = Literal["reject", "postpone", "proceed_after_measures", "proceed"]
Regime = Literal["ndrc_project", "major_decision"]
Confidence = Literal["V", "S", "U"]
FactType = Literal["number", "integer", "bool", "option", "text", "list"]
LEVEL_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class OptionDecl(_Strict):
    """One option of an ``option`` fact."""

    code: str = Field(description="选项代码（英文），如 nimby")
    label: str = Field(description="中文名称，如 涉邻避；项目可填代码或中文名称")
    value: float | None = Field(None, description="用于公式的数值（可选），如 强烈 = 1")


class FactDecl(_Strict):
    """A fact the rule set reads."""

    type: FactType = Field(description="类型：number 数值 / integer 整数 / bool 是否 / option 选项 / text 文本 / list 列表")
    label: str = Field(description="中文名称")
    unit: str | None = Field(None, description="单位，如 % / 人 / 万元；比率一律用 0–100 的百分数")
    min: float | None = Field(None, description="最小值（含）")
    max: float | None = Field(None, description="最大值（含）")
    required: bool = Field(False, description="项目必须填写（仅当规则读取该事实时生效）")
    required_when: str | None = Field(None, description="在此条件成立时项目必须填写（表达式），如 households_relocated > 0")
    default: Any = Field(None, description="项目未填写时使用的默认值")
    options: list[OptionDecl] = Field(default_factory=list, description="选项（option 类型必填）")
    description: str | None = Field(None, description="说明")

    @field_validator("options", mode="before")
    @classmethod
    def _options_from_mapping(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return [{"code": code, "label": label} for code, label in value.items()]
        return value


class Dimension(_Strict):
    """A dimension (合法性 / 合理性 / 可行性 / 可控性 or a local variant)."""

    id: str = Field(description="维度代码，如 legality")
    label: str = Field(description="中文名称，如 合法性")
    weight: float | None = Field(None, description="权重（指数法，各维度权重之和为 1）")
    max: float | None = Field(None, description="满分（扣分法，各维度满分之和等于总分）")
    source: str | None = Field(None, description="依据")
    confidence: Confidence | None = Field(None, description="可信度 V / S / U")


class ValueTable(_Strict):
    """How an item's value is read from the facts: an option table, numeric bands or a formula."""

    fact: str | None = Field(None, description="读取的事实名称")
    map: dict[str, float] | None = Field(None, description="选项 → 分值，如 {full: 0, basic: 2, none: 3}")
    bands: dict[str, float] | None = Field(None, description="数值区间 → 分值，区间写法 [70, 85) 表示 70 ≤ x < 85")
    formula: str | None = Field(None, description="算式，只允许 + - * / min max 与数值事实，如 35 * opposition_rate / 100")


ValueSpec = float | ValueTable


class Item(_Strict):
    """A risk factor / scoring item."""

    id: str = Field(description="条目编号（全规则集唯一）")
    label: str = Field(description="中文名称")
    dimension: str = Field(description="所属维度代码")
    category: str | None = Field(None, description="风险因素类别（428号文八类）")
    source: str = Field(description="依据（文件号、条款）")
    confidence: Confidence = Field(description="可信度：V 原文 / S 转述 / U 未见原文的默认值")
    when: str | None = Field(None, description="适用条件（表达式），不写表示总是适用")
    max: float | None = Field(None, description="扣分法：本条最高分")
    points: ValueSpec | None = Field(None, description="扣分法：分值（常数、选项表、区间表或算式）")
    probability: ValueSpec | None = Field(None, description="指数法：发生概率 0–1")
    impact: ValueSpec | None = Field(None, description="指数法：影响程度 0–1")
    weight: float | None = Field(None, description="指数法：权重")
    panel: bool = Field(False, description="由专家组评分而非从事实计算")
    note: str | None = Field(None, description="说明（如本项目对公式的解释）")


class Trigger(_Strict):
    """A direct trigger (一票否决): sets a minimum level whatever the score."""

    id: str
    label: str
    when: str | None = Field(None, description="触发条件（表达式）；与 factors 同写时两者须同时成立")
    factors: list[str] | None = Field(
        None, description="复合触发：列出的风险条目中至少 min_factors 项命中（条件成立且分值非零分档）时触发"
    )
    min_factors: int | None = Field(None, ge=1, description="复合触发至少命中的条目数（默认全部）")
    level: Level = Field(description="触发后至少为该等级")
    source: str
    confidence: Confidence
    note: str | None = Field(None, description="说明（如数值的来历、未见出处的默认值）")


class Procedure(_Strict):
    """A required procedure; when required and not satisfied the assessment is incomplete."""

    id: str
    label: str
    required_when: str | None = Field(None, description="何时必须履行（不写表示总是必须）")
    satisfied: str = Field(description="已履行的条件（表达式），如 public_notice_days >= 10")
    source: str
    confidence: Confidence


class ScopeRule(_Strict):
    """A kind of matter that must be assessed (应评尽评)."""

    when: str = Field(description="条件（表达式）")
    label: str | None = Field(None, description="事项类别，如 征地拆迁")
    source: str | None = Field(None, description="依据")
    confidence: Confidence | None = None


class PanelRule(_Strict):
    when: str | None = Field(None, description="条件（表达式）")
    size: int = Field(ge=1, description="专家人数")


class PanelSpec(_Strict):
    """Panel-size rules: the first rule whose condition holds gives the size."""

    rules: list[PanelRule] = Field(default_factory=list)
    default: int = Field(3, ge=1)
    source: str | None = None


class LevelBand(_Strict):
    range: str = Field(description="分值区间，如 [0, 20] 或 (20, 35]")
    label: str | None = Field(None, description="等级定义（原文）")

    @classmethod
    def coerce(cls, value: Any) -> Any:
        return {"range": value} if isinstance(value, str) else value


class Scoring(_Strict):
    """Scoring method and level cut-offs."""

    method: Literal["points", "index"] = Field(description="points 扣分法（分越高风险越大）/ index 概率×影响指数法")
    total: float | None = Field(None, description="扣分法总分，如 100")
    levels: dict[Level, LevelBand] = Field(description="各等级的分值区间，须首尾相接、不重不漏")
    not_applicable: Literal["renormalise", "zero"] = Field(
        "renormalise",
        description=(
            "指数法中不适用条目的处理：renormalise（默认）在各维度内按适用条目重新归一权重、无适用条目的维度不计"
            "（发改办投资〔2013〕428号：专家只对识别出的主要风险因素赋权）；zero 不适用条目按 0 计、权重保留（固定量表）。"
            "扣分法不受影响（不涉及不计分）"
        ),
    )
    source: str | None = None
    confidence: Confidence | None = None

    @field_validator("levels", mode="before")
    @classmethod
    def _bands(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: LevelBand.coerce(v) for k, v in value.items()}
        return value


class Expect(_Strict):
    level: Level | None = None
    initial_level: Level | None = None
    decision: Decision | None = None
    incomplete: bool | None = None
    in_scope: bool | None = None
    score: float | None = None
    initial_score: float | None = None
    findings: list[str] | None = Field(None, description="必须命中的条目编号")
    absent: list[str] | None = Field(None, description="不得命中的条目编号")
    triggers: list[str] | None = Field(None, description="必须触发的一票否决条目")
    missing_procedures: list[str] | None = None


class RuleTest(_Strict):
    """An embedded test case, like ``opa test``."""

    name: str
    project: dict[str, Any] = Field(description="项目（与项目文件同格式：facts、measures 等）")
    expect: Expect


class Removal(_Strict):
    facts: list[str] = Field(default_factory=list)
    dimensions: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)
    triggers: list[str] = Field(default_factory=list)
    procedures: list[str] = Field(default_factory=list)


class RuleFile(_Strict):
    """A rule file as written (``extends`` not yet resolved)."""

    id: str = Field(description="规则集编号，如 guiyang")
    title: str = Field(description="标题")
    version: str = Field(description="版本号")
    effective: str | None = Field(None, description="生效日期 YYYY-MM-DD")
    authority: str | None = Field(None, description="制定机关")
    sources: list[str] = Field(default_factory=list, description="依据文件（文号）")
    description: str | None = None
    regime: Regime | None = Field(None, description="默认决策规则：ndrc_project（中、高风险均不予审批）/ major_decision")
    decisions: dict[Level, Decision] | None = Field(None, description="自定义 等级 → 决策 对照表")
    extends: str | None = Field(None, description="继承的规则集：内置名称或相对本文件的路径")
    remove: Removal | None = Field(None, description="从被继承规则集中删除的条目编号")
    facts: dict[str, FactDecl] = Field(default_factory=dict)
    scope: list[str | ScopeRule] | None = Field(
        None, description="须评估事项（任一条件成立即须评估；可写表达式或 {when, label, source}）；不写表示所有事项"
    )
    dimensions: list[Dimension] = Field(default_factory=list)
    scoring: Scoring | None = None
    items: list[Item] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)
    panel: PanelSpec | None = None
    tests: list[RuleTest] = Field(default_factory=list)
