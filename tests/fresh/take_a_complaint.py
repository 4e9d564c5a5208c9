"""Run in a fresh process on a database that was only migrated (tests/test_fresh_install.py).

Prints one JSON line: what the public site answered and what became of the complaint.
"""

import json
from collections import Counter

import django
from django.test.utils import setup_test_environment

django.setup()
setup_test_environment()

from django.core import mail  # noqa: E402
from django.test import Client  # noqa: E402

from complaints import tasks  # noqa: E402
from complaints.admin.timeline import case_timeline_rows  # noqa: E402
from complaints.models import Complaint, ComplaintPolicy  # noqa: E402
from notifications.models import Notification  # noqa: E402
from notifications.services import notification_deliver  # noqa: E402
from tests.factories import SupervisorFactory  # noqa: E402
from tests.publicsite import complaint_data  # noqa: E402
from tests.staff import StaffClient  # noqa: E402
from tests.timelines import case_with_every_step, timeline_rows_from_models  # noqa: E402

client = Client()
policies = list(ComplaintPolicy.objects.values("slug", "is_default", "needs_review"))
policy_page = client.get("/policy/")
form_page = client.get("/complaints/new/")
submitted = client.post("/complaints/new/", complaint_data())
complaint = Complaint.objects.get()
acknowledged = tasks.acknowledge_complaint(complaint.pk)
notification = Notification.objects.get(kind=Notification.Kind.ACKNOWLEDGEMENT)
notification_deliver(notification_id=notification.pk)
complaint.refresh_from_db()
# The console on this database too (`make run` runs on SQLite): the queue and the case page.
staff = StaffClient()
staff.force_login(SupervisorFactory())
queue_page = staff.get("/admin/complaints/complaint/")
case_page = staff.get(f"/admin/complaints/complaint/{complaint.pk}/change/")
emails = [(m.to, m.subject, m.body) for m in mail.outbox]
# The timeline's one statement on SQLite, for a case with every kind of step.
long_case = case_with_every_step(SupervisorFactory())
long_case_page = staff.get(f"/admin/complaints/complaint/{long_case.pk}/change/")
print(
    json.dumps(
        {
            "policies": policies,
            "policy_page": policy_page.status_code,
            "policy_text": policy_page.content.decode(),
            "form_page": form_page.status_code,
            "submitted": submitted.status_code,
            "state": complaint.state,
            "acknowledged": acknowledged,
            "emails": emails,
            "reference": complaint.display_reference,
            "console": [queue_page.status_code, case_page.status_code, long_case_page.status_code],
            "timeline_as_models_give": Counter(case_timeline_rows(long_case))
            == timeline_rows_from_models(long_case),
        }
    )
)
