"""The escalations' periodic job: each handles one batch and returns how many it did."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils.translation import gettext as _

from complaints import clock
from complaints.actors import SYSTEM
from complaints.choices import PromiseKind, State
from complaints.exceptions import ComplaintError
from complaints.models import Complaint
from escalations.models import Escalation
from escalations.services import escalation_request

logger = logging.getLogger(__name__)

BATCH = 500


def escalations_auto_escalate_breached(*, batch: int = BATCH) -> int:
    """Escalate a batch of open cases whose full-response deadline passed, where the policy
    says so; return how many were escalated.

    Each case is claimed in its own transaction: on PostgreSQL with SKIP LOCKED, so a second
    worker passes over it; elsewhere the transition itself is the claim, and the slower worker
    is told the case changed and moves on.
    """
    now = clock.now()
    due = list(
        _breached_full_response(now)
        .filter(policy__auto_escalate_on_breach=True)
        .exclude(escalations__state=Escalation.State.DECIDED)
        .order_by("promises__limit")
        .values_list("pk", flat=True)[:batch]
    )
    done = 0
    for pk in due:
        try:
            done += _auto_escalate(pk, now)
        except ComplaintError as exc:
            logger.info("Complaint %s was not escalated automatically: %s", pk, exc)
    return done


def _breached_full_response(now: dt.datetime):
    """Return the open cases whose full response is owed and late (index promise_breach...)."""
    return Complaint.objects.filter(
        state__in=[State.ACKNOWLEDGED, State.INVESTIGATING],
        promises__kind=PromiseKind.FULL_RESPONSE,
        promises__kept_at__isnull=True,
        promises__released_at__isnull=True,
        promises__limit__lt=now,
    )


def _auto_escalate(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        claim = _breached_full_response(now).filter(pk=pk)
        if connection.features.has_select_for_update_skip_locked:
            claim = claim.select_for_update(skip_locked=True)
        case = claim.first()
        if case is None:
            return False
        escalation_request(
            complaint=case,
            actor=SYSTEM,
            grounds=_("The full-response deadline of %(deadline)s passed.")
            % {"deadline": f"{case.policy.calendar().local(case.resolve_by):%Y-%m-%d %H:%M %Z}"},
        )
    return True
