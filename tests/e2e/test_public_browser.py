"""A complainant in a real browser, in German: submit with a file, follow, add, accept; and
every public page passes axe-core without a serious or critical violation."""

import pytest
from django.urls import reverse

from complaints import tasks
from complaints.models import Complaint
from tests.e2e.conftest import assert_accessible
from tests.factories import CategoryFactory, HandlerFactory, PolicyFactory
from tests.publicsite import bring_to_responded, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings):
    settings.REDRESS_FORM_MIN_SECONDS = 0
    policy = PolicyFactory(is_default=True, public_wording="We put things right.")
    billing = CategoryFactory(name="Abrechnung")
    CategoryFactory(name="Doppelt abgebucht", parent=billing)
    return policy


def test_it_takes_a_german_complaint_from_submission_to_acceptance(
    live_server, page, site, monkeypatch
):
    # The lookup's task runs at once, as a worker would run it.
    monkeypatch.setattr(
        tasks.send_tracking_link, "apply_async", lambda args, **kw: tasks.send_tracking_link(*args)
    )
    page.goto(live_server.url + reverse("home"))
    page.select_option("#language-select", "de")
    page.click(".language button")
    assert page.locator("h1").inner_text() == "Beschwerden"
    assert_accessible(page)

    page.click("text=Unsere Beschwerderichtlinie")
    assert_accessible(page)

    page.goto(live_server.url + reverse("complaint-new"))
    assert_accessible(page)
    page.click("button[type=submit].button")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    page.fill("#id_complainant_name", "Rosa Diaz")
    page.fill("#id_complainant_email", "rosa@example.com")
    page.select_option("#id_category", label="Doppelt abgebucht")
    page.fill("#id_incident_date", "2024-03-01")
    page.fill("#id_description", "Mir wurde der März doppelt abgebucht.")
    page.set_input_files(
        "#id_files", files=[{"name": "beleg.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.check("#id_consent")
    page.click("button[type=submit].button")
    assert "Wir haben Ihre Beschwerde erhalten" in page.content()
    assert_accessible(page)

    complaint = Complaint.objects.get()
    assert complaint.language == "de"
    assert complaint.attachments.get().content_type == "image/png"
    assert complaint.tracking_token not in page.content()

    page.goto(live_server.url + reverse("track-lookup"))
    assert_accessible(page)
    page.fill("#id_reference", complaint.display_reference)
    page.fill("#id_email", "rosa@example.com")
    page.click("button[type=submit].button")
    assert "persönlichen Link" in page.content()
    complaint.refresh_from_db()
    assert complaint.notifications.filter(kind="tracking_link").exists()

    page.goto(live_server.url + complaint.tracking_path())
    assert "beleg.png" in page.content()
    assert_accessible(page)
    page.fill("#id_body", "Hier noch der Kontoauszug.")
    page.click("form[action$='/reply/'] button")
    assert "Wir haben Ihre Nachricht zum Fall hinzugefügt" in page.content()

    page.click("text=Meine Beschwerde zurückziehen")
    assert_accessible(page)
    page.go_back()

    bring_to_responded(complaint, HandlerFactory())
    page.goto(live_server.url + complaint.tracking_path())
    assert "Unsere Antwort" in page.content()
    assert_accessible(page)
    page.click("text=Ich nehme die Antwort an")
    assert "Stand: Abgeschlossen" in page.content()
    assert_accessible(page)
    complaint.refresh_from_db()
    assert complaint.state == "resolved"
