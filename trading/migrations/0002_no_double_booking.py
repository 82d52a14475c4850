"""A room cannot be booked twice for overlapping times: an exclusion constraint on PostgreSQL, triggers on SQLite,
so that two agencies booking at once cannot both win."""

from django.db import migrations

PG = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE trading_session ADD CONSTRAINT session_no_double_booking "
    "EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at) WITH &&)",
]
SQLITE_CHECK = (
    "WHEN EXISTS (SELECT 1 FROM trading_session s WHERE s.room_id = NEW.room_id AND s.id != NEW.id "
    "AND s.starts_at < NEW.ends_at AND NEW.starts_at < s.ends_at) "
    "BEGIN SELECT RAISE(ABORT, 'session_no_double_booking: the room is already booked for that time'); END"
)
SQLITE = [
    f"CREATE TRIGGER session_no_double_booking_insert BEFORE INSERT ON trading_session FOR EACH ROW {SQLITE_CHECK}",
    f"CREATE TRIGGER session_no_double_booking_update BEFORE UPDATE ON trading_session FOR EACH ROW {SQLITE_CHECK}",
]


def forwards(apps, schema_editor):
    statements = PG if schema_editor.connection.vendor == "postgresql" else SQLITE
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("trading", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
