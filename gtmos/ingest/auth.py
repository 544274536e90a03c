"""Bearer tokens for integrations: the ingest API's auth, and any read output served to an integration
(``IntegrationBearer()(request)`` returns the token's integration or None)."""

import datetime as dt

from ninja.security import HttpBearer

from gtmos.core import clock

from .models import IntegrationToken, hash_token


class IntegrationBearer(HttpBearer):
    def authenticate(self, request, token: str):
        integration = IntegrationToken.objects.filter(token_hash=hash_token(token), active=True).first()
        if integration is None:
            return None
        now = clock.now()
        if integration.last_used_at is None or now - integration.last_used_at > dt.timedelta(minutes=5):
            IntegrationToken.objects.filter(pk=integration.pk).update(last_used_at=now)
        return integration
