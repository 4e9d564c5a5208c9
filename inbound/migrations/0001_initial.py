import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Carry the model's content type over, so its permissions and their grants stay."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="inbound", model="inboundemail").exists():
        ContentType.objects.using(db).filter(
            app_label="notifications", model="inboundemail"
        ).update(app_label="inbound")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(
        app_label="notifications", model="inboundemail"
    ).exists():
        ContentType.objects.using(db).filter(app_label="inbound", model="inboundemail").update(
            app_label="notifications"
        )


class Migration(migrations.Migration):
    """InboundEmail, moved here from notifications: its table (and data) keeps its old name."""

    initial = True

    dependencies = [
        ("complaints", "0005_notifications_auto_resolve_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0004_inboundemail_moved_to_inbound"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="InboundEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("source", models.CharField(max_length=200, verbose_name="source")),
                        ("uid", models.CharField(blank=True, max_length=100)),
                        ("dedupe_key", models.CharField(max_length=255, unique=True)),
                        ("raw", models.BinaryField(verbose_name="raw message")),
                        ("status", models.CharField(choices=[("received", "Received, not processed yet"), ("complaint", "New complaint"), ("attached", "Added to its case"), ("held", "Held for a handler"), ("auto_reply", "Automatic reply, ignored"), ("bounce", "Delivery report"), ("unparseable", "Could not be read"), ("discarded", "Discarded by a handler")], default="received", max_length=16, verbose_name="status")),
                        ("from_address", models.CharField(blank=True, max_length=254, verbose_name="from")),
                        ("subject", models.CharField(blank=True, max_length=255, verbose_name="subject")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("received_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="received")),
                        ("processed_at", models.DateTimeField(blank=True, null=True, verbose_name="processed")),
                        ("complaint", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="inbound_emails", to="complaints.complaint", verbose_name="complaint")),
                        ("notification", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="bounces", to="notifications.notification")),
                    ],
                    options={
                        "verbose_name": "inbound email",
                        "verbose_name_plural": "inbound emails",
                        "ordering": ["-received_at"],
                        "db_table": "notifications_inboundemail",
                        "indexes": [models.Index(condition=models.Q(("status__in", ["received", "held", "unparseable"])), fields=["status", "received_at"], name="inboundemail_open")],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("uid", ""), _negated=True), fields=("source", "uid"), name="inboundemail_source_uid")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
