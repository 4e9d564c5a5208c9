"""GIN indexes for the console's full-text search, on PostgreSQL only.

The expressions are exactly those complaints.selectors.complaint_search queries with, so the
planner uses them; SQLite, which searches with icontains, gets no index.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

FIELDS = ("reference", "complainant_name", "complainant_email", "account_identifier", "description")


def indexes(apps):
    return [
        (
            apps.get_model("complaints", "Complaint"),
            GinIndex(SearchVector(*FIELDS, config="simple"), name="complaint_search"),
        ),
        (
            apps.get_model("complaints", "Message"),
            GinIndex(SearchVector("body", config="simple"), name="message_search"),
        ),
    ]


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in indexes(apps):
            schema_editor.add_index(model, index)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for model, index in indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0016_console")]

    operations = [migrations.RunPython(add, remove)]
