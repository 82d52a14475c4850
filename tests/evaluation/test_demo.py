"""The demo: runs after the trading demo, leaves an evaluated project in publicity and a sold auction, and a
second run changes nothing."""

import pytest
from django.core.management import call_command

from audit.models import LedgerEntry
from evaluation import demo, selectors
from evaluation.models import Candidate, Expert
from trading.models import Project

pytestmark = pytest.mark.django_db


def test_demo_builds_an_evaluated_project_and_a_sold_auction_idempotently(settings):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get(title=demo.PROCUREMENT)
    auction = selectors.auction(Project.objects.get(title=demo.AUCTION))

    assert project.status == "publicity" and Candidate.objects.filter(project=project).count() == 3
    assert Expert.objects.count() == 9 and len(selectors.panel(project).excluded) == 2
    assert auction.sold and auction.hammer_price == 38600000
    entries = LedgerEntry.objects.count()
    demo.load(out=lambda *_: None)
    assert LedgerEntry.objects.count() == entries
