"""Benchmark: the supervisors' dashboard at 100 000 and 1 000 000 complaints on PostgreSQL.

    .venv/bin/python bench/dashboard.py [--database-url postgres://postgres@127.0.0.1:5432/redress_bench]

Recreates the benchmark database (never the one in DATABASE_URL), loads complaints in chunks
with INSERT … SELECT generate_series (the rows are made inside PostgreSQL, so 1M load in
well under a minute), then prints the dashboard's render time through the Django test client
as a supervisor: the first (cold) request and the median of five warm ones, for the default
period (the last 90 days) and for a whole year.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 100_000
STEPS = [100_000, 1_000_000]

INSERT = """
INSERT INTO complaints_complaint (
    reference, tracking_token, policy_id, state, channel, complainant_name, complainant_email,
    complainant_phone, complainant_address, account_identifier, language, product_or_service,
    description, earlier_contact, desired_outcome, is_complex, awaiting_information,
    received_at, acknowledge_by, respond_by, resolve_by, acknowledged_at, first_responded_at,
    responded_at, closed_at, resolved_at, escalated_at, business_days_to_acknowledge,
    business_days_to_close, next_deadline_kind, response_findings, response_actions, remedies,
    redress_amount, redress_currency, response_reasoning, outcome, root_cause,
    satisfaction_rating, satisfaction_comment, category_id, created_at, updated_at
)
SELECT
    'B' || lpad(g::text, 10, '0'), 'bench-' || g, %(policy)s, s.state,
    (ARRAY['web','email','phone','post','in_app','chat'])[1 + (g %% 6)],
    'Complainant ' || g, 'c' || g || '@example.com', '', '', '', 'en', '',
    'A description of complaint ' || g, '', '', false, false,
    r.received, r.received + interval '48 hours', r.received + interval '7 days',
    r.received + interval '21 days',
    r.received + (random() * interval '60 hours'),
    r.received + (random() * interval '9 days'),
    CASE WHEN s.closed THEN r.received + d.days * interval '1 day' END,
    CASE WHEN s.closed THEN r.received + d.days * interval '1 day' END,
    CASE WHEN s.state = 'resolved' THEN r.received + d.days * interval '1 day' END,
    CASE WHEN g %% 20 = 0 THEN r.received + interval '10 days' END,
    (random() * 2)::int,
    CASE WHEN s.closed THEN (d.days * 5 / 7)::int END,
    '', '', '', '[]',
    CASE WHEN s.closed AND g %% 3 = 0 THEN round((random() * 200)::numeric, 2) END,
    CASE WHEN s.closed AND g %% 3 = 0 THEN 'EUR' ELSE '' END, '',
    CASE WHEN s.closed THEN (ARRAY['upheld','partly_upheld','not_upheld'])[1 + (g %% 3)]
         ELSE '' END,
    CASE WHEN s.closed THEN (ARRAY['billing_error','delivery','process','no_fault'])[1 + (g %% 4)]
         ELSE '' END,
    CASE WHEN s.closed AND g %% 4 = 0 THEN 1 + (g %% 5) END, '',
    (%(categories)s::bigint[])[1 + (g %% %(category_count)s)],
    now(), now()
FROM generate_series(%(first)s, %(last)s) AS g
-- Each lateral row mentions g so that PostgreSQL draws fresh random values for every row.
CROSS JOIN LATERAL (
    SELECT now() - (random() + g * 0) * interval '730 days' AS received
) AS r
CROSS JOIN LATERAL (SELECT 1 + ((random() + g * 0) * 40)::int AS days) AS d
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.received < now() - interval '45 days' OR g %% 10 < 8
                THEN CASE WHEN g %% 17 = 0 THEN 'withdrawn' ELSE 'resolved' END
                ELSE (ARRAY['received','acknowledged','investigating','responded'])[1 + (g %% 4)]
           END AS state
) AS s0
CROSS JOIN LATERAL (
    SELECT s0.state, s0.state IN ('resolved', 'withdrawn') AS closed
) AS s
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/redress_bench"
        ),
    )
    args = parser.parse_args()
    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ.pop("TEST_DATABASE_NAME", None)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    supervisor, policy, categories = set_up()
    loaded = 0
    for target in STEPS:
        loaded = load(loaded, target, policy, categories)
        measure(target, supervisor)


def recreate_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name or name in {"postgres", "redress", "test"}:
        sys.exit(f"Refusing to recreate the database {name!r}: give a benchmark database.")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    print(f"Recreated database {name}.")


def set_up():
    from complaints.demo import categories_load
    from complaints.models import Category
    from complaints.presets import PRESETS, preset_load
    from tests.factories import SupervisorFactory

    policy, _written = preset_load(PRESETS[0])
    policy.is_default = True
    policy.save()
    categories_load()
    categories = list(Category.objects.values_list("pk", flat=True))
    return SupervisorFactory(username="bench-supervisor"), policy, categories


def load(loaded: int, target: int, policy, categories: list[int]) -> int:
    from django.db import connection

    started = time.perf_counter()
    while loaded < target:
        last = min(loaded + CHUNK, target)
        with connection.cursor() as cursor:
            cursor.execute(
                INSERT,
                {
                    "policy": policy.pk,
                    "categories": categories,
                    "category_count": len(categories),
                    "first": loaded + 1,
                    "last": last,
                },
            )
        loaded = last
        print(f"  loaded {loaded:>9,} complaints ({time.perf_counter() - started:.1f} s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")
    return loaded


def measure(count: int, supervisor) -> None:
    import datetime as dt

    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(supervisor)
    url = reverse("admin:reports_complaintfigures_changelist")
    today = dt.date.today()
    periods = {
        "last 90 days (default)": {},
        "last 365 days": {"first": (today - dt.timedelta(days=364)).isoformat()},
    }
    for label, params in periods.items():
        timings = []
        for _run in range(6):
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        warm = statistics.median(timings[1:])
        print(
            f"{count:>9,} complaints, {label}: first {timings[0] * 1000:.0f} ms, "
            f"warm median {warm * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
