"""Count the SQL queries of pages in-process; runs in either project's environment.

    python bench/probe.py --user NAME --pages '{"queue": ["/admin/..."]}' [--job MODULE]

Needs DJANGO_SETTINGS_MODULE (and the project on sys.path). Logs in as NAME with the test
client, requests every page once to warm the caches, then counts the queries of a second
request with CaptureQueriesContext. With --job, also times one run of the first function in
MODULE whose name mentions "progress" (the progress-update job), or reports it missing.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--pages", required=True)
    parser.add_argument("--job", default="")
    options = parser.parse_args()
    # This folder holds bench modules, not the project: the project comes from the cwd.
    sys.path[0] = str(Path.cwd())

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    user = get_user_model().objects.get(username=options.user)
    client.force_login(user)
    second_factor(client, user)
    counts = {}
    for name, paths in json.loads(options.pages).items():
        for path in paths:
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            for path in paths:
                status = client.get(path).status_code
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
        counts[name] = len(queries)
    print(json.dumps({"queries": counts, "job": run_job(options.job) if options.job else None}))


def second_factor(client, user) -> None:
    """Pass Redress's second factor as its sign-in would (the helpdesk's project has none)."""
    try:
        from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
    except ImportError:
        return
    device = next(iter(devices_for_user(user, confirmed=True)), None)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def run_job(module_name: str) -> dict | None:
    """Time one run of the progress-update job in `module_name`; None if there is none yet."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    job = next(
        (
            function
            for name, function in inspect.getmembers(module, inspect.isfunction)
            if "progress" in name and function.__module__ == module.__name__
        ),
        None,
    )
    if job is None:
        return None
    required = [
        parameter
        for parameter in inspect.signature(job).parameters.values()
        if parameter.default is inspect.Parameter.empty
    ]
    kwargs = {parameter.name: timezone.now() for parameter in required}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        done = job(**kwargs)
        elapsed = time.perf_counter() - started
    return {"name": job.__name__, "ms": elapsed * 1000, "queries": len(queries), "done": done}


if __name__ == "__main__":
    main()
