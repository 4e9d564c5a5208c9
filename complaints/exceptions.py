from django.utils.translation import gettext as _


class ComplaintError(Exception):
    """An action on a case that cannot be done; the message is written for the person acting."""


class TransitionRefused(ComplaintError):
    def __init__(self, *, action: str, state: str, reference: str) -> None:
        self.action, self.state = action, state
        super().__init__(
            _("Cannot %(action)s complaint %(reference)s: it is %(state)s.")
            % {"action": action.replace("_", " "), "reference": reference, "state": state}
        )


class CaseChanged(ComplaintError):
    def __init__(self, *, reference: str, state: str) -> None:
        super().__init__(
            _(
                "Complaint %(reference)s changed meanwhile (it is now %(state)s). "
                "Reload it and try again."
            )
            % {"reference": reference, "state": state}
        )


class AssignedMeanwhile(CaseChanged):
    def __init__(self, *, reference: str, handler: str) -> None:
        ComplaintError.__init__(
            self,
            _(
                "Complaint %(reference)s changed meanwhile: it was just assigned to "
                "%(handler)s. Reload it and assign it again if it should still change hands."
            )
            % {"reference": reference, "handler": handler},
        )


class NotPermitted(ComplaintError):
    pass


class StatementsMissing(ComplaintError):
    """The message, rendered as it would be sent, lacks statements a rule pack requires."""

    def __init__(self, *, what: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            _("The %(what)s was not sent: it lacks what the regulator requires: %(missing)s.")
            % {"what": what, "missing": "; ".join(missing)}
        )
