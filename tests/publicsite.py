"""Shared building blocks for the public-site tests: form data, files and a case via services."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints import services
from complaints.actors import Actor
from complaints.choices import Channel, Outcome, Remedy
from complaints.forms import new_stamp


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


def submit_web(**overrides):
    """Return a complaint as the web form stores it, through the service."""
    fields = {
        "channel": Channel.WEB,
        "complainant_name": "Rosa Diaz",
        "complainant_email": "rosa@example.com",
        "description": "I was charged twice.",
    }
    return services.complaint_submit(**(fields | overrides))


def bring_to_responded(complaint, handler_user):
    """Acknowledge, investigate and respond to the case as its handler would."""
    handler = Actor.staff(handler_user)
    complaint = services.complaint_acknowledge(complaint=complaint)
    complaint = services.complaint_start_investigation(complaint=complaint, actor=handler)
    return services.complaint_respond(
        complaint=complaint,
        actor=handler,
        findings="We charged you twice.",
        actions="We refunded the second charge.",
        reasoning="It was our error.",
        outcome=Outcome.UPHELD,
        remedies=[Remedy.REFUND],
    )
