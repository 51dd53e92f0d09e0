"""A BRIN index on created_at of the SMS and notification tables (PostgreSQL only; issue 28): the
retention job's purge and any time window find the oldest rows from a few pages of index (rows
are appended in time order) instead of scanning the table, and a BRIN index costs next to nothing
on each insert (one summary per 128 pages, updated lazily), unlike a B-tree on every write."""

from django.db import migrations

TABLES = {"notifications_smsmessage": "sms_created_brin",
          "notifications_notification": "notification_created_brin"}  # fmt: skip


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in TABLES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING brin ("created_at")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TABLES.values():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_sms_fewer_index_entries")]

    operations = [migrations.RunPython(create, drop)]
