"""Witnesses and receipts against the platform's public API, over real HTTP (a live server): a witness keeps
every checkpoint it saw, cosigns a consistent one, and raises the alarm on a fork or a rollback."""

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import checkpoints, ledger, logverify, merkle, receipts, sequencer, witness
from audit.models import Checkpoint, Cosignature, Leaf, LedgerEntry, PendingEntry
from core import signing

pytestmark = pytest.mark.django_db(transaction=True)
WITNESS = "jiwei.example.cn/witness"


@pytest.fixture
def witness_key(settings, tmp_path):
    key = Ed25519PrivateKey.generate()
    settings.AUDIT_WITNESS_KEYS = [signing.vkey(WITNESS, key=key, key_type=logverify.COSIGNATURE_V1)]
    return key


def _grow(count: int) -> Checkpoint:
    for n in range(count):
        ledger.record_event("note", data={"n": n})
    return checkpoints.publish("test")


def _witness(live_server, key, state) -> witness.Witness:
    return witness.Witness(base_url=live_server.url, log_vkey=signing.vkey(), key=key, name=WITNESS, state=state)


def test_a_witness_cosigns_consistent_checkpoints_and_the_platform_shows_them(live_server, witness_key, tmp_path,
                                                                              client):
    _grow(5)
    first, _ = _witness(live_server, witness_key, tmp_path).run_once(bootstrap=True)
    later = _grow(6)
    seen, cosigned = _witness(live_server, witness_key, tmp_path).run_once()
    assert (first.size, seen.size) == (5, later.tree_size)
    assert logverify.verify_note(cosigned, settings_vkey()) is True
    assert len(list(tmp_path.glob("0*.json"))) == 2  # every checkpoint it accepted is kept
    cosignature = Cosignature.objects.get(checkpoint=later)
    assert cosignature.witness == WITNESS
    body = client.get("/api/audit/checkpoint").json()
    assert [c["witness"] for c in body["cosignatures"]] == [WITNESS]
    assert WITNESS in client.get("/").content.decode()


def settings_vkey():
    from django.conf import settings

    return settings.AUDIT_WITNESS_KEYS[0]


def test_a_fork_of_the_same_size_raises_the_alarm(live_server, witness_key, tmp_path, chain_broken_on_purpose):
    """audit_verify names the forged checkpoint too (the test's end-of-test check is skipped for that)."""
    published = _grow(4)
    _witness(live_server, witness_key, tmp_path).run_once(bootstrap=True)
    forged_root = bytes(32)  # the centre signs another root for the same tree: two histories
    document = checkpoints.build(published.tree_size, forged_root, published.timestamp)
    Checkpoint.objects.create(origin=document["origin"], tree_size=published.tree_size, root_hash=forged_root.hex(),
                              timestamp=published.timestamp, key_id=document["key_id"], note=document["note"])
    with pytest.raises(witness.Alarm, match="FORK: two different roots"):
        _witness(live_server, witness_key, tmp_path).run_once()


def test_a_larger_tree_that_does_not_extend_the_cosigned_one_raises_the_alarm(live_server, witness_key, tmp_path):
    _grow(3)
    state = tmp_path
    seen, _ = _witness(live_server, witness_key, state).run_once(bootstrap=True)
    forged = {"tree_size": seen.size, "root_hash": "ab" * 32, "note": "forged"}  # the witness remembers another root
    (state / "latest.json").write_text(json.dumps(forged))
    _grow(4)
    with pytest.raises(witness.Alarm, match="does not extend"):
        _witness(live_server, witness_key, state).run_once()


def test_a_rollback_raises_the_alarm_through_the_command_with_a_non_zero_exit(live_server, witness_key, tmp_path):
    _grow(3)
    key_path = tmp_path / "witness.pem"
    signing.generate_key_file(key_path)
    key = signing.read_private_key(key_path)
    args = ["audit_witness", "--url", live_server.url, "--log-key", signing.vkey(), "--key", str(key_path),
            "--name", WITNESS, "--state", str(tmp_path / "state"), "--no-submit"]
    call_command(*args, "--bootstrap")
    seen = json.loads((tmp_path / "state" / "latest.json").read_text())
    seen["tree_size"] += 10  # it had seen a bigger tree: the log now shows a smaller one
    (tmp_path / "state" / "latest.json").write_text(json.dumps(seen))
    with pytest.raises(CommandError, match="ROLLBACK") as excinfo:
        call_command(*args)
    assert excinfo.value.returncode == 2
    assert key is not None


def test_a_cosignature_by_an_unknown_witness_is_refused(live_server, witness_key, client):
    published = _grow(2)
    stranger = Ed25519PrivateKey.generate()
    text = logverify.split_note(published.note)[0]
    note = published.note + witness.cosign(text, "stranger.example", stranger)
    response = client.post("/api/audit/cosignatures", {"note": note}, content_type="application/json")
    assert response.status_code == 400 and "AUDIT_WITNESS_KEYS" in response.json()["errors"]["note"][0]
    assert not Cosignature.objects.exists()


def test_a_receipt_is_signed_and_its_leaf_is_later_proved_into_a_checkpoint(live_server, client, tmp_path):
    entry = ledger.record_event("note", data={"registered": True})
    receipt = receipts.issue(entry)
    sequencer.sequence_pending()
    checkpoints.publish("test")
    out: list[str] = []
    logverify.check_receipt(receipt, signing.vkey(), out)
    assert out == ["receipt signature: OK"]
    forged = {**receipt, "entry": receipt["entry"] + 1}
    with pytest.raises(logverify.Mismatch, match="signature does not match"):
        logverify.check_receipt(forged, signing.vkey(), [])
    proof = client.get(f"/api/audit/proof/inclusion?leaf_hash={receipt['leaf_hash']}").json()
    size = merkle.tree_size()
    logverify.verify_inclusion(proof["leaf_index"], size, bytes.fromhex(receipt["leaf_hash"]),
                               [bytes.fromhex(h) for h in proof["audit_path"]], merkle.root(size))
    assert base64.b64decode(receipt["signature"])


def test_the_sequencer_thread_sequences_what_committed_without_the_request_waiting(settings):
    """The embedded default: commits wake the process's sequencer thread, which batches what arrived."""
    settings.AUDIT_SEQUENCER = "thread"
    settings.AUDIT_SEQUENCER_INTERVAL_MS = 20
    for n in range(30):
        ledger.record_event("note", data={"n": n})  # each its own transaction, committed
    for _ in range(300):  # a real thread: wait for it, boundedly
        if not PendingEntry.objects.exists():
            break
        time.sleep(0.05)
    assert not PendingEntry.objects.exists()
    assert Leaf.objects.count() == LedgerEntry.objects.count() >= 30


def test_a_witness_without_its_state_trusts_nothing_unless_told_to(live_server, witness_key, tmp_path):
    _grow(2)
    with pytest.raises(logverify.Mismatch, match="--bootstrap"):
        _witness(live_server, witness_key, tmp_path).run_once()
    _witness(live_server, witness_key, tmp_path).run_once(bootstrap=True)
    (tmp_path / "latest.json").unlink()  # the state lost, the checkpoints it kept still there
    with pytest.raises(witness.Alarm, match="STATE LOST"):
        _witness(live_server, witness_key, tmp_path).run_once(bootstrap=True)


def _checkpoint_file(client, tmp_path) -> str:
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(client.get("/api/audit/checkpoint").json()), encoding="utf-8")
    return str(path)


def test_the_offline_verifier_requires_the_quorum_of_witness_cosignatures_it_is_given(live_server, witness_key,
                                                                                       tmp_path, client):
    _grow(3)
    state = tmp_path / "state"
    _witness(live_server, witness_key, state).run_once(bootstrap=True)
    absent = Ed25519PrivateKey.generate()
    absent_vkey = signing.vkey("absent.example/witness", key=absent, key_type=logverify.COSIGNATURE_V1)
    checkpoint = _checkpoint_file(client, tmp_path)
    base = ["checkpoint", checkpoint, "--log-key", signing.vkey(), "--witness-key", settings_vkey()]

    assert logverify.main(base) == 0
    assert logverify.main([*base, "--witness-key", absent_vkey, "--quorum", "1"]) == 0
    assert logverify.main([*base, "--witness-key", absent_vkey]) == 1  # quorum defaults to every witness given
    assert logverify.main([*base, "--quorum", "2"]) == 1  # a quorum larger than the witnesses named


def test_the_offline_verifier_refuses_a_forged_cosignature(live_server, witness_key, tmp_path, client, capsys):
    _grow(3)
    _witness(live_server, witness_key, tmp_path / "state").run_once(bootstrap=True)
    body = client.get("/api/audit/checkpoint").json()
    other = _grow(1)  # the witness's signature moved onto a checkpoint it never saw
    forged = {**checkpoints.as_dict(other), "cosignatures": body["cosignatures"]}
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    capsys.readouterr()
    assert logverify.main(["checkpoint", str(path), "--log-key", signing.vkey(), "--witness-key",
                           settings_vkey()]) == 1
    assert "does not match" in capsys.readouterr().out
