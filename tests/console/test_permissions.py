"""Who may open which page of the console and take which action: every role against each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import services
from complaints.actors import Actor
from complaints.admin.case_actions import ACTIONS
from complaints.attachments import attachment_store
from complaints.models import ComplaintPolicy
from tests.console.pages import CHANGELIST, act_url, change_url, walk_to

pytestmark = pytest.mark.django_db

ROLES = ["hana", "sam", "olga", "anonymous"]
OWNERS = ["hana", "hugo", None]
# The state in which each action is on offer.
STATE_FOR = {
    "acknowledge": "received",
    "start_investigation": "acknowledged",
    "request_information": "investigating",
    "respond": "investigating",
    "resolve": "responded",
    "escalate": "investigating",
    "extend_deadline": "investigating",
    "mark_complex": "investigating",
    "assign": "acknowledged",
    "withdraw": "acknowledged",
    "reopen": "resolved",
    "send_message": "acknowledged",
    "add_note": "acknowledged",
    "attach_file": "acknowledged",
    "revoke_tracking_link": "acknowledged",
    "resume_clock": "investigating",
    "vulnerability": "acknowledged",
    "record_redress": "acknowledged",
    # Offered under a rule pack with a regulator's clock (DISP) only.
    "holding_reply": "investigating",
}


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    # The owner of each case is the test's choice, not the least-loaded handler's.
    settings.REDRESS_AUTO_ASSIGN = False


def login(client, role, request):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))


def may_see(role, owner):
    return role == "sam" or (role == "hana" and owner in ("hana", None))


def assert_refused(response, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code in (403, 404)


def paused(case, *, by):
    """Return `case` with its internal clock paused, waiting on the complainant."""
    ComplaintPolicy.objects.filter(pk=case.policy_id).update(pause_while_awaiting_complainant=True)
    case.policy.refresh_from_db()
    return services.complaint_request_information(
        complaint=case, actor=Actor.staff(by), body="Which card?"
    )


def test_it_names_a_state_for_every_action():
    assert set(STATE_FOR) == set(ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_it_opens_the_queue_only_to_handlers_and_supervisors(client, policy, role, request):
    login(client, role, request)
    response = client.get(CHANGELIST)
    if role in ("hana", "sam"):
        assert response.status_code == 200
    else:
        assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_it_hides_the_complaints_module_from_other_staff(client, policy, role, request):
    login(client, role, request)
    response = client.get(reverse("admin:index"))
    if role == "anonymous":
        assert_refused(response, role)
    else:
        assert (b"/admin/complaints/complaint/" in response.content) == (role in ("hana", "sam"))


@pytest.mark.parametrize("owner", OWNERS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["change", "history", "file"])
def test_it_opens_a_case_page_only_to_who_may_see_the_case(
    client, policy, hana, hugo, sam, role, owner, page, request
):
    handler = {"hana": hana, "hugo": hugo, None: None}[owner]
    case = walk_to("acknowledged", by=sam, handler=handler)
    url = {
        "change": change_url(case),
        "history": reverse("admin:complaints_complaint_history", args=[case.pk]),
    }.get(page)
    if page == "file":
        upload = SimpleUploadedFile("receipt.txt", b"paid twice", content_type="text/plain")
        attachment = attachment_store(complaint=case, actor=Actor.staff(sam), upload=upload)
        url = reverse("admin:complaints_complaint_file", args=[case.pk, attachment.pk])
    login(client, role, request)
    response = client.get(url)
    if may_see(role, owner):
        assert response.status_code == 200
    else:
        assert_refused(response, role)


@pytest.mark.parametrize("owner", OWNERS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(STATE_FOR))
def test_it_lets_only_who_may_see_the_case_take_an_action(
    client, policy, hana, hugo, sam, role, owner, action, request
):
    handler = {"hana": hana, "hugo": hugo, None: None}[owner]
    if action == "holding_reply":
        policy.rule_packs, policy.ombudsman_consent = ["disp"], "consents"
        policy.save()
    case = walk_to(STATE_FOR[action], by=sam, handler=handler)
    if action == "resume_clock":
        case = paused(case, by=sam)
    login(client, role, request)
    if ACTIONS[action].form_class is None:
        response = client.post(act_url(case, action))
        allowed_status = 302
    else:
        response = client.get(act_url(case, action))
        allowed_status = 200
    if may_see(role, owner):
        assert response.status_code == allowed_status
        if allowed_status == 302:
            assert response["Location"] == change_url(case)
            token = case.tracking_token
            case.refresh_from_db()
            if ACTIONS[action].is_transition:
                assert case.state != STATE_FOR[action]
            elif action == "resume_clock":
                assert case.clock_paused_at is None
            else:
                assert case.tracking_token != token
    else:
        token = case.tracking_token
        assert_refused(response, role)
        case.refresh_from_db()
        assert (case.state, case.tracking_token) == (STATE_FOR[action], token)
        if action == "resume_clock":
            assert case.clock_paused_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_it_opens_the_logging_form_only_to_handlers_and_supervisors(client, policy, role, request):
    login(client, role, request)
    response = client.get(reverse("admin:complaints_complaint_add"))
    if role in ("hana", "sam"):
        assert response.status_code == 200
    else:
        assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_it_refuses_a_revert_from_the_history_to_everyone(client, policy, sam, role, request):
    case = walk_to("acknowledged", by=sam)
    version = case.history.earliest("history_date")
    login(client, role, request)
    url = reverse("admin:complaints_complaint_simple_history", args=[case.pk, version.pk])
    response = client.post(url, {"complainant_name": "Reverted"})
    if role == "anonymous":
        assert_refused(response, role)
    else:
        assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.complainant_name != "Reverted"
