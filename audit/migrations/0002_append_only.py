"""The ledger is append-only on PostgreSQL (triggers; history tables get theirs after each migrate, see
audit.apps), and the chain starts from its genesis head."""

from django.db import migrations

from audit.canonical import GENESIS_HASH


def forwards(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    ChainHead.objects.using(schema_editor.connection.alias).get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS_HASH})
    if schema_editor.connection.vendor == "postgresql":
        from audit.db import install_triggers

        install_triggers(using=schema_editor.connection.alias, tables=["audit_ledgerentry"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
