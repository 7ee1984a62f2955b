"""Property-based tests from the live server's /openapi.json: no 500 and no response that breaks the schema.

``RISKEVAL_SCHEMATHESIS_EXAMPLES`` bounds the examples per operation (default 40).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Server

EXAMPLES = int(os.environ.get("RISKEVAL_SCHEMATHESIS_EXAMPLES", "40"))


def test_api_conforms_to_its_schema(server: Server) -> None:
    """Every operation of the live schema, driven by schemathesis' strategies through hypothesis directly
    (not schemathesis' pytest plugin, which breaks on newer pytest releases)."""
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
    tested: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=server.headers("admin"), checks=checks, timeout=60)

        check()
        tested.append(operation.label)
    assert len(tested) >= 15, tested
