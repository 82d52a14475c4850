"""Personal signing keys and the message a person signs for a record: ECDSA P-256 with SHA-256, as Web Crypto
makes and uses them. Django-free, so the record layer, the tests and the offline verifier (audit/logverify.py,
which repeats `record_message` and the signature conversion) agree on the bytes.

A public key travels as base64 of its SubjectPublicKeyInfo DER (Web Crypto's `exportKey("spki")`); its fingerprint
is SHA-256 of those DER bytes, lower-case hex. Web Crypto signs in IEEE P1363 form (r || s, 32 bytes each); the
`cryptography` package verifies DER, so the signature is converted (both forms carry the same two numbers)."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SUITE_P256 = "ecdsa-p256-sha256"
# the context string makes a signature over a record useless for anything else, and versions the layout
RECORD_CONTEXT = "jiaoyi record signature v1"
P1363_LENGTH = 64


class KeyRefused(ValueError):
    """Not a P-256 public key in SPKI form (the message says why, for a person)."""


def record_message(*, project: str, kind: str, digest: str) -> bytes:
    """What a signer's browser signs for a record: the context, the project's code, the record's kind and the
    SHA-256 (hex) of the record's canonical JSON, one per line, UTF-8."""
    return f"{RECORD_CONTEXT}\n{project}\n{kind}\n{digest}\n".encode()


def decode_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError) as exc:
        raise KeyRefused("not base64") from exc


def public_key_der(text: str) -> bytes:
    """The SPKI DER bytes of a base64 P-256 public key; KeyRefused for anything else."""
    der = decode_base64(text)
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError) as exc:
        raise KeyRefused("not a public key in SubjectPublicKeyInfo form") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyRefused("not an ECDSA P-256 key")
    return der


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def p1363_to_der(signature: bytes) -> bytes:
    if len(signature) != P1363_LENGTH:
        raise ValueError(f"a P-256 signature is {P1363_LENGTH} bytes (r || s), not {len(signature)}")
    return encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))


def verify(der: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` (P1363, as Web Crypto gives it) is the key's signature of `message`."""
    try:
        key = serialization.load_der_public_key(der)
        key.verify(p1363_to_der(signature), message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
