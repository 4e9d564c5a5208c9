"""The people of the escalation tests: a plugin (pytest_plugins) for those test modules."""

import pytest

from tests.factories import HandlerFactory, SupervisorFactory


@pytest.fixture
def hana():
    """A case handler."""
    return HandlerFactory(username="hana", first_name="Hana", last_name="Ito")


@pytest.fixture
def sam():
    """A supervisor."""
    return SupervisorFactory(username="sam", first_name="Sam", last_name="Okafor")


@pytest.fixture
def uma():
    """Another supervisor."""
    return SupervisorFactory(username="uma", first_name="Uma", last_name="Berg")
