"""The standard fact vocabulary shared by the bundled rule sets (domain.md §8)."""

from __future__ import annotations

__all__ = ["IDENTITY_FIELDS", "STANDARD_FACTS", "KIND_OPTIONS", "REGIME_OPTIONS", "DECISION_LEVEL_OPTIONS"]

KIND_OPTIONS: dict[str, str] = {
    "project": "重大工程项目",
    "policy": "重大政策",
    "reform": "重大改革",
    "event": "重大活动",
    "other": "其他",
}
REGIME_OPTIONS: dict[str, str] = {"ndrc_project": "国家发改委审批核准项目", "major_decision": "重大决策"}
DECISION_LEVEL_OPTIONS: dict[str, str] = {
    "county": "县级",
    "department": "部门",
    "city": "市级",
    "province": "省级",
    "national": "国家级",
}

IDENTITY_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "regime",
    "unit",
    "domains",
    "decision_level",
    "investment",
    "location",
)

STANDARD_FACTS: frozenset[str] = frozenset(
    """
    subject_authority legal_compliance procedure_compliant
    stakeholders_defined information_disclosed satisfaction_rate comparison_risk expert_feasible
    compensation_adequacy local_support
    fiscal_capacity environmental_impact technical_readiness
    opposition_rate opposition_intensity negative_publicity malicious_hype activist_involvement hostile_forces
    instability_ledger contingency_plan publicity_guidance
    possible_incident_size possible_violent_case possible_extreme_event
    households_relocated land_area_mu affected_population workers_affected event_attendance price_change_pct
    petitions_12m prior_mass_incident distance_to_residents_m
    public_notice_days hearing_held survey_sample_size legality_reviewed expert_reviewed collective_decision
    """.split()
)
