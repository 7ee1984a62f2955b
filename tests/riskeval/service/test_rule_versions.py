"""The service's rule directory: activation switches the rule set in use, and survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskeval.ruleset.source import bundled_rules_dir
from riskeval.ruleset.versions import RuleDirectory
from riskeval.service.rule_versions import (
    NoRuleDirectory,
    RuleVersionUnknown,
    activate,
    active_version,
    apply_activations,
)
from riskeval.service.settings import Settings
from riskeval.service.state import ServiceState

GUIYANG = (bundled_rules_dir() / "guiyang.yaml").read_text(encoding="utf-8")
NEWER = GUIYANG.replace('version: "2014.1"', 'version: "2014.2"')


def _state(tmp_path: Path, rules_dir: Path | None) -> ServiceState:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("[]\n", encoding="utf-8")
    settings = Settings(
        rules=["guiyang"], ledger=tmp_path / "l.sqlite", tokens=tokens, allow_unsigned=True, rules_dir=rules_dir
    )
    return ServiceState(settings)


def _close(state: ServiceState) -> None:
    if state._ledger is not None:
        state._ledger.close()
    state._executor.shutdown(wait=True)


def test_activation_switches_the_rule_set_and_is_recorded(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    kept = RuleDirectory(rules_dir).save(NEWER)
    state = _state(tmp_path, rules_dir)
    try:
        assert state.ruleset("guiyang").version == "2014.1"
        record = activate(state, "guiyang", "2014.2", actor="admin-组")
        assert (record.kind, record.ruleset_version, record.ruleset_hash, record.actor) == (
            "activation", "2014.2", kept.hash, "admin-组",
        )
        assert state.ruleset("guiyang").version == "2014.2"
        assert active_version(state, "guiyang") == ("2014.2", kept.hash)
        assert state.gate(state.ruleset("guiyang")).ruleset.version == "2014.2"
        with pytest.raises(RuleVersionUnknown):
            activate(state, "guiyang", "9.9", actor="admin-组")
    finally:
        _close(state)
    restarted = _state(tmp_path, rules_dir)
    try:
        restarted.ledger()
        assert restarted.ruleset("guiyang").version == "2014.2"
    finally:
        _close(restarted)


def test_a_changed_version_file_is_not_used(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    kept = RuleDirectory(rules_dir).save(NEWER)
    state = _state(tmp_path, rules_dir)
    try:
        activate(state, "guiyang", "2014.2", actor="admin-组")
    finally:
        _close(state)
    kept.path.write_text(NEWER.replace("label: 征收（征用）土地面积", "label: 征收土地面积"), encoding="utf-8")
    restarted = _state(tmp_path, rules_dir)
    try:
        restarted.ledger()
        assert restarted.ruleset("guiyang").version == "2014.1"
        assert apply_activations(restarted) == []
    finally:
        _close(restarted)


def test_without_a_rule_directory_nothing_is_activated(tmp_path: Path) -> None:
    state = _state(tmp_path, None)
    try:
        with pytest.raises(NoRuleDirectory):
            activate(state, "guiyang", "2014.1", actor="admin-组")
        assert apply_activations(state) == []
    finally:
        _close(state)
