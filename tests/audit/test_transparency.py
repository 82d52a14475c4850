"""The ledger as a transparency log: the stored tree, its proofs and its signed checkpoints, checked against an
independent implementation of RFC 9162 §2.1 written here from the RFC's definitions (recursive MTH, PATH and
PROOF over the list of leaves) — not the code under test, which keeps complete subtrees and never recurses."""

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import checkpoints, ledger, logverify, merkle, sequencer
from audit.models import Leaf, PendingEntry, TreeNode
from core import signing

pytestmark = pytest.mark.django_db

# --- RFC 9162 §2.1, literally ----------------------------------------------------------------------------------


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (the leaf hash step is applied by the caller)."""
    n = len(leaves)
    if n == 0:
        return _h(b"")
    if n == 1:
        return leaves[0]
    k = _k(n)
    return _h(b"\x01" + rfc_mth(leaves[:k]) + rfc_mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return rfc_path(m, leaves[:k]) + [rfc_mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [rfc_mth(leaves[:k])]


def rfc_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [rfc_mth(leaves)]
    k = _k(n)
    if m <= k:
        return rfc_subproof(m, leaves[:k], b) + [rfc_mth(leaves[k:])]
    return rfc_subproof(m - k, leaves[k:], False) + [rfc_mth(leaves[:k])]


def rfc_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return rfc_subproof(m, leaves, True)


# --- the tree under test ---------------------------------------------------------------------------------------

def _log_of(count: int, batches: tuple[int, ...] = (1, 2, 5, 13)) -> list[bytes]:
    """`count` entries sequenced in batches of varied sizes (the tree grows across batch boundaries)."""
    for n in range(count):
        ledger.record_event("note", data={"n": n})
    sizes = iter(batches)
    while PendingEntry.objects.exists():
        sequencer.sequence_batch(limit=next(sizes, 7))
    return [bytes.fromhex(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)]


def test_roots_and_inclusion_proofs_match_the_rfc_for_every_size_and_leaf():
    leaves = _log_of(37)
    assert len(leaves) == 37
    for size in range(1, 38):
        root = rfc_mth(leaves[:size])
        assert merkle.root(size) == root
        for index in range(size):
            path = merkle.inclusion_proof(index, size)
            assert path == rfc_path(index, leaves[:size]), (index, size)
            logverify.verify_inclusion(index, size, leaves[index], path, root)


def test_consistency_proofs_match_the_rfc_for_every_pair_of_sizes():
    leaves = _log_of(33)
    for second in range(1, 34):
        for first in range(1, second + 1):
            path = merkle.consistency_proof(first, second)
            expected = rfc_proof(first, leaves[:second]) if first < second else []
            assert path == expected, (first, second)
            logverify.verify_consistency(first, second, rfc_mth(leaves[:first]), rfc_mth(leaves[:second]), path)


def test_the_stored_subtrees_are_exactly_the_complete_ones():
    leaves = _log_of(21)
    keys = set(TreeNode.objects.values_list("key", flat=True))
    expected = {merkle.node_key(level, position) for level in range(1, 5) for position in range(21 >> level)}
    assert keys == expected
    for key in expected:
        level, position = key >> 48, key & ((1 << 48) - 1)
        span = leaves[position << level:(position + 1) << level]
        assert TreeNode.objects.get(key=key).hash == rfc_mth(span).hex()


@pytest.mark.parametrize("tamper", ["flip a path hash", "drop a hash", "add a hash", "other leaf", "other index"])
def test_a_tampered_inclusion_proof_is_refused(tamper):
    leaves = _log_of(11)
    root, path, index, leaf = rfc_mth(leaves), merkle.inclusion_proof(6, 11), 6, leaves[6]
    if tamper == "flip a path hash":
        path[1] = bytes([path[1][0] ^ 1]) + path[1][1:]
    elif tamper == "drop a hash":
        path = path[:-1]
    elif tamper == "add a hash":
        path = [*path, leaves[0]]
    elif tamper == "other leaf":
        leaf = leaves[7]
    else:
        index = 7
    with pytest.raises(logverify.Mismatch):
        logverify.verify_inclusion(index, 11, leaf, path, root)


def test_a_consistency_proof_does_not_join_a_rewritten_history():
    leaves = _log_of(12)
    path = merkle.consistency_proof(5, 12)
    forged_old = rfc_mth([*leaves[:4], _h(b"\x00forged")])
    with pytest.raises(logverify.Mismatch, match="rewritten"):
        logverify.verify_consistency(5, 12, forged_old, rfc_mth(leaves), path)
    with pytest.raises(logverify.Mismatch):
        logverify.verify_consistency(5, 12, rfc_mth(leaves[:5]), rfc_mth(leaves[:11]), path)


# --- signed checkpoints and the public API --------------------------------------------------------------------

def test_a_checkpoint_is_a_signed_note_any_verifier_can_check(client):
    _log_of(9)
    published = checkpoints.publish("test")
    body = client.get("/api/audit/checkpoint").json()
    assert (body["tree_size"], body["root_hash"]) == (9, published.root_hash)
    text, lines = logverify.split_note(body["note"])
    assert text.splitlines()[:3] == [body["origin"], "9", base64.b64encode(bytes.fromhex(body["root_hash"])).decode()]
    vkey = signing.vkey()
    assert logverify.verify_note(body["note"], vkey) is True
    forged = body["note"].replace(text.splitlines()[1], "8", 1)
    with pytest.raises(logverify.Mismatch, match="does not match"):
        logverify.verify_note(forged, vkey)
    stranger = signing.vkey("another-log", key=Ed25519PrivateKey.generate())
    with pytest.raises(logverify.Mismatch, match="no signature"):
        logverify.verify_note(body["note"], stranger)


def test_inclusion_by_leaf_hash_and_consistency_are_served_to_anyone_and_check(client):
    _log_of(6)
    first = checkpoints.publish("first")
    entry = ledger.record_event("note", data={"later": True})
    _log_of(4)
    latest = checkpoints.publish("second")
    proof = client.get(f"/api/audit/proof/inclusion?leaf_hash={entry.hash}").json()
    assert proof["tree_size"] == latest.tree_size == 11 and proof["leaf_hash"] == entry.hash
    logverify.verify_inclusion(proof["leaf_index"], 11, bytes.fromhex(entry.hash),
                               [bytes.fromhex(h) for h in proof["audit_path"]], bytes.fromhex(latest.root_hash))
    consistency = client.get(f"/api/audit/proof/consistency?first={first.tree_size}").json()
    logverify.verify_consistency(first.tree_size, latest.tree_size, bytes.fromhex(first.root_hash),
                                 bytes.fromhex(latest.root_hash),
                                 [bytes.fromhex(h) for h in consistency["consistency_path"]])


@pytest.mark.parametrize(("query", "field"), [
    ("index=abc", "index"), ("index=-1", "index"), ("index=99", "index"), ("index=0&tree_size=999", "tree_size"),
    ("index=0&tree_size=0", "tree_size"),
])
def test_a_bad_inclusion_request_says_which_parameter(client, query, field):
    _log_of(3)
    checkpoints.publish("test")
    response = client.get(f"/api/audit/proof/inclusion?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_an_unsequenced_leaf_hash_is_not_found_with_the_reason(client):
    _log_of(2)
    checkpoints.publish("test")
    entry = ledger.record_event("note")
    response = client.get(f"/api/audit/proof/inclusion?leaf_hash={entry.hash}")
    assert response.status_code == 404 and "排序" in response.json()["detail"]


# --- the offline verifier, as a stranger runs it ----------------------------------------------------------------

def _run_logverify(tmp_path: Path, kind: str, document: dict, *args: str, isolated: bool = False):
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(document))
    script = Path(checkpoints.__file__).with_name("logverify.py")
    flags = ["-S"] if isolated else []  # -S: no site-packages, so no `cryptography`: the standard library only
    return subprocess.run([sys.executable, *flags, str(script), kind, str(path), *args], capture_output=True,
                          text=True, check=False)


def test_the_offline_verifier_checks_an_inclusion_proof_and_the_signature(client, tmp_path):
    _log_of(5)
    checkpoints.publish("test")
    checkpoint = client.get("/api/audit/checkpoint").json()
    (tmp_path / "cp.json").write_text(json.dumps(checkpoint))
    proof = client.get("/api/audit/proof/inclusion?index=3").json()
    ok = _run_logverify(tmp_path, "inclusion", proof, "--checkpoint", str(tmp_path / "cp.json"),
                        "--log-key", signing.vkey())
    assert ok.returncode == 0 and "signature of" in ok.stdout and ": OK" in ok.stdout, ok.stdout + ok.stderr
    bare = _run_logverify(tmp_path, "inclusion", proof, "--checkpoint", str(tmp_path / "cp.json"),
                          "--log-key", signing.vkey(), isolated=True)
    assert bare.returncode == 3 and bare.stdout.startswith("NOT VERIFIED"), bare.stdout + bare.stderr
    allowed = _run_logverify(tmp_path, "inclusion", proof, "--checkpoint", str(tmp_path / "cp.json"),
                             "--log-key", signing.vkey(), "--allow-unchecked", isolated=True)
    assert allowed.returncode == 0 and "UNCHECKED" in allowed.stdout, allowed.stdout + allowed.stderr
    proof["audit_path"][0] = "00" * 32
    bad = _run_logverify(tmp_path, "inclusion", proof, "--checkpoint", str(tmp_path / "cp.json"))
    assert bad.returncode == 1 and bad.stdout.startswith("FAILED")


def test_the_offline_verifier_checks_a_consistency_proof_between_two_checkpoints(client, tmp_path):
    _log_of(4)
    checkpoints.publish("old")
    old = client.get("/api/audit/checkpoint").json()
    _log_of(7)
    checkpoints.publish("new")
    new = client.get("/api/audit/checkpoint").json()
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    proof = client.get(f"/api/audit/proof/consistency?first={old['tree_size']}").json()
    result = _run_logverify(tmp_path, "consistency", proof, "--old", str(tmp_path / "old.json"),
                            "--new", str(tmp_path / "new.json"), "--log-key", signing.vkey())
    assert result.returncode == 0 and "extends" in result.stdout, result.stdout


def test_the_offline_verifier_script_is_downloadable_and_is_the_same_file(client):
    response = client.get("/audit/logverify.py")
    body = b"".join(response.streaming_content)
    assert body == Path(checkpoints.__file__).with_name("logverify.py").read_bytes()
