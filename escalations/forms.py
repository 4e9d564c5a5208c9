"""The escalation forms: they collect input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.actors import Actor
from complaints.choices import Remedy
from escalations.models import Escalation

TEXTAREA = forms.Textarea(attrs={"rows": 5, "cols": 80})


class EscalationRequestForm(forms.Form):
    """The case page's "Escalate": staff ask for a senior review."""

    grounds = forms.CharField(label=_("Why the case needs a senior review"), widget=TEXTAREA)
    desired_outcome = forms.CharField(
        label=_("Outcome the complainant wants"), widget=TEXTAREA, required=False
    )


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return str(Actor.staff(user))


class ReviewerForm(forms.Form):
    reviewer = ReviewerChoiceField(
        queryset=None,
        label=_("Reviewer"),
        empty_label=None,
        help_text=_("Only supervisors who had no part in the case are listed."),
    )

    def __init__(self, *args, reviewers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = reviewers


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Escalation.Decision.choices,
        widget=forms.RadioSelect,
        help_text=_("Sent to the complainant."),
    )
    revised_remedies = forms.MultipleChoiceField(
        label=_("Revised remedies"),
        choices=Remedy.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sent to the complainant. Only when the response changes; they replace the "
            "original remedies."
        ),
    )
    revised_redress_amount = forms.DecimalField(
        label=_("Revised redress amount"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_(
            "Sent to the complainant. Only when the response changes; leave empty to keep the "
            "original amount."
        ),
    )
    reasoning = forms.CharField(
        label=_("Reasons for the decision"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent to the complainant after the final response, as “Why we decided so”."),
    )
    final_response = forms.CharField(
        label=_("Final response to the complainant"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Sent to the complainant. The message already greets them by name and signs off "
            "with our name: start with the substance."
        ),
    )
