"""The final-response check: a message a rule pack regulates is rendered exactly as it would be
sent, and each statement the pack requires must be in it, filled in, before it may go.

The services call it while writing the message, inside their transaction: a refusal raises
StatementsMissing, the transaction rolls back, and nothing about the case has changed.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from complaints import rulepacks
from complaints.exceptions import StatementsMissing
from notifications.models import Notification
from notifications.rendering import render_text

K = Notification.Kind
# What cannot be sent without its statements: the final response (the handler's response under
# DISP, a review's final response), the summary resolution communication and the holding
# reply. The acknowledgement carries its statements too, but is never held back for them: a
# missing setting is flagged on the policy instead (complaints.checks).
CHECKED = (K.RESPONSE, K.SUMMARY_RESOLUTION, K.FINAL_RESPONSE, K.HOLDING_REPLY)


def _plain(text: str) -> str:
    return " ".join(text.split())


def statements_missing(notification: Notification) -> list[str]:
    """Return what the rendered message lacks of its packs' statements (labels), or []."""
    required = rulepacks.statements_for(notification.complaint.policy, notification.kind)
    if not required:
        return []
    text, context = render_text(notification)
    body = _plain(text)
    absent = []
    with (
        translation.override(notification.language),
        timezone.override(ZoneInfo(context["time_zone"])),
    ):
        for _pack, statement in required:
            expected = statement.expect(context)
            if expected is None or any(_plain(part) not in body for part in expected):
                absent.append(statement)
    # The list is for the member of staff sending it, in their language.
    return [str(statement.label) for statement in absent]


def final_response_check(notification: Notification) -> None:
    """Refuse `notification` (raise StatementsMissing) when it lacks a required statement."""
    if notification.kind not in CHECKED:
        return
    missing = statements_missing(notification)
    if missing:
        raise StatementsMissing(what=str(K(notification.kind).label).lower(), missing=missing)
