"""The UK FCA's complaint handling rules (DISP 1), for firms under the Financial Ombudsman
Service."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.choices import OmbudsmanConsent, RulePackCode
from complaints.rulepacks.base import RulePack, Statement

if TYPE_CHECKING:
    from complaints.models import Category, Complaint, ComplaintPolicy

# DISP 1.6.2R: a final response (or a response explaining the delay) by the end of eight weeks
# after receipt. DISP 1.6.2AR: payment services and e-money, 15 business days (35 with a
# holding reply giving the reasons and the date of the final response).
EIGHT_WEEKS_IN_DAYS = 56
PAYMENT_SERVICES_BUSINESS_DAYS = 15
PAYMENT_SERVICES_EXTENDED_BUSINESS_DAYS = 35
# DISP 1.5: a complaint resolved by close of business on the third business day after the day
# it was received gets a summary resolution communication instead of a final response.
SUMMARY_RESOLUTION_BUSINESS_DAYS = 3
# Not a rule but a choice: the holding reply is owed by the limit; the handler is warned (and
# the sweep writes it) this many business days before, so it is never late.
HOLDING_REPLY_LEAD_BUSINESS_DAYS = 5
# DISP 1.9.1R: records of each complaint kept at least three years from receipt.
THREE_YEARS_IN_DAYS = 1096

# The Financial Ombudsman Service, as DISP 1.6.2R(1)(d)-(e) asks a final response to name it.
FOS_NAME = "Financial Ombudsman Service"
FOS_ADDRESS = "Exchange Tower, London E14 9SR"
FOS_PHONE = "0800 023 4567"
FOS_MOBILE_PHONE = "0300 123 9123"
FOS_EMAIL = "complaint.info@financial-ombudsman.org.uk"
FOS_WEBSITE = "www.financial-ombudsman.org.uk"
FOS_LEAFLET = "https://www.financial-ombudsman.org.uk/consumers/how-to-complain"

# DISP 1 Annex 3R: the wording on referral within six months, and on the firm's consent (or
# not) to the ombudsman considering a complaint referred after that.
REFER_WITHIN_SIX_MONTHS = _(
    "You have the right to refer your complaint to the Financial Ombudsman Service, free of "
    "charge – but you must do so within six months of the date of this letter."
)
CONSENT_WORDING: dict[str, Any] = {
    OmbudsmanConsent.DOES_NOT_CONSENT: _(
        "If you do not refer your complaint in time, the Ombudsman will not have our permission "
        "to consider your complaint and so will only be able to do so in very limited "
        "circumstances. For example, if the Ombudsman believes that the delay was as a result "
        "of exceptional circumstances."
    ),
    OmbudsmanConsent.CONSENTS: _(
        "If you refer your complaint after that, we consent to the Ombudsman considering it: "
        "we will not object that it was referred out of time."
    ),
}
REFER_NOW = _(
    "You do not have to wait for our final response: you may refer your complaint to the "
    "Financial Ombudsman Service now, free of charge."
)
REFER_IF_DISSATISFIED_LATER = _(
    "If you later decide that you are not satisfied with how we resolved your complaint, you "
    "may be able to refer it to the Financial Ombudsman Service, free of charge, within six "
    "months of the date of this message."
)
CONSIDERED_RESOLVED = _(
    "You made a complaint to us, and we now consider it resolved. This is our summary "
    "resolution communication."
)
NO_REMEDY = _("We are not offering a remedy or redress.")
REFER_IF_LATE = _(
    "If we have not sent you our final response by then, or you are not satisfied with it, "
    "you may refer your complaint to the Financial Ombudsman Service, free of charge."
)


def is_payment_service(category: Category | None) -> bool:
    """Return whether the category (or its group) is payment services or e-money."""
    return category is not None and category.fca_classification().is_payment_service


def _day(moment: dt.datetime | None) -> str:
    """Return `moment` as the templates write it (`|date:"DATETIME_FORMAT"`), in the active
    language and time zone."""
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def time_limits_text(case: Complaint) -> str:
    """Return the sentence of the acknowledgement that states the time limits (DISP 1.6.1R)."""
    deadline = DISP.regulatory_deadline(case)
    if is_payment_service(case.category):
        return gettext(
            "We will send you our final response within 15 business days of receiving your "
            "complaint, by %(date)s. In exceptional circumstances we will write to you by then "
            "to explain why, and send our final response within 35 business days at the latest."
        ) % {"date": _day(deadline.limit)}
    return gettext(
        "We will send you our final response within eight weeks of receiving your complaint, "
        "by %(date)s."
    ) % {"date": _day(deadline.limit)}


def _filled(*values: Any) -> list[str] | None:
    texts = [str(value).strip() for value in values]
    return texts if all(texts) else None


def _fos_contact(context: dict[str, Any]) -> list[str]:
    return [FOS_ADDRESS, FOS_PHONE, FOS_WEBSITE]


def _consent(context: dict[str, Any]) -> list[str] | None:
    wording = CONSENT_WORDING.get(context["policy"].ombudsman_consent)
    return None if wording is None else [str(wording)]


def _remedy(labels: list[str], amount: Any, currency: str) -> list[str] | None:
    if labels:
        return list(labels)
    if amount not in (None, ""):
        return _filled(currency)
    return [str(NO_REMEDY)]


def _response_remedy(context: dict[str, Any]) -> list[str] | None:
    case = context["complaint"]
    return _remedy(context.get("remedies") or [], case.redress_amount, case.redress_currency)


def _review_remedy(context: dict[str, Any]) -> list[str] | None:
    return _remedy(
        context.get("remedies") or [],
        context.get("redress_amount"),
        context.get("redress_currency") or "",
    )


def _review_decision(context: dict[str, Any]) -> list[str] | None:
    escalation = context.get("escalation")
    return _filled(escalation.get_decision_display()) if escalation else None


def _review_reasons(context: dict[str, Any]) -> list[str] | None:
    escalation = context.get("escalation")
    return _filled(escalation.reasoning) if escalation else None


def _holding_date(context: dict[str, Any]) -> list[str] | None:
    holding = context.get("holding") or {}
    return _filled(_day(holding.get("expected_by")))


L = {
    "decision": _("the decision (the outcome)"),
    "reasons": _("the reasons for the decision"),
    "remedy": _("the remedy offered, or that none is offered"),
    "refer_six_months": _(
        "the right to refer the complaint to the Financial Ombudsman Service within six months"
    ),
    "fos_contact": _("the Financial Ombudsman Service's contact details"),
    "leaflet": _("the link to the Financial Ombudsman Service's leaflet"),
    "consent": _(
        "whether we consent to the ombudsman considering a complaint referred late (choose it "
        "on the policy)"
    ),
}
REFERRAL = [
    Statement("refer_six_months", L["refer_six_months"], lambda c: [str(REFER_WITHIN_SIX_MONTHS)]),
    Statement("fos_contact", L["fos_contact"], _fos_contact),
    Statement("leaflet", L["leaflet"], lambda c: [FOS_LEAFLET]),
    Statement("consent", L["consent"], _consent),
]


class Disp(RulePack):
    code = RulePackCode.DISP
    name = _("UK FCA complaint handling rules (DISP)")
    regulator = "FCA"
    min_retention_days = THREE_YEARS_IN_DAYS
    statements: ClassVar[dict[str, list[Statement]]] = {
        "acknowledgement": [
            Statement(
                "time_limits",
                _("the time limits (eight weeks, or 15 business days for payment services)"),
                lambda c: [time_limits_text(c["complaint"])],
            ),
            Statement(
                "refer_if_late",
                _("the right to refer to the Financial Ombudsman Service if not answered in time"),
                lambda c: [str(REFER_IF_LATE), FOS_WEBSITE],
            ),
        ],
        # Under DISP the handler's response is the firm's final response (DISP 1.6.2R(1)).
        "response": [
            Statement(
                "decision",
                L["decision"],
                lambda c: _filled(c["complaint"].get_outcome_display() or ""),
            ),
            Statement(
                "reasons", L["reasons"], lambda c: _filled(c["complaint"].response_reasoning)
            ),
            Statement("remedy", L["remedy"], _response_remedy),
            *REFERRAL,
        ],
        "final_response": [
            Statement("decision", L["decision"], _review_decision),
            Statement("reasons", L["reasons"], _review_reasons),
            Statement("remedy", L["remedy"], _review_remedy),
            *REFERRAL,
        ],
        # DISP 1.5.4R.
        "summary_resolution": [
            Statement(
                "resolved",
                _("that we consider the complaint resolved"),
                lambda c: [str(CONSIDERED_RESOLVED)],
            ),
            Statement(
                "what_we_did",
                _("what we found and did"),
                lambda c: _filled(c["complaint"].response_findings),
            ),
            Statement(
                "refer_later",
                _("that they may refer it to the Financial Ombudsman Service if dissatisfied"),
                lambda c: [str(REFER_IF_DISSATISFIED_LATER)],
            ),
            Statement(
                "fos_website",
                _("the Financial Ombudsman Service's website"),
                lambda c: [FOS_WEBSITE],
            ),
            Statement("consent", L["consent"], _consent),
        ],
        # DISP 1.6.2R(2).
        "holding_reply": [
            Statement(
                "reasons",
                _("why we are not yet in a position to send the final response"),
                lambda c: _filled((c.get("holding") or {}).get("reasons", "")),
            ),
            Statement("expected_by", _("when we expect to send the final response"), _holding_date),
            Statement(
                "refer_now",
                _("that they may refer the complaint to the Financial Ombudsman Service now"),
                lambda c: [str(REFER_NOW)],
            ),
            Statement("fos_contact", L["fos_contact"], _fos_contact),
            Statement("leaflet", L["leaflet"], lambda c: [FOS_LEAFLET]),
        ],
    }

    def regulatory_deadline(self, case: Complaint) -> clock.Deadline:
        calendar = case.policy.calendar()
        if is_payment_service(case.category):
            limit = calendar.add(
                case.received_at, PAYMENT_SERVICES_BUSINESS_DAYS, clock.Unit.BUSINESS_DAYS
            )
        else:
            limit = calendar.add(case.received_at, EIGHT_WEEKS_IN_DAYS, clock.Unit.CALENDAR_DAYS)
        return clock.Deadline(limit=limit)

    def holding_reply_deadline(self, case: Complaint) -> clock.Deadline:
        limit = self.regulatory_deadline(case).limit
        aim = case.policy.calendar().business_days_before(limit, HOLDING_REPLY_LEAD_BUSINESS_DAYS)
        return clock.Deadline(limit=limit, aim=max(aim, case.received_at))

    def summary_resolution_until(self, case: Complaint) -> dt.datetime:
        return case.policy.calendar().add(
            case.received_at, SUMMARY_RESOLUTION_BUSINESS_DAYS, clock.Unit.BUSINESS_DAYS
        )

    def longest_holding_date(self, case: Complaint) -> dt.datetime | None:
        if not is_payment_service(case.category):
            return None
        return case.policy.calendar().add(
            case.received_at, PAYMENT_SERVICES_EXTENDED_BUSINESS_DAYS, clock.Unit.BUSINESS_DAYS
        )

    def settings_missing(self, policy: ComplaintPolicy) -> dict[str, Any]:
        if policy.ombudsman_consent in OmbudsmanConsent.values:
            return {}
        return {
            "ombudsman_consent": _(
                "DISP: choose whether you consent to the ombudsman considering a complaint "
                "referred out of time; every final response must say so."
            )
        }

    def public_promises(self, policy: ComplaintPolicy) -> list[Any]:
        return [
            _(
                "We send you our final response within eight weeks of receiving your complaint; "
                "for payment services and e-money within 15 business days, or in exceptional "
                "circumstances up to 35 business days, when we write to you by then to say why."
            ),
            _(
                "If we have not sent our final response by then, or you are not satisfied with "
                "it, you may refer your complaint to the Financial Ombudsman Service "
                "(www.financial-ombudsman.org.uk), free of charge, within six months of our "
                "final response."
            ),
        ]

    def context(self, case: Complaint) -> dict[str, Any]:
        return {
            "fos": {
                "name": FOS_NAME,
                "address": FOS_ADDRESS,
                "phone": FOS_PHONE,
                "mobile_phone": FOS_MOBILE_PHONE,
                "email": FOS_EMAIL,
                "website": FOS_WEBSITE,
                "leaflet": FOS_LEAFLET,
            },
            "refer_within_six_months": REFER_WITHIN_SIX_MONTHS,
            "consent": CONSENT_WORDING.get(case.policy.ombudsman_consent, ""),
            "refer_now": REFER_NOW,
            "refer_if_dissatisfied_later": REFER_IF_DISSATISFIED_LATER,
            "considered_resolved": CONSIDERED_RESOLVED,
            "no_remedy": NO_REMEDY,
            "refer_if_late": REFER_IF_LATE,
            # Called by the template as it renders, in the complainant's time zone.
            "time_limits": functools.partial(time_limits_text, case),
        }


DISP = Disp()
