"""The JSON Schema of the rule-file format, generated from the pydantic models (the schema *is* the model).

``riskeval/schema/ruleset.schema.json`` is the committed copy, for editors (a test keeps it current).

Examples
--------
>>> schema = ruleset_json_schema()
>>> schema["$schema"], "properties" in schema
('https://json-schema.org/draft/2020-12/schema', True)
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["ruleset_json_schema", "ruleset_json_schema_text", "COMMITTED_SCHEMA"]

COMMITTED_SCHEMA = Path(__file__).with_name("ruleset.schema.json")


def ruleset_json_schema() -> dict[str, object]:
    """The JSON Schema of the rule-file format."""
    from ..model.rulefile import RuleFile

    schema = RuleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "riskeval 规则集 / rule set"
    return schema


def ruleset_json_schema_text() -> str:
    """The schema as the JSON text that ``riskeval schema`` prints and the committed file holds."""
    return json.dumps(ruleset_json_schema(), ensure_ascii=False, indent=2) + "\n"
