"""Land auctions: an append-only bid log, the increment enforced, bidder numbers unique, the reserve price, the
hammer price and winner, the project's state following the outcome."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from core.roles import Role
from evaluation import selectors
from evaluation.models import AuctionBid
from evaluation.services import auctions
from tests import factories
from tests.evaluation import builders
from trading.services.projects import project_create, project_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def auction(settings):
    settings.REGISTRATION_MIN_DAYS = 1
    agency = factories.agency_user()
    project = project_create(actor=agency, data={
        "type": "land_auction", "title": "城南2026-07号地块", "budget": Decimal("46000000.00"),
        "registration_deadline": clock.now() + builders.DAYS})
    project = project_publish(actor=agency, project=project)
    found = auctions.auction_setup(actor=agency, project=project, starting_price="46000000",
                                   increment="500000", reserve_price="47000000")
    for number in ("001", "002", "003"):
        auctions.auction_register(actor=agency, auction=found, bidder=builders.bidder().organisation, number=number)
    with builders.at_opening():
        found = auctions.auction_start(actor=agency, auction=found)
        yield found, agency


def _bid(auction, agency, number, amount):
    return auctions.auction_bid(actor=agency, auction=auction, bidder_number=number, amount=amount)


def test_highest_bid_at_or_above_the_reserve_is_the_hammer_price(auction):
    found, agency = auction
    for number, amount in [("001", "46000000"), ("002", "46500000"), ("001", "47500000")]:
        _bid(found, agency, number, amount)

    done = auctions.auction_hammer(actor=agency, auction=found)

    assert done.sold and done.hammer_price == Decimal("47500000.00")
    assert done.winner == found.bidders.get(number="001").bidder
    assert found.project.history.first().status == "awarded"
    assert LedgerEntry.objects.get(action="auction_hammer").data["winner_number"] == "001"


def test_reserve_not_met_fails_the_auction(auction):
    found, agency = auction
    _bid(found, agency, "003", "46000000")

    done = auctions.auction_hammer(actor=agency, auction=found)

    assert done.sold is False and done.hammer_price is None and "保留价" in done.outcome
    found.project.refresh_from_db()
    assert found.project.status == "failed"


@pytest.mark.parametrize("amount", ["46400000", "-1", "abc", "1e400", "46500000.001"])
def test_a_bid_not_above_the_current_by_the_increment_or_malformed_is_refused(auction, amount):
    found, agency = auction
    _bid(found, agency, "001", "46000000")

    with pytest.raises(ValidationError) as error:
        _bid(found, agency, "002", amount)

    assert "amount" in error.value.message_dict
    assert AuctionBid.objects.count() == 1


def test_an_unregistered_bidder_number_is_refused(auction):
    found, agency = auction
    with pytest.raises(ValidationError) as error:
        _bid(found, agency, "999", "46000000")
    assert "bidder_number" in error.value.message_dict


def test_a_duplicate_bidder_number_is_refused(settings):
    settings.REGISTRATION_MIN_DAYS = 1
    agency = factories.agency_user()
    project = project_publish(actor=agency, project=project_create(actor=agency, data={
        "type": "asset_transfer", "title": "闲置车辆", "budget": Decimal("380000"),
        "registration_deadline": clock.now() + builders.DAYS}))
    found = auctions.auction_setup(actor=agency, project=project, starting_price="300000", increment="5000")
    auctions.auction_register(actor=agency, auction=found, bidder=builders.bidder().organisation, number="8")
    with pytest.raises(Conflict):
        auctions.auction_register(actor=agency, auction=found, bidder=builders.bidder().organisation, number="8")
    assert found.bidders.count() == 1


def test_the_log_is_append_only_and_the_reserve_hidden_from_the_public(auction):
    found, agency = auction
    _bid(found, agency, "001", "46000000")
    row = AuctionBid.objects.get()
    with pytest.raises(TypeError):
        AuctionBid.objects.filter(pk=row.pk).update(amount=1)
    view = selectors.auction_view(factories.user(Role.ENTERPRISE), found)
    assert view["reserve_price"] is None and view["next_minimum"] == Decimal("46500000.00")
    assert selectors.auction_view(agency, found)["reserve_price"] == Decimal("47000000.00")


def test_only_the_agency_records_bids(auction):
    found, _ = auction
    with pytest.raises(PermissionDenied):
        _bid(found, builders.bidder(), "001", "46000000")


def test_the_hammer_on_the_page_is_asked_once_more_and_only_the_confirmed_post_ends_the_auction(auction):
    from django.test import Client

    from evaluation.models import Auction

    found, agency = auction
    client = Client()
    client.force_login(agency)
    url = f"/auction/{found.project.code}/"
    with builders.at_opening():
        _bid(found, agency, "001", "47,500,000.00")

        asked = client.post(url, {"action": "hammer"})
        assert asked.status_code == 200 and 'id="confirm-button"' in asked.content.decode()
        assert Auction.objects.get(pk=found.pk).hammered_at is None

        assert client.post(url, {"action": "hammer", "confirmed": "1"}).status_code == 302
        assert Auction.objects.get(pk=found.pk).hammered_at is not None


def test_a_sale_offers_the_buyer_the_confirmation_at_the_hammer_price(auction):
    found, agency = auction
    _bid(found, agency, "002", "47000000")

    auctions.auction_hammer(actor=agency, auction=found)

    [contract] = found.project.contracts.all()
    assert contract.enterprise == found.bidders.get(number="002").bidder
    assert contract.amount == Decimal("47000000.00") and contract.state == "offered"
    assert LedgerEntry.objects.filter(object_type="trading.Contract", action="create").count() == 1


def test_the_agency_sets_the_rules_on_the_auction_page_and_bad_input_changes_nothing(settings, client):
    from evaluation.models import Auction

    settings.REGISTRATION_MIN_DAYS = 1
    agency = factories.agency_user()
    project = project_publish(actor=agency, project=project_create(actor=agency, data={
        "type": "land_auction", "title": "城西地块", "budget": Decimal("9000000.00"),
        "registration_deadline": clock.now() + builders.DAYS}))
    client.force_login(agency)
    url = f"/auction/{project.code}/"

    bad = client.post(url, {"action": "setup", "starting_price": "", "increment": "100000"}, follow=True)
    assert "starting_price" in bad.content.decode() and not Auction.objects.exists()
    client.post(url, {"action": "setup", "starting_price": "9000000", "increment": "100000"})
    assert Auction.objects.get().starting_price == Decimal("9000000.00")
    client.force_login(factories.user(Role.ENTERPRISE))
    assert client.post(url, {"action": "setup", "starting_price": "1", "increment": "1"}).status_code == 403
