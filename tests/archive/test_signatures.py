"""Records signed by the people who vouch for them: keys registered by their holders and bound by the centre's
administrator, signatures verified at once and refused with a reason (nothing stored), revocation that keeps
earlier signatures valid, and the offline verifier that checks an export (a tampered signature, a tampered record,
a signature dated after its key's revocation are all caught)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import PermissionDenied, ValidationError

from archive import selectors, signatures
from archive.models import RecordSignature
from audit.models import LedgerEntry
from core import clock, signing
from core.errors import Conflict
from core.roles import Role
from tests import factories
from tests.archive.signing_tools import PersonalKey
from tests.archive.test_records import evaluated_project  # noqa: F401  (a fixture)
from trading.models import SigningKey
from trading.services.signing_keys import signing_key_approve, signing_key_register, signing_key_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.user(Role.ADMIN)


def bound_key(user, admin) -> tuple[PersonalKey, SigningKey]:
    personal = PersonalKey()
    key = signing_key_register(actor=user, public_key=personal.public_b64, label="办公室电脑")
    return personal, signing_key_approve(actor=admin, key=key)


def draw_supervisor(project):
    from lottery.models import Draw

    username = Draw.objects.filter(project=project).order_by("-round").first().proof["metadata"]["supervisors"][0]
    return type(project.created_by).objects.get(username=username)


def sign(user, personal, key, record, *, digest=None, message=None):
    digest = digest or signatures.record_digest(record)
    message = message or signatures.record_message(record, digest)
    return signatures.record_sign(actor=user, record=record, fingerprint=key.fingerprint, digest=digest,
                                  signature=personal.sign(message))


# --- keys ---

def test_a_registered_key_is_pending_and_its_history_is_audited(admin):
    holder = factories.user(Role.SUPERVISOR)
    personal = PersonalKey()
    key = signing_key_register(actor=holder, public_key=personal.public_b64)
    assert key.state == SigningKey.State.PENDING
    assert key.fingerprint == hashlib.sha256(personal.spki).hexdigest()
    assert key.history.count() == 1
    signing_key_approve(actor=admin, key=key)
    key.refresh_from_db()
    assert key.state == SigningKey.State.APPROVED and key.approved_by == admin
    entry = LedgerEntry.objects.filter(history_model__icontains="signingkey").order_by("-seq").first()
    assert entry.actor_id == admin.pk


@pytest.mark.parametrize("public_key", ["", "not base64!", base64.b64encode(b"junk").decode(),
                                        PersonalKey(ec.SECP384R1()).public_b64])
def test_a_key_that_is_not_a_p256_public_key_is_refused(public_key):
    with pytest.raises(ValidationError) as refused:
        signing_key_register(actor=factories.user(Role.SUPERVISOR), public_key=public_key)
    assert "public_key" in refused.value.message_dict
    assert not SigningKey.objects.exists()


def test_the_same_key_twice_is_refused():
    personal = PersonalKey()
    signing_key_register(actor=factories.user(Role.SUPERVISOR), public_key=personal.public_b64)
    with pytest.raises(Conflict):
        signing_key_register(actor=factories.user(Role.AGENCY), public_key=personal.public_b64)


def test_only_the_administrator_binds_keys_and_never_their_own(admin):
    holder = factories.user(Role.SUPERVISOR)
    key = signing_key_register(actor=holder, public_key=PersonalKey().public_b64)
    for somebody in (holder, factories.user(Role.INSPECTOR)):
        with pytest.raises(PermissionDenied):
            signing_key_approve(actor=somebody, key=key)
    with pytest.raises(PermissionDenied):
        signing_key_register(actor=factories.user(Role.INSPECTOR), public_key=PersonalKey().public_b64)
    signing_key_approve(actor=admin, key=key)
    with pytest.raises(Conflict):
        signing_key_approve(actor=admin, key=key)


def test_a_revocation_needs_a_reason_and_happens_once(admin):
    _, key = bound_key(factories.user(Role.SUPERVISOR), admin)
    with pytest.raises(ValidationError):
        signing_key_revoke(actor=admin, key=key, reason="  ")
    key = signing_key_revoke(actor=admin, key=key, reason="电脑遗失")
    assert key.state == SigningKey.State.REVOKED and key.revocation_reason == "电脑遗失"
    with pytest.raises(Conflict):
        signing_key_revoke(actor=admin, key=key, reason="再次")
    with pytest.raises(Conflict):
        signing_key_approve(actor=admin, key=key)


# --- signing ---

def test_a_supervisor_of_the_draw_signs_its_record(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")

    signed = sign(supervisor, personal, key, record)

    assert signed.standing == "supervisor" and signed.digest == signatures.record_digest(record)
    assert signed.history.count() == 1
    event = LedgerEntry.objects.filter(action="record_signed").get()
    assert event.actor_id == supervisor.pk and event.data["fingerprint"] == key.fingerprint
    [row] = signatures.signature_rows(record)
    assert row["current"] and row["role"] == "现场监督" and row["fingerprint"] == key.fingerprint


def test_the_projects_agency_signs_the_draw_record_too(drawn_project, admin):
    agency = drawn_project.created_by
    personal, key = bound_key(agency, admin)
    assert sign(agency, personal, key, selectors.record_for(drawn_project, "draw")).standing == "agency"


def _refused(exception, user, personal, key, record, reason_part, **kwargs):
    with pytest.raises(exception) as refused:
        sign(user, personal, key, record, **kwargs)
    assert reason_part in str(refused.value)
    assert not RecordSignature.objects.exists()
    return refused


def test_a_signer_without_standing_is_refused(drawn_project, admin):
    record = selectors.record_for(drawn_project, "draw")
    for outsider in (factories.user(Role.SUPERVISOR), factories.agency_user(), factories.registrants(drawn_project)[0]):
        personal, key = bound_key(outsider, admin)
        _refused(PermissionDenied, outsider, personal, key, record, "无权签署")


def test_a_key_not_yet_approved_is_refused(drawn_project):
    supervisor = draw_supervisor(drawn_project)
    personal = PersonalKey()
    key = signing_key_register(actor=supervisor, public_key=personal.public_b64)
    _refused(Conflict, supervisor, personal, key, selectors.record_for(drawn_project, "draw"), "审核绑定")


def test_a_revoked_key_is_refused(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    signing_key_revoke(actor=admin, key=key, reason="人员调离")
    _refused(Conflict, supervisor, personal, key, selectors.record_for(drawn_project, "draw"), "已吊销")


def test_someone_elses_key_is_refused(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(factories.user(Role.SUPERVISOR), admin)
    _refused(ValidationError, supervisor, personal, key, selectors.record_for(drawn_project, "draw"), "指纹")


def test_a_record_changed_since_the_signer_saw_it_is_refused(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")
    stale = "ab" * 32
    _refused(Conflict, supervisor, personal, key, record, "摘要不符", digest=stale,
             message=signatures.record_message(record, stale))


def test_a_bad_signature_is_refused(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")
    _refused(ValidationError, supervisor, personal, key, record, "签名验证失败", message=b"something else")
    with pytest.raises(ValidationError):
        signatures.record_sign(actor=supervisor, record=record, fingerprint=key.fingerprint,
                               digest=signatures.record_digest(record), signature="AAAA")
    assert not RecordSignature.objects.exists()


def test_a_second_signature_of_the_same_version_is_refused(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")
    sign(supervisor, personal, key, record)
    with pytest.raises(Conflict) as refused:
        sign(supervisor, personal, key, record)
    assert "已签署" in str(refused.value)
    assert RecordSignature.objects.count() == 1


def test_a_record_nobody_signs_is_refused(drawn_project, admin):
    agency = drawn_project.created_by
    personal, key = bound_key(agency, admin)
    _refused(PermissionDenied, agency, personal, key, selectors.record_for(drawn_project, "announcement"), "无权签署")


# --- revocation ---

def test_a_signature_made_before_a_revocation_stays_valid_and_none_is_accepted_after(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")
    sign(supervisor, personal, key, record)
    with clock.travel(dt.timedelta(hours=1)):
        signing_key_revoke(actor=admin, key=key, reason="电脑遗失")
    key.refresh_from_db()
    [row] = signatures.signature_rows(record)
    assert row["current"], "a signature made while the key was bound stays valid"
    assert not key.valid_at(key.revoked_at) and key.valid_at(key.revoked_at - dt.timedelta(seconds=1))
    other = selectors.record_for(drawn_project, "draw")
    with pytest.raises(Conflict):
        sign(draw_supervisor(drawn_project), personal, key, other)


# --- API ---

def test_the_api_registers_a_key_and_signs_a_record(client, drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal = PersonalKey()
    client.force_login(supervisor)
    created = client.post("/api/signing-keys", {"public_key": personal.public_b64, "label": "浏览器"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["state"] == "pending"
    client.force_login(admin)
    assert client.post(f"/api/signing-keys/{created.json()['id']}/approve").status_code == 200
    client.force_login(supervisor)
    url = f"/api/projects/{drawn_project.code}/records/draw/signatures"
    listed = client.get(url).json()
    assert listed["count"] == 0 and listed["standing"] == "supervisor"
    body = {"key": created.json()["fingerprint"], "digest": listed["digest"],
            "signature": personal.sign(listed["message"].encode())}
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 201, answer.json()
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409 and "已签署" in again.json()["detail"]
    bad = client.post(url, {**body, "signature": personal.sign(b"x")}, content_type="application/json")
    assert bad.status_code in (400, 409)
    assert client.get(url).json()["count"] == 1


def test_the_api_refuses_a_bad_signature_with_a_reason_naming_the_field(client, drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    client.force_login(supervisor)
    url = f"/api/projects/{drawn_project.code}/records/draw/signatures"
    digest = client.get(url).json()["digest"]
    answer = client.post(url, {"key": key.fingerprint, "digest": digest, "signature": personal.sign(b"x")},
                         content_type="application/json")
    assert answer.status_code == 400 and "signature" in answer.json()["errors"]
    assert not RecordSignature.objects.exists()


# --- the offline verifier ---

def _verify(tmp_path: Path, export: dict, *args: str, isolated: bool = False):
    path = tmp_path / "signatures.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    script = Path(signatures.__file__).parent.parent / "audit" / "logverify.py"
    flags = ["-S"] if isolated else []
    return subprocess.run([sys.executable, *flags, str(script), "signatures", str(path), "--log-key", signing.vkey(),
                           *args], capture_output=True, text=True, check=False)


@pytest.fixture
def signed_export(drawn_project, admin):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")
    sign(supervisor, personal, key, record)
    agency = drawn_project.created_by
    agency_personal, agency_key = bound_key(agency, admin)
    sign(agency, agency_personal, agency_key, record)
    return json.loads(json.dumps(signatures.signatures_export(record)))


def test_the_offline_verifier_accepts_the_signatures_of_a_record(signed_export, tmp_path):
    result = _verify(tmp_path, signed_export)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 signatures" in result.stdout and ": OK" in result.stdout
    bare = _verify(tmp_path, signed_export, isolated=True)
    assert bare.returncode == 3 and bare.stdout.startswith("NOT VERIFIED"), bare.stdout + bare.stderr


def test_the_offline_verifier_rejects_a_tampered_signature(signed_export, tmp_path):
    raw = bytearray(base64.b64decode(signed_export["signatures"][0]["signature"]))
    raw[10] ^= 0x01
    signed_export["signatures"][0]["signature"] = base64.b64encode(bytes(raw)).decode()
    result = _verify(tmp_path, signed_export)
    assert result.returncode == 1 and "does not match the record" in result.stdout, result.stdout


def test_the_offline_verifier_rejects_a_tampered_record(signed_export, tmp_path):
    signed_export["record"]["operator"] = "别人"
    result = _verify(tmp_path, signed_export)
    assert result.returncode == 1 and "record was changed" in result.stdout, result.stdout
    # restating the digest does not help: the signatures were over the old one
    signed_export["digest"] = hashlib.sha256(json.dumps(signed_export["record"], sort_keys=True, ensure_ascii=False,
                                                        separators=(",", ":")).encode()).hexdigest()
    result = _verify(tmp_path, signed_export)
    assert result.returncode == 1 and "another version" in result.stdout, result.stdout


def test_the_offline_verifier_rejects_a_binding_the_centre_did_not_sign(signed_export, tmp_path):
    fingerprint = signed_export["signatures"][0]["fingerprint"]
    signed_export["keys"][fingerprint]["binding"]["revoked_at"] = None
    signed_export["keys"][fingerprint]["binding"]["approved_at"] = "2000-01-01T00:00:00+00:00"
    result = _verify(tmp_path, signed_export)
    assert result.returncode == 1 and "centre's signature" in result.stdout, result.stdout


def test_the_offline_verifier_rejects_a_signature_dated_after_its_keys_revocation(drawn_project, admin, tmp_path):
    supervisor = draw_supervisor(drawn_project)
    personal, key = bound_key(supervisor, admin)
    record = selectors.record_for(drawn_project, "draw")
    sign(supervisor, personal, key, record)
    with clock.travel(dt.timedelta(hours=1)):
        signing_key_revoke(actor=admin, key=key, reason="电脑遗失")
    export = json.loads(json.dumps(signatures.signatures_export(record)))
    assert _verify(tmp_path, export).returncode == 0, "signed before the revocation: still valid"
    export["signatures"][0]["signed_at"] = (clock.now() + dt.timedelta(hours=2)).isoformat()
    result = _verify(tmp_path, export)
    assert result.returncode == 1 and "after the key was revoked" in result.stdout, result.stdout


# --- who signs what: bidders the opening record, experts the evaluation report ---

def test_a_bidder_signs_the_opening_record_and_an_expert_the_evaluation_report(
        evaluated_project, admin, client, tmp_path):  # noqa: F811 (the fixture imported above)
    from archive import services
    from evaluation.models import PanelMember
    from tests.archive.test_records import pdf_text

    project, users = evaluated_project
    opening, report = (selectors.record_for(project, kind) for kind in ("bid-opening", "evaluation"))
    bidder = users[0]
    expert = PanelMember.objects.filter(panel__project=project, state="seated").first().expert.user
    assert signatures.standing(bidder, opening) == "bidder" and signatures.standing(bidder, report) is None
    assert signatures.standing(expert, report) == "expert" and signatures.standing(expert, opening) is None

    bidder_key = bound_key(bidder, admin)
    sign(bidder, *bidder_key, opening)
    sign(expert, *bound_key(expert, admin), report)
    with pytest.raises(PermissionDenied):
        sign(bidder, *bidder_key, report)

    client.force_login(bidder)  # a bidder reads the opening record it signs, not the project's other records
    page = client.get(f"/projects/{project.code}/records/bid-opening/signatures/")
    assert page.status_code == 200 and "您已签署该记录的此版本" in page.content.decode()
    assert client.get(f"/projects/{project.code}/records/").status_code == 403
    _, content = services.record_download(bidder, project, "bid-opening")
    text = pdf_text(content, tmp_path)
    assert "电子签名" in text and bidder_key[1].fingerprint[:16] in text and "投标人" in text
    with pytest.raises(PermissionDenied):
        services.record_download(bidder, project, "evaluation")


def test_the_dossier_carries_each_signed_records_signatures_export(drawn_project, admin):
    from archive import services

    supervisor = draw_supervisor(drawn_project)
    sign(supervisor, *bound_key(supervisor, admin), selectors.record_for(drawn_project, "draw"))
    files = dict(services.dossier_files(drawn_project))
    export = json.loads(files[f"records/{drawn_project.code}-draw-signatures.json"]())
    assert export["format"] == "jiaoyi record signatures v1" and len(export["signatures"]) == 1
    record_json = json.loads(files[f"records/{drawn_project.code}-draw.json"]())
    assert {k: v for k, v in record_json.items() if k != "doc_number"} == export["record"]
