"""What the panel scores: the scored items of a rule set, with their ranges and steps.

A rule-set item marked ``panel: true`` is scored by the expert panel instead of being computed from
the facts (:mod:`riskeval.model.rulefile`):

* points method (扣分法): one score per item, a number in ``[0, max]`` (the item's ``max``; when it
  has none, its dimension's ``max``, else the rule set's ``total``);
* index method (指数法): two scores per item, the probability and the impact, each in ``[0, 1]``.
  Their keys in score files are ``ITEM.probability`` and ``ITEM.impact``.

**When the rule set has no** ``panel: true`` **item, every item is offered** (points method: each
item's points in ``[0, max]``; index method: each item's probability and impact).  Such scores are
aggregated like any other, but the assessment only *uses* panel values for items declared
``panel: true`` (it computes the others from the facts); the values then serve as the panel's
documented opinion beside the computed score.

The **step** of a scored item is what "one step" means in the agreement test: for a points item read
from an option table or numeric bands, the smallest gap between its table values (DB32/T 4013's
全部符合 0 / 基本符合 2 / 不符合 3 gives 1); otherwise 1 point (at most the whole range); for
probability and impact 0.2 (the five-step vocabularies 很低 … 很高 of domain.md §4).

Examples
--------
>>> import riskeval
>>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
>>> items = scored_items(rs)          # no panel items in the bundled rule set: every item is offered
>>> len(items), items[0].key, items[0].high, items[0].step
(21, 'JS-LEG-1', 3.0, 1.0)
>>> items[0].allowed("zh")
'0–3（全部符合 0 / 基本符合 2 / 不符合 3）'
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from riskeval import RuleSet
from riskeval.i18n import register_messages, t

__all__ = ["ScoredItem", "scored_items", "find_item", "INDEX_STEP", "PARTS"]

#: Step of a probability or impact score (five-step scales).
INDEX_STEP = 0.2
#: The score parts: ``points`` (points method), ``probability`` and ``impact`` (index method).
PARTS = ("points", "probability", "impact")
register_messages(
    {
        "pool.part.points": {"zh": "分值", "en": "points"},
        "pool.part.probability": {"zh": "发生概率", "en": "probability"},
        "pool.part.impact": {"zh": "影响程度", "en": "impact"},
        "pool.allowed.choices": {"zh": "{range}（{choices}）", "en": "{range} ({choices})"},
    }
)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True)
class ScoredItem:
    """One score the panel gives per project: an item's points, or its probability or impact.

    Attributes
    ----------
    key
        The key in score files and sheets: the item id (points) or ``ITEM.probability`` / ``ITEM.impact``.
    item, part
        The rule-set item id and the part (``points``, ``probability`` or ``impact``).
    low, high
        The allowed range (inclusive).
    step
        One step on the item's scale (see the module docstring).
    choices
        Typical values with their labels (from the item's option table), for the score sheet.
    panel
        ``True`` when the rule set declares the item ``panel: true``.
    """

    key: str
    item: str
    part: str
    label: str
    dimension: str
    dimension_label: str
    low: float
    high: float
    step: float
    choices: tuple[tuple[float, str], ...] = field(default=())
    panel: bool = True

    @property
    def span(self) -> float:
        """``high - low`` (never 0)."""
        return (self.high - self.low) or 1.0

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in ``[low, high]`` (a tolerance of 1e-9).

        >>> ScoredItem("A", "A", "points", "a", "d", "D", 0, 3, 1).contains(3.0)
        True
        """
        return self.low - 1e-9 <= value <= self.high + 1e-9

    def part_label(self, lang: str = "zh") -> str:
        """``分值`` / ``发生概率`` / ``影响程度`` (or the English word)."""
        return t(f"pool.part.{self.part}", lang)

    def allowed(self, lang: str = "zh") -> str:
        """The allowed values as text, e.g. ``0–3（全部符合 0 / 基本符合 2 / 不符合 3）``."""
        text = f"{_fmt(self.low)}–{_fmt(self.high)}"
        if self.choices:
            listed = " / ".join(f"{label} {_fmt(v)}" for v, label in self.choices)
            text = t("pool.allowed.choices", lang, range=text, choices=listed)
        return text


def _option_labels(ruleset: RuleSet, fact: str | None) -> dict[str, str]:
    if fact is None or fact not in ruleset.facts:
        return {}
    decl = ruleset.facts[fact]
    if decl.type == "bool":
        return {"true": "是", "false": "否"}
    return {o.code: o.label for o in decl.options}


def _points_choices(ruleset: RuleSet, spec: Any) -> tuple[tuple[float, str], ...]:
    if spec is None or isinstance(spec, int | float):
        return ()
    if spec.map:
        labels = _option_labels(ruleset, spec.fact)
        pairs = [(float(v), labels.get(str(k).lower(), labels.get(str(k), str(k)))) for k, v in spec.map.items()]
    elif spec.bands:
        unit = ruleset.facts[spec.fact].unit or "" if spec.fact in ruleset.facts else ""
        pairs = [(float(v), f"{k}{unit}") for k, v in spec.bands.items()]
    else:
        return ()
    return tuple(sorted(pairs, key=lambda p: p[0]))


def _step(choices: tuple[tuple[float, str], ...], low: float, high: float) -> float:
    values = sorted({v for v, _ in choices})
    gaps = [b - a for a, b in zip(values, values[1:], strict=False) if b - a > 1e-9]
    if gaps:
        return min(gaps)
    return min(1.0, (high - low) or 1.0)


def scored_items(ruleset: RuleSet, *, steps: dict[str, float] | None = None) -> list[ScoredItem]:
    """The scores the panel gives per project under ``ruleset``, in rule-set order.

    Parameters
    ----------
    ruleset
        From :func:`riskeval.load_ruleset`.
    steps
        Optional step per key, overriding the default steps.

    Returns
    -------
    list of ScoredItem
        The ``panel: true`` items; every item when the rule set declares none (see the module docstring).

    Examples
    --------
    >>> import riskeval
    >>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    >>> [i.key for i in scored_items(rs) if i.item == "JS-CTL-1"], scored_items(rs)[13].high
    (['JS-CTL-1'], 35.0)
    """
    method = ruleset.scoring.method
    chosen = [i for i in ruleset.items if i.panel] or list(ruleset.items)
    dim_max = {d.id: d.max for d in ruleset.dimensions}
    out: list[ScoredItem] = []
    for item in chosen:
        dim_label = ruleset.dimension_label(item.dimension)
        if method == "points":
            high = item.max if item.max is not None else dim_max.get(item.dimension) or ruleset.scoring.total or 100.0
            choices = _points_choices(ruleset, item.points)
            out.append(
                ScoredItem(
                    key=item.id,
                    item=item.id,
                    part="points",
                    label=item.label,
                    dimension=item.dimension,
                    dimension_label=dim_label,
                    low=0.0,
                    high=float(high),
                    step=_step(choices, 0.0, float(high)),
                    choices=choices,
                    panel=item.panel,
                )
            )
        else:
            for part in ("probability", "impact"):
                out.append(
                    ScoredItem(
                        key=f"{item.id}.{part}",
                        item=item.id,
                        part=part,
                        label=item.label,
                        dimension=item.dimension,
                        dimension_label=dim_label,
                        low=0.0,
                        high=1.0,
                        step=INDEX_STEP,
                        panel=item.panel,
                    )
                )
    if steps:
        out = [
            ScoredItem(**{**s.__dict__, "step": float(steps[s.key])}) if s.key in steps else s for s in out
        ]
    return out


def find_item(key: str, items: dict[str, ScoredItem], ruleset: RuleSet) -> tuple[ScoredItem | None, str, dict[str, Any]]:
    """Look a key up; on failure return ``(None, reason, params)``: the :class:`ScoreRowError` reason and params.

    Parameters
    ----------
    key
        The item key as written in a score file (surrounding spaces ignored).
    items
        Scored items by key.
    ruleset
        The rule set (to tell a non-panel item from an unknown one).

    Returns
    -------
    tuple
        ``(item, "", {})`` or ``(None, reason, params)`` (reasons ``index_needs_part``, ``not_panel``,
        ``unknown_item``, ``unknown_item_hint``).

    Examples
    --------
    >>> import riskeval
    >>> rs = riskeval.load_ruleset("jiangsu-db32-4013-2021")
    >>> table = {i.key: i for i in scored_items(rs)}
    >>> find_item("JS-LEG-9", table, rs)[1:]
    ('unknown_item_hint', {'close': 'JS-LEG-3'})
    """
    key = key.strip()
    if key in items:
        return items[key], "", {}
    base = key.split(".", 1)[0]
    known_ids = {i.id for i in ruleset.items}
    if base in known_ids:
        parts = [s for s in items.values() if s.item == base]
        if parts and parts[0].part != "points":
            return None, "index_needs_part", {"base": base}
        if not parts:
            return None, "not_panel", {"base": base}
    close = difflib.get_close_matches(key, list(items), n=1)
    if close:
        return None, "unknown_item_hint", {"close": close[0]}
    return None, "unknown_item", {}
