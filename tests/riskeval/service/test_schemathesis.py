"""Property-based tests from the live server's /openapi.json: no 500 and no response that breaks the schema.

``RISKEVAL_SCHEMATHESIS_EXAMPLES`` bounds the examples per operation (default 40).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Server

EXAMPLES = int(os.environ.get("RISKEVAL_SCHEMATHESIS_EXAMPLES", "40"))


@pytest.fixture(scope="module")
def live_schema(server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("live_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: schemathesis.Case, server: Server) -> None:
    case.call_and_validate(
        headers=server.headers("admin"),
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance],
        timeout=60,
    )
