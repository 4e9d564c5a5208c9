"""People and cases for the handler console tests: Hana and Hugo handle, Sam supervises."""

import pytest

from complaints import services
from complaints.actors import Actor
from tests.console.pages import submit
from tests.factories import HandlerFactory, SupervisorFactory, UserFactory


@pytest.fixture
def hana(db):
    return HandlerFactory(username="hana", first_name="Hana", last_name="Hale")


@pytest.fixture
def hugo(db):
    return HandlerFactory(username="hugo", first_name="Hugo", last_name="Hart")


@pytest.fixture
def sam(db):
    return SupervisorFactory(username="sam", first_name="Sam", last_name="Stone")


@pytest.fixture
def olga(db):
    """Staff, but neither handler nor supervisor."""
    return UserFactory(username="olga")


@pytest.fixture
def cases(policy, hana, hugo, settings):
    """One case for Hana, one for Hugo, one unassigned; all received."""
    settings.REDRESS_AUTO_ASSIGN = False
    own = submit(complainant_name="Rosa Diaz", complainant_email="rosa@example.com")
    other = submit(complainant_name="Otto Brandt", complainant_email="otto@example.com")
    unassigned = submit(complainant_name="Una Lee", complainant_email="una@example.com")
    services.complaint_assign(complaint=own, actor=Actor.staff(hana), handler=hana)
    services.complaint_assign(complaint=other, actor=Actor.staff(hugo), handler=hugo)
    for case in (own, other, unassigned):
        case.refresh_from_db()
    return {"own": own, "other": other, "unassigned": unassigned}
