from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [("complaints", "0004_reports_durations")]

    operations = [
        migrations.CreateModel(
            name="ComplaintFigures",
            fields=[],
            options={
                "verbose_name": "complaint figures",
                "verbose_name_plural": "complaint figures",
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("complaints.complaint",),
        ),
    ]
