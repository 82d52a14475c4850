"""The ledger is append-only on PostgreSQL (triggers; history tables get theirs after each migrate, see
audit.apps)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from audit.db import install_triggers

        install_triggers(using=schema_editor.connection.alias, tables=["audit_ledgerentry"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
