"""Staff sign in with two factors (required for supervisors and superusers, a setting for
handlers), enrol from the admin, are locked out after failed attempts, and time out when idle."""

import datetime as dt
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.staff import _new_recovery_codes
from tests.factories import UserFactory
from tests.staff import StaffClient, authenticator, current_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/?next=/admin/"
QUEUE = "/admin/complaints/complaint/"


def sign_in(client, user, code=""):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD, "otp_token": code})


def secret_of(page) -> str:
    return page.content.decode().split("<code>")[1].split("</code>")[0]


def code_for(secret: str) -> str:
    from base64 import b32decode

    device = TOTPDevice(key=b32decode(secret).hex())
    return current_code(device)


def test_a_supervisor_without_a_second_factor_is_sent_to_enrol_first(policy, sam):
    client = Client()
    assert sign_in(client, sam).status_code == 302
    for page in ("/admin/", QUEUE, "/admin/reports/complaintfigures/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:two_factor"))


def test_a_supervisor_enrols_from_the_admin_and_gets_recovery_codes(policy, sam):
    client = Client()
    sign_in(client, sam)
    setup = client.get(reverse("admin:two_factor"))
    assert b"<svg" in setup.content  # the QR code
    secret = secret_of(setup)
    wrong = client.post(reverse("admin:two_factor"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    time.sleep(1.1)  # django-otp holds a device back a second after a wrong code
    done = client.post(reverse("admin:two_factor"), {"code": code_for(secret), "next": QUEUE})
    assert "Your recovery codes" in done.content.decode()
    assert StaticToken.objects.filter(device__user=sam).count() == 10
    assert client.get(QUEUE).status_code == 200


def test_signing_in_with_a_second_factor_needs_its_code(policy, sam):
    phone = authenticator(sam)
    client = Client()
    refused = sign_in(client, sam)
    assert refused.status_code == 200
    assert "Enter the code from your authenticator app" in refused.content.decode()
    assert "That code is not right" in sign_in(client, sam, "123456").content.decode()
    assert client.get(QUEUE).status_code == 302
    time.sleep(1.1)  # django-otp holds a device back a second after a wrong code
    code = current_code(phone)
    assert sign_in(client, sam, code).status_code == 302
    assert client.get(QUEUE).status_code == 200
    # The same code a second time (someone who saw it) does not sign in.
    assert "That code is not right" in sign_in(Client(), sam, code).content.decode()


def test_a_recovery_code_signs_in_once(policy, sam):
    authenticator(sam)
    code = _new_recovery_codes(sam)[0]  # as the two-factor page makes them
    first, second = Client(), Client()
    assert sign_in(first, sam, code).status_code == 302
    assert first.get(QUEUE).status_code == 200
    assert sign_in(second, sam, code).status_code == 200


def test_superusers_need_a_second_factor_too(policy):
    root = UserFactory(username="root", is_superuser=True)
    client = Client()
    sign_in(client, root)
    assert client.get("/admin/")["Location"].startswith(reverse("admin:two_factor"))


@pytest.mark.parametrize("required", [True, False])
def test_handlers_need_a_second_factor_as_the_setting_says(policy, hana, settings, required):
    settings.REDRESS_2FA_REQUIRED_FOR_HANDLERS = required
    client = Client()
    assert sign_in(client, hana).status_code == 302
    response = client.get(QUEUE)
    if required:
        assert response["Location"].startswith(reverse("admin:two_factor"))
    else:
        assert response.status_code == 200


def test_a_session_without_the_second_factor_reaches_no_case_data(policy, cases, sam):
    from complaints.uploads import attachments_store, check_upload
    from tests.publicsite import upload

    (attachment,) = attachments_store(
        complaint=cases["own"],
        files=[check_upload(upload("a.txt", b"x\n"))],
        uploaded_by="complainant",
    )
    authenticator(sam)
    client = Client()
    client.force_login(sam)  # the password alone
    for url in (
        QUEUE,
        f"{QUEUE}{cases['own'].pk}/change/",
        reverse("admin:complaints_complaint_file", args=[cases["own"].pk, attachment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_failed_sign_ins_lock_the_account_with_a_clear_message(policy, hana, sam, settings):
    settings.REDRESS_2FA_REQUIRED_FOR_HANDLERS = False
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "hana", "password": "wrong"})
    locked = sign_in(client, hana)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    assert sign_in(other_address, hana).status_code == 429  # the account is locked
    assert AccessAttempt.objects.filter(username="hana").exists()
    lockouts = StaffClient()
    lockouts.force_login(sam)
    page = lockouts.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "hana" in page.content.decode()
    lockouts.post(
        "/admin/axes/accessattempt/",
        {
            "action": "delete_selected",
            "_selected_action": list(
                AccessAttempt.objects.filter(username="hana").values_list("pk", flat=True)
            ),
            "post": "yes",
        },
    )
    assert sign_in(Client(), hana).status_code == 302  # unlocked by the supervisor


def test_failed_sign_ins_lock_the_address_whatever_the_account(policy, hana, settings):
    settings.REDRESS_2FA_REQUIRED_FOR_HANDLERS = False
    client = Client(REMOTE_ADDR="10.1.2.3")
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": f"guess{number}", "password": "wrong"})
    assert sign_in(client, hana).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.1.2.4"), hana).status_code == 302


def test_wrong_codes_count_as_failed_sign_ins(policy, sam, settings):
    authenticator(sam)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, sam, "000000")
    assert sign_in(client, sam, "000000").status_code == 429


def test_a_session_ends_after_the_idle_time_and_lives_while_used(policy, hana, settings):
    settings.REDRESS_2FA_REQUIRED_FOR_HANDLERS = False
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        client = Client()
        sign_in(client, hana)
        for _ in range(4):  # used every half idle time: still signed in
            clock.shift(idle / 2)
            assert client.get(QUEUE).status_code == 200
        clock.shift(idle + dt.timedelta(minutes=1))
        assert client.get(QUEUE).status_code == 302


# The session's device is read with its user in one query (config.staff.StaffOTPMiddleware):
# each check still holds on the next request.


def test_a_deleted_authenticator_stops_the_second_factor_on_the_next_request(policy, sam):
    client = StaffClient()
    client.force_login(sam)
    assert client.get(QUEUE).status_code == 200
    TOTPDevice.objects.filter(user=sam).delete()
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:two_factor"))


def test_an_unconfirmed_authenticator_stops_the_second_factor_on_the_next_request(policy, sam):
    client = StaffClient()
    client.force_login(sam)
    assert client.get(QUEUE).status_code == 200
    TOTPDevice.objects.filter(user=sam).update(confirmed=False)
    assert client.get(QUEUE).status_code == 302


def test_a_deactivated_account_is_signed_out_on_the_next_request(policy, sam):
    client = StaffClient()
    client.force_login(sam)
    assert client.get(QUEUE).status_code == 200
    type(sam).objects.filter(pk=sam.pk).update(is_active=False)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_changed_password_signs_the_session_out_on_the_next_request(policy, sam):
    client = StaffClient()
    client.force_login(sam)
    assert client.get(QUEUE).status_code == 200
    sam.set_password("a new and different passphrase")
    sam.save()
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_someone_elses_authenticator_in_the_session_passes_no_second_factor(policy, hana, sam):
    from django_otp import DEVICE_ID_SESSION_KEY

    client = StaffClient()
    client.force_login(sam)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(hana).persistent_id
    session.save()
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_the_queue_reads_the_session_device_and_user_in_one_query(policy, sam):
    client = StaffClient()
    client.force_login(sam)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert f'WHERE "auth_user"."id" = {sam.pk}' not in statements
    assert statements.count('FROM "otp_totp_totpdevice"') == 1
    assert statements.count('INNER JOIN "auth_user" ON ("otp_totp_totpdevice"."user_id"') == 1
