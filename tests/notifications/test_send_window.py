"""Finding 9: a send is marked sent before the SMTP conversation ends, so a worker killed with
kill -9 can double only a message the server had just accepted (the README says so)."""

import pytest
from django.core.mail.backends.smtp import EmailBackend

from complaints import services
from notifications.models import Notification
from notifications.services import notification_deliver
from tests.cases import submit_complaint

pytestmark = pytest.mark.django_db


def test_it_marks_the_row_sent_before_it_says_quit(policy, smtp_server, monkeypatch):
    case = services.complaint_acknowledge(complaint=submit_complaint())
    row = Notification.objects.get(complaint=case)
    seen_at_quit = []
    close = EmailBackend.close

    def recording_close(backend):
        if backend.connection is not None:
            seen_at_quit.append(Notification.objects.get(pk=row.pk).status)
        close(backend)

    monkeypatch.setattr(EmailBackend, "close", recording_close)
    assert notification_deliver(notification_id=row.pk)
    assert seen_at_quit == [Notification.Status.SENT]
    assert len(smtp_server.messages) == 1
