"""Impact analysis of a rule change: what differs between two rule sets, and which projects it moves.

:func:`diff_rulesets` compares the definitions of items, triggers, procedures, fact declarations, dimensions
and settings (scoring bands, regime, decisions, scope, panel) by id.  :func:`impact` assesses each project of a
list under both rule sets (in worker processes, in input order) and reports every project whose status, level
(before or after measures) or decision changes, with the items responsible: findings added, removed or scored
differently, and triggers that differ.

Examples
--------
>>> from riskeval import load_ruleset
>>> rs = load_ruleset("jiangsu-db32-4013-2021")
>>> diff_rulesets(rs, rs).changes
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..i18n import register_messages, t
from ..io.tables import TableRow
from ..model.project import Project
from ..ruleset.compiled import RuleSet
from .runner import BatchRow, Job, remember, run_chunks

__all__ = ["EntityChange", "RuleSetDiff", "ProjectChange", "diff_rulesets", "impact", "IMPACT_COLUMNS"]

register_messages(
    {
        "diff.kind.item": {"zh": "评估条目", "en": "item"},
        "diff.kind.trigger": {"zh": "直接触发条件", "en": "trigger"},
        "diff.kind.procedure": {"zh": "必经程序", "en": "procedure"},
        "diff.kind.fact": {"zh": "事实声明", "en": "fact"},
        "diff.kind.dimension": {"zh": "维度", "en": "dimension"},
        "diff.kind.setting": {"zh": "设置", "en": "setting"},
        "diff.change.added": {"zh": "新增", "en": "added"},
        "diff.change.removed": {"zh": "删除", "en": "removed"},
        "diff.change.changed": {"zh": "修改", "en": "changed"},
        "diff.line": {
            "zh": "  {change}{kind} {id}{label}{fields}",
            "en": "  {change} {kind} {id}{label}{fields}",
        },
        "diff.fields": {"zh": "（变更：{fields}）", "en": " (fields: {fields})"},
        "diff.rules_header": {
            "zh": "规则变化（{old} → {new}）：条目新增 {added}、删除 {removed}、修改 {changed}；其他变化 {other}",
            "en": "Rule changes ({old} → {new}): items {added} added, {removed} removed, {changed} changed; {other} other changes",
        },
        "diff.no_rule_changes": {
            "zh": "  两个规则集的定义相同",
            "en": "  the two rule sets define the same rules",
        },
        "diff.projects": {
            "zh": "项目：共 {total} 个，等级、决策或状态变化的 {changed} 个",
            "en": "Projects: {total} in all, {changed} change level, decision or status",
        },
        "diff.project_line": {
            "zh": "  第 {row} 行 {id}：{old} → {new}{items}",
            "en": "  row {row} {id}: {old} → {new}{items}",
        },
        "diff.responsible": {"zh": "；相关条目 {items}", "en": "; items {items}"},
        "diff.settings_only": {"zh": "等级划分或决策规则变化", "en": "level bands or decision rules changed"},
    }
)

#: Columns of the impact table (``riskeval diff --out``).
IMPACT_COLUMNS: tuple[str, ...] = (
    "row",
    "id",
    "old_status",
    "new_status",
    "old_initial_level",
    "new_initial_level",
    "old_level",
    "new_level",
    "old_decision",
    "new_decision",
    "old_score",
    "new_score",
    "items",
    "triggers",
    "error",
)


@dataclass
class EntityChange:
    """One added, removed or changed definition (``kind``: item, trigger, procedure, fact, dimension, setting)."""

    kind: str
    id: str
    change: str
    label: str | None = None
    fields: list[str] = field(default_factory=list)
    old: Any = None
    new: Any = None

    def text(self, lang: str = "zh") -> str:
        fields = t("diff.fields", lang, fields=", ".join(self.fields)) if self.fields else ""
        return t(
            "diff.line",
            lang,
            change=t(f"diff.change.{self.change}", lang),
            kind=t(f"diff.kind.{self.kind}", lang),
            id=self.id,
            label=f" {self.label}" if self.label else "",
            fields=fields,
        )


@dataclass
class RuleSetDiff:
    """The definitions that differ between ``old`` and ``new`` (by id)."""

    old: str
    new: str
    changes: list[EntityChange]

    def of(self, kind: str, change: str | None = None) -> list[EntityChange]:
        """The changes of one kind (and one change type)."""
        return [c for c in self.changes if c.kind == kind and (change is None or c.change == change)]

    def as_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "changes": [asdict(c) for c in self.changes]}

    def text(self, lang: str = "zh") -> str:
        """A header line and one line per change."""
        head = t(
            "diff.rules_header",
            lang,
            old=self.old,
            new=self.new,
            added=len(self.of("item", "added")),
            removed=len(self.of("item", "removed")),
            changed=len(self.of("item", "changed")),
            other=len([c for c in self.changes if c.kind != "item"]),
        )
        lines = (
            [head, *(c.text(lang) for c in self.changes)]
            if self.changes
            else [head, t("diff.no_rule_changes", lang)]
        )
        return "\n".join(lines)


def _dump(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json", exclude_none=True)
    return obj


def _compare(
    kind: str, old: Mapping[str, Any], new: Mapping[str, Any], labels: Callable[[Any], str | None]
) -> list[EntityChange]:
    out: list[EntityChange] = []
    for key, value in old.items():
        if key not in new:
            out.append(EntityChange(kind, key, "removed", labels(value), old=_dump(value)))
    for key, value in new.items():
        if key not in old:
            out.append(EntityChange(kind, key, "added", labels(value), new=_dump(value)))
            continue
        a, b = _dump(old[key]), _dump(value)
        if a != b:
            fields = (
                sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                if isinstance(a, dict) and isinstance(b, dict)
                else []
            )
            out.append(EntityChange(kind, key, "changed", labels(value), fields, a, b))
    return out


def _settings(rs: RuleSet) -> dict[str, Any]:
    return {
        "scoring": _dump(rs.scoring),
        "regime": rs.regime,
        "decisions": rs.decisions,
        "scope": [text for text, _ in rs.scope] if rs.scope is not None else None,
        "panel": _dump(rs.panel) if rs.panel is not None else None,
    }


def diff_rulesets(old: RuleSet, new: RuleSet) -> RuleSetDiff:
    """Compare two rule sets' definitions by id.

    Parameters
    ----------
    old, new
        Loaded rule sets (e.g. the published file and an edited copy that ``extends`` it).

    Returns
    -------
    RuleSetDiff
        Items first, then triggers, procedures, facts, dimensions and settings.

    Examples
    --------
    >>> from riskeval import load_ruleset
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> import dataclasses
    >>> fewer = dataclasses.replace(rs, items=rs.items[1:])
    >>> [(c.kind, c.id, c.change) for c in diff_rulesets(rs, fewer).changes]
    [('item', 'JS-LEG-1', 'removed')]
    """
    label = lambda v: getattr(v, "label", None)  # noqa: E731
    changes = _compare("item", {i.id: i for i in old.items}, {i.id: i for i in new.items}, label)
    changes += _compare("trigger", {i.id: i for i in old.triggers}, {i.id: i for i in new.triggers}, label)
    changes += _compare(
        "procedure", {i.id: i for i in old.procedures}, {i.id: i for i in new.procedures}, label
    )
    changes += _compare("fact", old.facts, new.facts, label)
    changes += _compare(
        "dimension", {d.id: d for d in old.dimensions}, {d.id: d for d in new.dimensions}, label
    )
    a, b = _settings(old), _settings(new)
    for key in a:
        if a[key] != b[key]:
            fields = (
                sorted(k for k in set(a[key]) | set(b[key]) if a[key].get(k) != b[key].get(k))
                if isinstance(a[key], dict) and isinstance(b[key], dict)
                else []
            )
            changes.append(EntityChange("setting", key, "changed", None, fields, a[key], b[key]))
    return RuleSetDiff(old.name, new.name, changes)


@dataclass
class ProjectChange:
    """A project whose status, level or decision differs between the old and the new rule set.

    ``items_added``/``items_removed`` are findings present only under the new/old rule set,
    ``items_changed`` maps an item to its (old, new) contribution; likewise for triggers.
    """

    row: int
    id: str | None
    old: BatchRow
    new: BatchRow
    items_added: list[str] = field(default_factory=list)
    items_removed: list[str] = field(default_factory=list)
    items_changed: dict[str, tuple[float, float]] = field(default_factory=dict)
    triggers_added: list[str] = field(default_factory=list)
    triggers_removed: list[str] = field(default_factory=list)

    @property
    def responsible(self) -> list[str]:
        """Every item id (and trigger id) whose finding differs."""
        return [
            *self.items_added,
            *self.items_removed,
            *self.items_changed,
            *self.triggers_added,
            *self.triggers_removed,
        ]

    def items_text(self) -> str:
        parts = [f"+{i}" for i in self.items_added] + [f"-{i}" for i in self.items_removed]
        parts += [f"~{i}({_n(a)}→{_n(b)})" for i, (a, b) in self.items_changed.items()]
        return ";".join(parts)

    def triggers_text(self) -> str:
        return ";".join([f"+{i}" for i in self.triggers_added] + [f"-{i}" for i in self.triggers_removed])

    def as_row(self) -> dict[str, Any]:
        """The :data:`IMPACT_COLUMNS`."""
        return {
            "row": self.row,
            "id": self.id,
            "old_status": self.old.status,
            "new_status": self.new.status,
            "old_initial_level": self.old.initial_level,
            "new_initial_level": self.new.initial_level,
            "old_level": self.old.residual_level,
            "new_level": self.new.residual_level,
            "old_decision": self.old.decision,
            "new_decision": self.new.decision,
            "old_score": self.old.residual_score,
            "new_score": self.new.residual_score,
            "items": self.items_text(),
            "triggers": self.triggers_text(),
            "error": self.new.error or self.old.error,
        }

    def as_dict(self) -> dict[str, Any]:
        row = self.as_row()
        row.update(
            items_added=self.items_added,
            items_removed=self.items_removed,
            items_changed={k: list(v) for k, v in self.items_changed.items()},
            triggers_added=self.triggers_added,
            triggers_removed=self.triggers_removed,
        )
        return row

    def text(self, lang: str = "zh") -> str:
        def state(r: BatchRow) -> str:
            if r.status != "ok":
                return t("batch.status." + r.status, lang)
            return f"{t(f'level.{r.residual_level}', lang)}/{t(f'decision.{r.decision}', lang)}"

        items = ", ".join(filter(None, [self.items_text(), self.triggers_text()])) or t(
            "diff.settings_only", lang
        )
        return t(
            "diff.project_line",
            lang,
            row=self.row,
            id=self.id or "-",
            old=state(self.old),
            new=state(self.new),
            items=t("diff.responsible", lang, items=items),
        )


register_messages(
    {
        "batch.status.out_of_scope": {"zh": "不在评估范围", "en": "out of scope"},
        "batch.status.error": {"zh": "出错", "en": "error"},
    }
)


def _n(x: float) -> str:
    return f"{round(x, 4):g}"


def compare_rows(old: BatchRow, new: BatchRow) -> ProjectChange | None:
    """The change between two results of one project, or ``None`` when status, levels and decision agree."""
    same = (
        old.status == new.status
        and old.residual_level == new.residual_level
        and old.initial_level == new.initial_level
        and old.decision == new.decision
    )
    if same:
        return None
    a, b = old.points or {}, new.points or {}
    changed = {i: (a[i], b[i]) for i in a if i in b and abs(a[i] - b[i]) > 1e-9}
    return ProjectChange(
        old.row,
        new.id or old.id,
        old,
        new,
        items_added=[i for i in b if i not in a],
        items_removed=[i for i in a if i not in b],
        items_changed=changed,
        triggers_added=[x for x in new.triggers if x not in old.triggers],
        triggers_removed=[x for x in old.triggers if x not in new.triggers],
    )


def impact(
    old: RuleSet,
    new: RuleSet,
    projects: Iterable[Project | Mapping[str, Any] | TableRow],
    *,
    workers: int | None = None,
    lang: str = "zh",
    stop: Callable[[], bool] | None = None,
) -> Iterator[tuple[BatchRow, BatchRow, ProjectChange | None]]:
    """Assess each project under both rule sets, in input order.

    Parameters
    ----------
    old, new
        The rule sets to compare.
    projects
        As for :func:`riskeval.batch.assess_many` (rows or :class:`Project` objects).
    workers
        Worker processes (``0``: this process; default every CPU).
    lang
        Language of the error messages.
    stop
        See :func:`riskeval.batch.runner.run_chunks`.

    Returns
    -------
    Iterator
        ``(old_result, new_result, change)`` per project; ``change`` is ``None`` when nothing that matters changed.

    Examples
    --------
    >>> from riskeval import load_ruleset
    >>> rs = load_ruleset("jiangsu-db32-4013-2021")
    >>> facts = rs.tests[0].project["facts"]
    >>> [c for _, _, c in impact(rs, rs, [{"id": "P", **facts}], workers=0)]
    [None]
    """
    remember(old, new)
    job = Job.for_rulesets([old, new], lang=lang, detail=True)
    for results in run_chunks(projects, job, workers=workers, stop=stop):
        for a, b in results:
            yield a, b, compare_rows(a, b)
