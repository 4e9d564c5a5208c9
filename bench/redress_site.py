"""Redress behind gunicorn for the benchmarks: its environment and a complainant's submission."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bench.http_load import TOKEN, Session

STAMP = re.compile(r'name="stamp" value="([^"]+)"')
SUBMIT = "/complaints/new/"


def environment(database_url: str, work: Path) -> dict[str, str]:
    """Production settings on `database_url`, without TLS and with the public limits lifted.

    As deployed, the cache (rate limits, form nonces) and the Celery broker are on Redis
    (BENCH_REDIS, default db 6); no worker runs, so queued notifications just wait there.
    The honeypot's minimum fill time and the per-address rate limit would refuse a benchmark:
    every client comes from 127.0.0.1 and fills the form at once.
    """
    redis = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/6")
    return {
        "DATABASE_URL": database_url,
        "CACHE_URL": redis,
        "CELERY_BROKER_URL": redis,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "bench-secret-key-not-for-production-use-0123456789",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SESSION_COOKIE_SECURE": "false",
        "DJANGO_CSRF_COOKIE_SECURE": "false",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "REDRESS_PRIVATE_MEDIA_ROOT": str(work / "private"),
        "REDRESS_FORM_MIN_SECONDS": "0",
        "REDRESS_RATE_LIMIT_SUBMIT": "1000000",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def submit(session: Session, index: int, category: str) -> float:
    """Fetch the form, submit one complaint; return the seconds the POST took."""
    _status, page, _elapsed = session.get(SUBMIT)
    status, _body, elapsed = session.request(
        "POST",
        SUBMIT,
        {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1),
            "stamp": STAMP.search(page).group(1),
            "website": "",
            "complainant_name": f"Bench Client {index}",
            "complainant_email": f"bench{index}@example.com",
            "category": category,
            "incident_date": "2024-03-01",
            "description": "I was charged twice for March; please refund the second charge.",
            "consent": "on",
        },
    )
    if status != 302:
        raise RuntimeError(f"submission {index} answered {status}")
    return elapsed
