from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "redress_cache"


def create_cache_table(apps, schema_editor):
    # The database cache's table, whatever CACHE_URL was when migrate ran (0003 created it only
    # for the caches configured then): the forms' one-use stamps and the rate limits' fallback
    # live in it. It is skipped if it exists.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_dashboard_channel_account_index")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
