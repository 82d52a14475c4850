"""Check a dossier ZIP from its bytes alone (no database): every file the manifest lists, with its SHA-256; the
centre's Ed25519 signature of the manifest, against the public key the centre publishes; and each PDF record's
footer digest recomputed from the record data stored beside it (records/X.json is the canonical JSON whose
SHA-256 records/X.pdf prints on its last page and carries as `content-sha256:` in its document information)."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIGNATURE = "manifest.sig.json"
PDF_DIGEST = re.compile(rb"content-sha256:([0-9a-f]{64})")


def check_dossier(source: str | Path | BinaryIO, public_key_pem: str | bytes | None = None) -> list[str]:
    """The problems found (an empty list: the dossier is whole, signed and every record's digest recomputes).
    Without `public_key_pem` the signature is checked against the key inside the dossier, which only shows the
    dossier was not changed after signing by someone without that key: give the centre's published key."""
    with zipfile.ZipFile(source) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    if "manifest.json" not in files:
        return ["no manifest.json"]
    manifest = json.loads(files["manifest.json"])
    problems = _check_listed(files, manifest) + _check_signature(files, manifest, public_key_pem)
    return problems + _check_record_digests(files)


def _check_listed(files: dict[str, bytes], manifest: dict) -> list[str]:
    problems, listed = [], {entry["path"] for entry in manifest.get("files", [])}
    for entry in manifest.get("files", []):
        content = files.get(entry["path"])
        if content is None:
            problems.append(f"{entry['path']}: listed in the manifest, missing from the dossier")
        elif hashlib.sha256(content).hexdigest() != entry["sha256"] or len(content) != entry["size"]:
            problems.append(f"{entry['path']}: SHA-256 or size differs from the manifest")
    problems += [f"{name}: in the dossier, not in the manifest"
                 for name in sorted(set(files) - listed - {"manifest.json", SIGNATURE})]
    return problems


def _check_signature(files: dict[str, bytes], manifest: dict, public_key_pem: str | bytes | None) -> list[str]:
    if SIGNATURE not in files:
        return [f"no {SIGNATURE}: the manifest is not signed"]
    signed = json.loads(files[SIGNATURE])
    pem = public_key_pem if public_key_pem is not None else signed.get("public_key_pem", "")
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey) or signed.get("algorithm") != "Ed25519":
        return ["the signature is not an Ed25519 signature under an Ed25519 key"]
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    problems = []
    if hashlib.sha256(raw).hexdigest() != manifest.get("signing_key_id"):
        problems.append("the manifest names another signing key than the one given")
    try:
        key.verify(bytes.fromhex(signed.get("signature", "")), files["manifest.json"])
    except (InvalidSignature, ValueError):
        problems.append("the manifest's signature does not verify")
    return problems


def _check_record_digests(files: dict[str, bytes]) -> list[str]:
    problems = []
    for name in sorted(n for n in files if n.startswith("records/") and n.endswith(".pdf")):
        data_name = name[:-4] + ".json"
        printed = PDF_DIGEST.search(files[name])
        if data_name not in files:
            problems.append(f"{name}: no record data {data_name} to recompute its digest from")
        elif printed is None:
            problems.append(f"{name}: carries no content digest")
        elif hashlib.sha256(files[data_name]).hexdigest() != printed[1].decode():
            problems.append(f"{name}: its digest is not the SHA-256 of {data_name}")
    return problems
