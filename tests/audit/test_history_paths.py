"""Nothing changes without trace. Writes that go around the history are either refused (the base manager,
saving without a historical record, fixtures, the setting that silences history, deleting a user) or, where
they cannot be refused (raw SQL on a live table), named by audit_verify: the table, the row and the field."""

import io
import json

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, models, transaction

from audit import checkpoints, merkle
from audit.db import set_triggers_enabled
from audit.models import Leaf, LedgerEntry
from audit.verify import verify_chain
from core import storage
from tests import factories
from trading.models import Organisation, User

pytestmark = pytest.mark.django_db


def _verify_names(*parts: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", "--quiet", "--no-checkpoint")
    message = str(excinfo.value)
    for part in parts:
        assert part in message, message
    return message


@pytest.mark.usefixtures("chain_broken_on_purpose")
def test_a_raw_sql_update_of_a_live_row_is_named_with_its_table_row_and_field():
    org = factories.organisation(name="原名称")
    assert verify_chain().ok
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trading_organisation SET name = %s WHERE id = %s", ["改过的名称", org.pk])
    result = verify_chain()
    assert not result.ok and result.broken_seq is None
    assert result.differences == [f"trading_organisation #{org.pk} field name: is '改过的名称' in the table but "
                                  "'原名称' in the row's last history record"]
    _verify_names("trading_organisation", f"#{org.pk}", "field name")


@pytest.mark.usefixtures("chain_broken_on_purpose")
def test_a_raw_sql_insert_and_a_raw_sql_delete_are_named():
    kept, doomed = factories.organisation(), factories.organisation()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM trading_organisation WHERE id = %s", [doomed.pk])
        cursor.execute("INSERT INTO trading_organisation (name, uscc, kind, is_active) "
                       "SELECT '影子机构', '91350100M000100Y43', kind, is_active FROM trading_organisation "
                       "WHERE id = %s", [kept.pk])
    result = verify_chain()
    assert f"trading_organisation #{doomed.pk}: the row is gone but its history records no deletion" \
        in result.differences
    assert any(d.startswith("trading_organisation #") and d.endswith("the row has no history: it was written "
                                                                      "around it") for d in result.differences)
    _verify_names("the row has no history")


def test_an_unchanged_database_verifies_with_every_live_row_compared():
    for n in range(3):
        factories.organisation(name=f"机构{n}")
    result = verify_chain()
    assert result.ok and result.differences == []
    assert result.live_rows >= 3


def test_the_base_manager_refuses_a_bulk_update_like_the_default_manager():
    org = factories.organisation(name="甲")
    with pytest.raises(TypeError, match="bypasses the audit history"), transaction.atomic():
        Organisation._base_manager.filter(pk=org.pk).update(name="乙")
    org.refresh_from_db()
    assert org.name == "甲"


def test_saving_without_a_historical_record_is_refused_and_changes_nothing():
    org = factories.organisation(name="甲")
    org.name = "乙"
    with pytest.raises(TypeError, match="without a historical record"):
        org.save_without_historical_record()
    org.refresh_from_db()
    assert org.name == "甲"
    org.skip_history_when_saving = True  # simple-history's other switch
    org.name = "丙"
    with pytest.raises(TypeError, match="without a historical record"), transaction.atomic():
        org.save()
    assert Organisation.objects.get(pk=org.pk).name == "甲"


def test_loaddata_of_a_fixture_overwriting_an_organisation_is_refused(tmp_path):
    org = factories.organisation(name="原名称")
    entries = LedgerEntry.objects.count()
    fixture = tmp_path / "org.json"
    fixture.write_text(json.dumps([{"model": "trading.organisation", "pk": org.pk, "fields": {
        "name": "夹带的名称", "uscc": org.uscc, "kind": org.kind, "is_active": True}}]), encoding="utf-8")
    with pytest.raises(TypeError, match="raw save"):
        call_command("loaddata", str(fixture), verbosity=0)
    assert Organisation.objects.get(pk=org.pk).name == "原名称"
    assert LedgerEntry.objects.count() == entries


def test_switching_history_off_in_the_settings_fails_the_system_check(settings):
    assert not [m for m in checks.run_checks() if m.id == "audit.E001"]
    settings.SIMPLE_HISTORY_ENABLED = False
    assert [m.id for m in checks.run_checks() if m.id.startswith("audit.")] == ["audit.E001"]
    org = factories.organisation(name="甲")  # and the history is written all the same
    assert org.history.count() == 1


def test_users_and_organisations_are_never_deleted_so_history_keeps_its_actors():
    person, org = factories.user(), factories.organisation()
    with pytest.raises(TypeError, match="停用"):
        person.delete()
    with pytest.raises(TypeError, match="停用"):
        org.delete()
    assert User.objects.filter(pk=person.pk).exists() and Organisation.objects.filter(pk=org.pk).exists()


@pytest.mark.parametrize("statement", [
    "UPDATE trading_historicalorganisation SET name = 'x'",
    "DELETE FROM trading_historicalorganisation",
    "UPDATE audit_ledgerentry SET reason = 'x'",
    "DELETE FROM audit_ledgerentry",
])
def test_the_history_and_the_ledger_refuse_update_and_delete_on_both_databases(statement):
    factories.organisation()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert verify_chain().ok


@pytest.mark.usefixtures("chain_broken_on_purpose")
def test_a_checkpoint_is_a_write_once_object_so_a_removed_tail_is_caught():
    for n in range(3):
        factories.organisation(name=f"机构{n}")
    published = checkpoints.publish("test")
    key = f"audit/checkpoints/{settings.AUDIT_LOG_ORIGIN.replace('/', '_')}/{published.tree_size:012d}.json"
    store = storage.get_store()
    info = store.stat(key)
    assert info.retention_until is not None
    with pytest.raises(storage.ObjectRetained):
        store.delete(key, info.version_id, now=info.last_modified or info.retention_until)
    with pytest.raises(storage.ObjectExists):
        store.put(key, io.BytesIO(b"{}"), size=2, content_type="application/json", metadata={},
                  retention_until=info.retention_until)
    assert checkpoints.latest_published()["tree_size"] == published.tree_size
    kept = published.tree_size - 2
    with connection.cursor() as cursor:  # the owner's power on the tail, its tree and the checkpoint index
        set_triggers_enabled(False)
        cursor.execute("DELETE FROM audit_ledgerentry WHERE seq IN (SELECT entry_seq FROM audit_leaf "
                       "WHERE \"index\" >= %s)", [kept])
        cursor.execute("DELETE FROM audit_leaf WHERE \"index\" >= %s", [kept])
        cursor.execute("DELETE FROM audit_treenode")
        cursor.execute("DELETE FROM audit_checkpoint")
    leaves = [bytes.fromhex(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)]
    merkle.save_nodes(merkle.extend(0, [], leaves)[0])
    with pytest.raises(CommandError, match=f"the published checkpoint has {published.tree_size} entries"):
        call_command("audit_verify", "--quiet")


def _plan(*operations):
    from django.db import migrations as m

    migration = m.Migration("0999_change", "trading")
    migration.operations = list(operations)
    return [(migration, False)]


def test_a_migration_dropping_a_column_of_written_history_is_refused_unless_it_rebases():
    from django.db import migrations as m
    from django.db.migrations.state import ProjectState

    from audit.migration_guard import HistoryMigrationRefused, RebaseHistory, check_plan

    apps = ProjectState.from_apps(django_apps).apps
    check_plan(_plan(m.RemoveField("historicalorganisation", "name")), apps, connection)  # no history yet: free
    factories.organisation()
    for operation in (m.RemoveField("historicalorganisation", "name"),
                      m.RenameField("historicalorganisation", "name", "title"),
                      m.AddField("historicalorganisation", "note", models.CharField(max_length=5, default="x")),
                      m.DeleteModel("historicalorganisation")):
        with pytest.raises(HistoryMigrationRefused, match="RebaseHistory"):
            check_plan(_plan(operation), apps, connection)
    nullable = models.CharField(max_length=5, null=True)
    check_plan(_plan(m.AddField("historicalorganisation", "note", nullable)), apps, connection)
    check_plan(_plan(m.RemoveField("historicalorganisation", "name"),
                     RebaseHistory("trading", "historicalorganisation", reason="合并字段")), apps, connection)


@pytest.mark.usefixtures("chain_broken_on_purpose")
def test_a_rebased_table_verifies_by_its_recorded_digests_and_a_later_forgery_is_still_caught():
    from audit.rebase import rebase_table

    orgs = [factories.organisation(name=f"机构{n}") for n in range(3)]
    set_triggers_enabled(False)  # what a migration does to the columns, done by hand
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trading_historicalorganisation SET name = name || '（迁移）'")
        cursor.execute("UPDATE trading_organisation SET name = name || '（迁移）'")
    set_triggers_enabled(True)
    assert "was changed" in verify_chain().problem
    assert rebase_table("trading.historicalorganisation", "字段迁移") == 3
    assert verify_chain().ok
    rebase = LedgerEntry.objects.get(action="history_rebased")
    assert rebase.data["rows"] == 3 and rebase.reason == "字段迁移"
    set_triggers_enabled(False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trading_historicalorganisation SET name = '伪造' WHERE id = %s", [orgs[0].pk])
        cursor.execute("UPDATE trading_organisation SET name = '伪造' WHERE id = %s", [orgs[0].pk])
    assert "was changed" in verify_chain().problem
    with connection.cursor() as cursor:  # nor can the recorded digests be rewritten to match
        cursor.execute("UPDATE trading_historicalorganisation SET name = (SELECT name FROM trading_organisation "
                       "WHERE id = %s) || '' WHERE id = %s", [orgs[1].pk, orgs[0].pk])
        cursor.execute("UPDATE audit_rebaseddigest SET digest = 'f' WHERE history_id = "
                       "(SELECT MIN(history_id) FROM audit_rebaseddigest)")
    assert not verify_chain().ok
