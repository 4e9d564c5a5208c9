"""Shared building blocks for the public-site tests: form data, files and a case via services."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints.choices import State
from demo.seed import case_advance
from publicsite.forms import new_stamp
from tests.cases import submit_complaint as submit_web  # noqa: F401 - the public tests' name


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def complaint_data(**overrides) -> dict:
    data = {
        "complainant_name": "Rosa Diaz",
        "complainant_email": "rosa@example.com",
        "complainant_phone": "+44 20 7946 0000",
        "account_identifier": "ORD-1234",
        "product_or_service": "Monthly plan",
        "incident_date": "2024-03-01",
        "incident_time": "14:30",
        "description": "I was charged twice for March.",
        "earlier_contact": "I wrote to support on 2 March.",
        "desired_outcome": "A refund of the second charge.",
        "consent": "on",
        "website": "",
        "stamp": new_stamp(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def bring_to_responded(complaint, handler_user):
    """Acknowledge, investigate and respond to the case as its handler would."""
    return case_advance(complaint, State.RESPONDED, handler=handler_user)
