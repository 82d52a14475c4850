"""The evaluation pages answer a refused action as the API does: the page again, its reason on it, with 400 for bad
input and 409 for the project's state (not 200, which a script or a proxy's log would read as done); done is a
redirect."""

import pytest

from core.roles import Role
from evaluation.models import Bid, Expert
from tests import factories
from tests.evaluation import builders
from tests.evaluation.test_auctions import auction  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def test_the_bid_page_answers_bad_input_400_a_closed_box_409_and_a_bid_200_with_its_receipt():
    project = builders.procurement()
    bidder = builders.bidder("页面投标企业")
    client, url = factories.logged_in(bidder), f"/evaluation/{project.code}/bid/"

    bad = client.post(url, {"action": "submit", "price": "一百万", "duration": "30日历天", "terms": "质保三年"})
    assert bad.status_code == 400 and "投标报价" in bad.content.decode() and not Bid.objects.exists()

    done = client.post(url, {"action": "submit", "price": "900000", "duration": "30日历天", "terms": "质保三年"})
    assert done.status_code == 200 and 'id="receipt"' in done.content.decode()

    with builders.at_opening():
        late = client.post(url, {"action": "submit", "price": "880000", "duration": "30日历天", "terms": "质保三年"})
        assert late.status_code == 409 and "拒收" in late.content.decode()
    assert Bid.objects.count() == 1


def test_the_expert_pool_answers_bad_input_400_and_a_save_with_a_redirect():
    admin, account = factories.user(Role.ADMIN), factories.user(Role.EXPERT)
    client = factories.logged_in(admin)

    bad = client.post("/evaluation/experts/", {"action": "expert", "user": account.pk, "name": "", "specialty": "市政"})
    assert bad.status_code == 400 and not Expert.objects.exists()

    done = client.post("/evaluation/experts/", {"action": "expert", "user": account.pk, "name": "赵工",
                                                "specialty": "市政"})
    assert done.status_code == 302 and Expert.objects.get().name == "赵工"


def test_the_auction_page_answers_a_malformed_bid_400_and_one_after_the_hammer_409(auction):  # noqa: F811
    from evaluation.services import auctions

    found, agency = auction
    client, url = factories.logged_in(agency), f"/auction/{found.project.code}/"

    malformed = client.post(url, {"action": "bid", "bidder_number": "001", "amount": "四千七百万"})
    assert malformed.status_code == 400 and "amount" in malformed.content.decode() and not found.log.exists()

    auctions.auction_hammer(actor=agency, auction=found)
    late = client.post(url, {"action": "bid", "bidder_number": "001", "amount": "47000000"})
    assert late.status_code == 409 and "已落槌" in late.content.decode() and not found.log.exists()
