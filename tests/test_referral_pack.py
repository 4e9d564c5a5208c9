"""The ombudsman referral pack: a PDF case file and the attachments in one zip, in the order an
ombudsman reads them; supervisors only, access-logged, and never a tracking link."""

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from complaints import attachments, services
from complaints.actors import Actor
from complaints.models import CaseAccess
from tests.cases import case_in, deliver_pending
from tests.factories import HandlerFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


@pytest.fixture
def hana(db):
    return HandlerFactory(username="hana", first_name="Hana", last_name="Hale")


@pytest.fixture
def sam(db):
    return SupervisorFactory(username="sam", first_name="Sam", last_name="Stone")


def pack_url(case):
    return reverse("admin:reports_referral_pack", args=[case.pk])


def worked_case(hana, exchanges):
    """Return a case with `exchanges` rounds of messages each way, a note and two files."""
    with time_machine.travel(MONDAY, tick=False):
        case = case_in("investigating", handler=hana)
        deliver_pending()
    actor = Actor.staff(hana)
    for number, (ours, theirs) in enumerate(exchanges):
        with time_machine.travel(MONDAY + dt.timedelta(days=number + 1), tick=False):
            services.complaint_send_message(complaint=case, actor=actor, body=ours)
            deliver_pending()
        with time_machine.travel(MONDAY + dt.timedelta(days=number + 1, hours=3), tick=False):
            services.complaint_record_customer_reply(complaint=case, body=theirs)
    with time_machine.travel(MONDAY + dt.timedelta(days=30), tick=False):
        services.complaint_add_note(complaint=case, actor=actor, body="Checked the ledger.")
        for name, content, kind in (
            ("../../etc/bank statement.pdf", b"%PDF-1.4 statement", "application/pdf"),
            ("notes of the call.txt", b"She called on Monday.", "text/plain"),
        ):
            attachments.attachment_store(
                complaint=case, actor=actor, upload=SimpleUploadedFile(name, content, kind)
            )
    case.refresh_from_db()
    return case


def download(client, case):
    response = client.get(pack_url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    pdf_name = archive.namelist()[0]
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(archive.read(pdf_name))).pages
    )
    return archive, " ".join(text.split())


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=10)


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    exchanges=st.lists(
        st.tuples(WORDS, WORDS), min_size=1, max_size=4, unique_by=lambda pair: pair[0]
    )
)
def test_the_pack_holds_every_message_in_order_and_the_files(client, hana, sam, exchanges):
    from django.db import transaction

    with transaction.atomic():
        bodies = [(f"Ours {a}.", f"Theirs {b}.") for a, b in exchanges]
        case = worked_case(hana, bodies)
        client.force_login(sam)
        archive, text = download(client, case)

        names = archive.namelist()
        assert names[0] == f"{case.reference}-00-case-file.pdf"
        assert names[1:] == [
            f"{case.reference}-01-bank_statement.pdf",
            f"{case.reference}-02-notes_of_the_call.txt",
        ]
        assert archive.read(names[1]) == b"%PDF-1.4 statement"
        # Every message either way, in the order they were written; the note apart.
        positions = [text.index(body) for pair in bodies for body in pair]
        assert positions == sorted(positions)
        headings = ["1. The complaint as received", "2. Timeline", "3. Correspondence"]
        headings += ["4. Our response", "5. Final responses", "6. Redress", "7. Attachments"]
        order = [text.index(heading) for heading in headings]
        assert order == sorted(order)
        assert text.index("Checked the ledger.") > text.index("Internal notes")
        assert text.index("Internal notes") > positions[-1]
        assert case.tracking_token not in text and "/track/" not in text
        assert "I was charged twice." in text
        assert CaseAccess.objects.filter(
            complaint=case, user=sam, kind=CaseAccess.Kind.EXPORT
        ).exists()
        transaction.set_rollback(True)


def test_a_handler_is_refused_the_pack_even_for_their_own_case(client, hana):
    with time_machine.travel(MONDAY, tick=False):
        case = case_in("investigating", handler=hana)
    client.force_login(hana)
    assert client.get(pack_url(case)).status_code == 403
    assert not CaseAccess.objects.filter(kind=CaseAccess.Kind.EXPORT).exists()


def test_the_case_page_offers_the_pack_to_supervisors_only(client, hana, sam):
    with time_machine.travel(MONDAY, tick=False):
        case = case_in("investigating", handler=hana)
    change = reverse("admin:complaints_complaint_change", args=[case.pk])
    client.force_login(sam)
    assert pack_url(case) in client.get(change).content.decode()
    client.force_login(hana)
    assert pack_url(case) not in client.get(change).content.decode()


def test_there_is_no_pack_of_a_case_that_does_not_exist(client, sam):
    client.force_login(sam)
    assert client.get(reverse("admin:reports_referral_pack", args=[999999])).status_code == 404


def test_the_pack_lists_the_redress_ledger(client, hana, sam):
    from decimal import Decimal

    from complaints.choices import RedressEntryType, RedressKind
    from complaints.ledger import redress_record

    with time_machine.travel(MONDAY, tick=False):
        case = case_in("investigating", handler=hana)
        redress_record(
            complaint=case,
            actor=Actor.staff(sam),
            entry_type=RedressEntryType.PAYMENT,
            kind=RedressKind.REFUND,
            amount=Decimal("25.50"),
            currency="GBP",
            note="Refund of the second charge.",
        )
    client.force_login(sam)
    _archive, text = download(client, case)
    redress = text[text.index("6. Redress") : text.index("7. Attachments")]
    assert "25.50 GBP" in redress and "Refund of the second charge." in redress
