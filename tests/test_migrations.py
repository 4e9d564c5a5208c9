"""An existing database migrates cleanly from the schema before inbound email left
notifications (commit 6d63d37): rows, tables and permission grants come through."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inbound.models import InboundEmail

pytestmark = pytest.mark.django_db(transaction=True)

# The leaf migration of every app at 6d63d37; the inbound app did not exist.
BEFORE = [
    ("complaints", "0008_open_received_index"),
    ("escalations", "0004_requested_index"),
    ("notifications", "0003_inbound_inboundemail"),
    ("reports", "0001_initial"),
    ("inbound", None),
]
RECEIVED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([node for node in targets if node[1]]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_it_migrates_a_database_with_inbound_email_in_notifications_to_the_inbound_app(postgres):
    old = migrate(BEFORE)
    policy = old.get_model("complaints", "ComplaintPolicy").objects.create(
        name="Old policy", slug="old-policy"
    )
    case = old.get_model("complaints", "Complaint").objects.create(
        reference="K7QM4XH9P",
        tracking_token="old-token",
        policy=policy,
        channel="email",
        complainant_name="Rosa Diaz",
        description="Charged twice.",
        received_at=RECEIVED,
        state="investigating",
        acknowledged_at=RECEIVED + dt.timedelta(hours=1),
        acknowledge_by=RECEIVED + dt.timedelta(days=1),
        resolve_by=RECEIVED + dt.timedelta(days=21),
        next_update_due=RECEIVED + dt.timedelta(days=5),
    )
    notification = old.get_model("notifications", "Notification").objects.create(
        complaint=case, kind="acknowledgement", recipient="rosa@example.com", dedupe_key="ack:1"
    )
    old.get_model("escalations", "Escalation").objects.create(
        complaint=case, requested_by="complainant", requested_at=RECEIVED, grounds="Not enough."
    )
    old.get_model("notifications", "InboundEmail").objects.create(
        source="imap:desk@example.org/INBOX",
        uid="7:42",
        dedupe_key="<rosa-1@example.com>",
        raw=b"From: rosa@example.com\r\nSubject: Charged twice\r\n\r\nPlease refund.",
        status="complaint",
        from_address="rosa@example.com",
        subject="Charged twice",
        complaint=case,
        notification=notification,
    )
    content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="notifications", model="inboundemail"
    )[0]
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type,
        codename="change_inboundemail",
        defaults={"name": "Can change inbound email"},
    )[0]
    desk = old.get_model("auth", "Group").objects.create(name="Mail desk")
    desk.permissions.add(permission)

    new = migrate(latest())

    inbound = new.get_model("inbound", "InboundEmail")
    assert inbound._meta.db_table == "notifications_inboundemail"
    (row,) = inbound.objects.all()
    assert (row.uid, row.status, row.complaint_id, row.notification_id) == (
        "7:42",
        "complaint",
        case.pk,
        notification.pk,
    )
    assert bytes(row.raw).endswith(b"Please refund.")
    assert new.get_model("escalations", "Escalation").objects.get().complaint_id == case.pk
    assert new.get_model("complaints", "Complaint").objects.get().reference == "K7QM4XH9P"
    # Its deadlines became promise records: the acknowledgement kept, the others owed.
    promises = {
        promise.kind: promise
        for promise in new.get_model("complaints", "Promise").objects.filter(complaint_id=case.pk)
    }
    assert set(promises) == {"acknowledgement", "full_response", "progress_update"}
    assert promises["acknowledgement"].kept_at == RECEIVED + dt.timedelta(hours=1)
    assert promises["full_response"].limit == RECEIVED + dt.timedelta(days=21)
    assert promises["full_response"].kept_at is None
    assert promises["full_response"].released_at is None
    # The permission moved with its content type, so the group keeps its grant.
    group = new.get_model("auth", "Group").objects.get(name="Mail desk")
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("inbound", "change_inboundemail")
    ]
    # The table's constraints came through: one row per mailbox uid.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, inbound._meta.db_table)
    assert {"inboundemail_source_uid", "inboundemail_open"} <= set(constraints)


def test_it_migrates_back_to_the_previous_schema(postgres):
    ContentType.objects.get_for_model(InboundEmail)
    old = migrate(BEFORE)
    assert old.get_model("notifications", "InboundEmail")._meta.db_table == (
        "notifications_inboundemail"
    )
    assert (
        old.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="notifications", model="inboundemail")
        .exists()
    )
    new = migrate(latest())
    assert (
        new.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="inbound", model="inboundemail")
        .exists()
    )
