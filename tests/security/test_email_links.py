"""Finding 4: what a complainant typed never becomes a link in an email from the organisation."""

import pytest
from django.conf import settings

from complaints import services
from notifications.models import Notification
from notifications.rendering import render_email
from tests.cases import submit_complaint

pytestmark = pytest.mark.django_db

PHISHING = "Rosa http://evil.example/login www.evil.example pay@evil.example"


def html_of(email) -> str:
    (html, _type) = email.alternatives[0]
    return html


def test_it_never_links_a_url_in_the_complainants_name_or_message(policy):
    case = services.complaint_acknowledge(
        complaint=submit_complaint(complainant_name=PHISHING, description=PHISHING)
    )
    html = html_of(render_email(Notification.objects.get(complaint=case)))
    assert "http://evil.example/login" in html  # shown as text,
    assert "<a" not in html.replace(f'<a href="{settings.SITE_URL}/track/', "")  # never a link
    assert "evil.example" not in "".join(html.split("<a ")[1:])


def test_it_still_links_our_own_tracking_page(policy):
    case = services.complaint_acknowledge(complaint=submit_complaint())
    html = html_of(render_email(Notification.objects.get(complaint=case)))
    url = settings.SITE_URL + case.tracking_path()
    assert f'<a href="{url}">{url}</a>' in html
