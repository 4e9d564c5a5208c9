from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    UNDER_REVIEW = "under_review", _("Under review")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn with the complaint")


class Decision(models.TextChoices):
    UPHELD = "upheld", _("Original response upheld")
    CHANGED = "changed", _("Response changed")
    PARTLY_CHANGED = "partly_changed", _("Response partly changed")


# Escalations still awaiting a decision.
OPEN_STATES = (State.REQUESTED, State.UNDER_REVIEW)
