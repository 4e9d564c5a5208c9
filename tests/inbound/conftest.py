import shutil

import pytest

from tests.conftest import require_service
from tests.inbound.dovecot import Dovecot


@pytest.fixture(scope="session")
def dovecot_server():
    """A real IMAP server for the whole session (Debian's dovecot-imapd)."""
    require_service(
        "dovecot", shutil.which("dovecot") is not None, "install dovecot-imapd (.ci/run does)"
    )
    server = Dovecot()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def imap_mailbox(dovecot_server, settings):
    """The IMAP mailbox Redress polls, empty at the start of the test."""
    dovecot_server.empty()
    settings.REDRESS_IMAP_URL = dovecot_server.url
    return dovecot_server
