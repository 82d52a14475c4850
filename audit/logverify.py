#!/usr/bin/env python3
"""Verify the audit log of the public resource trading centre, offline, with the Python standard library only.

    python logverify.py checkpoint CHECKPOINT.json --log-key VKEY
    python logverify.py inclusion PROOF.json --checkpoint CHECKPOINT.json [--log-key VKEY]
    python logverify.py consistency PROOF.json --old OLD.json --new NEW.json [--log-key VKEY]
    python logverify.py export EXPORT.json [--log-key VKEY]
    python logverify.py receipt RECEIPT.json --log-key VKEY [--proof PROOF.json --checkpoint CHECKPOINT.json]
    python logverify.py signatures EXPORT.json --log-key VKEY

Every command that reads a checkpoint also takes --witness-key VKEY (repeatable) and --quorum N: the checkpoint
must then carry valid cosignatures (its "cosignatures", as GET /api/audit/checkpoint gives them) of at least N of
those witnesses (default: all of them), so that the log could not have shown this tree to you alone.

The log is a Merkle tree as RFC 9162 §2.1 defines it: a leaf is SHA-256(0x00 || entry bytes), a node is
SHA-256(0x01 || left || right), the entry bytes are the entry's canonical JSON (below). The centre signs
checkpoints (origin, tree size, root hash, time) as C2SP signed notes with Ed25519; a witness cosigns them
(C2SP tlog-cosignature). Signatures need the `cryptography` package: without it they are reported UNCHECKED and
everything else is still checked, and with --log-key the exit status is 3 unless --allow-unchecked is given.
Prints OK and what was checked, exit 0; or the first mismatch, exit 1.

Files (as the platform's API and dossiers give them):
  checkpoint   {"origin", "tree_size", "root_hash" (hex), "timestamp" (ms), "note" (the signed note text), ...}
  inclusion    {"leaf_index", "tree_size", "leaf_hash", "audit_path": [hex]}  (GET /api/audit/proof/inclusion)
  consistency  {"first", "second", "consistency_path": [hex]}                (GET /api/audit/proof/consistency)
  export       {"checkpoint": {...}, "entries": [{"leaf_index", "entry": {fields}, "audit_path": [hex]}]}
               each entry's leaf hash is recomputed from its fields and proved into the checkpoint's tree
  receipt      {"origin", "entry", "leaf_hash", "timestamp", "key_id", "signature"}: the log's promise to
               include the leaf; with --proof and --checkpoint, also that it did
  signatures   a record's personal signatures (GET /api/projects/{code}/records/{kind}/signatures/export):
               {"format", "project", "kind", "digest", "record": {data}, "signatures": [{"signer", "signed_at",
               "fingerprint", "digest", "signature"}], "keys": {fingerprint: {"binding", "centre_signature"}}}.
               The record's digest is SHA-256 of its compact, key-sorted JSON; each signature is ECDSA P-256 with
               SHA-256 (base64 of r || s) over the lines "jiaoyi record signature v1", project, kind, digest
               (each ending in a newline); each key's binding (holder, key, approved_at, revoked_at) is signed by
               the centre's Ed25519 key (compact key-sorted JSON); a signature counts only if made while its key
               was bound (approved_at <= signed_at < revoked_at). ECDSA needs `cryptography` too.

Entry bytes: compact JSON (separators "," and ":", UTF-8, no ASCII escaping) of the array
  [seq, at, actor_id, actor, role, ip, action, object_type, object_id, history_model, history_id, project, reason,
   digest]
where `at` is integer microseconds since 1970-01-01 UTC. An event entry (no history_model) has
digest = SHA-256 of the compact, key-sorted JSON of {"action": action, "data": data}.
"""

# This file repeats the RFC's algorithms rather than importing the platform: anyone can download this one file
# and check a proof without trusting the platform's code. It runs on Python 3.8 and later.

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys

ENTRY_FIELDS = (
    "seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id", "history_model",
    "history_id", "project", "reason", "digest",
)
ED25519 = 0x01  # C2SP signed-note signature type
COSIGNATURE_V1 = 0x04  # C2SP tlog-cosignature
RECEIPT_CONTEXT = "jiaoyi audit receipt v1"
SIGNATURES_FORMAT = "jiaoyi record signatures v1"
RECORD_SIGNATURE_CONTEXT = "jiaoyi record signature v1"
KEY_BINDING_CONTEXT = "jiaoyi key binding v1"


class Mismatch(Exception):
    """What does not verify, said for a person."""


# --- RFC 9162 §2.1 ---------------------------------------------------------------------------------------------

def leaf_hash(entry_bytes: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry_bytes).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def entry_bytes(entry: dict) -> bytes:
    return json.dumps([entry[name] for name in ENTRY_FIELDS], ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def event_digest(action: str, data: object) -> str:
    text = json.dumps({"action": action, "data": data}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def root_of(leaves: list) -> bytes:
    """MTH of a list of leaf hashes, by a stack of perfect subtrees (the same tree as the RFC's recursion)."""
    stack: list = []  # (height, hash), heights strictly decreasing
    for leaf in leaves:
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
    if not stack:
        return EMPTY_ROOT
    value = stack.pop()[1]
    while stack:
        value = node_hash(stack.pop()[1], value)
    return value


def _sha256_sized(values: list, what: str) -> None:
    if any(not isinstance(value, bytes) or len(value) != 32 for value in values):
        raise Mismatch(f"{what}: every hash must be 32 bytes")


def verify_inclusion(index: int, size: int, leaf: bytes, path: list, root: bytes) -> None:
    """RFC 9162 §2.1.3.2."""
    _sha256_sized([leaf, root, *path], "inclusion proof")
    if not 0 <= index < size:
        raise Mismatch(f"leaf index {index} is outside a tree of {size} entries")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Mismatch("the audit path is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Mismatch("the audit path is shorter than the tree is deep")
    if r != root:
        raise Mismatch(f"leaf {index} does not lead to the root of the tree of {size} entries")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, path: list) -> None:
    """RFC 9162 §2.1.4.2."""
    _sha256_sized([first_root, second_root, *path], "consistency proof")
    if not 0 < first <= second:
        raise Mismatch(f"no consistency proof exists from a tree of {first} to a tree of {second} entries")
    if first == second:
        if path:
            raise Mismatch("a proof between equal trees must be empty")
        if first_root != second_root:
            raise Mismatch(f"two different roots for one tree of {first} entries: the log forked")
        return
    if first & (first - 1) == 0:  # a power of two: the first tree is a subtree, its root heads the path
        path = [first_root, *path]
    if not path:
        raise Mismatch("the consistency proof is empty")
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Mismatch("the consistency path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn & 1 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Mismatch("the consistency path is shorter than the tree is deep")
    if fr != first_root:
        raise Mismatch(f"the proof does not lead to the earlier root (tree of {first}): the log was rewritten")
    if sr != second_root:
        raise Mismatch(f"the proof does not lead to the later root (tree of {second}): the log forked")


# --- C2SP signed notes ------------------------------------------------------------------------------------------

def key_hash(name: str, key_type: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def parse_vkey(vkey: str) -> tuple:
    """`name+hexhash+base64(type || key)` → (name, key hash, type, key)."""
    try:
        name, hash_hex, blob = vkey.strip().split("+", 2)  # the key is base64, which may hold "+"
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise Mismatch(f"not a verifier key (name+hash+key): {vkey[:60]!r}") from exc
    key_type, public_key = raw[0], raw[1:]
    if key_type not in (ED25519, COSIGNATURE_V1) or len(public_key) != 32:
        raise Mismatch(f"verifier key {name!r}: only Ed25519 keys are supported")
    if key_hash(name, key_type, public_key).hex() != hash_hex:
        raise Mismatch(f"verifier key {name!r}: its hash does not match its key")
    return name, bytes.fromhex(hash_hex), key_type, public_key


def split_note(note: str) -> tuple:
    """A signed note → (text, [(name, signature bytes)])."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not note.endswith("\n"):
        raise Mismatch("not a signed note: no blank line before the signatures")
    lines = []
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            raise Mismatch(f"not a signature line: {line[:60]!r}")
        name, _, blob = line[2:].rpartition(" ")
        try:
            lines.append((name, base64.b64decode(blob, validate=True)))
        except ValueError as exc:
            raise Mismatch(f"a signature of {name!r} is not base64") from exc
    return text + "\n", lines


def checkpoint_body(origin: str, size: int, root: bytes, timestamp_ms: int) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntimestamp {timestamp_ms}\n"


def parse_checkpoint_body(text: str) -> tuple:
    lines = text.rstrip("\n").split("\n")
    number = re.compile(r"0|[1-9][0-9]{0,18}")
    if (len(lines) < 4 or not number.fullmatch(lines[1]) or not lines[3].startswith("timestamp ")
            or not number.fullmatch(lines[3][len("timestamp "):])):
        raise Mismatch("not a checkpoint: origin, size, root hash and timestamp lines expected")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except ValueError as exc:
        raise Mismatch("not a checkpoint: the root hash is not base64") from exc
    if len(root) != 32:
        raise Mismatch("not a checkpoint: the root hash is not 32 bytes")
    return lines[0], int(lines[1]), root, int(lines[3][len("timestamp "):])


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def _ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool | None:
    """True or False; None when `cryptography` is not installed (the signature stays unchecked)."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def verify_note(note: str, vkey: str) -> bool | None:
    """Check the signature `vkey` made on `note`: True, or None when unchecked; raises on a bad or absent one."""
    name, khash, key_type, public_key = parse_vkey(vkey)
    text, signatures = split_note(note)
    for signer, blob in signatures:
        if signer != name or blob[:4] != khash:
            continue
        if key_type == COSIGNATURE_V1:
            timestamp = int.from_bytes(blob[4:12], "big")
            ok = _ed25519_verify(public_key, blob[12:], cosigned_message(text, timestamp))
        else:
            ok = _ed25519_verify(public_key, blob[4:], text.encode())
        if ok is False:
            raise Mismatch(f"the signature of {name!r} does not match the note")
        return ok
    raise Mismatch(f"the note carries no signature of {name!r}")


def receipt_message(receipt: dict) -> bytes:
    return (f"{RECEIPT_CONTEXT}\n{receipt['origin']}\n{receipt['entry']}\n{receipt['leaf_hash']}\n"
            f"{receipt['timestamp']}\n").encode()


# --- the commands -----------------------------------------------------------------------------------------------

def _hex(value: str, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError) as exc:
        raise Mismatch(f"{what} is not hex") from exc
    if len(raw) != 32:
        raise Mismatch(f"{what} is not a SHA-256 hash")
    return raw


class Witnesses:
    """Whose cosignatures a checkpoint must carry: `keys` (cosignature/v1 verifier keys), at least `quorum`."""

    def __init__(self, keys: list | None = None, quorum: int | None = None) -> None:
        self.keys = list(keys or [])
        self.quorum = len(self.keys) if quorum is None else quorum
        if not 0 <= self.quorum <= len(self.keys):
            raise Mismatch(f"a quorum of {self.quorum} needs at least that many --witness-key")


def check_checkpoint(checkpoint: dict, vkey: str | None, out: list, witnesses: Witnesses | None = None) -> tuple:
    """The checkpoint's note against its fields, with a key its signature, and the witnesses' cosignatures →
    (size, root)."""
    origin, size, root, timestamp = parse_checkpoint_body(split_note(checkpoint["note"])[0])
    if (origin, size, root.hex(), timestamp) != (checkpoint["origin"], checkpoint["tree_size"],
                                                 checkpoint["root_hash"], checkpoint["timestamp"]):
        raise Mismatch("the checkpoint's fields differ from its signed note")
    if vkey:
        signed = verify_note(checkpoint["note"], vkey)
        out.append(f"signature of {origin}: " + ("OK" if signed else "UNCHECKED (install cryptography)"))
    else:
        out.append("signature: UNCHECKED (no --log-key given)")
    if witnesses and witnesses.keys:
        check_cosignatures(checkpoint, witnesses, out)
    return size, root


def check_cosignatures(checkpoint: dict, witnesses: Witnesses, out: list) -> None:
    """A witness's cosignature line, added to the centre's note, must verify as that witness's signature on it."""
    lines = "".join(c["signature_line"] for c in checkpoint.get("cosignatures") or [])
    cosigned = checkpoint["note"] + lines
    found, unchecked = [], False
    for key in witnesses.keys:
        name, _, key_type, _ = parse_vkey(key)
        if key_type != COSIGNATURE_V1:
            raise Mismatch(f"witness key {name!r} is not a cosignature/v1 key")
        try:
            ok = verify_note(cosigned, key)
        except Mismatch as exc:
            if "carries no signature" in str(exc):
                continue  # this witness did not cosign: counted against the quorum below
            raise
        found.append(name)
        unchecked = unchecked or ok is None
    if len(found) < witnesses.quorum:
        raise Mismatch(f"cosigned by {len(found)} of the {len(witnesses.keys)} witnesses given "
                       f"({', '.join(found) or 'none'}); {witnesses.quorum} required")
    out.append(f"cosignatures of {', '.join(found)}: " + ("UNCHECKED (install cryptography)" if unchecked else "OK")
               + f" ({len(found)} of {len(witnesses.keys)}, quorum {witnesses.quorum})")


def check_inclusion(proof: dict, size: int, root: bytes) -> None:
    if proof["tree_size"] != size:
        raise Mismatch(f"the proof is for a tree of {proof['tree_size']}, the checkpoint's has {size}")
    path = [_hex(h, "an audit path hash") for h in proof["audit_path"]]
    verify_inclusion(proof["leaf_index"], size, _hex(proof["leaf_hash"], "leaf_hash"), path, root)


def check_export(export: dict, vkey: str | None, out: list, witnesses: Witnesses | None = None) -> None:
    size, root = check_checkpoint(export["checkpoint"], vkey, out, witnesses)
    for item in export["entries"]:
        entry = item["entry"]
        if not entry.get("history_model") and event_digest(entry["action"], entry.get("data")) != entry["digest"]:
            raise Mismatch(f"entry {entry['seq']}: its event data does not match its digest")
        leaf = leaf_hash(entry_bytes(entry))
        path = [_hex(h, "an audit path hash") for h in item["audit_path"]]
        try:
            verify_inclusion(item["leaf_index"], size, leaf, path, root)
        except Mismatch as exc:
            raise Mismatch(f"entry {entry['seq']}: {exc}") from exc
    out.append(f"{len(export['entries'])} entries recomputed and proved into the tree of {size}")


def check_receipt(receipt: dict, vkey: str, out: list) -> None:
    name, khash, _, public_key = parse_vkey(vkey)
    if receipt["key_id"] != khash.hex():
        raise Mismatch(f"the receipt was signed by key {receipt['key_id']}, not by {name!r}")
    ok = _ed25519_verify(public_key, base64.b64decode(receipt["signature"]), receipt_message(receipt))
    if ok is False:
        raise Mismatch("the receipt's signature does not match it")
    out.append("receipt signature: " + ("OK" if ok else "UNCHECKED (install cryptography)"))


# --- personal signatures of a record ---------------------------------------------------------------------------

def _compact_sorted(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_message(project: str, kind: str, digest: str) -> bytes:
    return f"{RECORD_SIGNATURE_CONTEXT}\n{project}\n{kind}\n{digest}\n".encode()


def _p256_verify(spki_der: bytes, signature: bytes, message: bytes) -> bool | None:
    """ECDSA P-256 / SHA-256 of a P1363 (r || s) signature: True or False; None without `cryptography`."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    except ImportError:
        return None
    if len(signature) != 64:
        return False
    try:
        key = serialization.load_der_public_key(spki_der)
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
            return False
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _moment(value: str, what: str):
    import datetime

    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise Mismatch(f"{what} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise Mismatch(f"{what} has no UTC offset")
    return moment


def _check_binding(entry: dict, signature: dict, centre_key: bytes, who: str) -> tuple:
    """The key's binding, signed by the centre, names the signer and this key → (public key DER, ok|None)."""
    binding = entry["binding"]
    if binding.get("context") != KEY_BINDING_CONTEXT:
        raise Mismatch(f"{who}: the key binding is not a {KEY_BINDING_CONTEXT!r}")
    der = base64.b64decode(binding["public_key"], validate=True)
    if hashlib.sha256(der).hexdigest() != signature["fingerprint"] or binding["fingerprint"] != signature["fingerprint"]:
        raise Mismatch(f"{who}: the key's binding is for another key than its fingerprint")
    if binding["user"] != signature["signer"]:
        raise Mismatch(f"{who}: the key is bound to {binding['user']!r}, not to the signer")
    ok = _ed25519_verify(centre_key, base64.b64decode(entry["centre_signature"], validate=True),
                         _compact_sorted(binding))
    if ok is False:
        raise Mismatch(f"{who}: the centre's signature of the key binding does not match it")
    if not binding.get("approved_at"):
        raise Mismatch(f"{who}: the key was never bound to the account")
    signed_at = _moment(signature["signed_at"], f"{who}: signed_at")
    if signed_at < _moment(binding["approved_at"], "approved_at"):
        raise Mismatch(f"{who}: signed before the key was bound to the account")
    if binding.get("revoked_at") and signed_at >= _moment(binding["revoked_at"], "revoked_at"):
        raise Mismatch(f"{who}: signed after the key was revoked ({binding['revoked_at']})")
    return der, ok


def check_signatures(export: dict, vkey: str, out: list) -> None:
    if export.get("format") != SIGNATURES_FORMAT:
        raise Mismatch(f"not a signatures export ({SIGNATURES_FORMAT!r} expected)")
    _, _, _, centre_key = parse_vkey(vkey)
    digest = hashlib.sha256(_compact_sorted(export["record"])).hexdigest()
    if digest != export["digest"]:
        raise Mismatch("the record's data does not hash to its stated digest: the record was changed")
    message = record_message(export["project"], export["kind"], digest)
    unchecked = False
    for number, signature in enumerate(export["signatures"], start=1):
        who = f"signature {number} ({signature['signer']})"
        if signature["digest"] != digest:
            raise Mismatch(f"{who} was made over another version of the record")
        entry = export["keys"].get(signature["fingerprint"])
        if entry is None:
            raise Mismatch(f"{who}: its key {signature['fingerprint'][:16]}… is not in the export")
        der, bound = _check_binding(entry, signature, centre_key, who)
        ok = _p256_verify(der, base64.b64decode(signature["signature"], validate=True), message)
        if ok is False:
            raise Mismatch(f"{who}: the signature does not match the record")
        unchecked = unchecked or ok is None or bound is None
    out.append(f"record {export['project']} {export['kind']}: data hashes to {digest}")
    out.append(f"{len(export['signatures'])} signatures, keys bound when they signed: "
               + ("UNCHECKED (install cryptography)" if unchecked else "OK"))


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify the centre's audit log offline (RFC 9162).")
    parser.add_argument("kind", choices=["checkpoint", "inclusion", "consistency", "export", "receipt", "signatures"])
    parser.add_argument("file")
    parser.add_argument("--checkpoint")
    parser.add_argument("--old")
    parser.add_argument("--new")
    parser.add_argument("--proof")
    parser.add_argument("--log-key", help="the centre's verifier key: name+hash+base64 key")
    parser.add_argument("--witness-key", action="append", default=[],
                        help="a witness's verifier key (cosignature/v1); repeat for several")
    parser.add_argument("--quorum", type=int, help="how many of the witnesses must have cosigned (default: all)")
    parser.add_argument("--allow-unchecked", action="store_true",
                        help="accept that signatures stay unchecked when `cryptography` is not installed")
    args = parser.parse_args(argv)
    out: list = []
    try:
        witnesses = Witnesses(args.witness_key, args.quorum)
        document = _load(args.file)
        if args.kind == "checkpoint":
            size, root = check_checkpoint(document, args.log_key, out, witnesses)
            out.append(f"tree of {size} entries, root {root.hex()}")
        elif args.kind == "inclusion":
            size, root = check_checkpoint(_load(args.checkpoint), args.log_key, out, witnesses)
            check_inclusion(document, size, root)
            out.append(f"leaf {document['leaf_index']} is in the tree of {size}")
        elif args.kind == "consistency":
            old_size, old_root = check_checkpoint(_load(args.old), args.log_key, out)
            new_size, new_root = check_checkpoint(_load(args.new), args.log_key, out, witnesses)
            if (document["first"], document["second"]) != (old_size, new_size):
                raise Mismatch("the proof is for other tree sizes than the two checkpoints")
            path = [_hex(h, "a consistency path hash") for h in document["consistency_path"]]
            verify_consistency(old_size, new_size, old_root, new_root, path)
            out.append(f"the tree of {new_size} extends the tree of {old_size}")
        elif args.kind == "export":
            check_export(document, args.log_key, out, witnesses)
        elif args.kind == "signatures":
            if not args.log_key:
                raise Mismatch("key bindings are checked against the centre's key: give --log-key")
            check_signatures(document, args.log_key, out)
        else:
            if not args.log_key:
                raise Mismatch("a receipt is checked against the centre's key: give --log-key")
            check_receipt(document, args.log_key, out)
            if args.proof:
                size, root = check_checkpoint(_load(args.checkpoint), args.log_key, out, witnesses)
                proof = _load(args.proof)
                if proof["leaf_hash"] != document["leaf_hash"]:
                    raise Mismatch("the proof is for another leaf than the receipt's")
                check_inclusion(proof, size, root)
                out.append(f"the receipt's leaf is entry {proof['leaf_index']} of the tree of {size}")
    except (Mismatch, KeyError, TypeError, ValueError, OSError, AttributeError) as exc:
        problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        print(f"FAILED: {problem}")
        return 1
    checked_signatures = args.log_key or args.witness_key
    if checked_signatures and any("UNCHECKED" in line for line in out) and not args.allow_unchecked:
        print("NOT VERIFIED: a signature could not be checked (install `cryptography`, or pass --allow-unchecked "
              "to accept the rest of the checks without it)")
        for line in out:
            print(f"  {line}")
        return 3
    print("OK")
    for line in out:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
