"""Bid files sealed at the bidder and opened remotely (issue 20, bidder mode): keys registered by the session's
supervisors, ciphertext only on the server, every refusal (wrong share, missing share, late bid, another project,
re-used ciphertext, shares before the opening, a key from someone not a supervisor) with nothing opened early,
the opening with k shares, the hash checked against the receipt, confirmations and objections online."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from core.roles import Role
from evaluation import bidfile, selectors
from evaluation.models import Bid, BidRound, OpeningConfirmation, OpeningKey, OpeningShare
from evaluation.services import bidfiles, objections, opening
from evaluation.services import bids as bid_services
from tests import factories
from tests.evaluation import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


def _new_jwk():
    return bidfile.public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key())


def _close(project):
    bid_services.bids_close(actor=project.created_by, project=project)


def _nothing_opened(project):
    assert not Bid.objects.filter(project=project, price__isnull=False).exists()
    assert not Bid.objects.filter(project=project, valid__isnull=False).exists()


# --- the round and its keys ----------------------------------------------------------------------------------

def test_bidder_mode_drops_the_server_key_and_waits_for_every_holder():
    project = builders.procurement()
    box = bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="bidder")
    assert box.public_key == "" and box.sealed_shares == [] and (box.holders, box.threshold) == (3, 2)
    assert LedgerEntry.objects.get(action="bid_round_mode_set").data["mode"] == "bidder"
    builders.opening_session(project)
    supervisor = factories.user(Role.SUPERVISOR)
    bidfiles.opening_key_register(actor=supervisor, project=project, public_jwk=_new_jwk())
    user = builders.bidder()

    holders = [ec.generate_private_key(ec.SECP256R1()).public_key() for _ in range(3)]
    sealed = bidfile.seal_bid_file(project=project.code, round_no=1, bidder=user.organisation.uscc,
                                   schedule={"price": "900000.00"}, pdf=builders.PDF, holders=holders, threshold=2)

    with pytest.raises(Conflict, match="开标密钥尚未登记齐（1/3）"):
        bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext)

    assert not Bid.objects.exists()
    key = OpeningKey.objects.get()
    assert key.position == 1 and key.holder == supervisor and "d" not in key.public_jwk
    assert LedgerEntry.objects.get(action="opening_key_registered").actor == supervisor.username


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.EXPERT, Role.INSPECTOR])
def test_a_key_registered_by_someone_neither_a_supervisor_nor_the_projects_agency_is_refused(role):
    project, _ = builders.bidder_round(holders=0)
    with pytest.raises(PermissionDenied, match="现场监督"):
        bidfiles.opening_key_register(actor=factories.user(role), project=project, public_jwk=_new_jwk())
    other_agency = factories.agency_user()
    with pytest.raises(PermissionDenied):
        bidfiles.opening_key_register(actor=other_agency, project=project, public_jwk=_new_jwk())
    assert not OpeningKey.objects.exists()


def test_a_key_needs_an_opening_session_a_public_p256_jwk_and_one_per_holder():
    project = builders.procurement()
    bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="bidder")
    supervisor = factories.user(Role.SUPERVISOR)
    with pytest.raises(Conflict, match="尚未安排开标场次"):
        bidfiles.opening_key_register(actor=supervisor, project=project, public_jwk=_new_jwk())
    builders.opening_session(project)
    private = ec.generate_private_key(ec.SECP256R1())
    for bad in ({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}, bidfile.private_jwk(private), "x", None):
        with pytest.raises(ValidationError, match="P-256"):
            bidfiles.opening_key_register(actor=supervisor, project=project, public_jwk=bad)
    bidfiles.opening_key_register(actor=supervisor, project=project, public_jwk=_new_jwk())
    with pytest.raises(Conflict, match="已为本轮登记过"):
        bidfiles.opening_key_register(actor=supervisor, project=project, public_jwk=_new_jwk())
    assert OpeningKey.objects.count() == 1


def test_the_mode_is_locked_once_a_key_exists():
    project, _ = builders.bidder_round(holders=1)
    with pytest.raises(Conflict, match="不能再改投标方式"):
        bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="server")


def test_a_server_sealed_bid_is_refused_in_a_bidder_round_and_a_file_in_a_server_round():
    project, _ = builders.bidder_round()
    with pytest.raises(Conflict, match="浏览器中加密"):
        builders.submit(project, builders.bidder(), "900000.00")
    server = builders.procurement()
    sealed = builders.seal_file(project, builders.bidder(), "1.00")
    with pytest.raises(Conflict, match="结构化报价"):
        bidfiles.bid_file_submit(actor=builders.bidder(), project=server, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext)


# --- submission ------------------------------------------------------------------------------------------

def test_the_server_stores_only_ciphertext_and_the_receipt_carries_its_hash(settings):
    project, _keys = builders.bidder_round()
    user = builders.bidder()
    bid, receipt = builders.submit_file(project, user, "123456.78", terms="独特承诺XYZ")

    stored = (Path(settings.OBJECT_STORE_DIR) / "objects" / bid.object_key / "@data").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == bid.envelope_sha256 == receipt["ciphertext_sha256"]
    assert receipt["log"] and receipt["key_commitment"] == bid.key_commitment
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Bid._meta.db_table} WHERE id = %s", [bid.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    ledger = " ".join(json.dumps(e.data, ensure_ascii=False) for e in LedgerEntry.objects.all())
    everything = [row, ledger, stored.decode("latin-1")]
    for path in (Path(settings.OBJECT_STORE_DIR) / "objects").rglob("*"):
        if path.is_file():
            everything.append(path.read_bytes().decode("latin-1"))
    for text in everything:
        assert "123456.78" not in text and "独特承诺XYZ" not in text and "%PDF" not in text
    assert bid.price is None and bid.envelope == "" and len(bid.wrapped_shares) == 3
    entry = LedgerEntry.objects.get(action="bid_submitted")
    assert entry.data["envelope_sha256"] == bid.envelope_sha256 and entry.data["mode"] == "bidder"


def test_a_late_bid_file_is_refused():
    project, _ = builders.bidder_round()
    sealed = builders.seal_file(project, user := builders.bidder(), "900000.00")
    with builders.at_opening(), pytest.raises(Conflict, match="已过"):
        bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext)
    assert not Bid.objects.exists()


def test_a_bid_file_sealed_for_another_project_is_refused():
    project, _ = builders.bidder_round()
    user = builders.bidder()
    sealed = builders.seal_file(project, user, "900000.00", code="CG-OTHER-001")
    with pytest.raises(ValidationError, match="CG-OTHER-001"):
        bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext)
    assert not Bid.objects.exists()


def test_a_re_used_ciphertext_is_refused_across_bidders_and_for_the_same_bidder():
    project, _ = builders.bidder_round()
    first = builders.bidder()
    sealed = builders.seal_file(project, first, "900000.00")
    bidfiles.bid_file_submit(actor=first, project=project, data=builders.envelope(sealed), ciphertext=sealed.ciphertext)
    for user in (first, builders.bidder()):
        data = {**builders.envelope(sealed), "context": bidfile.content_aad(project.code, 1,
                                                                            user.organisation.uscc).decode()}
        with pytest.raises(Conflict, match="不能重复使用"):
            bidfiles.bid_file_submit(actor=user, project=project, data=data, ciphertext=sealed.ciphertext)
    assert Bid.objects.count() == 1 and Bid.objects.get().state == Bid.State.ACTIVE


def test_a_ciphertext_altered_in_transit_or_with_missing_shares_is_refused():
    project, _ = builders.bidder_round()
    user = builders.bidder()
    sealed = builders.seal_file(project, user, "900000.00")
    with pytest.raises(ValidationError, match="ciphertext_sha256"):
        bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext + b"x")
    with pytest.raises(ValidationError, match="序号1至3"):
        bidfiles.bid_file_submit(actor=user, project=project, data={**builders.envelope(sealed),
                                 "shares": builders.envelope(sealed)["shares"][:2]}, ciphertext=sealed.ciphertext)
    assert not Bid.objects.exists()


# --- the opening ---------------------------------------------------------------------------------------------

def test_shares_posted_before_the_opening_time_are_refused_and_nothing_opens():
    project, _users, keys = builders.bid_files_project()
    with pytest.raises(Conflict, match="投标尚未截止"):
        builders.decrypted_shares(project, *keys[0])
    with builders.at_opening():
        _close(project)
        shares = builders.decrypted_shares(project, *keys[0])
    with pytest.raises(Conflict, match="未到开标时间"):
        opening.opening_shares_post(actor=keys[0][0], project=project, shares=shares)
    assert not OpeningShare.objects.exists()
    _nothing_opened(project)


def test_a_wrong_share_is_refused_with_the_reason_and_nothing_is_kept():
    project, _users, keys = builders.bid_files_project()
    with builders.at_opening():
        _close(project)
        shares = builders.decrypted_shares(project, *keys[0])
        shares[1]["share"] = "00" * 32
        with pytest.raises(ValidationError, match="承诺的摘要不符"):
            opening.opening_shares_post(actor=keys[0][0], project=project, shares=shares)
        other = builders.decrypted_shares(project, *keys[1])  # holder 2's shares posted as holder 1's
        with pytest.raises(ValidationError, match="承诺的摘要不符"):
            opening.opening_shares_post(actor=keys[0][0], project=project, shares=other)
    assert not OpeningShare.objects.exists()
    _nothing_opened(project)


def test_someone_without_a_key_cannot_post_shares():
    project, _users, keys = builders.bid_files_project()
    with builders.at_opening():
        _close(project)
        shares = builders.decrypted_shares(project, *keys[0])
        for actor in (factories.user(Role.SUPERVISOR), project.created_by):
            with pytest.raises(PermissionDenied, match="持有人"):
                opening.opening_shares_post(actor=actor, project=project, shares=shares)
    _nothing_opened(project)


def test_one_share_opens_nothing_and_the_window_end_makes_the_bid_invalid():
    project, users, keys = builders.bid_files_project()
    with builders.at_opening():
        _close(project)
        opened = opening.opening_shares_post(actor=keys[0][0], project=project,
                                             shares=builders.decrypted_shares(project, *keys[0]))
        assert opened == [] and OpeningShare.objects.count() == 3
        _nothing_opened(project)
        with pytest.raises(Conflict, match="尚有3份投标文件未解密"):
            bid_services.bids_open(actor=project.created_by, project=project)
    with clock.travel(builders.DAYS + dt.timedelta(hours=3, minutes=31)):  # the session ended at +3h30
        bids = bid_services.bids_open(actor=project.created_by, project=project)
    assert [b.valid for b in bids] == [False, False, False]
    assert all("收到1个分片，需要2个" in b.invalid_reason for b in bids)
    assert all(b.price is None for b in bids)
    project.refresh_from_db()
    assert project.status == "opened"


def test_two_holders_open_every_bid_and_the_record_carries_the_ceremony(django_capture_on_commit_callbacks):
    project, users, keys = builders.bid_files_project()
    with builders.at_opening(), django_capture_on_commit_callbacks(execute=True):
        _close(project)
        opening.opening_shares_post(actor=keys[0][0], project=project,
                                    shares=builders.decrypted_shares(project, *keys[0]))
        opened = opening.opening_shares_post(actor=keys[2][0], project=project,
                                             shares=builders.decrypted_shares(project, *keys[2]))
        assert len(opened) == 3
        bids = bid_services.bids_open(actor=project.created_by, project=project)
    prices = {b.bidder_id: (str(b.price), b.valid) for b in bids}
    assert prices == {users[0].organisation_id: ("900000.00", True),
                      users[1].organisation_id: ("950000.00", True),
                      users[2].organisation_id: ("1100000.00", False)}
    over = next(b for b in bids if b.price > 1000000)
    assert "超过最高投标限价" in over.invalid_reason
    first = next(b for b in bids if b.bidder_id == users[0].organisation_id)
    assert first.document_sha256 == hashlib.sha256(builders.PDF).hexdigest() and first.decrypted_at
    stored_pdf = Path(settings.OBJECT_STORE_DIR) / "objects" / first.document_key / "@data"
    assert stored_pdf.read_bytes() == builders.PDF
    record = selectors.opening_record(project)
    ceremony = record["ceremony"]
    assert [k["position"] for k in ceremony["keys"]] == [1, 2, 3]
    assert {b["ciphertext_sha256"] for b in ceremony["bids"]} == {b.envelope_sha256 for b in bids}
    assert ceremony["record_sha256"] == selectors.opening_digest(project)
    assert LedgerEntry.objects.filter(action="bid_decrypted").count() == 3
    assert LedgerEntry.objects.get(action="bids_opened").data["mode"] == "bidder"


def test_a_bid_whose_ciphertext_no_longer_matches_its_receipt_is_invalid(settings):
    project, users, keys = builders.bid_files_project()
    tampered = Bid.objects.get(bidder=users[1].organisation)
    path = Path(settings.OBJECT_STORE_DIR) / "objects" / tampered.object_key / "@data"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with builders.at_opening():
        _close(project)
        for holder in keys[:2]:
            opening.opening_shares_post(actor=holder[0], project=project,
                                        shares=builders.decrypted_shares(project, *holder))
    tampered.refresh_from_db()
    assert tampered.valid is False and "与递交回执不符" in tampered.invalid_reason and tampered.price is None
    assert LedgerEntry.objects.get(action="bid_not_decrypted").data["reason"] == tampered.invalid_reason
    assert Bid.objects.filter(valid=True).count() == 1  # the other two opened (one is over the ceiling)


def test_a_file_sealed_under_another_context_but_labelled_for_this_one_does_not_open():
    project, keys = builders.bidder_round()
    users = [builders.bidder() for _ in range(3)]
    for user in users[:2]:
        builders.submit_file(project, user, "900000.00")
    sealed = builders.seal_file(project, users[2], "900000.00", code="CG-OTHER-001")
    data = {**builders.envelope(sealed), "context": bidfile.content_aad(project.code, 1,
                                                                        users[2].organisation.uscc).decode()}
    bidfiles.bid_file_submit(actor=users[2], project=project, data=data, ciphertext=sealed.ciphertext)
    relabelled = Bid.objects.get(bidder=users[2].organisation)
    with builders.at_opening():
        _close(project)
        with pytest.raises(bidfile.BidFileError):  # its shares were wrapped under the other project's context
            builders.decrypted_shares(project, *keys[0])
        for holder in keys[:2]:  # the holders' pages skip it and open the others
            opening.opening_shares_post(actor=holder[0], project=project,
                                        shares=builders.decrypted_shares(project, *holder, skip_unopenable=True))
    relabelled.refresh_from_db()
    assert relabelled.valid is None and not relabelled.opening_shares.exists()
    assert Bid.objects.filter(project=project, valid=True).count() == 2
    with clock.travel(builders.DAYS + dt.timedelta(hours=3, minutes=31)):
        bid_services.bids_open(actor=project.created_by, project=project)
    relabelled.refresh_from_db()
    assert relabelled.valid is False and "未能解密（收到0个分片" in relabelled.invalid_reason


def _post_all(project, holders):
    for holder in holders:
        try:
            shares = builders.decrypted_shares(project, *holder)
        except bidfile.BidFileError as error:
            raise ValidationError("does not open") from error
        opening.opening_shares_post(actor=holder[0], project=project, shares=shares)


# --- after the opening: confirmations and objections online --------------------------------------------------

def _opened():
    project, users, keys = builders.bid_files_project()
    with builders.at_opening():
        _close(project)
        _post_all(project, keys[:2])
        bid_services.bids_open(actor=project.created_by, project=project)
    return project, users


def test_a_bidder_confirms_the_record_it_saw_once():
    project, users = _opened()
    with pytest.raises(ValidationError, match="record_sha256"):
        opening.opening_confirm(actor=users[0], project=project, record_sha256="0" * 64)
    digest = selectors.opening_digest(project)
    opening.opening_confirm(actor=users[0], project=project, record_sha256=digest)
    with pytest.raises(Conflict, match="已确认过"):
        opening.opening_confirm(actor=users[0], project=project, record_sha256=digest)
    with pytest.raises(PermissionDenied):
        opening.opening_confirm(actor=builders.bidder(), project=project, record_sha256=digest)
    assert OpeningConfirmation.objects.get().record_sha256 == digest
    assert selectors.opening_record(project)["ceremony"]["confirmations"][0]["record_sha256"] == digest
    assert LedgerEntry.objects.get(action="opening_confirmed").actor == users[0].username


def test_a_bidder_objects_online_and_the_agency_answers_on_the_record():
    project, users = _opened()
    objection = objections.objection_raise(actor=users[1], project=project, stage="opening", content="报价读错")
    assert objection.raised_by == users[1].organisation.name
    with pytest.raises(PermissionDenied):
        objections.objection_raise(actor=builders.bidder(), project=project, stage="opening", content="x")
    objections.objection_answer(actor=project.created_by, objection=objection, answer="已核对，无误")
    assert selectors.opening_record(project)["objections"] == [
        {"raised_by": users[1].organisation.name, "content": "报价读错", "answer": "已核对，无误"}]


def test_the_live_view_shows_shares_and_prices_but_never_share_values():
    project, users, keys = builders.bid_files_project()
    assert selectors.live_opening(project)["state"] == "waiting"
    with builders.at_opening():
        _close(project)
        shares = builders.decrypted_shares(project, *keys[0])
        opening.opening_shares_post(actor=keys[0][0], project=project, shares=shares)
        live = selectors.live_opening(project)
        assert [b["shares"] for b in live["bids"]] == [[1], [1], [1]] and live["bids"][0]["price"] is None
        assert shares[0]["share"] not in json.dumps(live)
        _post_all(project, keys[1:2])
        live = selectors.live_opening(project)
    assert [b["price"] for b in live["bids"]] == ["900000.00", "950000.00", "1100000.00"]


def test_inconsistent_shares_from_the_bidder_make_its_bid_invalid():
    project, keys = builders.bidder_round()
    users = [builders.bidder() for _ in range(3)]
    for user in users[:2]:
        builders.submit_file(project, user, "900000.00")
    sealed = builders.seal_file(project, users[2], "900000.00")
    data = {**builders.envelope(sealed), "key_commitment": "ab" * 32}  # commits to another key
    bidfiles.bid_file_submit(actor=users[2], project=project, data=data, ciphertext=sealed.ciphertext)
    with builders.at_opening():
        _close(project)
        _post_all(project, keys[:2])
    bad = Bid.objects.get(bidder=users[2].organisation)
    assert bad.valid is False and "承诺不符" in bad.invalid_reason and bad.price is None


def test_the_structured_bids_still_work_in_server_mode():
    project, _ = builders.opened_project()
    assert BidRound.objects.get(project=project).mode == "server"
    with builders.at_opening():
        _close(project)
        bids = bid_services.bids_open(actor=project.created_by, project=project)
    assert len(bids) == 4 and sum(1 for b in bids if b.valid) == 3


def test_the_opening_room_recording_is_bound_by_hash_in_the_record_and_its_pdf(tmp_path):
    from archive.selectors import record_for
    from core import context
    from recordings.models import Recording
    from tests.archive.test_records import pdf_text

    project, users = _opened()
    session = selectors.box(project).opening_session
    with context.acting(project.created_by):  # a stored recording as the upload service leaves it
        Recording.objects.create(session=session, status=Recording.Status.STORED, key="recordings/x/1/a.mp4", version_id="v1",
                                 sha256="ab" * 32, size=10, uploader="user", retention_until=clock.now(),
                                 created_at=clock.now(), stored_at=clock.now())
    ceremony = selectors.opening_record(project)["ceremony"]
    assert ceremony["recordings"][0]["sha256"] == "ab" * 32
    text = pdf_text(record_for(project, "bid-opening").build(), tmp_path)
    assert "不见面开标" in text and ("ab" * 32)[:32] in text.replace("\n", "")
    assert Bid.objects.filter(project=project).first().envelope_sha256[:32] in text.replace("\n", "")


def test_a_misconfigured_threshold_is_refused_and_the_round_stays_server_sealed(settings):
    settings.BID_KEY_HOLDERS, settings.BID_KEY_THRESHOLD = 2, 3
    project = builders.procurement()
    with pytest.raises(Conflict, match="门限设置有误"):
        bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="bidder")
    assert BidRound.objects.get(project=project).mode == "server"


def test_the_panel_reads_an_opened_bid_file_and_each_reading_is_logged(client, django_capture_on_commit_callbacks):
    project, users, keys = builders.bid_files_project()
    with builders.at_opening(), django_capture_on_commit_callbacks(execute=True):
        _close(project)
        _post_all(project, keys[:2])
        bid_services.bids_open(actor=project.created_by, project=project)
    panel = builders.drawn_panel(project)
    expert = panel.members.filter(state="seated").first().expert.user
    bid = Bid.objects.get(project=project, bidder=users[0].organisation)
    url = f"/evaluation/{project.code}/bids/{bid.pk}/document"

    client.force_login(expert)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == builders.PDF
    read = LedgerEntry.objects.get(action="bid_document_read")
    assert (read.actor, read.data["sha256"]) == (expert.username, hashlib.sha256(builders.PDF).hexdigest())
    assert f"bids/{bid.pk}/document" in client.get(f"/evaluation/{project.code}/score/").content.decode()

    client.force_login(users[1])  # another bidder may not read a rival's offer
    assert client.get(url).status_code == 403
    client.force_login(project.created_by)
    assert client.get(f"/evaluation/{project.code}/bids/999999/document").status_code == 404
    assert LedgerEntry.objects.filter(action="bid_document_read").count() == 1


def test_a_confirmation_after_a_signature_leaves_the_signed_record_unchanged():
    """Confirmations attest the opening record as signatures do; a bidder confirming after another signed does not
    make that signature one of an earlier version. The PDF still prints every confirmation."""
    from archive import selectors as records
    from archive import signatures
    from tests.archive.signing_tools import PersonalKey
    from trading.services.signing_keys import signing_key_approve, signing_key_register

    project, users = _opened()
    record = records.record_for(project, "bid-opening")
    personal = PersonalKey()
    key = signing_key_approve(actor=factories.user(Role.ADMIN), key=signing_key_register(
        actor=users[0], public_key=personal.public_b64, label="投标人电脑"))
    digest = signatures.record_digest(record)
    signatures.record_sign(actor=users[0], record=record, fingerprint=key.fingerprint, digest=digest,
                           signature=personal.sign(signatures.record_message(record, digest)))

    opening.opening_confirm(actor=users[1], project=project, record_sha256=selectors.opening_digest(project))

    [row] = signatures.signature_rows(record)
    assert row["current"] is True and signatures.record_digest(record) == digest
    assert record.data()["ceremony"]["confirmations"][0]["bidder"] == users[1].organisation.name
    assert signatures.signatures_export(record)["digest"] == digest


def _stored_objects() -> list[Path]:
    return [p for p in (Path(settings.OBJECT_STORE_DIR) / "objects").rglob("@data")]


def test_a_bid_file_refused_after_its_ciphertext_was_stored_leaves_no_object():
    """The deadline passes between the check before the upload and the row (the check cannot be raced for real
    in a test, so it is skipped): the row is refused under the lock, and the ciphertext stored a moment before is
    taken away again. The same for the same ciphertext racing in from a second request."""
    from unittest import mock

    project, _ = builders.bidder_round()
    sealed = builders.seal_file(project, user := builders.bidder(), "900000.00")
    before = _stored_objects()
    with builders.at_opening(), mock.patch.object(bidfiles, "_precheck"), pytest.raises(Conflict, match="已过"):
        bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext)
    assert not Bid.objects.exists() and _stored_objects() == before

    bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed), ciphertext=sealed.ciphertext)
    kept = _stored_objects()
    with mock.patch.object(bidfiles, "_precheck"), pytest.raises(Conflict, match="重复"):
        bidfiles.bid_file_submit(actor=user, project=project, data=builders.envelope(sealed),
                                 ciphertext=sealed.ciphertext)
    assert Bid.objects.count() == 1 and _stored_objects() == kept and len(kept) == len(before) + 1
