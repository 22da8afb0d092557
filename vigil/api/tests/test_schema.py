"""Schemathesis reads the API's own OpenAPI document and calls every operation with
generated parameters and a token holding every read scope: no answer may be a
server error, and every answer must match the document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from vigil.api import tokens
from vigil.cases.tests import factories as make

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(carol, settings):
    from django.core.wsgi import get_wsgi_application

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]  # schemathesis calls localhost
    case = make.case(carol, title="River committee")
    defender = make.defender(carol, name="Marta Quispe")
    incident = make.incident(carol, case=case)
    act = make.act(carol, incident=incident, victim=defender)
    make.source(carol, incident=incident, acts=[act])
    # As Django's own test client does: a request must not close the test's database
    # connection (PostgreSQL would lose the test's transaction with it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(carol):
    scopes = list(tokens.SCOPES)  # every scope: reads and writes
    return tokens.issue(actor=None, user=carol, name="schemathesis", scopes=scopes)[1]


@pytest.mark.slow  # schemathesis calls every operation
def test_every_operation_answers_as_documented(api_schema, token):
    # Each operation as a Hypothesis strategy, driven here rather than through
    # schemathesis's pytest plugin (whose fixture loader does not run on pytest 9).
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            # No server error, and every answer as documented (a cursor this API
            # never gave out is rightly refused, though any string fits the schema).
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
