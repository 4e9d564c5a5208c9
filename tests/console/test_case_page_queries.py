"""The case page costs the same number of queries however long the case's story is."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import attachments, services
from complaints.actors import Actor
from tests.console.pages import change_url, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_auto_assignment(settings):
    settings.REDRESS_AUTO_ASSIGN = False


def lengthen(case, *, by, rounds):
    """Add `rounds` of casework: messages each way, a note, a file and a moved deadline."""
    actor = Actor.staff(by)
    for number in range(rounds):
        services.complaint_send_message(complaint=case, actor=actor, body=f"Update {number}.")
        services.complaint_record_customer_reply(complaint=case, body=f"Reply {number}.")
        services.complaint_add_note(complaint=case, actor=actor, body=f"Note {number}.")
        attachments.attachment_store(
            complaint=case,
            actor=actor,
            upload=SimpleUploadedFile(f"call-{number}.txt", b"call notes", "text/plain"),
            is_internal=bool(number % 2),
        )
        case = services.complaint_extend_deadline(
            complaint=case,
            actor=actor,
            resolve_by=case.resolve_by + dt.timedelta(days=1),
            reason=f"Waiting on the bank ({number}).",
        )
    return case


def queries_for(client, case):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(change_url(case))
    assert response.status_code == 200
    return len(captured), len(response.context["timeline"]), len(response.context["case_files"])


@pytest.mark.parametrize("who", ["hana", "sam"])
def test_it_runs_as_many_queries_for_a_long_case_as_for_a_short_one(
    client, policy, hana, sam, who, request
):
    user = request.getfixturevalue(who)
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(user)
    client.get(change_url(case))  # warm the content-type and permission caches
    case = lengthen(case, by=hana, rounds=1)
    short, short_timeline, short_files = queries_for(client, case)
    lengthen(case, by=hana, rounds=10)
    long, long_timeline, long_files = queries_for(client, case)
    assert (short_files, long_files) == (1, 11)
    assert long_timeline > short_timeline + 50
    assert long == short
    # The session, their second factor with the user (one query), their permissions (one query
    # for their own and their groups'), the case with its category and handler, the access log's
    # row with the new-activity marker cleared (one statement on PostgreSQL), the timeline (its
    # three sources in one UNION ALL), the files (only when the case has some: asked in the
    # case's own query); the letters only when the timeline shows one.
    assert long <= 7


def test_it_reads_no_files_for_a_case_without_any(client, policy, hana):
    case = walk_to("investigating", by=hana, handler=hana)
    client.force_login(hana)
    client.get(change_url(case))  # warm the content-type and permission caches
    without, _timeline, files = queries_for(client, case)
    attachments.attachment_store(
        complaint=case,
        actor=Actor.staff(hana),
        upload=SimpleUploadedFile("call.txt", b"call notes", "text/plain"),
        is_internal=False,
    )
    with_files, _timeline, more_files = queries_for(client, case)
    assert (files, more_files) == (0, 1)
    assert with_files == without + 1
