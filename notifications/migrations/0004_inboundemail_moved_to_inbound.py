from django.db import migrations


class Migration(migrations.Migration):
    """InboundEmail moved to the inbound app: it leaves this app's state, its table stays."""

    dependencies = [
        ("notifications", "0003_inbound_inboundemail"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="InboundEmail")],
            database_operations=[],
        ),
    ]
