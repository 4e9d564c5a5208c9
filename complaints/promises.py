"""A policy's promises worded for complainants, in the order a complaint meets them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints.choices import TargetKind
from complaints.clock import Unit
from complaints.models import ComplaintPolicy, PolicyTarget

# Promises a complainant relies on; the others (summary resolution, reopening) are internal.
PUBLIC_WORDING = {
    TargetKind.ACKNOWLEDGE: _("We acknowledge your complaint within %(span)s."),
    TargetKind.FIRST_RESPONSE: _("We give you a first response within %(span)s."),
    TargetKind.RESOLVE: _("We send you a full written response within %(span)s."),
    TargetKind.COMPLEX_RESOLVE: _(
        "If your complaint is complex we may need up to %(span)s, and we tell you why."
    ),
    TargetKind.UPDATE_INTERVAL: _("While it is open we update you at least every %(span)s."),
    TargetKind.ESCALATION_WINDOW: _(
        "If you are not satisfied with our response, you can ask for a review within %(span)s."
    ),
    TargetKind.ESCALATION_REVIEW: _(
        "A senior person who was not involved before reviews it within %(span)s."
    ),
    TargetKind.AUTO_CLOSE: _(
        "If you do not reply to our response within %(span)s, we close your complaint."
    ),
    TargetKind.RETENTION: _(
        "We keep your personal data for %(span)s after your complaint is closed, then anonymise it."
    ),
}


def span(target: PolicyTarget) -> str:
    """Return '3 to 5 business days' or '24 hours' for a promise."""
    plural = {
        Unit.HOURS: lambda n: ngettext("%(n)d hour", "%(n)d hours", n),
        Unit.CALENDAR_DAYS: lambda n: ngettext("%(n)d day", "%(n)d days", n),
        Unit.BUSINESS_DAYS: lambda n: ngettext("%(n)d business day", "%(n)d business days", n),
    }[target.unit]
    limit = plural(target.amount) % {"n": target.amount}
    if target.aim is None or target.aim == target.amount:
        return limit
    return _("%(aim)d to %(limit)s") % {"aim": target.aim, "limit": limit}


def public_promises(policy: ComplaintPolicy) -> list[str]:
    by_kind = {target.kind: target for target in policy.targets.all()}
    return [
        wording % {"span": span(by_kind[kind])}
        for kind, wording in PUBLIC_WORDING.items()
        if kind in by_kind
    ]
