"""A dossier checks from its bytes alone (issue 17 item 4): each PDF's footer digest recomputed from the record data
stored beside it, the manifest signed with the centre's Ed25519 key, and the videos it lists kept as long as it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.dossier_check import SIGNATURE, check_dossier
from audit.models import LedgerEntry
from core import clock, signing
from core.storage import get_store
from recordings.models import Recording
from tests.archive.test_dossier import build, stored_zip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.SIGNING_KEY_PATH = str(tmp_path / "keys" / "centre-ed25519.pem")


def _zip_bytes(archive: zipfile.ZipFile, changes: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in archive.namelist():
            target.writestr(name, changes.get(name, archive.read(name)))
    return out.getvalue()


def test_the_signing_key_is_made_on_first_use_readable_by_its_owner_only(settings):
    pem = signing.public_key_pem()

    path = Path(settings.SIGNING_KEY_PATH)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pem.startswith("-----BEGIN PUBLIC KEY-----") and signing.public_key_pem() == pem
    assert signing.verify(b"x", signing.sign(b"x"), pem) and not signing.verify(b"y", signing.sign(b"x"), pem)
    assert len(signing.fingerprint()) == 64


def test_a_dossier_checks_whole_signed_and_every_record_digest_recomputes(finished_project, tmp_path):
    archive = stored_zip(build(finished_project.code))

    assert check_dossier(io.BytesIO(_zip_bytes(archive, {})), signing.public_key_pem()) == []
    code = finished_project.code
    data = archive.read(f"records/{code}-draw.json")
    (tmp_path / "draw.pdf").write_bytes(archive.read(f"records/{code}-draw.pdf"))
    printed = subprocess.run(["pdftotext", str(tmp_path / "draw.pdf"), "-"], capture_output=True, text=True).stdout
    digest = re.search(r"内容摘要 SHA-256: ([0-9a-f]{64})", printed)[1]
    assert hashlib.sha256(data).hexdigest() == digest  # recomputed from the dossier alone
    content = json.loads(data)
    assert content["doc_number"] and content["project"]["code"] == code and "proof" in content
    signed = json.loads(archive.read(SIGNATURE))
    assert signed["key_id"] == signing.fingerprint() == json.loads(archive.read("manifest.json"))["signing_key_id"]


def test_changed_record_data_a_rehashed_manifest_and_another_key_are_each_caught(finished_project):
    archive = stored_zip(build(finished_project.code))
    name = f"records/{finished_project.code}-award.json"
    forged = archive.read(name).replace(b'"price":"', b'"price":"9')
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry.update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
    rehashed = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    other = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    only_data = check_dossier(io.BytesIO(_zip_bytes(archive, {name: forged})), signing.public_key_pem())
    with_manifest = check_dossier(io.BytesIO(_zip_bytes(archive, {name: forged, "manifest.json": rehashed})),
                                  signing.public_key_pem())
    other_key = check_dossier(io.BytesIO(_zip_bytes(archive, {})), other)

    assert f"{name}: SHA-256 or size differs from the manifest" in only_data
    assert any("digest is not the SHA-256" in p for p in only_data)
    assert "the manifest's signature does not verify" in with_manifest
    assert "the manifest names another signing key than the one given" in other_key


def test_the_videos_a_dossier_lists_are_kept_as_long_as_the_dossier(finished_project, tmp_path,
                                                                     django_capture_on_commit_callbacks):
    from core.roles import Role
    from recordings import services as recording_services
    from tests import factories
    from tests.recordings.videos import write_video

    session = finished_project.sessions.get(kind="draw")
    supervisor = factories.user(Role.SUPERVISOR)
    clip = write_video(tmp_path / "clip.mp4", seconds=2)
    with clock.travel(session.ends_at - clock.now() + dt.timedelta(minutes=5)):
        recording = recording_services.recording_upload(actor=supervisor, session=session, upload=SimpleUploadedFile(
            "clip.mp4", clip.read_bytes(), "video/mp4")).recording
    sixty_days = recording.retention_until

    with django_capture_on_commit_callbacks(execute=True):
        dossier = build(finished_project.code)

    recording.refresh_from_db()
    assert recording.retention_until == dossier.retention_until > sixty_days
    assert get_store().stat(recording.key, recording.version_id).retention_until == dossier.retention_until
    event = LedgerEntry.objects.get(action="recording_retention_extended")
    assert event.data["until"] == dossier.retention_until.isoformat() and event.actor == "system"
    listed = json.loads(stored_zip(dossier).read("recordings/manifest.json"))["recordings"]
    assert listed[0]["sha256"] == recording.sha256 and listed[0]["retention_until"] == dossier.retention_until.isoformat()
    assert not Recording.objects.get(pk=recording.pk).legal_hold  # kept by retention, not by a hold


def test_the_check_dossier_command_says_ok_or_names_each_problem(finished_project, tmp_path):
    from django.core.management import CommandError, call_command

    archive = stored_zip(build(finished_project.code))
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(_zip_bytes(archive, {}))
    name = f"records/{finished_project.code}-draw.json"
    bad.write_bytes(_zip_bytes(archive, {name: archive.read(name) + b" "}))
    out = io.StringIO()

    call_command("check_dossier", str(good), stdout=out)
    with pytest.raises(CommandError, match="SHA-256 or size differs"):
        call_command("check_dossier", str(bad))

    assert out.getvalue().startswith("OK ")
