"""The vocabulary of the complaints trade that models, forms and reports share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = (
    State.RECEIVED,
    State.ACKNOWLEDGED,
    State.INVESTIGATING,
    State.RESPONDED,
    State.ESCALATED,
)
CLOSED_STATES = (State.RESOLVED, State.WITHDRAWN)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    IN_APP = "in_app", _("In-app form")
    DASHBOARD = "dashboard", _("Dashboard form")
    CHAT = "chat", _("Live chat")
    IN_PERSON = "in_person", _("In person")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class Remedy(models.TextChoices):
    SERVICE_CORRECTION = "service_correction", _("Service correction")
    REFUND = "refund", _("Refund")
    ACCOUNT_CREDIT = "account_credit", _("Account credit")
    REPLACEMENT = "replacement", _("Replacement")
    ACCOUNT_RESTORATION = "account_restoration", _("Account restoration or adjustment")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance")
    INFORMATION_CORRECTION = (
        "information_correction",
        _("Clarification or correction of information"),
    )
    POLICY_CLARIFICATION = "policy_clarification", _("Policy clarification")
    APOLOGY = "apology", _("Formal apology")
    PROCESS_IMPROVEMENT = "process_improvement", _("Process improvement")


class RootCause(models.TextChoices):
    PRODUCT_DEFECT = "product_defect", _("Product or service defect")
    SERVICE_FAILURE = "service_failure", _("Service failure or outage")
    BILLING_ERROR = "billing_error", _("Billing error")
    DELIVERY = "delivery", _("Delivery or fulfilment")
    COMMUNICATION = "communication", _("Communication or information")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    PROCESS = "process", _("Process or policy")
    THIRD_PARTY = "third_party", _("Third party")
    NO_FAULT = "no_fault", _("No fault found")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    GERMAN = "de", "Deutsch"


class TargetKind(models.TextChoices):
    """The promises a policy makes; each one a PolicyTarget."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLVE = "resolve", _("Full response")
    COMPLEX_RESOLVE = "complex_resolve", _("Full response, complex case")
    ESCALATION_REVIEW = "escalation_review", _("Escalation review")
    UPDATE_INTERVAL = "update_interval", _("Progress update every")
    ESCALATION_WINDOW = "escalation_window", _("Complainant may escalate within")
    AUTO_CLOSE = "auto_close", _("Close after no reply to the response within")
    REOPEN_WINDOW = "reopen_window", _("Reopen within")
    SUMMARY_RESOLUTION = "summary_resolution", _("Summary resolution within")
    RETENTION = "retention", _("Keep personal data after closure for")


class DeadlineKind(models.TextChoices):
    """The deadlines stored on a case; the queue orders by the next one."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    RESPOND = "respond", _("First response")
    RESOLVE = "resolve", _("Full response")
    REVIEW = "review", _("Escalation review")


class PromiseKind(models.TextChoices):
    """What a case is owed: each one a Promise row with its own clock and alerts."""

    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    FIRST_RESPONSE = "first_response", _("First response")
    FULL_RESPONSE = "full_response", _("Full response")
    PROGRESS_UPDATE = "progress_update", _("Progress update")
    REVIEW = "review", _("Escalation review")
    HOLDING_REPLY = "holding_reply", _("Holding reply")
    FINAL_RESPONSE = "final_response", _("Final response")


# The regulator's clock (a rule pack's): it runs from receipt and never pauses; only a regulator's
# suspension moves it. The other promises are the organisation's own, internal targets.
REGULATORY_PROMISES = (PromiseKind.HOLDING_REPLY, PromiseKind.FINAL_RESPONSE)

# The promises the queue's deadline state and the handlers' alerts follow; progress updates are
# written by the clock itself and only alert when one was not kept.
CASEWORK_PROMISES = (
    PromiseKind.ACKNOWLEDGEMENT,
    PromiseKind.FIRST_RESPONSE,
    PromiseKind.FULL_RESPONSE,
    PromiseKind.REVIEW,
    PromiseKind.HOLDING_REPLY,
    PromiseKind.FINAL_RESPONSE,
)


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    COMPLAINANT = "complainant", _("Complainant")
    SYSTEM = "system", _("System")


class RulePackCode(models.TextChoices):
    """The regulators' rule packs a policy can turn on (complaints.rulepacks)."""

    DISP = "disp", _("UK FCA complaint handling rules (DISP)")
    VSBG = "vsbg", _("German consumer dispute resolution act (VSBG)")


class ProductGroup(models.TextChoices):
    """The FCA complaints return's product groupings (DISP 1 Annex 1)."""

    BANKING = "banking", _("Banking and credit cards")
    HOME_FINANCE = "home_finance", _("Home finance")
    INSURANCE = "insurance", _("Insurance and pure protection")
    DECUMULATION = "decumulation", _("Decumulation and pensions")
    INVESTMENTS = "investments", _("Investments")


class CauseCode(models.TextChoices):
    """The FCA complaints return's main causes of complaint (DISP 1 Annex 1)."""

    ADVISING = "advising", _("Advising, selling and arranging")
    TERMS = "terms", _("Terms and disputed sums or charges")
    ADMIN = "admin", _("General admin and customer service")
    ARREARS = "arrears", _("Arrears related")
    OTHER = "other", _("Other")


class OmbudsmanConsent(models.TextChoices):
    """Whether the firm consents to the ombudsman hearing a complaint referred out of time
    (DISP 1.6.2R(1)(f), wording in DISP 1 Annex 3R)."""

    CONSENTS = "consents", _("We consent to the ombudsman considering a complaint referred late")
    DOES_NOT_CONSENT = (
        "does_not_consent",
        _("We do not consent to the ombudsman considering a complaint referred late"),
    )


class ArbitrationParticipation(models.TextChoices):
    """Whether the organisation takes part in proceedings before a consumer arbitration board
    (VSBG §§ 36-37)."""

    WILLING = "willing", _("We are willing to take part")
    OBLIGED = "obliged", _("We are obliged to take part")
    UNWILLING = "unwilling", _("We are neither willing nor obliged to take part")


class VulnerabilityDriver(models.TextChoices):
    """The FCA's four drivers of vulnerability (FG21/1); more than one may apply."""

    HEALTH = "health", _("Health")
    LIFE_EVENT = "life_event", _("Life event")
    RESILIENCE = "resilience", _("Resilience")
    CAPABILITY = "capability", _("Capability")


class RedressKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    ACCOUNT_CREDIT = "account_credit", _("Account credit")
    GOODWILL = "goodwill", _("Goodwill payment")
    COMPENSATION = "compensation", _("Compensation")


class RedressEntryType(models.TextChoices):
    OFFER = "offer", _("Offer")
    ACCEPTANCE = "acceptance", _("Acceptance")
    PAYMENT = "payment", _("Payment")


# Above the recorder's approval limit these need a second member of staff (four eyes).
NEEDS_APPROVAL = (RedressEntryType.OFFER, RedressEntryType.PAYMENT)


class ApprovalStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
