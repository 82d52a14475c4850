"""Bid files sealed at the bidder, scheme ``bidfile-v1`` (the ceremony: docs/evaluation.md).

The bidder's browser (static/js/bidfile.js) is the dealer of its own bid; this module is the same scheme in
Python, for the server's half (checking shares, combining, opening) and for tests and other clients playing the
browser's half. No Django here.

1. Each key holder (a supervisor, or the project's agency: see opening_key_register) makes an ECDH P-256 key pair in
   their browser and registers only the public key (a JWK). Holder ``i`` holds share point ``x = i``.
2. The bidder's browser makes a random 256-bit content key ``K`` and encrypts the *package* (the price schedule
   as JSON and the PDF, see ``package``) with AES-256-GCM under ``K``, AAD ``content_aad``. The stored object is
   ``nonce(12) ‖ ciphertext‖tag``; its SHA-256 goes on the receipt.
3. ``K`` is split k-of-n with Shamir over GF(256) (``evaluation.sealing``, the same field); share ``i`` is
   encrypted to holder ``i``'s public key: an ephemeral P-256 key, ECDH, HKDF-SHA256 (no salt, info = the scheme,
   the ephemeral and the holder's public points) and AES-256-GCM with AAD ``share_aad`` (project, round, bidder,
   holder position and fingerprint).
4. ``key_commitment`` = SHA-256(K) binds the key (AES-GCM is not key-committing: another key could open a
   crafted ciphertext to other contents); ``share_digest`` of each share lets the server refuse a wrong share
   the moment it is posted, before it is combined with anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from evaluation.sealing import recover_secret, split_secret

SCHEME = "bidfile-v1"
KEY_SIZE = 32
NONCE_SIZE = 12
POINT_SIZE = 65  # an uncompressed P-256 point: 0x04 ‖ x ‖ y
_LENGTH = struct.Struct(">I")


class BidFileError(ValueError):
    """Something of a sealed bid file that does not check: the message says what, in English for logs."""


# --- keys --------------------------------------------------------------------------------------------------


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_from_jwk(jwk: Any) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from its JWK ({"kty": "EC", "crv": "P-256", "x", "y"}); a point off the curve is refused."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise BidFileError("not a P-256 public JWK")
    try:
        x, y = _b64url_decode(str(jwk["x"])), _b64url_decode(str(jwk["y"]))
        if len(x) != 32 or len(y) != 32:
            raise BidFileError("JWK coordinates must be 32 bytes")
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
    except (KeyError, ValueError, TypeError) as error:
        raise BidFileError(f"not a P-256 public key: {error}") from error


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    point = raw_point(key)
    return {"kty": "EC", "crv": "P-256", "x": _b64url(point[1:33]), "y": _b64url(point[33:])}


def private_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    d = key.private_numbers().private_value.to_bytes(32, "big")
    return {**public_jwk(key.public_key()), "d": _b64url(d)}


def private_key_from_jwk(jwk: dict[str, str]) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(_b64url_decode(jwk["d"]), "big"), ec.SECP256R1())


def raw_point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def key_fingerprint(key: ec.EllipticCurvePublicKey) -> str:
    """SHA-256 of the uncompressed point, hex: what a holder compares with the one printed on the key file."""
    return hashlib.sha256(raw_point(key)).hexdigest()


# --- contexts ---------------------------------------------------------------------------------------------


def content_aad(project: str, round_no: int, bidder: str) -> bytes:
    return f"{SCHEME}|{project}|{round_no}|{bidder}".encode()


def share_aad(project: str, round_no: int, bidder: str, position: int, holder_fingerprint: str) -> bytes:
    return f"{SCHEME}-share|{project}|{round_no}|{bidder}|{position}|{holder_fingerprint}".encode()


def share_digest(position: int, value: bytes) -> str:
    return hashlib.sha256(f"{SCHEME}-share|{position}|".encode() + value).hexdigest()


def key_commitment(content_key: bytes) -> str:
    return hashlib.sha256(content_key).hexdigest()


# --- the package: price schedule and PDF ---------------------------------------------------------------------


def package(schedule: dict[str, Any], pdf: bytes) -> bytes:
    """uint32 big-endian length of the schedule's UTF-8 JSON ‖ that JSON ‖ the PDF bytes."""
    text = json.dumps(schedule, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return _LENGTH.pack(len(text)) + text + pdf


def unpackage(data: bytes) -> tuple[dict[str, Any], bytes]:
    if len(data) < _LENGTH.size:
        raise BidFileError("package is truncated")
    (length,) = _LENGTH.unpack_from(data)
    if length > len(data) - _LENGTH.size:
        raise BidFileError("package schedule length runs past its end")
    try:
        schedule = json.loads(data[_LENGTH.size:_LENGTH.size + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BidFileError("package schedule is not JSON") from error
    if not isinstance(schedule, dict):
        raise BidFileError("package schedule is not a JSON object")
    return schedule, data[_LENGTH.size + length:]


def encrypt_content(content_key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    return nonce + AESGCM(content_key).encrypt(nonce, plaintext, aad)


def decrypt_content(content_key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < NONCE_SIZE + 16:
        raise BidFileError("ciphertext is truncated")
    try:
        return AESGCM(content_key).decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)
    except InvalidTag as error:
        raise BidFileError("ciphertext does not open under this key and context") from error


# --- wrapped shares ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrappedShare:
    """Share ``position`` of a bid's content key, encrypted to the holder at that position."""

    position: int
    ephemeral: bytes  # uncompressed P-256 point
    nonce: bytes
    ciphertext: bytes
    digest: str  # share_digest(position, value)

    def as_json(self) -> dict[str, Any]:
        return {"position": self.position, "ephemeral": self.ephemeral.hex(), "nonce": self.nonce.hex(),
                "ciphertext": self.ciphertext.hex(), "share_sha256": self.digest}

    @classmethod
    def from_json(cls, data: Any) -> WrappedShare:
        try:
            share = cls(int(data["position"]), bytes.fromhex(data["ephemeral"]), bytes.fromhex(data["nonce"]),
                        bytes.fromhex(data["ciphertext"]), str(data["share_sha256"]).lower())
        except (KeyError, TypeError, ValueError) as error:
            raise BidFileError(f"not a wrapped share: {error}") from error
        if len(share.ephemeral) != POINT_SIZE or len(share.nonce) != NONCE_SIZE \
                or len(share.ciphertext) != KEY_SIZE + 16 or not _is_hex64(share.digest):
            raise BidFileError("a wrapped share has the wrong shape")
        return share


def _is_hex64(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _wrapping_key(shared: bytes, ephemeral: bytes, holder: bytes) -> bytes:
    info = f"{SCHEME}-wrap".encode() + ephemeral + holder
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=info).derive(shared)


def wrap_share(holder: ec.EllipticCurvePublicKey, position: int, value: bytes, aad: bytes) -> WrappedShare:
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    ephemeral_point = raw_point(ephemeral.public_key())
    kek = _wrapping_key(ephemeral.exchange(ec.ECDH(), holder), ephemeral_point, raw_point(holder))
    nonce = secrets.token_bytes(NONCE_SIZE)
    return WrappedShare(position, ephemeral_point, nonce, AESGCM(kek).encrypt(nonce, value, aad),
                        share_digest(position, value))


def unwrap_share(holder: ec.EllipticCurvePrivateKey, wrapped: WrappedShare, aad: bytes) -> bytes:
    try:
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), wrapped.ephemeral)
        kek = _wrapping_key(holder.exchange(ec.ECDH(), ephemeral), wrapped.ephemeral, raw_point(holder.public_key()))
        return AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, aad)
    except (InvalidTag, ValueError) as error:
        raise BidFileError("the share does not open with this key and context") from error


# --- the key --------------------------------------------------------------------------------------------------


def combine_key(points: Sequence[tuple[int, bytes]], commitment: str) -> bytes:
    """The content key from k shares, or refused when it is not the committed one."""
    if any(len(value) != KEY_SIZE for _, value in points):
        raise BidFileError("a share has the wrong length")
    key = recover_secret(list(points))
    if key_commitment(key) != commitment:
        raise BidFileError("the shares do not rebuild the committed content key")
    return key


@dataclass(frozen=True)
class SealedBidFile:
    """What a bidder's browser sends (the ciphertext goes to the object store, the rest to the database)."""

    ciphertext: bytes
    ciphertext_sha256: str
    key_commitment: str
    shares: list[WrappedShare]
    context: str


def seal_bid_file(*, project: str, round_no: int, bidder: str, schedule: dict[str, Any], pdf: bytes,
                  holders: Sequence[ec.EllipticCurvePublicKey], threshold: int) -> SealedBidFile:
    """The browser's half in Python (tests and non-browser clients): holders in position order 1..n."""
    content_key = secrets.token_bytes(KEY_SIZE)
    aad = content_aad(project, round_no, bidder)
    blob = encrypt_content(content_key, package(schedule, pdf), aad)
    points = split_secret(content_key, len(holders), threshold)
    shares = [wrap_share(holder, x, y, share_aad(project, round_no, bidder, x, key_fingerprint(holder)))
              for holder, (x, y) in zip(holders, points, strict=True)]
    return SealedBidFile(blob, hashlib.sha256(blob).hexdigest(), key_commitment(content_key), shares, aad.decode())
