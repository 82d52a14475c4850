"""The object-store contract both stores keep, and the small pure pieces they share (errors, key rules,
streaming hash, signed URL tokens). No Django here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO, Protocol, runtime_checkable

CHUNK = 1024 * 1024


class ObjectStoreError(Exception):
    """Base of every refusal an object store raises."""


class ObjectExists(ObjectStoreError):
    pass


class ObjectNotFound(ObjectStoreError):
    pass


class ObjectRetained(ObjectStoreError):
    pass


class ObjectOnHold(ObjectStoreError):
    pass


class RetentionNotShortened(ObjectStoreError):
    pass


class StreamMismatch(ObjectStoreError):
    """The stream was not the size (or, between two passes, not the bytes) it was said to be."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    version_id: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    version_id: str
    sha256: str
    size: int
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    retention_until: datetime | None = None
    legal_hold: bool = False
    last_modified: datetime | None = None


@runtime_checkable
class ObjectStore(Protocol):
    """Write-once objects with retention and legal hold; the same rules on every implementation."""

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        size: int | None = None,
        content_type: str,
        metadata: dict[str, str],
        retention_until: datetime | None,
        legal_hold: bool = False,
    ) -> StoredObject: ...

    def open(self, key: str, version_id: str | None = None) -> BinaryIO: ...

    def stat(self, key: str, version_id: str | None = None) -> ObjectInfo: ...

    def delete(self, key: str, version_id: str, *, now: datetime) -> None: ...

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None: ...

    def extend_retention(self, key: str, version_id: str, until: datetime) -> None: ...

    def presigned_url(self, key: str, version_id: str, expires: timedelta) -> str: ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def abort_incomplete_uploads(self, older_than: datetime) -> int: ...


_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+-]*$")
_METADATA_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
RESERVED_METADATA = frozenset({"sha256"})


def check_key(key: str) -> str:
    """Keys are relative paths of plain segments, so that a key can never escape a filesystem root."""
    segments = key.split("/")
    if not key or len(key) > 900 or not all(_KEY_SEGMENT.match(s) and s not in {".", ".."} for s in segments):
        raise ValueError(f"invalid object key {key!r}: use '/'-separated segments of letters, digits and ._=+-")
    return key


def check_metadata(metadata: dict[str, str]) -> dict[str, str]:
    for name, value in metadata.items():
        if not _METADATA_NAME.match(name) or name in RESERVED_METADATA:
            raise ValueError(f"invalid metadata name {name!r}: lower-case letters, digits, - and _ (not sha256)")
        if not isinstance(value, str):
            raise ValueError(f"metadata {name!r} must be a string")
    return dict(metadata)


def check_retention(retention_until: datetime | None) -> None:
    if retention_until is not None and retention_until.tzinfo is None:
        raise ValueError("retention_until must be timezone-aware (UTC)")


def check_put(key: str, metadata: dict[str, str], retention_until: datetime | None) -> dict[str, str]:
    """The arguments every store checks before it reads a byte of the stream; returns the metadata to store."""
    check_key(key)
    check_retention(retention_until)
    return check_metadata(metadata)


def is_retained(retention_until: datetime | None, now: datetime) -> bool:
    return retention_until is not None and now < retention_until


def refuse_delete(info: ObjectInfo, now: datetime) -> None:
    """The application's own check, made on every store whether or not the server also enforces it."""
    if info.legal_hold:
        raise ObjectOnHold(f"{info.key} (version {info.version_id}) is under legal hold")
    if is_retained(info.retention_until, now):
        raise ObjectRetained(
            f"{info.key} (version {info.version_id}) is retained until {info.retention_until.isoformat()}"
        )


class HashingReader:
    """Reads a stream through SHA-256 and a byte count. With `expect`, it raises before handing out the last
    byte when the bytes differ from what a first pass saw, so a mismatching upload is never completed."""

    def __init__(self, stream: BinaryIO, *, expect: tuple[int, str] | None = None):
        self._stream = stream
        self._expect = expect
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n if n is not None and n >= 0 else CHUNK)
        self.hash.update(data)
        self.size += len(data)
        if self._expect is not None:
            expected_size, expected_sha = self._expect
            if self.size > expected_size:
                raise StreamMismatch(f"stream grew past {expected_size} bytes while it was uploaded")
            if (not data or self.size == expected_size) and self.hexdigest() != expected_sha:
                raise StreamMismatch("stream changed while it was uploaded (SHA-256 differs from the first pass)")
        return data

    def hexdigest(self) -> str:
        return self.hash.hexdigest()

    def drain(self) -> None:
        while self.read(CHUNK):
            pass


def check_size(expected: int | None, actual: int) -> None:
    if expected is not None and expected != actual:
        raise StreamMismatch(f"stream had {actual} bytes, {expected} were announced")


# --- signed URL tokens for stores the application serves itself ---

_TOKEN_DOMAIN = b"jiaoyi-object-url-v1\n"


def sign_url_token(secret: bytes, key: str, version_id: str, expires_at: int) -> str:
    message = _TOKEN_DOMAIN + f"{key}\n{version_id}\n{expires_at}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_is_valid(secret: bytes, key: str, version_id: str, expires_at: int, token: str, *, now: datetime) -> bool:
    if now.timestamp() >= expires_at:
        return False
    return hmac.compare_digest(sign_url_token(secret, key, version_id, expires_at), token)
