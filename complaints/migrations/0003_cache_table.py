from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The embedded default cache (rate limits, locks) lives in the database.
    call_command("createcachetable", verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_roles")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
