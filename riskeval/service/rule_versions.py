"""The service's rule directory: saved versions, and the version of each rule set the gate uses.

With ``--rules-dir`` the service keeps rule-set versions saved from the workbench in that directory
(:class:`~riskeval.ruleset.versions.RuleDirectory`). When the ledger opens, the latest activation
record of each rule set (:mod:`riskeval.ledger.activation`) picks the version that replaces the one
loaded from ``--rules``; :func:`activate` records a new activation (admins only: the caller checks the
role) and switches this process to it at once. Other server processes (``--workers N``) pick it up when
they next open the ledger; run one process when activations must apply everywhere at once.
All functions run on the state's library thread.
"""

from __future__ import annotations

import logging

from ..errors import RiskevalError
from ..i18n import register_messages
from ..ledger.activation import active_versions, record_activation
from ..ledger.records import LedgerRecord
from ..ruleset.compiled import RuleSet
from ..ruleset.versions import RuleDirectory, RuleVersion
from .state import ServiceState

__all__ = ["NoRuleDirectory", "RuleVersionUnknown", "activate", "active_version", "apply_activations", "rule_directory"]

register_messages(
    {
        "service.rule_version_unknown": {
            "zh": "规则目录中没有规则集 {ruleset} 的版本 {version}",
            "en": "the rule directory holds no version {version} of rule set {ruleset}",
        },
        "service.rule_version_changed": {
            "zh": "规则集 {ruleset} 版本 {version} 的文件已被改动（内容哈希与启用记录第 {seq} 号不符），未启用",
            "en": "the file of rule set {ruleset} version {version} changed (its hash differs from activation "
            "record #{seq}); not used",
        },
    }
)


class NoRuleDirectory(RiskevalError):
    """The service was started without ``--rules-dir``."""

    code = "rulever.no_dir"


class RuleVersionUnknown(RiskevalError):
    """No such version in the rule directory."""

    code = "service.rule_version_unknown"


def rule_directory(state: ServiceState) -> RuleDirectory:
    """The service's rule directory (raises :class:`NoRuleDirectory` without ``--rules-dir``)."""
    if state.settings.rules_dir is None:
        raise NoRuleDirectory()
    return RuleDirectory(state.settings.rules_dir)


def _use(state: ServiceState, ruleset: RuleSet) -> None:
    """Serve ``ruleset`` in place of any loaded rule set with its id (and drop that id's gate)."""
    names = [name for name, rs in state.rulesets.items() if rs.id == ruleset.id]
    for name in names or [ruleset.id]:
        state.rulesets[name] = ruleset
    state._gates.pop(ruleset.id, None)


def apply_activations(state: ServiceState) -> list[str]:
    """Use the activated version of each rule set recorded in the ledger; returns the ids switched.

    A version whose file is gone or whose content no longer matches its activation record is left out
    (the rule set from ``--rules`` stays in use) and logged.
    """
    if state.settings.rules_dir is None:
        return []
    rules = rule_directory(state)
    switched = []
    for rs_id, active in active_versions(state.ledger()).items():
        kept = rules.find(rs_id, active.version)
        if kept is None or kept.hash != active.hash:
            logging.getLogger("riskeval.service").warning(
                "activated rule set %s version %s (record #%s) is not usable in %s", rs_id, active.version, active.seq,
                rules.path,
            )
            continue
        _use(state, rules.load(kept.path))
        switched.append(rs_id)
    return switched


def activate(state: ServiceState, ruleset_id: str, version: str, *, actor: str) -> LedgerRecord:
    """Record that the gate now uses ``version`` of ``ruleset_id`` and switch to it.

    Raises
    ------
    NoRuleDirectory, RuleVersionUnknown
        No rule directory, or no such version in it.
    LedgerError
        The ledger cannot be written.
    """
    rules = rule_directory(state)
    kept: RuleVersion | None = rules.find(ruleset_id, version)
    if kept is None:
        raise RuleVersionUnknown(ruleset=ruleset_id, version=version)
    ruleset = rules.load(kept.path)
    record = record_activation(state.ledger(), ruleset.id, ruleset.version, ruleset.content_hash, actor=actor,
                               title=ruleset.title)
    _use(state, ruleset)
    return record


def active_version(state: ServiceState, ruleset_id: str) -> tuple[str, str] | None:
    """``(version, hash)`` of the rule set ``ruleset_id`` in use, if loaded."""
    rs = next((r for r in state.rulesets.values() if r.id == ruleset_id), None)
    return (rs.version, rs.content_hash) if rs is not None else None
