"""A per-client rate limit, counted in Django's cache in fixed one-minute windows.

The cache is not a hard dependency: if it fails, the request goes through (and is logged),
because refusing a complaint for want of a counter would lose it.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from api.models import ApiClient
from publicsite.throttle import window_count

logger = logging.getLogger(__name__)
WINDOW = 60


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        now = time.time()
        self.wait_seconds = WINDOW - now % WINDOW
        key = f"api-throttle:{client.pk}:{int(now // WINDOW)}"
        try:
            count = window_count(cache, key, timeout=WINDOW * 2)
        except Exception:  # noqa: BLE001 - any cache backend's failure; the request goes on.
            logger.warning("API rate limit not counted: the cache failed", exc_info=True)
            return True
        return count <= client.rate_limit

    def wait(self) -> float:
        return self.wait_seconds
