"""Sealed bids: submit / replace / withdraw before the deadline with history, late bids refused, receipts, the
contents unreadable before the opening (from every role and from the raw row), fewer than 3 bids → the round fails,
the opening in the opening session with bids over the ceiling invalid."""

import base64
import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from core.roles import Role
from evaluation import sealing
from evaluation.models import Bid, BidRound
from evaluation.services import bids as bid_services
from tests import factories
from tests.evaluation import builders

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


def test_publishing_a_procurement_project_prepares_a_bid_box_with_only_sealed_shares():
    project = builders.procurement()

    box = BidRound.objects.get(project=project, round=1)

    assert len(box.public_key) == 64 and box.opens_at == project.registration_deadline
    assert len(box.sealed_shares) == bid_services.SHARES
    assert not any("seal-v1-share" in s for s in box.sealed_shares)
    assert LedgerEntry.objects.filter(action="bid_box_prepared", project=project.code).exists()


def test_receipt_names_the_sha256_of_exactly_what_was_submitted():
    project, user = builders.procurement(), builders.bidder()

    bid, receipt = builders.submit(project, user, "880000.5")

    document = receipt["document"].encode()
    assert receipt["plaintext_sha256"] == hashlib.sha256(document).hexdigest()
    assert json.loads(document)["price"] == "880000.50"
    stored = base64.b64decode(bid.envelope)
    assert receipt["ciphertext_sha256"] == hashlib.sha256(stored).hexdigest() == bid.envelope_sha256
    entry = LedgerEntry.objects.get(action="bid_submitted")
    assert entry.actor == user.username and entry.data["envelope_sha256"] == bid.envelope_sha256


def test_the_raw_database_row_holds_only_ciphertext():
    project, user = builders.procurement(), builders.bidder()
    bid, _ = builders.submit(project, user, "123456.78", terms="独特承诺ABC")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Bid._meta.db_table} WHERE id = %s", [bid.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
        cursor.execute(f"SELECT * FROM {Bid.history.model._meta.db_table}")
        history = " ".join(str(v) for r in cursor.fetchall() for v in r)
    ledger = " ".join(json.dumps(e.data, ensure_ascii=False) for e in LedgerEntry.objects.all())
    for text in (row, history, ledger):
        assert "123456.78" not in text and "独特承诺ABC" not in text
    assert bid.price is None and bid.plaintext_sha256 == ""


def test_no_one_can_decrypt_before_the_opening_time_not_even_with_the_database():
    project, _ = builders.opened_project()
    box = BidRound.objects.get(project=project)
    blob = sealing.SealedBlob.from_bytes(base64.b64decode(Bid.objects.first().envelope))

    # a database reader has the sealed shares but not the platform key: they are not shares
    with pytest.raises(sealing.ShareError):
        sealing.combine([sealing.Share.decode(bytes.fromhex(s).decode("latin-1")) for s in box.sealed_shares])
    # a key rebuilt from anything but the real shares does not open the bid
    public, shares = sealing.new_opening_key(3, 2)
    with pytest.raises(sealing.SealError):
        sealing.unseal(sealing.combine(shares[:2]), blob, aad=b"x")
    # every role, through the one service, is refused before the opening time
    for actor in (project.created_by, factories.user(Role.ADMIN)):
        with pytest.raises(Conflict, match="未到开标时间"):
            bid_services.bids_open(actor=actor, project=project)
    for role in (Role.SUPERVISOR, Role.INSPECTOR, Role.ENTERPRISE, Role.EXPERT):
        with pytest.raises(PermissionDenied):
            bid_services.bids_open(actor=factories.user(role), project=project)
    assert not Bid.objects.filter(price__isnull=False).exists()


def test_moving_the_opening_time_earlier_in_the_database_breaks_the_shares():
    project, _ = builders.opened_project()
    box = BidRound.objects.get(project=project)
    box.opens_at -= dt.timedelta(days=6)
    box.save()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        with pytest.raises(Conflict, match="无法解封"):
            bid_services.bids_open(actor=project.created_by, project=project)


def test_replacing_a_bid_keeps_the_first_as_replaced():
    project, user = builders.procurement(), builders.bidder()
    first, _ = builders.submit(project, user, "900000")

    second, _ = builders.submit(project, user, "870000")

    first.refresh_from_db()
    assert first.state == Bid.State.REPLACED and first.ended_at is not None
    assert second.state == Bid.State.ACTIVE
    assert list(first.history.values_list("state", flat=True)) == ["replaced", "active"]


def test_withdrawing_before_the_deadline_is_kept_in_history():
    project, user = builders.procurement(), builders.bidder()
    builders.submit(project, user, "900000")

    bid = bid_services.bid_withdraw(actor=user, project=project)

    assert bid.state == Bid.State.WITHDRAWN
    assert LedgerEntry.objects.filter(action="bid_withdrawn", actor=user.username).exists()
    with pytest.raises(Conflict):
        bid_services.bid_withdraw(actor=user, project=project)


def test_a_bid_after_the_deadline_is_refused_and_nothing_is_stored():
    project, user = builders.procurement(), builders.bidder()

    with clock.travel(builders.DAYS), pytest.raises(Conflict, match="截止"):
        builders.submit(project, user, "900000")

    assert Bid.objects.count() == 0


@pytest.mark.parametrize("price", ["-5", "abc", "0", "1.234", ""])
def test_a_negative_zero_or_non_numeric_price_is_refused_naming_the_field(price):
    project, user = builders.procurement(), builders.bidder()

    with pytest.raises(ValidationError) as error:
        builders.submit(project, user, price)

    assert "price" in error.value.message_dict
    assert Bid.objects.count() == 0


def test_only_enterprises_may_bid():
    project = builders.procurement()
    with pytest.raises(PermissionDenied):
        builders.submit(project, project.created_by, "900000")


def test_fewer_than_three_bids_at_the_deadline_fails_the_round_without_opening():
    project = builders.procurement()
    for n in range(2):
        builders.submit(project, builders.bidder(), f"90000{n}")
    builders.opening_session(project)

    with builders.at_opening():
        project = bid_services.bids_close(actor=project.created_by, project=project)
        with pytest.raises(Conflict):
            bid_services.bids_open(actor=project.created_by, project=project)

    assert project.status == "failed"
    assert "第四十四条" in project.history.first().history_change_reason
    assert BidRound.objects.get(project=project).bid_count == 2
    assert not Bid.objects.filter(price__isnull=False).exists()


def test_a_withdrawn_bid_does_not_count_towards_the_three():
    project = builders.procurement()
    users = [builders.bidder() for _ in range(3)]
    for user in users:
        builders.submit(project, user, "900000")
    bid_services.bid_withdraw(actor=users[0], project=project)

    with builders.at_opening():
        project = bid_services.bids_close(actor=project.created_by, project=project)

    assert project.status == "failed"


def test_opening_decrypts_lists_and_invalidates_bids_over_the_ceiling():
    project, users = builders.opened_project()

    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        opened = bid_services.bids_open(actor=project.created_by, project=project)

    by_bidder = {b.bidder_id: b for b in opened}
    over = by_bidder[users[2].organisation_id]
    assert over.price == 1100000 and over.valid is False and "最高投标限价" in over.invalid_reason
    assert all(b.valid for b in opened if b is not over)
    assert by_bidder[users[0].organisation_id].terms == "质保三年"
    project.refresh_from_db()
    assert project.status == "opened"
    assert LedgerEntry.objects.get(action="bids_opened").actor == project.created_by.username


def test_opening_needs_an_opening_session_under_way():
    project, _ = builders.opened_project()
    with clock.travel(builders.DAYS + dt.timedelta(hours=5)):
        bid_services.bids_close(actor=project.created_by, project=project)
        with pytest.raises(Conflict, match="开标场次"):
            bid_services.bids_open(actor=project.created_by, project=project)


def test_opened_bid_matches_its_bidders_receipt():
    project = builders.procurement()
    receipts = [builders.submit(project, builders.bidder(), p)[1] for p in ("900000", "910000", "920000")]
    builders.opening_session(project)
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)

    for receipt in receipts:
        assert Bid.objects.get(pk=receipt["bid"]).plaintext_sha256 == receipt["plaintext_sha256"]
