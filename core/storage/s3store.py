"""The S3 store (minio SDK): every object written with COMPLIANCE retention and legal hold per version, so the
server refuses early deletion on its own, and the application refuses it first with the same rules.

The SHA-256 goes into the object's metadata (x-amz-meta-sha256) at write time: a multipart ETag is not a hash
of the bytes. S3 takes metadata before the body, so the stream is hashed in a first pass (seekable streams are
re-read; others are spooled to a temporary file) and checked again while it is sent; a stream that changes
between the passes aborts the upload before it completes — a locked object with a wrong hash could not be
removed for the whole retention period.

On a server without object lock the store falls back to application enforcement alone, with a warning:
retention and hold then live in a small sidecar object per version under `_jiaoyi/locks/` (a prefix no
application key can take: keys start with a letter or digit).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import BinaryIO
from urllib.parse import quote, unquote

from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention

from .base import (
    CHUNK,
    HashingReader,
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    ObjectRetained,
    RetentionNotShortened,
    StoredObject,
    check_key,
    check_put,
    check_retention,
    check_size,
    refuse_delete,
)

logger = logging.getLogger(__name__)

META_PREFIX = "x-amz-meta-"
LOCKS_PREFIX = "_jiaoyi/locks/"
NOT_FOUND = {"NoSuchKey", "NoSuchVersion", "NoSuchObject", "InvalidVersionId", "ResourceNotFound"}


class _Body(io.RawIOBase):
    """An S3 GET response as a file: closing it hands the connection back to the pool."""

    def __init__(self, response):
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._response.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()


def _version(version_id: str | None) -> str | None:
    return None if version_id in (None, "null") else version_id


class S3Store:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        *,
        region: str | None = None,
        part_size: int = 8 * 1024 * 1024,  # minio holds about five parts in memory at once
    ):
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure, region=region)
        self.bucket = bucket
        self.part_size = part_size
        if not self.client.bucket_exists(bucket):
            self.client.make_bucket(bucket, object_lock=True)
        self.object_lock = self._detect_object_lock()
        if not self.object_lock:
            message = (
                f"bucket {bucket!r} on {endpoint} has no object lock: retention and legal hold are enforced by "
                "the application only, and anyone with the bucket's keys can delete recordings early"
            )
            logger.warning(message)
            warnings.warn(message, RuntimeWarning, stacklevel=2)

    def _detect_object_lock(self) -> bool:
        try:
            self.client.get_object_lock_config(self.bucket)
        except S3Error:
            return False
        return True

    def supports_object_lock(self) -> bool:
        return self.object_lock

    # --- writing ---

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
    ) -> StoredObject:
        metadata = check_put(key, metadata, retention_until)
        if self._exists(key):
            raise ObjectExists(f"{key} exists; objects are written once")
        with self._hashed_source(stream) as (source, measured, sha256):
            check_size(size, measured)
            headers = {"sha256": sha256, **{name: quote(value, safe="") for name, value in metadata.items()}}
            locked = self.object_lock and retention_until is not None and retention_until > datetime.now(UTC)
            result = self.client.put_object(
                self.bucket, key, HashingReader(source, expect=(measured, sha256)), length=measured,
                part_size=self.part_size, content_type=content_type, metadata=headers,
                retention=Retention(COMPLIANCE, retention_until) if locked else None,
                legal_hold=legal_hold and self.object_lock,
            )
        stored = StoredObject(key, result.version_id or "null", sha256, measured)
        if not self.object_lock:
            self._write_lock_sidecar(key, stored.version_id, retention_until, legal_hold)
        return stored

    def _exists(self, key: str) -> bool:
        try:
            self.client.stat_object(self.bucket, key)
        except S3Error as error:
            if error.code in NOT_FOUND:
                return False
            raise
        return True

    @staticmethod
    @contextlib.contextmanager
    def _hashed_source(stream: BinaryIO) -> Iterator[tuple[BinaryIO, int, str]]:
        """A first pass for size and SHA-256: a seekable stream is re-read, any other is spooled to disk."""
        first = HashingReader(stream)
        if getattr(stream, "seekable", lambda: False)():
            start = stream.tell()
            first.drain()
            stream.seek(start)
            yield stream, first.size, first.hexdigest()
            return
        with tempfile.TemporaryFile() as spool:
            while chunk := first.read(CHUNK):
                spool.write(chunk)
            spool.seek(0)
            yield spool, first.size, first.hexdigest()

    # --- reading ---

    def stat(self, key: str, version_id: str | None = None) -> ObjectInfo:
        check_key(key)
        try:
            found = self.client.stat_object(self.bucket, key, version_id=_version(version_id))
        except S3Error as error:
            raise self._translate(error, key, version_id) from error
        headers = found.metadata
        user = {
            name.lower()[len(META_PREFIX):]: unquote(value)
            for name, value in headers.items()
            if name.lower().startswith(META_PREFIX) and name.lower() != META_PREFIX + "sha256"
        }
        info = ObjectInfo(
            key=key, version_id=found.version_id or "null", sha256=headers.get(META_PREFIX + "sha256", ""),
            size=found.size, content_type=found.content_type or "", metadata=user,
            retention_until=_parse_time(headers.get("x-amz-object-lock-retain-until-date")),
            legal_hold=headers.get("x-amz-object-lock-legal-hold", "").upper() == "ON",
            last_modified=found.last_modified,
        )
        if not self.object_lock:
            retention_until, legal_hold = self._read_lock_sidecar(key, info.version_id)
            info = ObjectInfo(**{**info.__dict__, "retention_until": retention_until, "legal_hold": legal_hold})
        return info

    def open(self, key: str, version_id: str | None = None) -> BinaryIO:
        check_key(key)
        try:
            response = self.client.get_object(self.bucket, key, version_id=_version(version_id))
        except S3Error as error:
            raise self._translate(error, key, version_id) from error
        return io.BufferedReader(_Body(response), buffer_size=CHUNK)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every stored version under `prefix` (not only the latest): a purge must see them all."""
        for item in self.client.list_objects(self.bucket, prefix=prefix, recursive=True, include_version=True):
            if item.is_delete_marker or item.object_name.startswith("_jiaoyi/"):
                continue
            try:
                yield self.stat(item.object_name, item.version_id or "null")
            except ObjectNotFound:
                continue

    # --- retention, hold, deletion ---

    def delete(self, key: str, version_id: str, *, now: datetime) -> None:
        refuse_delete(self.stat(key, version_id), now)
        try:
            self.client.remove_object(self.bucket, key, version_id=_version(version_id))
        except S3Error as error:
            if error.code == "AccessDenied":
                raise ObjectRetained(f"the S3 server refused to delete {key} (version {version_id})") from error
            raise
        if not self.object_lock:
            self.client.remove_object(self.bucket, self._lock_key(key, version_id))

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        info = self.stat(key, version_id)
        if not self.object_lock:
            self._write_lock_sidecar(key, version_id, info.retention_until, on)
        elif on:
            self.client.enable_object_legal_hold(self.bucket, key, version_id=_version(version_id))
        else:
            self.client.disable_object_legal_hold(self.bucket, key, version_id=_version(version_id))

    def extend_retention(self, key: str, version_id: str, until: datetime) -> None:
        check_retention(until)
        info = self.stat(key, version_id)
        if info.retention_until is not None and until < info.retention_until:
            raise RetentionNotShortened(
                f"{key} is retained until {info.retention_until.isoformat()}; retention only grows"
            )
        if not self.object_lock:
            self._write_lock_sidecar(key, version_id, until, info.legal_hold)
        elif until != info.retention_until:
            self.client.set_object_retention(
                self.bucket, key, Retention(COMPLIANCE, until), version_id=_version(version_id)
            )

    def abort_incomplete_uploads(self, older_than: datetime) -> int:
        aborted, key_marker, upload_marker = 0, None, None
        while True:
            page = self.client._list_multipart_uploads(  # noqa: SLF001 - the SDK has no public listing
                self.bucket, key_marker=key_marker, upload_id_marker=upload_marker
            )
            for upload in page.uploads:
                if upload.initiated_time and upload.initiated_time < older_than:
                    self.client._abort_multipart_upload(self.bucket, upload.object_name, upload.upload_id)  # noqa: SLF001
                    aborted += 1
            if not page.is_truncated:
                return aborted
            key_marker, upload_marker = page.next_key_marker, page.next_upload_id_marker

    def presigned_url(self, key: str, version_id: str, expires: timedelta) -> str:
        self.stat(key, version_id)
        return self.client.presigned_get_object(self.bucket, key, expires=expires, version_id=_version(version_id))

    # --- helpers ---

    def _translate(self, error: S3Error, key: str, version_id: str | None) -> Exception:
        if error.code in NOT_FOUND:
            return ObjectNotFound(f"{key} (version {version_id})")
        return error

    def _lock_key(self, key: str, version_id: str) -> str:
        return f"{LOCKS_PREFIX}{key}@{version_id}.json"

    def _write_lock_sidecar(self, key: str, version_id: str, until: datetime | None, hold: bool) -> None:
        body = json.dumps({"retention_until": until.isoformat() if until else None, "legal_hold": hold}).encode()
        self.client.put_object(
            self.bucket, self._lock_key(key, version_id), io.BytesIO(body), len(body),
            content_type="application/json",
        )

    def _read_lock_sidecar(self, key: str, version_id: str) -> tuple[datetime | None, bool]:
        try:
            response = self.client.get_object(self.bucket, self._lock_key(key, version_id))
        except S3Error as error:
            if error.code in NOT_FOUND:
                return None, False
            raise
        try:
            record = json.loads(response.read())
        finally:
            response.close()
            response.release_conn()
        return _parse_time(record["retention_until"]), bool(record["legal_hold"])


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
