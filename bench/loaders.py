"""Load Redress complaints in bulk on PostgreSQL: the rows are made inside the database.

`redress_staff_load()` creates the policy, categories, handlers and a supervisor through the ORM;
`redress_complaints_load()` then adds complaints `first`..`last` with INSERT … SELECT
generate_series, with their correspondence, timeline and escalations, so 1 000 000 complaints
load in a few minutes on two cores. Both run on Django's default connection.

The spread, as a desk two years old would have it: receipt spread over 730 days; everything
older than 60 days closed (resolved, one in 17 withdrawn); the last 60 days spread over every
state; open cases assigned round-robin to the handlers (received ones unassigned), with their
next deadline, due-soon time and next progress update stored as the services would; 0-4
messages and 1-5 timeline entries per case; an escalation row for every escalated case; the
promise records of each case.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.progress_bar import ProgressBar

CHUNK = 50_000
HANDLERS = 20
PASSWORD = "bench-password-0123"
# The bench supervisor's recovery codes: the benchmark signs in with a fresh one each time.
SIGN_IN_CODES = [f"bench{number:04d}" for number in range(500)]

COMPLAINTS = """
INSERT INTO complaints_complaint (
    reference, tracking_token, policy_id, state, channel, complainant_name, complainant_email,
    complainant_phone, complainant_address, account_identifier, language, product_or_service,
    description, earlier_contact, desired_outcome, is_complex, awaiting_information, handler_id,
    received_at, acknowledge_by, respond_by, resolve_by, acknowledged_at, first_responded_at,
    responded_at, closed_at, resolved_at, withdrawn_at, escalated_at, last_contact_at,
    next_deadline, next_deadline_kind, due_soon_at, next_update_due,
    business_days_to_acknowledge, business_days_to_close, response_findings, response_actions,
    remedies, redress_amount, redress_currency, response_reasoning, outcome, root_cause,
    satisfaction_rating, satisfaction_comment, category_id, created_at, updated_at
)
SELECT
    'B' || lpad(g::text, 10, '0'), 'bench-' || g, %(policy)s, s.state,
    (ARRAY['web','email','phone','post','in_app','chat'])[1 + (g %% 6)],
    'Complainant ' || g, 'c' || g || '@example.com', '', '', 'ACC-' || g, 'en', '',
    'I was charged twice for my subscription in month ' || (g %% 12 + 1) || '.', '', '',
    g %% 11 = 0, s.state = 'investigating' AND g %% 7 = 0,
    CASE WHEN s.state <> 'received' THEN (%(handlers)s::bigint[])[1 + (g %% %(handler_count)s)] END,
    r.received, r.received + interval '48 hours', r.received + interval '7 days',
    r.received + interval '21 days',
    CASE WHEN s.state <> 'received' THEN r.received + (random() * interval '40 hours') END,
    CASE WHEN s.state NOT IN ('received', 'acknowledged')
         THEN r.received + (random() * interval '6 days') END,
    CASE WHEN s.state IN ('responded', 'resolved', 'escalated')
         THEN r.received + d.days * interval '1 day' END,
    CASE WHEN s.closed THEN r.received + d.days * interval '1 day' END,
    CASE WHEN s.state = 'resolved' THEN r.received + d.days * interval '1 day' END,
    CASE WHEN s.state = 'withdrawn' THEN r.received + d.days * interval '1 day' END,
    CASE WHEN s.state = 'escalated' THEN r.received + d.days * interval '1 day' END,
    c.last_contact,
    n.deadline, n.kind, n.deadline - interval '1 day',
    CASE WHEN NOT s.closed THEN c.last_contact + interval '5 days' END,
    CASE WHEN s.state <> 'received' THEN (random() * 2)::int END,
    CASE WHEN s.closed THEN (d.days * 5 / 7)::int END,
    '', '', '[]',
    CASE WHEN s.closed AND g %% 3 = 0 THEN round((random() * 200)::numeric, 2) END,
    CASE WHEN s.closed AND g %% 3 = 0 THEN 'EUR' ELSE '' END, '',
    CASE WHEN s.closed THEN (ARRAY['upheld','partly_upheld','not_upheld'])[1 + (g %% 3)]
         ELSE '' END,
    '',
    CASE WHEN s.closed AND g %% 4 = 0 THEN 1 + (g %% 5) END, '',
    (%(categories)s::bigint[])[1 + (g %% %(category_count)s)],
    now(), now()
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
-- Each lateral row mentions g so that PostgreSQL draws fresh random values for every row.
-- The day of receipt steps through two years by g (557 is prime to 730), so every load has
-- the same spread of states, down to a few hundred rows; the time of day is random.
CROSS JOIN LATERAL (
    SELECT now() - ((g * 557) %% 730 + random()) * interval '1 day' AS received
) AS r
CROSS JOIN LATERAL (SELECT 1 + ((random() + g * 0) * 40)::int AS days) AS d
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.received < now() - interval '60 days'
                THEN CASE WHEN g %% 17 = 0 THEN 'withdrawn' ELSE 'resolved' END
                ELSE (ARRAY['received','acknowledged','investigating','investigating',
                            'investigating','responded','escalated','resolved','resolved',
                            'withdrawn'])[1 + (g %% 10)]
           END AS state
) AS s0
CROSS JOIN LATERAL (SELECT s0.state, s0.state IN ('resolved', 'withdrawn') AS closed) AS s
-- The last message to the complainant: about one open case in 120 is due a progress update,
-- an hour's worth for an update interval of five days.
CROSS JOIN LATERAL (
    SELECT CASE WHEN NOT s.closed
                THEN now() - (random() + g * 0) * interval '121 hours'
           END AS last_contact
) AS c
CROSS JOIN LATERAL (
    SELECT CASE s.state
               WHEN 'received' THEN r.received + interval '48 hours'
               WHEN 'responded' THEN r.received + interval '35 days'
               WHEN 'escalated' THEN r.received + interval '28 days'
               WHEN 'acknowledged' THEN r.received + interval '21 days'
               WHEN 'investigating' THEN r.received + interval '21 days'
           END AS deadline,
           CASE s.state
               WHEN 'received' THEN 'acknowledge'
               WHEN 'escalated' THEN 'review'
               WHEN 'resolved' THEN ''
               WHEN 'withdrawn' THEN ''
               ELSE 'resolve'
           END AS kind
) AS n
"""

MESSAGES = """
INSERT INTO complaints_message (
    complaint_id, direction, author_id, body, is_information_request, channel,
    email_message_id, created_at
)
SELECT c.id, (ARRAY['outbound','inbound','note'])[1 + (k %% 3)],
       CASE WHEN k %% 3 <> 1 THEN c.handler_id END,
       'Message ' || k || ' on case ' || c.reference, false, 'web', '',
       c.received_at + k * interval '1 day'
FROM complaints_complaint c
CROSS JOIN LATERAL generate_series(1, c.id %% 5) AS k
WHERE c.id > %(after)s AND c.handler_id IS NOT NULL
"""

# Every case walked the path to its state: submit, acknowledge, investigate, respond, resolve;
# withdrawn and escalated cases end with their own step.
EVENTS = """
INSERT INTO complaints_complaintevent (
    complaint_id, action, actor_kind, actor_id, from_state, to_state, note, is_public, created_at
)
SELECT c.id, step.action, CASE WHEN k = 1 THEN 'complainant' ELSE 'staff' END,
       CASE WHEN k > 1 THEN c.handler_id END, step.from_state, step.to_state, '', true,
       c.received_at + (k - 1) * interval '1 day'
FROM complaints_complaint c
CROSS JOIN LATERAL (
    SELECT CASE c.state WHEN 'received' THEN 1 WHEN 'acknowledged' THEN 2
                        WHEN 'investigating' THEN 3 WHEN 'responded' THEN 4
                        WHEN 'withdrawn' THEN 3 ELSE 5 END AS steps
) AS p
CROSS JOIN LATERAL generate_series(1, p.steps) AS k
CROSS JOIN LATERAL (
    SELECT CASE WHEN k = p.steps AND c.state = 'withdrawn' THEN 'withdraw'
                WHEN k = p.steps AND c.state = 'escalated' THEN 'escalate'
                ELSE (ARRAY['submit','acknowledge','start_investigation','respond','resolve'])[k]
           END AS action,
           CASE WHEN k = p.steps AND c.state = 'withdrawn' THEN 'acknowledged'
                ELSE (ARRAY['','received','acknowledged','investigating','responded'])[k]
           END AS from_state,
           CASE WHEN k = p.steps AND c.state IN ('withdrawn', 'escalated') THEN c.state
                ELSE (ARRAY['received','acknowledged','investigating','responded','resolved'])[k]
           END AS to_state
) AS step
WHERE c.id > %(after)s
"""

ESCALATIONS = """
INSERT INTO escalations_escalation (
    complaint_id, state, requested_by, requested_at, grounds, desired_outcome, review_by,
    due_soon_at, revised_remedies, reasoning, final_response, decision, external_routes,
    external_route_time_limit
)
SELECT c.id, 'requested', 'complainant', c.escalated_at,
       'The refund offered does not cover the second charge.', '',
       c.escalated_at + interval '7 days', c.escalated_at + interval '6 days', '[]', '', '', '',
       '', ''
FROM complaints_complaint c
WHERE c.id > %(after)s AND c.state = 'escalated'
"""


# Each case's promises as the services would have recorded them: acknowledgement, first and
# full response (kept when the step happened, released if the case closed without it), and the
# progress update an open case is owed. Alerts for moments already past count as sent.
PROMISES = """
INSERT INTO complaints_promise (
    complaint_id, kind, occurrence, aim, "limit", due_soon_at, kept_at, kept_by, released_at,
    extension_reason, due_soon_alerted_at, breach_alerted_at, created_at
)
SELECT c.id, p.kind, 1, p.aim, p.due, p.due - interval '1 day', p.kept,
       CASE WHEN p.kept IS NOT NULL THEN 'bench' ELSE '' END,
       CASE WHEN p.kept IS NULL AND c.state IN ('resolved', 'withdrawn') THEN c.closed_at END,
       '',
       CASE WHEN p.due - interval '1 day' < now() THEN now() END,
       CASE WHEN p.due < now() THEN now() END,
       c.received_at
FROM complaints_complaint c
CROSS JOIN LATERAL (VALUES
    ('acknowledgement', NULL::timestamptz, c.acknowledge_by, c.acknowledged_at),
    ('first_response', NULL::timestamptz, c.respond_by, c.first_responded_at),
    ('full_response', NULL::timestamptz, c.resolve_by, c.responded_at),
    ('progress_update', c.next_update_due - interval '2 hours', c.next_update_due,
     NULL::timestamptz)
) AS p(kind, aim, due, kept)
WHERE c.id > %(after)s AND p.due IS NOT NULL
  AND (p.kind <> 'progress_update'
       OR c.state IN ('received', 'acknowledged', 'investigating', 'escalated'))
"""


@dataclass(frozen=True)
class Staff:
    policy_id: int
    category_ids: list[int]
    handler_ids: list[int]
    supervisor_username: str


def redress_staff_load(*, handlers: int = HANDLERS) -> Staff:
    """Create the default policy, the demo categories, handlers and a supervisor (superuser)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from complaints.models import Category, ComplaintPolicy
    from complaints.presets import PRESETS, preset_load
    from complaints.roles import HANDLERS as HANDLERS_GROUP
    from demo.seed import categories_load

    policy, _written = preset_load(PRESETS[0])
    ComplaintPolicy.objects.exclude(pk=policy.pk).update(is_default=False)
    ComplaintPolicy.objects.filter(pk=policy.pk).update(is_default=True)
    categories_load()
    users = get_user_model().objects
    group = Group.objects.get(name=HANDLERS_GROUP)
    handler_ids = []
    for number in range(handlers):
        handler, created = users.get_or_create(
            username=f"bench-handler-{number}",
            defaults={"first_name": "Handler", "last_name": str(number), "is_staff": True},
        )
        if created:
            handler.groups.add(group)
        handler_ids.append(handler.pk)
    supervisor = users.filter(username="bench-supervisor").first()
    if supervisor is None:
        supervisor = users.create_superuser(
            "bench-supervisor", "supervisor@redress.example", PASSWORD
        )
    # Supervisors sign in with a second factor: recovery codes, one per sign-in of a run, all of
    # them fresh again when a run reuses an earlier run's database (bench/run.py --reuse).
    device, _created = StaticDevice.objects.get_or_create(
        user=supervisor, name="bench", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in SIGN_IN_CODES
    )
    return Staff(
        policy_id=policy.pk,
        category_ids=list(Category.objects.order_by("pk").values_list("pk", flat=True)),
        handler_ids=handler_ids,
        supervisor_username="bench-supervisor",
    )


def redress_complaints_load(*, staff: Staff, first: int, last: int) -> None:
    """Insert complaints numbered `first`..`last` with their messages, timeline and escalations."""
    from django.db import connection, transaction

    bar, start = ProgressBar("redress", "complaints", last - first + 1), first
    while first <= last:
        chunk_last = min(first + CHUNK - 1, last)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM complaints_complaint")
            (after,) = cursor.fetchone()
            cursor.execute(
                COMPLAINTS,
                {
                    "policy": staff.policy_id,
                    "categories": staff.category_ids,
                    "category_count": len(staff.category_ids),
                    "handlers": staff.handler_ids,
                    "handler_count": len(staff.handler_ids),
                    "first": first,
                    "last": chunk_last,
                },
            )
            for statement in (MESSAGES, EVENTS, ESCALATIONS, PROMISES):
                cursor.execute(statement, {"after": after})
        bar.update(chunk_last - start + 1)
        first = chunk_last + 1
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map, as autovacuum does after a bulk insert on a server
        # with default settings (CI's runs with autovacuum off): without it no index-only scan
        # is one, each reads the table too. It cannot run in a transaction, as the tests' loads
        # do; there ANALYZE alone.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
