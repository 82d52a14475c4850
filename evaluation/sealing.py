"""Sealed bids: a ciphertext nobody can open before the bid opening, because the key does not exist yet.

Scheme ``seal-v1``
------------------
1. When a project round is opened for bids, ``new_opening_key(n, k)`` makes an X25519 key pair. The public
   key is stored and published; the private key is split at once with Shamir secret sharing over GF(256)
   into ``n`` shares, any ``k`` of which rebuild it, and the whole private key is then dropped. Each share
   goes to one on-site key holder (the supervisors and the agency), never to the database.
2. A bidder's submission is encrypted at once with a fresh random 256-bit content key under AES-256-GCM;
   the content key is wrapped to the opening public key (ephemeral X25519 agreement, HKDF-SHA256 bound to
   both public keys, AES-256-GCM). ``aad`` (the project round and the bidder) is authenticated by both
   layers, so a blob moved to another bidder or round no longer opens.
3. At the opening, ``k`` holders present their shares; ``combine`` rebuilds the private key, checked
   against the public key's fingerprint carried by every share, and ``unseal`` opens each bid.

Why this meets "readable by no one until the opening": before the opening the only things stored are the
public key and ciphertexts, and a public key opens nothing. The private key exists whole only in memory at
keygen (for the split) and again after ``k`` holders meet; fewer than ``k`` shares carry no information
about it at all (Shamir), so no single person — agency, administrator, database reader, or any coalition
of fewer than ``k`` holders — can decrypt early. AES-GCM makes any change to the ciphertext, the wrapped
key or the context fail loudly instead of yielding a different bid.

Receipts: the bidder keeps ``Receipt`` = SHA-256 of exactly the submitted plaintext and of the stored
envelope. Only the envelope digest should be stored beside the ciphertext before the opening: a bid's
plaintext is often guessable (a price), and its bare hash would give it away to a dictionary.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SCHEME = b"seal-v1"
KEY_SIZE = 32
NONCE_SIZE = 12
_ENVELOPE_HEADER = struct.Struct(">7s32s12s12sI")  # scheme, ephemeral key, wrap nonce, nonce, wrapped length


class SealError(ValueError):
    """A blob that does not open: tampered, wrong key, or wrong context."""


class ShareError(ValueError):
    """Shares that cannot rebuild the opening key."""


# --- Shamir secret sharing over GF(256), AES polynomial x^8 + x^4 + x^3 + x + 1 -----------------------


def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 510, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = value
        log[value] = power
        value ^= (value << 1) ^ (0x11B if value & 0x80 else 0)  # multiply by the generator 3
    exp[255:510] = exp[0:255]
    return exp, log


_EXP, _LOG = _gf_tables()


def gf_mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] - _LOG[b] + 255]


@dataclass(frozen=True)
class Share:
    """One key holder's share: point ``index`` (1..255) of the polynomials, and the key's fingerprint."""

    index: int
    threshold: int
    value: bytes
    fingerprint: str  # SHA-256 of the opening public key, hex

    def encode(self) -> str:
        return f"seal-v1-share:{self.threshold}:{self.index}:{self.value.hex()}:{self.fingerprint}"

    @classmethod
    def decode(cls, text: str) -> Share:
        try:
            scheme, threshold, index, value, fingerprint = text.strip().split(":")
            share = cls(int(index), int(threshold), bytes.fromhex(value), fingerprint)
        except ValueError as error:
            raise ShareError(f"not a seal-v1 share: {text[:40]!r}") from error
        if scheme != "seal-v1-share":
            raise ShareError(f"not a seal-v1 share: {text[:40]!r}")
        return share


def split_secret(secret: bytes, n: int, k: int) -> list[tuple[int, bytes]]:
    """``n`` points of random degree-``k - 1`` polynomials whose constant terms are the secret's bytes."""
    if not 2 <= k <= n <= 255:
        raise ValueError(f"need 2 <= k <= n <= 255 key holders, got k={k}, n={n}")
    coefficients = [secrets.token_bytes(len(secret)) for _ in range(k - 1)]
    points = []
    for x in range(1, n + 1):
        y = bytearray(secret)
        power = 1
        for coefficient in coefficients:
            power = gf_mul(power, x)
            for position, byte in enumerate(coefficient):
                y[position] ^= gf_mul(byte, power)
        points.append((x, bytes(y)))
    return points


def recover_secret(points: Sequence[tuple[int, bytes]]) -> bytes:
    """Lagrange interpolation at x = 0 (in GF(2^8) subtraction is XOR)."""
    xs = [x for x, _ in points]
    if len(set(xs)) != len(xs) or 0 in xs:
        raise ShareError(f"share indexes must be distinct and non-zero, got {sorted(xs)}")
    secret = bytearray(len(points[0][1]))
    for i, (x_i, y_i) in enumerate(points):
        basis = 1
        for j, x_j in enumerate(xs):
            if j != i:
                basis = gf_mul(basis, gf_div(x_j, x_j ^ x_i))
        for position, byte in enumerate(y_i):
            secret[position] ^= gf_mul(byte, basis)
    return bytes(secret)


# --- opening key ------------------------------------------------------------------------------------


def fingerprint(public_key_bytes: bytes) -> str:
    return hashlib.sha256(public_key_bytes).hexdigest()


def new_opening_key(n: int, k: int) -> tuple[bytes, list[Share]]:
    """The round's public key and ``n`` shares of its private key, ``k`` of which open the bids."""
    private_key = X25519PrivateKey.generate()
    public = private_key.public_key().public_bytes_raw()
    points = split_secret(private_key.private_bytes_raw(), n, k)
    return public, [Share(x, k, y, fingerprint(public)) for x, y in points]


def combine(shares: Sequence[Share]) -> X25519PrivateKey:
    """Rebuild the opening private key from at least ``threshold`` shares, or refuse."""
    if not shares:
        raise ShareError("no shares presented")
    first = shares[0]
    if any((s.threshold, s.fingerprint) != (first.threshold, first.fingerprint) for s in shares):
        raise ShareError("shares belong to different opening keys")
    if len(shares) < first.threshold:
        raise ShareError(f"{len(shares)} shares presented, {first.threshold} needed")
    if any(len(s.value) != KEY_SIZE for s in shares):
        raise ShareError("a share has the wrong length")
    private_key = X25519PrivateKey.from_private_bytes(recover_secret([(s.index, s.value) for s in shares]))
    if fingerprint(private_key.public_key().public_bytes_raw()) != first.fingerprint:
        raise ShareError("the shares do not rebuild the opening key (a share is wrong or altered)")
    return private_key


# --- sealing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    plaintext_sha256: str
    ciphertext_sha256: str  # of the stored envelope, ``SealedBlob.to_bytes()``


@dataclass(frozen=True)
class SealedBlob:
    ephemeral_public: bytes
    wrap_nonce: bytes
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes
    # Only set by ``seal``: handed to the bidder, not stored (see the module docstring).
    receipt: Receipt | None = field(default=None, compare=False, repr=False)

    def to_bytes(self) -> bytes:
        header = _ENVELOPE_HEADER.pack(
            SCHEME, self.ephemeral_public, self.wrap_nonce, self.nonce, len(self.wrapped_key)
        )
        return header + self.wrapped_key + self.ciphertext

    @classmethod
    def from_bytes(cls, data: bytes) -> SealedBlob:
        if len(data) < _ENVELOPE_HEADER.size:
            raise SealError("sealed blob is truncated")
        scheme, ephemeral, wrap_nonce, nonce, wrapped_length = _ENVELOPE_HEADER.unpack_from(data)
        if scheme != SCHEME:
            raise SealError(f"unknown sealing scheme {scheme!r}")
        body = data[_ENVELOPE_HEADER.size :]
        return cls(ephemeral, wrap_nonce, body[:wrapped_length], nonce, body[wrapped_length:])

    @property
    def ciphertext_sha256(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()


def _wrapping_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    info = SCHEME + ephemeral_public + recipient_public
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=info).derive(shared)


def seal(public_key_bytes: bytes, plaintext: bytes, *, aad: bytes) -> SealedBlob:
    recipient = X25519PublicKey.from_public_bytes(public_key_bytes)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    kek = _wrapping_key(ephemeral.exchange(recipient), ephemeral_public, public_key_bytes)
    content_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce, nonce = secrets.token_bytes(NONCE_SIZE), secrets.token_bytes(NONCE_SIZE)
    blob = SealedBlob(
        ephemeral_public=ephemeral_public,
        wrap_nonce=wrap_nonce,
        wrapped_key=AESGCM(kek).encrypt(wrap_nonce, content_key, aad),
        nonce=nonce,
        ciphertext=AESGCM(content_key).encrypt(nonce, plaintext, aad),
    )
    return replace(blob, receipt=Receipt(hashlib.sha256(plaintext).hexdigest(), blob.ciphertext_sha256))


def unseal(private_key: X25519PrivateKey, blob: SealedBlob, *, aad: bytes) -> bytes:
    recipient_public = private_key.public_key().public_bytes_raw()
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(blob.ephemeral_public))
        kek = _wrapping_key(shared, blob.ephemeral_public, recipient_public)
        content_key = AESGCM(kek).decrypt(blob.wrap_nonce, blob.wrapped_key, aad)
        return AESGCM(content_key).decrypt(blob.nonce, blob.ciphertext, aad)
    except (InvalidTag, ValueError) as error:
        raise SealError(
            "sealed bid does not open: the ciphertext or its context was altered, or this is not its key"
        ) from error


def receipt_matches(receipt: Receipt, plaintext: bytes, blob: SealedBlob) -> bool:
    """At the opening: the bid opened is exactly the one the bidder's receipt names."""
    return receipt == Receipt(hashlib.sha256(plaintext).hexdigest(), blob.ciphertext_sha256)
