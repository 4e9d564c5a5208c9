"""Drop the varchar_pattern_ops copies PostgreSQL's schema editor made of two unique columns.

Django adds a `_like` index beside the unique one of every unique CharField, for LIKE 'prefix%'.
Nothing looks a complaint up that way: the reference is matched exactly or in a list (the
tracking lookup, the API, the console search's candidates), and searched through the full-text
index; the tracking token only exactly. Each was one more index for every submission's INSERT
to write. The fields stay unique=True; should a later AlterField drop the `_like` index, it
drops IF EXISTS. SQLite never had them.
"""

from django.db import migrations

COLUMNS = ("reference", "tracking_token")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("complaints", "Complaint")
    for column in COLUMNS:
        name = schema_editor._create_index_name(model._meta.db_table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("complaints", "Complaint")
    for column in COLUMNS:
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field(column)))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0024_dashboard_open_and_final_response_indexes"),
    ]

    operations = [migrations.RunPython(drop, restore, elidable=False)]
