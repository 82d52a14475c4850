"""The embedded object store: files under one root, with the S3 store's rules enforced by the application.

Layout, one directory per key (a key never collides with a version file: key segments start with a letter or
digit, store files with '@'):

    <root>/objects/<key>/@data        the bytes, read-only
    <root>/objects/<key>/@meta.json   version id, sha256, size, content type, metadata, retention, hold
    <root>/tmp/                       uploads in progress (same filesystem, so the final step is a link)

A key is claimed by hard-linking its sidecar into place, which fails if one is there already: two uploads to
one key cannot both win. The sidecar is written before the data, so bytes never exist without their
retention; a sidecar without data is an interrupted upload that `abort_incomplete_uploads` clears.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

from .base import (
    CHUNK,
    HashingReader,
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    RetentionNotShortened,
    StoredObject,
    check_key,
    check_put,
    check_retention,
    check_size,
    refuse_delete,
    sign_url_token,
    token_is_valid,
)

DATA, META = "@data", "@meta.json"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class FileStore:
    def __init__(
        self,
        root: str | os.PathLike,
        *,
        signing_secret: bytes = b"",
        url_prefix: str = "/objects/",
        clock: Callable[[], datetime] = _utcnow,
        fsync: bool = True,
    ):
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._secret = signing_secret
        self._url_prefix = url_prefix
        self._clock = clock
        self._fsync = fsync

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
        directory = self.objects / key
        if (directory / META).exists():
            raise ObjectExists(f"{key} exists; objects are written once")
        data_tmp = self.tmp / f"{uuid.uuid4().hex}.part"
        meta_tmp = data_tmp.with_suffix(".meta")
        try:
            reader = self._write_temp(stream, data_tmp)
            check_size(size, reader.size)
            stored = StoredObject(key, secrets.token_hex(16), reader.hexdigest(), reader.size)
            self._write_json(meta_tmp, {
                "version_id": stored.version_id, "sha256": stored.sha256, "size": stored.size,
                "content_type": content_type, "metadata": metadata, "retention_until": _iso(retention_until),
                "legal_hold": legal_hold, "created": _iso(self._clock()),
            })
            directory.mkdir(parents=True, exist_ok=True)
            try:
                os.link(meta_tmp, directory / META)
            except FileExistsError:
                raise ObjectExists(f"{key} exists; objects are written once") from None
            os.link(data_tmp, directory / DATA)
            return stored
        finally:
            data_tmp.unlink(missing_ok=True)
            meta_tmp.unlink(missing_ok=True)

    def _write_temp(self, stream: BinaryIO, path: Path) -> HashingReader:
        reader = HashingReader(stream)
        with open(path, "xb") as out:
            while chunk := reader.read(CHUNK):
                out.write(chunk)
            out.flush()
            if self._fsync:
                os.fsync(out.fileno())
        path.chmod(0o444)
        return reader

    def _write_json(self, path: Path, record: dict) -> None:
        with open(path, "x", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, sort_keys=True)
            out.flush()
            if self._fsync:
                os.fsync(out.fileno())
        path.chmod(0o444)

    # --- reading ---

    def stat(self, key: str, version_id: str | None = None) -> ObjectInfo:
        directory = self.objects / check_key(key)
        record = self._record(directory, key, version_id)
        return self._info(key, record)

    def open(self, key: str, version_id: str | None = None) -> BinaryIO:
        directory = self.objects / check_key(key)
        self._record(directory, key, version_id)
        return open(directory / DATA, "rb")

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        base = self.objects / prefix.rsplit("/", 1)[0] if "/" in prefix else self.objects
        if not base.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            if META in filenames and DATA in filenames:
                key = Path(dirpath).relative_to(self.objects).as_posix()
                if key.startswith(prefix):
                    with contextlib.suppress(ObjectNotFound):
                        yield self._info(key, self._record(Path(dirpath), key, None))

    def _record(self, directory: Path, key: str, version_id: str | None) -> dict:
        try:
            record = json.loads((directory / META).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        if not (directory / DATA).exists() or (version_id is not None and version_id != record["version_id"]):
            raise ObjectNotFound(f"{key} (version {version_id})")
        return record

    @staticmethod
    def _info(key: str, record: dict) -> ObjectInfo:
        return ObjectInfo(
            key=key, version_id=record["version_id"], sha256=record["sha256"], size=record["size"],
            content_type=record["content_type"], metadata=record["metadata"],
            retention_until=_from_iso(record["retention_until"]), legal_hold=record["legal_hold"],
            last_modified=_from_iso(record["created"]),
        )

    # --- retention, hold, deletion ---

    @contextlib.contextmanager
    def _locked(self):
        """One lock for every read-modify-write of a sidecar, so a hold set during a purge is never lost."""
        with open(self.tmp / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _update(self, key: str, version_id: str, change: Callable[[dict], None]) -> None:
        directory = self.objects / check_key(key)
        with self._locked():
            record = self._record(directory, key, version_id)
            change(record)
            tmp = self.tmp / f"{uuid.uuid4().hex}.meta"
            self._write_json(tmp, record)
            os.replace(tmp, directory / META)

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        self._update(key, version_id, lambda record: record.update(legal_hold=bool(on)))

    def extend_retention(self, key: str, version_id: str, until: datetime) -> None:
        check_retention(until)

        def extend(record: dict) -> None:
            current = _from_iso(record["retention_until"])
            if current is not None and until < current:
                raise RetentionNotShortened(f"{key} is retained until {current.isoformat()}; retention only grows")
            record["retention_until"] = _iso(until)

        self._update(key, version_id, extend)

    def delete(self, key: str, version_id: str, *, now: datetime) -> None:
        directory = self.objects / check_key(key)
        with self._locked():
            refuse_delete(self._info(key, self._record(directory, key, version_id)), now)
            (directory / DATA).unlink()
            (directory / META).unlink()
        self._prune(directory)

    def _prune(self, directory: Path) -> None:
        while directory != self.objects:
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    def abort_incomplete_uploads(self, older_than: datetime) -> int:
        """Remove temp files and data-less sidecars of uploads interrupted before `older_than`."""
        cutoff, removed = older_than.timestamp(), 0
        for path in self.tmp.iterdir():
            if path.name != ".lock" and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        for dirpath, _dirnames, filenames in os.walk(self.objects):
            meta = Path(dirpath) / META
            if META in filenames and DATA not in filenames and meta.stat().st_mtime < cutoff:
                meta.unlink(missing_ok=True)
                removed += 1
        return removed

    # --- links the application serves itself ---

    def presigned_url(self, key: str, version_id: str, expires: timedelta) -> str:
        self.stat(key, version_id)
        expires_at = int((self._clock() + expires).timestamp())
        token = sign_url_token(self._require_secret(), key, version_id, expires_at)
        query = urlencode({"version": version_id, "expires": expires_at, "token": token})
        return f"{self._url_prefix}{quote(key)}?{query}"

    def verify_url(self, key: str, version_id: str, expires_at: int, token: str) -> bool:
        """For the view that serves `presigned_url` links: the token matches and has not expired."""
        return token_is_valid(self._require_secret(), key, version_id, expires_at, token, now=self._clock())

    def _require_secret(self) -> bytes:
        if not self._secret:
            raise ValueError("FileStore needs signing_secret to sign or check URLs")
        return self._secret
