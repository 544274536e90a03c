"""Schemathesis over every operation of /api/v1/ (issue 21): bad input is never a 500, every answer matches the
published schema (status, content type, body), and a request valid by that schema is refused only for what a
JSON Schema cannot say — a reference to a record that does not exist, a rule across fields, a unique value
another record holds — each named in the 422 by its ``code``."""

import json
import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gtmos.ingest.models import IntegrationToken

pytestmark = pytest.mark.django_db
EXAMPLES = 20  # per operation: bounded, so the suite stays quick; the schema and the server cannot drift
BEYOND_THE_SCHEMA = {"missing_reference", "rule", "conflict"}


def refused_only_beyond_the_schema(ctx, response, case):
    """Our form of positive data acceptance: a schema-valid request may be refused only with a 409 (a reused
    Idempotency-Key) or a 422 whose every error is one the schema cannot express."""
    if response.status_code < 400 or response.status_code == 409:
        return None
    body = json.loads(response.content or b"{}")
    codes = {error.get("code") for error in body.get("errors", [])}
    if response.status_code != 422 or not codes or not codes <= BEYOND_THE_SCHEMA:
        raise AssertionError(f"a schema-valid request was refused: {response.status_code} {body}")
    return None


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI app closes the database connection at the end of each request; Django's test client
    disconnects that handler so requests run inside the test's transaction. Do the same."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_keeps_its_contract(db, wsgi_in_test_transaction):
    from gtmos.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    _, raw = IntegrationToken.issue("fuzz")
    failures, operations, answers = [], 0, Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            # A fresh key per request: the generated ones are short and collide (409s, which are fine, but
            # they hide the write behind them).
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": uuid.uuid4().hex},
                excluded_checks=[positive_data_acceptance],
                additional_checks=[refused_only_beyond_the_schema],
            )
            answers[response.status_code] += 1

        try:
            run()
        except (AssertionError, Exception, ExceptionGroup) as failure:  # noqa: BLE001 (one report for all)
            failures.append(f"{operation.label}: {failure}")
    assert operations == 25  # every POST of the ingest API, /leads (seed 002 warm links) among them
    assert answers[200] + answers[201] > 50  # the fuzzing reached the writes, not only the 4xx paths
    assert failures == [], "\n\n".join(failures)
