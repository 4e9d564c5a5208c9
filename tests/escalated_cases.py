"""Cases brought through the real services to the point where an escalation matters."""

from decimal import Decimal

from complaints import services
from complaints.actors import Actor
from complaints.choices import Channel, Outcome, Remedy, State
from escalations.services import escalation_request

STEPS = {
    State.RECEIVED: [],
    State.ACKNOWLEDGED: ["acknowledge"],
    State.INVESTIGATING: ["acknowledge", "investigate"],
    State.RESPONDED: ["acknowledge", "investigate", "respond"],
}


def case_in(state, *, handler, policy=None, language="en", email="rosa@example.com"):
    """Return a complaint handled by `handler` and brought to `state` (received … escalated)."""
    actor = Actor.staff(handler)
    case = services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Rosa Diaz",
        complainant_email=email,
        description="I was charged twice.",
        language=language,
        policy=policy,
    )
    case = services.complaint_assign(complaint=case, actor=actor, handler=handler)
    for step in STEPS[State.RESPONDED if state == State.ESCALATED else state]:
        if step == "acknowledge":
            case = services.complaint_acknowledge(complaint=case, actor=actor)
        elif step == "investigate":
            case = services.complaint_start_investigation(complaint=case, actor=actor)
        elif step == "respond":
            case = services.complaint_respond(
                complaint=case,
                actor=actor,
                findings="A duplicate charge.",
                actions="Refunded one charge.",
                reasoning="Our billing error.",
                outcome=Outcome.PARTLY_UPHELD,
                remedies=[Remedy.REFUND],
                redress_amount=Decimal("9.99"),
            )
    if state == State.ESCALATED:
        escalation_request(complaint=case, actor=actor, grounds="The refund is too small.")
        case.refresh_from_db()
    assert case.state == state
    return case
