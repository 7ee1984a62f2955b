"""The second (Delphi) round: which items go back to the experts, and how its scores replace the first's.

Items flagged as disagreements in the first round form the second-round list
(:func:`delphi_list`).  In the second round each expert may re-score those items; a second-round score
**replaces that expert's first-round score** for the item, and an expert who does not re-score keeps
the first-round score (carried over, as in the usual Delphi practice of keeping a non-respondent's last
answer).  Scores for items not on the list are errors (:func:`expert_pool.review.scores.validate_rows`
with ``allowed_keys``).  Both rounds are kept: the panel file has a ``round`` = 1 row (``final`` = 0)
and a ``round`` = 2 row (``final`` = 1) for each re-scored item.

Examples
--------
>>> from expert_pool.review.scores import Score
>>> first = [Score("P1", "E1", "A", 0), Score("P1", "E2", "A", 4), Score("P1", "E3", "A", 2)]
>>> second = [Score("P1", "E2", "A", 2, round=2)]
>>> [(s.expert, s.value, s.round) for s in merge_rounds(first, second)]
[('E1', 0, 1), ('E2', 2, 2), ('E3', 2, 1)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .scores import Score

__all__ = ["delphi_list", "merge_rounds", "rescored_pairs"]


def delphi_list(results: Iterable[Any]) -> list[Any]:
    """The flagged final results (``disagreement`` true), in the order given: the second-round list.

    Parameters
    ----------
    results
        :class:`expert_pool.review.aggregate.ItemResult` objects.

    Returns
    -------
    list
    """
    return [r for r in results if r.final and r.disagreement]


def merge_rounds(first: Sequence[Score], second: Sequence[Score]) -> list[Score]:
    """First-round scores with each expert's second-round score replacing theirs for the same item.

    Parameters
    ----------
    first, second
        Valid scores of round 1 and round 2.

    Returns
    -------
    list of Score
        In first-round order; a second-round score for an expert who had no first-round score is
        appended.
    """
    replace = {(s.project, s.expert, s.key): s for s in second}
    out: list[Score] = []
    used: set[tuple[str, str, str]] = set()
    for s in first:
        key = (s.project, s.expert, s.key)
        if key in replace:
            out.append(replace[key])
            used.add(key)
        else:
            out.append(s)
    out.extend(s for k, s in replace.items() if k not in used)
    return out


def rescored_pairs(second: Sequence[Score]) -> set[tuple[str, str]]:
    """The ``(project, key)`` pairs with at least one second-round score.

    >>> rescored_pairs([Score("P1", "E2", "A", 2, round=2)])
    {('P1', 'A')}
    """
    return {(s.project, s.key) for s in second}
