"""One contract, two stores: every test in the first part runs against FileStore and a real S3 server."""

from __future__ import annotations

import hashlib
import io
import os
import time
import tracemalloc
import urllib.error
import urllib.request
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from minio.error import S3Error

from core.storage import (
    FileStore,
    ObjectExists,
    ObjectNotFound,
    ObjectOnHold,
    ObjectRetained,
    RetentionNotShortened,
    StreamMismatch,
    get_store,
)

from .conftest import make_s3_store

MB = 1024 * 1024


def now() -> datetime:
    return datetime.now(UTC)


def put_bytes(store, key, data=b"recorded video bytes", **overrides):
    options = {"content_type": "video/mp4", "metadata": {"session": "42"}, "retention_until": None}
    options.update(overrides)
    return store.put(key, io.BytesIO(data), size=len(data), **options)


def after(store, moment: datetime) -> datetime:
    """A time after `moment`, for a store's `now`. FileStore judges retention by the `now` it is given; an S3
    server with object lock judges it by its own clock, which only real time moves: for S3 this waits."""
    if not isinstance(store, FileStore):
        time.sleep(max(0.0, (moment - now()).total_seconds()) + 0.2)
    return max(now(), moment + timedelta(seconds=0.2))


class GeneratedStream:
    """`total` pseudo-random bytes produced on demand: a stream that is never whole in memory anywhere."""

    def __init__(self, total: int):
        self.remaining, self.counter, self.hash = total, 0, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        n = min(self.remaining, MB if n is None or n < 0 else n)
        out = bytearray()
        while len(out) < n:
            self.counter += 1
            out += hashlib.sha256(self.counter.to_bytes(8, "big")).digest() * 128
        data = bytes(out[:n])
        self.remaining -= len(data)
        self.hash.update(data)
        return data


# --- the contract ---


def test_put_returns_version_sha256_and_size_of_the_streamed_bytes(store, key):
    data = os.urandom(3 * MB + 17)

    stored = put_bytes(store, key, data)

    assert (stored.key, stored.size, stored.sha256) == (key, len(data), hashlib.sha256(data).hexdigest())
    assert stored.version_id


def test_open_returns_the_bytes_and_stat_the_hash_metadata_and_retention(store, key):
    data = b"\x00\x01video" * 1000
    until = (now() + timedelta(hours=1)).replace(microsecond=0)
    stored = put_bytes(store, key, data, metadata={"session": "42", "room": "抽取室"}, retention_until=until)

    with store.open(key, stored.version_id) as stream:
        read_back = stream.read()
    info = store.stat(key, stored.version_id)

    assert read_back == data
    assert (info.sha256, info.size, info.content_type) == (stored.sha256, len(data), "video/mp4")
    assert info.metadata == {"session": "42", "room": "抽取室"}
    assert info.retention_until == until
    assert info.legal_hold is False


def test_an_existing_key_is_never_overwritten(store, key):
    first = put_bytes(store, key, b"original")

    with pytest.raises(ObjectExists):
        put_bytes(store, key, b"replacement")

    with store.open(key, first.version_id) as stream:
        assert stream.read() == b"original"


def test_delete_before_retention_ends_is_refused(store, key):
    stored = put_bytes(store, key, retention_until=now() + timedelta(hours=1))

    with pytest.raises(ObjectRetained):
        store.delete(key, stored.version_id, now=now())

    assert store.stat(key, stored.version_id).sha256 == stored.sha256


def test_delete_under_legal_hold_is_refused_even_after_retention_ends(store, key):
    until = now() + timedelta(seconds=1)
    stored = put_bytes(store, key, retention_until=until, legal_hold=True)

    with pytest.raises(ObjectOnHold):
        store.delete(key, stored.version_id, now=after(store, until))

    assert store.stat(key, stored.version_id).legal_hold is True


def test_delete_after_retention_ends_removes_the_version(store, key):
    until = now() + timedelta(seconds=1)
    stored = put_bytes(store, key, retention_until=until)

    store.delete(key, stored.version_id, now=after(store, until))

    with pytest.raises(ObjectNotFound):
        store.stat(key, stored.version_id)


def test_released_hold_lets_an_expired_object_be_purged(store, key):
    stored = put_bytes(store, key, retention_until=None)
    store.set_legal_hold(key, stored.version_id, True)
    with pytest.raises(ObjectOnHold):
        store.delete(key, stored.version_id, now=now())

    store.set_legal_hold(key, stored.version_id, False)
    store.delete(key, stored.version_id, now=now())

    assert list(store.list(key)) == []


def test_retention_can_be_extended_but_never_shortened(store, key):
    until = (now() + timedelta(hours=1)).replace(microsecond=0)
    stored = put_bytes(store, key, retention_until=until)

    store.extend_retention(key, stored.version_id, until + timedelta(days=1))
    with pytest.raises(RetentionNotShortened):
        store.extend_retention(key, stored.version_id, until)

    assert store.stat(key, stored.version_id).retention_until == until + timedelta(days=1)


def test_an_unknown_version_is_not_found(store, key):
    put_bytes(store, key)

    with pytest.raises(ObjectNotFound):
        store.stat(key, uuid.uuid4().hex)
    with pytest.raises(ObjectNotFound):
        store.stat(key + ".missing")


def test_list_yields_every_object_under_the_prefix(store, key):
    prefix = key.rsplit("/", 1)[0] + "/"
    first = put_bytes(store, prefix + "a.mp4", b"a")
    second = put_bytes(store, prefix + "sub/b.mp4", b"bb")
    put_bytes(store, "tests/other-" + uuid.uuid4().hex, b"ccc")

    listed = {(info.key, info.version_id, info.size) for info in store.list(prefix)}

    assert listed == {(first.key, first.version_id, 1), (second.key, second.version_id, 2)}


def test_a_stream_shorter_than_its_announced_size_stores_nothing(store, key):
    with pytest.raises(StreamMismatch):
        store.put(key, io.BytesIO(b"short"), size=10, content_type="video/mp4", metadata={}, retention_until=None)

    with pytest.raises(ObjectNotFound):
        store.stat(key)


def test_keys_that_could_escape_the_store_are_refused(store):
    for bad in ("../etc/passwd", "/absolute", "a//b", "_jiaoyi/locks/x", ""):
        with pytest.raises(ValueError):
            put_bytes(store, bad)


def test_a_200_mb_stream_is_stored_with_bounded_memory(store, key):
    stream = GeneratedStream(200 * MB)
    tracemalloc.start()
    try:
        stored = store.put(key, stream, content_type="video/mp4", metadata={}, retention_until=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (stored.size, stored.sha256) == (200 * MB, stream.hash.hexdigest())
    assert peak < 50 * MB, f"peak Python allocation {peak / MB:.0f} MB while streaming 200 MB"
    store.delete(key, stored.version_id, now=now())


# --- links ---


@pytest.mark.s3
def test_s3_presigned_url_downloads_the_bytes_and_then_expires(s3_server, s3_bucket, key):
    store = make_s3_store(s3_server, s3_bucket)
    stored = put_bytes(store, key, b"playback bytes")

    url = store.presigned_url(key, stored.version_id, timedelta(minutes=5))
    short = store.presigned_url(key, stored.version_id, timedelta(seconds=1))
    with urllib.request.urlopen(url) as response:
        downloaded = response.read()
    signed = {name: values[0] for name, values in parse_qs(urlsplit(short).query).items()}
    # the S3 server judges expiry by its own clock, which only real time moves (to the second: hence the 1 s)
    expiry = datetime.strptime(signed["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) + timedelta(seconds=1)
    time.sleep(max(0.0, (expiry - now()).total_seconds()) + 1)

    assert downloaded == b"playback bytes"
    assert parse_qs(urlsplit(url).query).keys() == signed.keys() and signed["X-Amz-Expires"] == "1"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(short)
    assert refused.value.code == 403


def test_file_store_url_token_is_valid_until_it_expires_and_bound_to_the_key(tmp_path, key):
    clock = [now()]
    store = FileStore(tmp_path, signing_secret=b"secret", url_prefix="/objects/", clock=lambda: clock[0])
    stored = put_bytes(store, key)

    url = store.presigned_url(key, stored.version_id, timedelta(minutes=5))
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    signed = (stored.version_id, int(query["expires"]), query["token"])

    assert unquote(parts.path) == "/objects/" + key
    assert store.verify_url(key, *signed)
    assert not store.verify_url(key + "x", *signed)
    assert not store.verify_url(key, stored.version_id, int(query["expires"]) + 60, query["token"])
    clock[0] += timedelta(minutes=5, seconds=1)
    assert not store.verify_url(key, *signed)


# --- S3: the server enforces the lock on its own ---


@pytest.mark.s3
def test_s3_server_itself_refuses_a_raw_version_delete_of_a_retained_object(s3_server, s3_bucket, key):
    store = make_s3_store(s3_server, s3_bucket)
    stored = put_bytes(store, key, retention_until=now() + timedelta(hours=1))

    with pytest.raises(S3Error) as refused:
        store.client.remove_object(s3_bucket, key, version_id=stored.version_id)

    assert refused.value.code == "AccessDenied"
    assert store.stat(key, stored.version_id).sha256 == stored.sha256


@pytest.mark.s3
def test_s3_server_itself_refuses_a_raw_version_delete_under_legal_hold(s3_server, s3_bucket, key):
    store = make_s3_store(s3_server, s3_bucket)
    stored = put_bytes(store, key)
    store.set_legal_hold(key, stored.version_id, True)

    with pytest.raises(S3Error) as refused:
        store.client.remove_object(s3_bucket, key, version_id=stored.version_id)

    assert refused.value.code == "AccessDenied"
    store.set_legal_hold(key, stored.version_id, False)


@pytest.mark.s3
def test_s3_sha256_is_in_the_object_metadata_not_the_etag(s3_server, s3_bucket, key):
    store = make_s3_store(s3_server, s3_bucket)
    data = os.urandom(20 * MB)
    stored = put_bytes(store, key, data)

    headers = store.client.stat_object(s3_bucket, key, version_id=stored.version_id).metadata

    assert headers["x-amz-meta-sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.s3
def test_s3_stream_that_changes_between_passes_is_never_completed(s3_server, s3_bucket, key):
    class Shifting(io.BytesIO):
        passes = 0

        def seek(self, *args):
            self.passes += 1
            self.getbuffer()[0:4] = b"EVIL"
            return super().seek(*args)

    store = make_s3_store(s3_server, s3_bucket)

    with pytest.raises(StreamMismatch):
        store.put(key, Shifting(b"good" * 1000), content_type="video/mp4", metadata={},
                  retention_until=now() + timedelta(hours=1))

    with pytest.raises(ObjectNotFound):
        store.stat(key)


@pytest.mark.s3
def test_s3_bucket_without_object_lock_warns_and_the_application_still_refuses(s3_server, s3_bucket, key):
    store = make_s3_store(s3_server, s3_bucket)  # created by the store, with the lock
    bucket = f"jiaoyi-nolock-{uuid.uuid4().hex[:10]}"
    store.client.make_bucket(bucket)  # a bucket without object lock

    with pytest.warns(RuntimeWarning, match="no object lock"):
        plain = make_s3_store(s3_server, bucket)
    stored = put_bytes(plain, key, retention_until=now() + timedelta(hours=1))

    assert plain.supports_object_lock() is False and store.supports_object_lock() is True
    with pytest.raises(ObjectRetained):
        plain.delete(key, stored.version_id, now=now())
    plain.set_legal_hold(key, stored.version_id, True)
    with pytest.raises(ObjectOnHold):
        plain.delete(key, stored.version_id, now=now() + timedelta(days=1))
    assert [info.key for info in plain.list("")] == [key]


@pytest.mark.s3
def test_s3_incomplete_multipart_uploads_older_than_the_cutoff_are_aborted(s3_server, s3_bucket, key):
    store = make_s3_store(s3_server, s3_bucket)
    store.client._create_multipart_upload(s3_bucket, key, {})

    aborted = store.abort_incomplete_uploads(older_than=now() + timedelta(minutes=1))

    assert aborted >= 1
    assert [u for u in store.client._list_multipart_uploads(s3_bucket).uploads if u.object_name == key] == []


def test_file_store_interrupted_uploads_older_than_the_cutoff_are_removed(tmp_path, key):
    store = FileStore(tmp_path)
    stale = store.tmp / "abandoned.part"
    stale.write_bytes(b"half an upload")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    fresh = store.tmp / "running.part"
    fresh.write_bytes(b"in progress")

    removed = store.abort_incomplete_uploads(older_than=now() - timedelta(hours=1))

    assert removed == 1 and not stale.exists() and fresh.exists()


def test_file_store_files_are_read_only(tmp_path, key):
    store = FileStore(tmp_path)
    put_bytes(store, key)

    modes = {path.name: path.stat().st_mode & 0o777 for path in (store.objects / key).iterdir()}

    assert modes == {"@data": 0o444, "@meta.json": 0o444}


# --- choosing a store ---


def test_get_store_is_the_file_store_under_object_store_dir_without_s3_endpoint(settings, tmp_path):
    settings.S3_ENDPOINT = ""
    settings.OBJECT_STORE_DIR = tmp_path / "store"

    store = get_store()

    assert isinstance(store, FileStore) and store.root == tmp_path / "store"


@pytest.mark.s3
def test_get_store_is_the_s3_store_when_s3_endpoint_is_set(settings, s3_server, s3_bucket):
    settings.S3_ENDPOINT = s3_server["endpoint"]
    settings.S3_ACCESS_KEY, settings.S3_SECRET_KEY = s3_server["access_key"], s3_server["secret_key"]
    settings.S3_BUCKET, settings.S3_SECURE = s3_bucket, False

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = get_store()

    assert type(store).__name__ == "S3Store" and store.bucket == s3_bucket and store.supports_object_lock()
