"""Rule files: load YAML with positions, validate, resolve ``extends``, compile conditions."""

from .compiled import Rule, RuleSet
from .loader import bundled_names, find_ruleset, load_ruleset, validate_file
from .problems import Problem, RuleSetError, RuleSetNotFound

__all__ = [
    "Problem",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "RuleSetNotFound",
    "bundled_names",
    "find_ruleset",
    "load_ruleset",
    "validate_file",
]
