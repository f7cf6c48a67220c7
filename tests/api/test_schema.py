"""schemathesis over the whole OpenAPI schema, anonymous and authenticated.

Every generated request must answer without a 5xx, with a status code the
schema documents and a body that matches it. Bounded: a few examples per
operation, so the module runs in well under two minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tennisbook.wsgi import application
from tests.api.fixtures import login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dynamo")]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

BOUNDED = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture
def member_token(member) -> str:
    return login("alice")["access"]


@schema.parametrize()
@BOUNDED
def test_anonymous_callers_get_only_documented_answers(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_members_get_only_documented_answers(case, member_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {member_token}"}, checks=CHECKS)
