"""Dossiers: contents with a manifest whose hashes match, stored write-once under archive/ with the retention
setting, every rebuild a new version, an interrupted build leaving the previous one current, clear refusals."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from archive import selectors, services
from archive.models import Dossier
from audit import logverify
from audit.models import LedgerEntry
from core import context, signing
from core.roles import Role
from core.storage import get_store
from tests import factories

pytestmark = pytest.mark.django_db


def build(code: str) -> Dossier:
    with context.acting_as_system():
        return services.dossier_build(actor=context.system_user(), code=code)


def stored_zip(dossier: Dossier) -> zipfile.ZipFile:
    with services.dossier_open(dossier) as stream:
        content = stream.read()
    assert hashlib.sha256(content).hexdigest() == dossier.sha256 and len(content) == dossier.size
    return zipfile.ZipFile(io.BytesIO(content))


def test_a_dossier_holds_the_records_proof_audit_extract_and_recording_manifest_with_matching_hashes(
        finished_project, settings):
    dossier = build(finished_project.code)
    archive = stored_zip(dossier)
    manifest = json.loads(archive.read("manifest.json"))
    names = set(archive.namelist())
    assert names == {entry["path"] for entry in manifest["files"]} | {"manifest.json", "manifest.sig.json"}
    assert dossier.files == len(names)
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
    code = finished_project.code
    assert {f"records/{code}-draw.pdf", f"records/{code}-award.pdf", f"records/{code}-followup.pdf",
            f"proof/{code}-round1-proof.json", f"audit/{code}-ledger.csv", "recordings/manifest.json"} <= names
    proof = json.loads(archive.read(f"proof/{code}-round1-proof.json"))
    assert proof["commitment"] == finished_project.commitment
    rows = list(csv.DictReader(io.StringIO(archive.read(f"audit/{code}-ledger.csv").decode("utf-8-sig"))))
    assert rows and {"draw_completed", "draw_input_sealed"} <= {r["action"] for r in rows}
    assert [int(r["seq"]) for r in rows] == sorted(int(r["seq"]) for r in rows)
    assert "recordings" in json.loads(archive.read("recordings/manifest.json"))
    assert dossier.key.startswith(f"archive/{code}/")
    info = get_store().stat(dossier.key)
    assert info.retention_until.year == dossier.built_at.year + settings.DOSSIER_RETENTION_YEARS


def test_a_dossier_proves_each_of_its_ledger_entries_into_a_signed_checkpoint(drawn_project):
    code = drawn_project.code
    archive = stored_zip(build(code))
    export = json.loads(archive.read(f"audit/{code}-log-proofs.json"))
    rows = list(csv.DictReader(io.StringIO(archive.read(f"audit/{code}-ledger.csv").decode("utf-8-sig"))))
    assert {item["entry"]["seq"] for item in export["entries"]} == {int(r["seq"]) for r in rows}
    out: list[str] = []
    logverify.check_export(export, signing.vkey(), out)  # what `python logverify.py export` runs, offline
    assert out[0].endswith(": OK") and f"{len(rows)} entries recomputed" in out[1]
    export["entries"][0]["entry"]["reason"] = "改写"
    with pytest.raises(logverify.Mismatch, match="does not lead to the root"):
        logverify.check_export(export, signing.vkey(), [])


def test_building_a_dossier_is_recorded_in_the_ledger_by_the_actor(drawn_project):
    dossier = build(drawn_project.code)
    event = LedgerEntry.objects.get(action="dossier_built", project=drawn_project.code)
    assert event.actor == "system" and event.data["sha256"] == dossier.sha256 and event.data["version"] == 1


def test_a_rebuild_is_a_new_version_under_a_new_key_and_the_first_stays_readable(drawn_project):
    first = build(drawn_project.code)
    second = build(drawn_project.code)
    assert (first.version, second.version) == (1, 2)
    assert first.key != second.key
    assert selectors.current_dossier(drawn_project) == second
    stored_zip(first)  # still there, unchanged


def test_an_interrupted_build_leaves_the_previous_version_current_and_stores_nothing(drawn_project, settings):
    first = build(drawn_project.code)
    before = {info.key for info in get_store().list("archive/")}
    with mock.patch.object(services, "audit_extract", side_effect=OSError("disk full")), \
            pytest.raises(OSError, match="disk full"):
        build(drawn_project.code)
    assert selectors.current_dossier(drawn_project) == first
    assert Dossier.objects.filter(project=drawn_project).count() == 1
    assert {info.key for info in get_store().list("archive/")} == before
    assert not any((settings.VAR_DIR / "tmp").glob("*.zip"))
    assert LedgerEntry.objects.filter(action="dossier_built").count() == 1


def test_a_failed_upload_leaves_no_dossier_row(drawn_project):
    store = get_store()
    with mock.patch.object(type(store), "put", side_effect=ConnectionError("object store down")), \
            pytest.raises(ConnectionError):
        build(drawn_project.code)
    assert not Dossier.objects.exists()


def test_the_command_refuses_an_unknown_project_with_its_code(db):
    with pytest.raises(CommandError, match="GD-2099-9999"):
        call_command("build_dossier", "GD-2099-9999", "--quiet")


def test_the_command_refuses_a_project_that_has_no_result_yet(db):
    project = factories.fixed_price_project()
    with pytest.raises(CommandError, match="尚未产生结果"):
        call_command("build_dossier", project.code, "--quiet")
    assert not Dossier.objects.exists()


def test_the_command_builds_and_copies_the_zip(drawn_project, tmp_path):
    out = tmp_path / "dossier.zip"
    stdout = io.StringIO()
    call_command("build_dossier", drawn_project.code, "--out", str(out), "--quiet", stdout=stdout)
    dossier = Dossier.objects.get()
    assert hashlib.sha256(out.read_bytes()).hexdigest() == dossier.sha256
    assert f"v1: {dossier.key}" in stdout.getvalue()


def test_the_build_button_is_for_administrators_and_the_dossier_for_inspectors(client, drawn_project):
    url = f"/projects/{drawn_project.code}/dossiers/"
    client.force_login(drawn_project.created_by)
    assert client.post(url).status_code == 403
    client.force_login(factories.user(Role.ADMIN))
    assert client.post(url).status_code == 302
    dossier = Dossier.objects.get()
    inspector = factories.user(Role.INSPECTOR)
    client.force_login(inspector)
    page = client.get(f"/projects/{drawn_project.code}/records/").content.decode()
    assert dossier.sha256 in page
    response = client.get(f"/projects/{drawn_project.code}/dossiers/v1.zip")
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == dossier.sha256
    assert LedgerEntry.objects.filter(action="dossier_downloaded", actor=inspector.username).exists()
    client.force_login(factories.user(Role.SUPERVISOR))
    assert client.get(f"/projects/{drawn_project.code}/dossiers/v1.zip").status_code == 403
