"""The centre's Ed25519 signing key: what signs a dossier's manifest (and, reused by audit.signing, the audit log's
checkpoints). One key file, SIGNING_KEY_PATH (PKCS#8 PEM, unencrypted, mode 0600), made on first use when it does
not exist yet; anyone checks a signature with the public key, published as `public_key_pem()` and named by
`key_id()` (SHA-256 of the 32 raw public-key bytes, lower-case hex)."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "Ed25519"


def _path() -> Path:
    return Path(settings.SIGNING_KEY_PATH)


def load_private_key() -> Ed25519PrivateKey:
    """The centre's key, generated and written with mode 0600 the first time (O_EXCL: two processes starting
    at once make one key, and the loser reads the winner's)."""
    return _load(str(_path()))


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Ed25519PrivateKey:
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(target.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{target} does not hold an Ed25519 private key")
    return key


def public_key() -> Ed25519PublicKey:
    return load_private_key().public_key()


def public_key_pem() -> str:
    return public_key().public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def key_id() -> str:
    raw = public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `data`."""
    return load_private_key().sign(data)


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
