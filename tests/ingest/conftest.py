import json

import pytest

from gtmos.ingest.models import IntegrationToken
from tests.factories import EmployeeFactory


class ApiClient:
    def __init__(self, client, token):
        self.client = client
        self.token = token

    def post(self, path, payload, key="key-1", token=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token or self.token}"}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(f"/api/v1{path}", data=json.dumps(payload), content_type="application/json", **headers)


@pytest.fixture
def api(client, db):
    _, raw = IntegrationToken.issue("crm-sync")
    return ApiClient(client, raw)


@pytest.fixture
def ae(db):
    return EmployeeFactory(
        role="ae", email="ae@example.test", user__username="ae-ingest", user__email="ae@example.test"
    )
