"""Registrations get random keys (trading.models.projects.random_registration_id) instead of a counter an
enterprise could read the number of registrants from. Existing rows keep their keys (all below 2^32, the new
ones above). The historical table only learns the Python default, which has no database form: that change is
state only, so SQLite does not copy the whole history table to "alter" it (PostgreSQL does nothing for it
either); the live table drops its identity (PostgreSQL) or is rebuilt without AUTOINCREMENT (SQLite)."""

from django.db import migrations, models

import trading.models.projects


class Migration(migrations.Migration):

    dependencies = [
        ('trading', '0006_role_grants'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='historicalregistration',
                name='id',
                field=models.BigIntegerField(db_index=True, default=trading.models.projects.random_registration_id,
                                             editable=False, verbose_name='ID'),
            ),
        ]),
        migrations.AlterField(
            model_name='registration',
            name='id',
            field=models.BigIntegerField(default=trading.models.projects.random_registration_id, editable=False,
                                         primary_key=True, serialize=False, verbose_name='ID'),
        ),
    ]
