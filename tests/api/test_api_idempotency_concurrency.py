"""Identical requests with one Idempotency-Key at once on PostgreSQL: one complaint, one answer."""

import threading

import pytest
from django.db import connection

from api.models import ApiSubmission
from complaints.models import Attachment, Complaint
from tests.api.conftest import api_for, complaint_json
from tests.publicsite import png_bytes, upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
THREADS = 8


@pytest.mark.parametrize("encoding", ["json", "multipart"])
def test_concurrent_identical_requests_make_one_complaint(postgres, app_client, billing, encoding):
    key = app_client[1]
    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, str]] = []

    def post():
        data = complaint_json(billing)
        if encoding == "multipart":
            data["files"] = [upload("receipt.png", png_bytes())]
        try:
            barrier.wait()
            response = api_for(key).post(
                "/api/v1/complaints/", data, format=encoding, HTTP_IDEMPOTENCY_KEY="retry-me"
            )
            answers.append((response.status_code, response.json().get("reference")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Complaint.objects.count() == 1
    assert ApiSubmission.objects.count() == 1
    reference = Complaint.objects.get().display_reference
    assert sorted(status for status, _ in answers) == [200] * (THREADS - 1) + [201]
    assert {ref for _, ref in answers} == {reference}
    if encoding == "multipart":
        assert Attachment.objects.count() == 1
