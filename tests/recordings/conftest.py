"""Fixtures for the recordings tests: the same contract tests run against the filesystem store and a real S3
server (SeaweedFS started by scripts/s3_server.sh when it is not already up; never skipped)."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from core.storage import FileStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def s3_server() -> dict[str, str]:
    """Connection settings of a running S3 server: $S3_ENDPOINT if exported, else the script's server."""
    if os.environ.get("S3_ENDPOINT"):
        return {
            "endpoint": os.environ["S3_ENDPOINT"],
            "access_key": os.environ["S3_ACCESS_KEY"],
            "secret_key": os.environ["S3_SECRET_KEY"],
        }
    started = subprocess.run(
        [str(ROOT / "scripts" / "s3_server.sh"), "start"], capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0, f"scripts/s3_server.sh start failed:\n{started.stdout}\n{started.stderr}"
    exported = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines() if "=" in line
    )
    return {
        "endpoint": exported["S3_ENDPOINT"],
        "access_key": exported["S3_ACCESS_KEY"],
        "secret_key": exported["S3_SECRET_KEY"],
    }


@pytest.fixture(scope="session")
def s3_bucket(s3_server) -> str:
    return f"jiaoyi-test-{uuid.uuid4().hex[:12]}"


def make_s3_store(s3_server, bucket):
    from core.storage import S3Store

    return S3Store(s3_server["endpoint"], s3_server["access_key"], s3_server["secret_key"], bucket, False)


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3)])
def store(request, tmp_path):
    if request.param == "file":
        return FileStore(tmp_path / "objects", signing_secret=b"test-secret", url_prefix="/objects/")
    return make_s3_store(request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket"))


@pytest.fixture
def key() -> str:
    """A fresh key for every test: S3 buckets live for the whole run and objects in them may be locked."""
    return f"tests/{uuid.uuid4().hex}/session.mp4"


# --- the Django side: a session in the past, users of every role, real videos ---

@pytest.fixture(autouse=True)
def _embedded_store_unless_asked(settings, tmp_path_factory):
    """The Django-level tests use the filesystem store even when a developer has S3_* exported (the S3 tests
    switch to their own bucket with `s3_settings`); buckets outlive runs and their objects are locked. Transfers
    spool into a directory of the test's own, which the reconciler's sweep may empty."""
    settings.S3_ENDPOINT = ""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path_factory.mktemp("uploads"))

@pytest.fixture(scope="session")
def clip(tmp_path_factory) -> Path:
    """4 s of moving picture, 25 fps, 320x180 (100 frames)."""
    from tests.recordings.videos import write_video

    return write_video(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=4)


@pytest.fixture
def roles(db) -> dict:
    from core.roles import PERSON_ROLES
    from tests import factories

    return {role: factories.user(role) for role, _label in PERSON_ROLES}


@pytest.fixture
def past_session(db, roles):
    from tests.recordings.uploads import book_past_session

    return book_past_session()
