import hashlib

import pytest
from django.core.management import call_command
from django.db import transaction

from audit import canonical, ledger, logverify, merkle, sequencer
from audit.history import history_digest
from audit.models import Leaf, LedgerEntry, PendingEntry
from audit.verify import verify_chain
from core import context
from core.roles import Role
from tests import factories
from trading.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_saved_model_lands_in_the_ledger_with_its_actor_and_reason():
    inspector = factories.user(Role.ADMIN)
    with context.acting(inspector, ip="10.0.0.7", reason="开户"):
        org = factories.organisation(name="成都建工")
    entry = LedgerEntry.objects.filter(object_type="trading.Organisation", object_id=str(org.pk)).get()
    assert entry.action == "create"
    assert (entry.actor, entry.role, entry.ip, entry.reason) == (inspector.username, "admin", "10.0.0.7", "开户")
    assert entry.history_model == "trading.HistoricalOrganisation"
    assert org.history.get().pk == entry.history_id


def test_entries_wait_for_the_sequencer_then_become_leaves_in_number_order():
    for n in range(5):
        factories.organisation(name=f"机构{n}")
    written = list(LedgerEntry.objects.order_by("seq").values_list("seq", "hash"))
    assert PendingEntry.objects.count() == len(written) and not Leaf.objects.exists()
    assert sequencer.sequence_pending() == len(written)
    leaves = list(Leaf.objects.order_by("index").values_list("index", "entry_seq", "hash"))
    assert leaves == [(n, seq, leaf) for n, (seq, leaf) in enumerate(written)]
    assert not PendingEntry.objects.exists()
    assert verify_chain().ok


def test_an_entry_hash_is_its_rfc9162_leaf_hash_over_its_canonical_bytes():
    entry = ledger.record_event("registration_list_viewed", project="FP-2026-001", data={"count": 5})
    raw = canonical.entry_bytes(ledger.entry_values(entry))
    assert entry.hash == hashlib.sha256(b"\x00" + raw).hexdigest()
    assert entry.hash == logverify.leaf_hash(logverify.entry_bytes(_as_exported(entry))).hex()


def _as_exported(entry):
    values = ledger.entry_values(entry)
    return dict(zip(canonical.ENTRY_FIELDS, values, strict=True))


def test_an_exception_inside_a_change_rolls_back_the_change_and_its_entries():
    before = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.organisation(name="回滚机构")
        raise RuntimeError("boom")
    assert LedgerEntry.objects.count() == before
    assert not Organisation.objects.filter(name="回滚机构").exists()


def test_an_event_is_recorded_with_its_payload_covered_by_the_digest():
    entry = ledger.record_event("registration_list_viewed", project="FP-2026-001", data={"count": 5})
    assert entry.digest == ledger.event_digest("registration_list_viewed", {"count": 5})
    assert entry.project == "FP-2026-001"
    assert verify_chain().ok


def test_audited_querysets_refuse_paths_that_skip_history():
    factories.organisation()
    with pytest.raises(TypeError, match="bypasses the audit history"):
        Organisation.objects.update(name="x")
    with pytest.raises(TypeError):
        Organisation.objects.bulk_create([Organisation(name="y", uscc=factories.uscc(), kind="agency")])


def test_audit_verify_prints_ok_and_the_head(capsys):
    factories.organisation()
    sequencer.sequence_pending()
    call_command("audit_verify", "--quiet")
    out = capsys.readouterr().out
    assert out.startswith(f"OK {merkle.root(merkle.tree_size()).hex()}")


@pytest.mark.parametrize("text", ['引号"与\\反斜杠', '"history_id":-1,"x":', "换行\n制表\t\x01控制", "😀\u2028末"])
def test_awkward_text_is_digested_and_hashed_alike_when_written_and_when_verified(text):
    """On PostgreSQL the database hashes the row and the entry (audit/db.py); Python must agree byte for byte."""
    org = factories.organisation()
    with context.acting(factories.user(Role.ADMIN), reason=text):
        org.name = text
        org.save()
    entry = LedgerEntry.objects.order_by("-seq").first()
    row = org.history.get(pk=entry.history_id)
    assert (row.name, entry.reason) == (text, text)
    assert entry.digest == history_digest(row)
    assert entry.hash == canonical.entry_hash(ledger.entry_values(entry))
    assert verify_chain().ok


def test_decimals_dates_and_nulls_are_digested_alike_when_written_and_when_verified():
    project = factories.fixed_price_project()
    entry = (LedgerEntry.objects.filter(object_type=project._meta.label, object_id=str(project.pk))
             .exclude(history_model="").latest("seq"))
    assert entry.digest == history_digest(project.history.get(pk=entry.history_id))
    assert verify_chain().ok


def test_event_numbers_that_jsonb_rewrites_keep_their_digest():
    """PostgreSQL's jsonb gives 1e16 back as 10000000000000000 and -0.0 as 0.0: the digest must survive that."""
    data = {"big": 1e16, "bigger": -1.5e17, "zero": -0.0, "small": 1e-7, "ratio": 0.1, "pair": (1, 2.5)}
    entry = ledger.record_event("numbers_recorded", data=data)
    stored = LedgerEntry.objects.get(seq=entry.seq).data
    assert stored == {"big": 10**16, "bigger": -15 * 10**16, "zero": 0.0, "small": 1e-7, "ratio": 0.1, "pair": [1, 2.5]}
    assert ledger.event_digest("numbers_recorded", stored) == entry.digest
    assert verify_chain().ok
