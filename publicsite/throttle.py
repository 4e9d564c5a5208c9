"""Rate limits per client address on the public forms, kept in Django's cache.

A fixed window per scope: `add` creates the counter only if absent and `incr` is atomic on Redis
and memcached (the database cache reads and writes, which at worst lets a few extra through).
Both work on the embedded database cache and on Redis (CACHE_URL).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    header = settings.REDRESS_CLIENT_IP_HEADER
    address = request.META.get(header, "") if header else ""
    return address.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def throttle_allows(request: HttpRequest, scope: str) -> bool:
    """Count one request of `scope` from this client; return False once over the limit."""
    limit = settings.REDRESS_RATE_LIMITS[scope]
    window = settings.REDRESS_RATE_WINDOW_SECONDS
    # Hashed: the cache holds no addresses, and the key is safe for every backend.
    client = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{client}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The counter expired between add and incr: this request opens a new window.
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
