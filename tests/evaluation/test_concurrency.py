"""PostgreSQL, threads with a barrier and one connection each: one bidder's two simultaneous submissions leave
exactly one active bid (the other kept as replaced); an expert's two simultaneous sheets store one; two auction
bids at the same amount accept one."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from core import clock
from core.errors import Conflict
from evaluation.models import AuctionBid, Bid, Score
from evaluation.services import auctions, evaluating, panels
from evaluation.services import bids as bid_services
from tests import factories
from tests.evaluation import builders
from trading.services.projects import project_create, project_publish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _short_registration(settings):
    settings.REGISTRATION_MIN_DAYS = 1


def _race(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return ("ok", call())
        except (Conflict, ValidationError) as exc:
            return ("refused", exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [r[0] for r in pool.map(run, calls)]


def test_two_simultaneous_bids_of_one_bidder_leave_one_active_and_one_replaced(on_postgres):
    project, user = builders.procurement(), builders.bidder()

    outcomes = _race([lambda p=p: builders.submit(project, user, p) for p in ("900000", "910000")])

    assert outcomes == ["ok", "ok"]
    states = sorted(Bid.objects.filter(project=project).values_list("state", flat=True))
    assert states == ["active", "replaced"]


def test_an_experts_two_simultaneous_sheets_store_one(on_postgres):
    project, users = builders.opened_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        panel = builders.drawn_panel(project)
        member = panels.seated(panel).first()
        sheet = {str(b.pk): {"tech": "30", "service": "15"} for b in evaluating.valid_bids(project)}

        outcomes = _race([lambda: evaluating.score_submit(actor=member.expert.user, project=project,
                                                          sheet=sheet)] * 2)

    assert sorted(outcomes) == ["ok", "refused"]
    assert Score.objects.filter(member=member).count() == 6


def test_two_auction_bids_at_the_same_amount_accept_one(on_postgres):
    agency = factories.agency_user()
    project = project_publish(actor=agency, project=project_create(actor=agency, data={
        "type": "land_auction", "title": "并发拍卖", "budget": Decimal("1000000"),
        "registration_deadline": clock.now() + builders.DAYS}))
    auction = auctions.auction_setup(actor=agency, project=project, starting_price="1000000", increment="10000")
    for number in ("1", "2"):
        auctions.auction_register(actor=agency, auction=auction, bidder=builders.bidder().organisation, number=number)
    with builders.at_opening():
        auctions.auction_start(actor=agency, auction=auction)
        outcomes = _race([lambda n=n: auctions.auction_bid(actor=agency, auction=auction, bidder_number=n,
                                                           amount="1000000") for n in ("1", "2")])
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuctionBid.objects.filter(auction=auction).count() == 1
