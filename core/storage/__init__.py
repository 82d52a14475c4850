"""Object storage for recordings, dossiers and checkpoints: one contract (`ObjectStore`), two stores.

`FileStore` (embedded default, under var/objects) and `S3Store` (any S3 server through the minio SDK, with
object lock) keep the same rules: write once, SHA-256 computed while streaming, no deletion before
`retention_until` or under legal hold. `get_store()` picks one from the Django settings.
"""

from __future__ import annotations

import functools
import hashlib

from .base import (
    ObjectExists,
    ObjectInfo,
    ObjectNotFound,
    ObjectOnHold,
    ObjectRetained,
    ObjectStore,
    ObjectStoreError,
    RetentionNotShortened,
    StoredObject,
    StreamMismatch,
)
from .filestore import FileStore

__all__ = [
    "FileStore",
    "ObjectExists",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectOnHold",
    "ObjectRetained",
    "ObjectStore",
    "ObjectStoreError",
    "RetentionNotShortened",
    "S3Store",
    "StoredObject",
    "StreamMismatch",
    "get_store",
]


def __getattr__(name: str):
    # the minio SDK is imported only by deployments that use S3
    if name == "S3Store":
        from .s3store import S3Store

        return S3Store
    raise AttributeError(name)


def get_store() -> ObjectStore:
    """The configured store: S3 when S3_ENDPOINT is set, else the filesystem store under OBJECT_STORE_DIR."""
    from django.conf import settings

    return _store_for(
        settings.S3_ENDPOINT, settings.S3_ACCESS_KEY, settings.S3_SECRET_KEY, settings.S3_BUCKET,
        settings.S3_SECURE, str(settings.OBJECT_STORE_DIR), settings.SECRET_KEY,
    )


@functools.lru_cache(maxsize=4)
def _store_for(endpoint, access_key, secret_key, bucket, secure, directory, django_secret) -> ObjectStore:
    if endpoint:
        from .s3store import S3Store

        return S3Store(endpoint, access_key, secret_key, bucket, secure)
    # a key of its own for object links, derived so that it changes whenever SECRET_KEY does
    signing_secret = hashlib.sha256(b"jiaoyi-object-urls\n" + django_secret.encode()).digest()
    return FileStore(directory, signing_secret=signing_secret, url_prefix="/recordings/objects/", clock=_app_now)


def _app_now():
    # the platform's one clock, so that link expiry follows clock.travel in tests like every other deadline
    from core import clock

    return clock.now()
