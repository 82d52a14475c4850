"""The centre's Ed25519 signing key: checkpoints of the audit log, receipts, dossier manifests (whose signature
names the key by `fingerprint()`, SHA-256 of the raw public key, and carries `public_key_pem()`).

The key lives in one PEM file (SIGNING_KEY_PATH), created with mode 0600 on first use so that `make run` needs
no ceremony; in production the operator creates it once and keeps a copy offline (docs/transparency.md, "Key
rotation"). Signatures follow C2SP signed notes: a verifier key is `name+hash+base64(0x01 || public key)`, and
a signature line names the key by the first four bytes of SHA-256(name || 0x0A || 0x01 || public key)."""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ED25519 = 0x01
ALGORITHM = "Ed25519"


def generate_key_file(path: Path) -> None:
    """A new private key at `path`, readable by its owner only; an existing file is never replaced."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first: use theirs
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


@lru_cache(maxsize=4)
def _key(path: str) -> Ed25519PrivateKey:
    if not Path(path).exists():
        generate_key_file(Path(path))
    return read_private_key(Path(path))


def load_private_key() -> Ed25519PrivateKey:
    return _key(str(settings.SIGNING_KEY_PATH))


def public_key_raw(key: Ed25519PrivateKey | None = None) -> bytes:
    return (key or load_private_key()).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key() -> Ed25519PublicKey:
    return load_private_key().public_key()


def public_key_pem() -> str:
    return public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def fingerprint() -> str:
    """SHA-256 of the raw public key, lower-case hex: how a dossier's signature names the key."""
    return hashlib.sha256(public_key_raw()).hexdigest()


def verify(data: bytes, signature: bytes, public_pem: str | bytes) -> bool:
    """Whether `signature` is the signature of `data` under the PEM public key (a published one, not ours)."""
    from cryptography.exceptions import InvalidSignature

    key = serialization.load_pem_public_key(public_pem.encode() if isinstance(public_pem, str) else public_pem)
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def key_hash(name: str, public_key: bytes, key_type: int = ED25519) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def key_id(name: str | None = None) -> str:
    """The four-byte key hash, hex, of the centre's key under `name` (the log's origin by default)."""
    return key_hash(name or settings.AUDIT_LOG_ORIGIN, public_key_raw()).hex()


def vkey(name: str | None = None, key: Ed25519PrivateKey | None = None, key_type: int = ED25519) -> str:
    """The C2SP verifier key that checks what this key signs under `name`."""
    name = name or settings.AUDIT_LOG_ORIGIN
    raw = public_key_raw(key)
    return f"{name}+{key_hash(name, raw, key_type).hex()}+{base64.b64encode(bytes([key_type]) + raw).decode()}"


def sign(message: bytes) -> bytes:
    return load_private_key().sign(message)


def note_signature_line(text: str, name: str | None = None) -> str:
    """The signature line the centre's key adds to a signed note whose text is `text`."""
    name = name or settings.AUDIT_LOG_ORIGIN
    blob = key_hash(name, public_key_raw()) + sign(text.encode())
    return f"\u2014 {name} {base64.b64encode(blob).decode()}\n"
