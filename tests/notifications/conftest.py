import shutil

import pytest
from django.test import override_settings

from tests.conftest import require_service
from tests.notifications.components import MailServer
from tests.notifications.dovecot import Dovecot


@pytest.fixture
def smtp_server():
    server = MailServer()
    server.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        yield server
    server.stop()


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
