"""A policy's promises worded for complainants, in the order a complaint meets them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext

from complaints import rulepacks
from complaints.choices import TargetKind
from complaints.clock import Unit
from complaints.models import ComplaintPolicy, PolicyTarget

# The grammatical context a span stands in: after "within", or as a plain length of time
# ("every", "for", "up to"). Languages with cases inflect the two differently (German:
# "innerhalb von 2 Geschäftstagen" but "alle 2 Geschäftstage").
WITHIN = "within"
LENGTH = "length"

# Promises a complainant relies on; the others (summary resolution, reopening) are internal.
PUBLIC_WORDING = {
    TargetKind.ACKNOWLEDGE: (WITHIN, _("We acknowledge your complaint within %(span)s.")),
    TargetKind.FIRST_RESPONSE: (WITHIN, _("We give you a first response within %(span)s.")),
    TargetKind.RESOLVE: (WITHIN, _("We send you a full written response within %(span)s.")),
    TargetKind.COMPLEX_RESOLVE: (
        LENGTH,
        _("If your complaint is complex we may need up to %(span)s, and we tell you why."),
    ),
    TargetKind.UPDATE_INTERVAL: (
        LENGTH,
        _("While it is open we update you at least every %(span)s."),
    ),
    TargetKind.ESCALATION_WINDOW: (
        WITHIN,
        _("If you are not satisfied with our response, you can ask for a review within %(span)s."),
    ),
    TargetKind.ESCALATION_REVIEW: (
        WITHIN,
        _("A senior person who was not involved before reviews it within %(span)s."),
    ),
    TargetKind.AUTO_CLOSE: (
        WITHIN,
        _("If you do not reply to our response within %(span)s, we close your complaint."),
    ),
    TargetKind.RETENTION: (
        LENGTH,
        _(
            "We keep your personal data for %(span)s after your complaint is closed, then "
            "anonymise it."
        ),
    ),
}

# npgettext needs literal contexts to be extracted, hence one entry per context and unit.
SPAN_FORMS = {
    # Translators: a span after "within" ("within 2 business days").
    (WITHIN, Unit.HOURS): lambda n: npgettext("within", "%(n)d hour", "%(n)d hours", n),
    # Translators: a span after "within" ("within 30 days").
    (WITHIN, Unit.CALENDAR_DAYS): lambda n: npgettext("within", "%(n)d day", "%(n)d days", n),
    # Translators: a span after "within" ("within 2 business days").
    (WITHIN, Unit.BUSINESS_DAYS): lambda n: npgettext(
        "within", "%(n)d business day", "%(n)d business days", n
    ),
    # Translators: a plain length of time, after "every", "for" or "up to" ("every 24 hours").
    (LENGTH, Unit.HOURS): lambda n: npgettext("length", "%(n)d hour", "%(n)d hours", n),
    # Translators: a plain length of time, after "every", "for" or "up to" ("for 30 days").
    (LENGTH, Unit.CALENDAR_DAYS): lambda n: npgettext("length", "%(n)d day", "%(n)d days", n),
    # Translators: a plain length of time, after "every", "for" or "up to" ("every 5 business
    # days").
    (LENGTH, Unit.BUSINESS_DAYS): lambda n: npgettext(
        "length", "%(n)d business day", "%(n)d business days", n
    ),
}


def span(target: PolicyTarget, context: str = WITHIN) -> str:
    """Return '3 to 5 business days' or '24 hours' for a promise, inflected for its context."""
    limit = SPAN_FORMS[context, Unit(target.unit)](target.amount) % {"n": target.amount}
    if target.aim is None or target.aim == target.amount:
        return limit
    return _("%(aim)d to %(limit)s") % {"aim": target.aim, "limit": limit}


def public_promises(policy: ComplaintPolicy) -> list[str]:
    by_kind = {target.kind: target for target in policy.targets.all()}
    return [
        *(
            wording % {"span": span(by_kind[kind], context)}
            for kind, (context, wording) in PUBLIC_WORDING.items()
            if kind in by_kind
        ),
        # The regulators' promises come after the policy's own (the home page shows the first
        # three of the policy's).
        *(
            str(text)
            for pack in rulepacks.packs_for(policy)
            for text in pack.public_promises(policy)
        ),
    ]
