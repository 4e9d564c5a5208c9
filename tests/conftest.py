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
def client():
    """Django's test client, signing staff in with both factors (tests/staff.py)."""
    from tests.staff import StaffClient

    return StaffClient()


@pytest.fixture
def policy(db):
    return PolicyFactory(is_default=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: rate limits and form nonces live there."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def site_language(settings):
    """Start every test in the site's language: a request in German leaves its language active
    in the thread (LocaleMiddleware activates it and nothing deactivates it), and the next test
    would write its messages in German."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def spare_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a spare loopback port, to stop and start at will."""

    def __init__(self, binary: str) -> None:
        self.binary, self.port, self.process = binary, spare_port(), None
        self.url = f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_server():
    """Start a redis-server of the test's own (Debian's redis-server package); stop it after."""
    import shutil

    binary = shutil.which("redis-server")
    require_service("redis-server", binary is not None, "apt-get install redis-server")
    server = RedisServer(binary)
    server.start()
    yield server
    server.stop()


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
