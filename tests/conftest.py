import os

import pytest
from django.db import connection
from django.test import override_settings

from tests.factories import PolicyFactory
from tests.notifications.components import MailServer

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, reason: str) -> None:
    """Skip outside CI when a real service is missing; fail inside CI, where it must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} not available: {reason}")


@pytest.fixture
def postgres(db):
    """Require the tests to run on PostgreSQL (DATABASE_URL=postgres://...)."""
    require_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        f"the suite runs on {connection.vendor}; set DATABASE_URL=postgres://…",
    )


@pytest.fixture
def redis_url():
    """Return a reachable Redis URL (CELERY_BROKER_URL=redis://...)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    available, reason = url.startswith("redis://"), "CELERY_BROKER_URL is not a redis:// URL"
    if available:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            available, reason = False, f"{url} does not answer: {exc}"
    require_service("Redis", available, reason)
    return url


@pytest.fixture
def policy(db):
    return PolicyFactory(is_default=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: rate limits and form nonces live there."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def smtp_server():
    server = MailServer()
    server.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()
