"""Rate limits per client address on the public forms, kept in Django's cache.

A fixed window per scope: `add` creates the counter only if absent and `incr` is atomic on Redis
and memcached (the database cache reads and writes, which at worst lets a few extra through).
Both work on the embedded database cache and on Redis (CACHE_URL). The cache is an aid, never a
dependency of taking a complaint: when it fails, the count goes to the database cache instead,
and if that fails too the request is allowed and the failure logged.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


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
    for alias in ("default", "database"):
        try:
            return _count(caches[alias], key, window) <= limit
        except Exception:  # noqa: BLE001 - whatever the cache's client raises when it is down
            logger.warning("Rate limit cache %r failed; falling back.", alias, exc_info=True)
    return True


def _count(cache, key: str, window: int) -> int:
    return window_count(cache, key, timeout=window)


def window_count(cache: BaseCache, key: str, *, timeout: int) -> int:
    """Add one to the counter `key` in `cache`, made to last `timeout` seconds if it is new;
    return the count.

    On Redis it is one round trip, both commands in one MULTI so the counter cannot expire
    between them; the cache's own add and incr are three (incr asks EXISTS first), each on a
    client object of its own.
    """
    if isinstance(cache, RedisCache):
        stored = cache.make_and_validate_key(key)
        client = cache._cache.get_client(stored, write=True)
        with client.pipeline(transaction=True) as both:
            both.set(stored, 0, ex=timeout, nx=True)
            both.incr(stored)
            return both.execute()[1]
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between add and incr: this request opens a new window.
        cache.add(key, 1, timeout=timeout)
        return 1
