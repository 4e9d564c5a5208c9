"""The public form's fields and checks, for requests from the organisation's own apps."""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy

from complaints.choices import Language
from publicsite.forms import ComplaintForm

# What only a browser on the public site needs: the honeypot, the timing stamp and the consent
# box (the organisation's app asks for consent in its own terms).
BROWSER_ONLY = ("website", "stamp", "consent")


class ApiComplaintForm(ComplaintForm):
    """The public submission form without its browser checks; the account identifier required."""

    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=Language.choices, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in BROWSER_ONLY:
            self.fields.pop(name, None)
        if "account_identifier" not in self.fields:
            self.fields["account_identifier"] = copy.deepcopy(
                ComplaintForm.base_fields["account_identifier"]
            )
        self.fields["account_identifier"].required = True


# What the signed token gives and the customer cannot change.
LOCKED = ("complainant_name", "complainant_email", "account_identifier")


class EmbedComplaintForm(ComplaintForm):
    """The public form with its browser checks, less the fields the signed token fills in."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in LOCKED:
            self.fields.pop(name, None)
