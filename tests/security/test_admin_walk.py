"""Finding 2: no staff page or search shows a handler anything of a case that is not theirs.

The walk visits, as Hana, every registered model's changelist, a search for the other case's
details, the change page of every row, and every admin URL with every id filled in; none of
Hugo's case's data may show.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, reverse

from complaints import services
from complaints.actors import Actor
from complaints.admin.case_actions import ACTIONS
from complaints.attachments import attachment_store
from complaints.models import Complaint
from escalations.services import escalation_request
from inbound.models import InboundEmail
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def hugos_case(cases, hugo):
    """Hugo's case with something of it in every kind of row: mail, files, notes, an escalation."""
    actor = Actor.staff(hugo)
    case = services.complaint_acknowledge(complaint=cases["other"], actor=actor)
    case = services.complaint_start_investigation(complaint=case, actor=actor)
    services.complaint_send_message(complaint=case, actor=actor, body="Otto's refund is on its way")
    services.complaint_add_note(complaint=case, actor=actor, body="Otto's bank is Sparkasse")
    attachment_store(
        complaint=case,
        actor=actor,
        upload=SimpleUploadedFile("otto-receipt.txt", b"Otto Brandt paid 12 EUR\n"),
    )
    InboundEmail.objects.create(
        source="imap:test",
        dedupe_key="<otto-1@example.com>",
        raw=b"From: otto@example.com\r\nSubject: Otto again\r\n\r\nOtto Brandt writes",
        status=InboundEmail.Status.HELD,
        from_address="otto@example.com",
        subject=f"[{case.display_reference}] Otto again",
        complaint=case,
    )
    escalation_request(complaint=case, actor=actor, grounds="Otto wants a senior review")
    case.refresh_from_db()
    assert Notification.objects.filter(complaint=case).exists()
    return case


def secrets_of(case) -> list[str]:
    return [
        case.reference,
        case.display_reference,
        case.tracking_token,
        "Otto Brandt",
        "otto@example.com",
        "otto-receipt",
        "Sparkasse",
        "Otto again",
        "senior review",
    ]


def assert_hidden(response, case, where: str, searched: str = "") -> None:
    body = response.content.decode(errors="replace") + response.get("Location", "")
    # The search box and the filter links show back what was typed; that is no leak (the other
    # secrets still show if a row of the case is listed).
    body = body.replace(searched, "") if searched else body
    shown = [secret for secret in secrets_of(case) if secret in body]
    assert not shown, f"{where} shows {shown}"


def admin_patterns(patterns=None, prefix=""):
    """Yield (route, pattern) for every admin URL, nested resolvers flattened."""
    for entry in patterns if patterns is not None else admin.site.get_urls():
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from admin_patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def every_id(model) -> list[str]:
    return [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]


def fillings(route: str, model, case) -> list[str]:
    """Return the paths of `route` with every meaningful value for each of its parameters."""
    values = {
        "object_id": every_id(model) if model is not None else [str(case.pk)],
        "pk": every_id(model) if model is not None else [str(case.pk)],
        "content_type_id": [str(ct.pk) for ct in ContentType.objects.all()],
        "action_name": list(ACTIONS),
        "attachment_id": every_id(case.attachments.model),
        "app_label": sorted({m._meta.app_label for m in admin.site._registry}),
        "version_id": [str(pk) for pk in Complaint.history.values_list("history_id", flat=True)],
        "key": ["summary"],
    }
    paths = [route]
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        paths = [
            re.sub(rf"<(?:\w+:)?{name}>", value, path, count=1)
            for path in paths
            for value in values.get(name, ["1"])
        ]
    return ["/admin/" + path.lstrip("^").rstrip("$") for path in paths]


def test_a_handler_sees_nothing_of_someone_elses_case_anywhere_in_the_admin(
    client, hana, hugos_case
):
    client.force_login(hana)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert_hidden(client.get(changelist), hugos_case, changelist)
        for term in (
            ("otto", hugos_case.reference, "Sparkasse") if model_admin.search_fields else ()
        ):
            found = client.get(changelist, {"q": term})
            assert_hidden(found, hugos_case, f"{changelist}?q={term}", searched=term)
        # The figures' proxy has no change page: its own pages are walked with every URL below.
        if "change" in opts.default_permissions:
            for pk in every_id(model):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
                assert_hidden(client.get(url, follow=True), hugos_case, url)
    walked = 0
    for route, pattern in admin_patterns():
        model = None
        for registered, model_admin in admin.site._registry.items():
            if getattr(pattern.callback, "model_admin", None) is model_admin:
                model = registered
        for path in fillings(route, model, hugos_case):
            assert_hidden(client.get(path, follow=True), hugos_case, path)
            walked += 1
    assert walked > 100


def test_a_handler_finds_no_notification_of_someone_elses_case(client, hana, hugos_case):
    client.force_login(hana)
    page = client.get("/admin/notifications/notification/", {"q": "otto@example.com"})
    assert page.status_code == 200
    assert_hidden(page, hugos_case, "the notifications searched", searched="otto@example.com")


def test_inbound_email_follows_the_queues_rule_for_whoever_may_read_it(client, hana, hugos_case):
    hana.user_permissions.add(Permission.objects.get(codename="view_inboundemail"))
    client.force_login(hana)
    page = client.get("/admin/inbound/inboundemail/", {"q": "otto"})
    assert page.status_code == 200
    assert_hidden(page, hugos_case, "the inbound emails searched", searched="otto")
    inbound = InboundEmail.objects.get(complaint=hugos_case)
    opened = client.get(f"/admin/inbound/inboundemail/{inbound.pk}/change/", follow=True)
    assert_hidden(opened, hugos_case, "Hugo's inbound email")


def test_a_supervisor_still_sees_every_cases_notifications(client, sam, hugos_case):
    client.force_login(sam)
    page = client.get("/admin/notifications/notification/", {"q": "otto@example.com"})
    assert "otto@example.com" in page.content.decode()
