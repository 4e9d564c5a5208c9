"""Where the console's pages are, and a complaint submitted the way the public site does it."""

from django.urls import reverse

from complaints import services
from complaints.choices import Channel

CHANGELIST = "/admin/complaints/complaint/"


def submit(**overrides):
    fields = {
        "channel": Channel.WEB,
        "complainant_name": "Rosa Diaz",
        "complainant_email": "rosa@example.com",
        "account_identifier": "CUST-1001",
        "description": "I was charged twice.",
    }
    return services.complaint_submit(**(fields | overrides))


def change_url(case):
    return reverse("admin:complaints_complaint_change", args=[case.pk])


def act_url(case, action):
    return reverse("admin:complaints_complaint_act", args=[case.pk, action])
