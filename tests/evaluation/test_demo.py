"""The demo: runs after the trading demo, leaves an evaluated project in publicity and a sold auction, and a
second run changes nothing."""

import pytest
from django.core.management import call_command

from audit.models import LedgerEntry
from evaluation import demo, selectors
from evaluation.models import Candidate, Expert
from trading.models import Project

pytestmark = pytest.mark.django_db


def test_demo_builds_an_evaluated_project_and_a_sold_auction_idempotently(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get(title=demo.PROCUREMENT)
    auction = selectors.auction(Project.objects.get(title=demo.AUCTION))

    assert project.status == "publicity" and Candidate.objects.filter(project=project).count() == 3
    assert Expert.objects.count() == 9 and len(selectors.panel(project).excluded) == 2
    assert auction.sold and auction.hammer_price == 38600000
    entries = LedgerEntry.objects.count()
    demo.load(out=lambda *_: None)
    assert LedgerEntry.objects.count() == entries


def test_the_demos_remote_opening_opens_with_two_of_its_key_files(settings, tmp_path):
    """What a person does after `make run`: supervisor and supervisor2 load the key files the demo wrote, post
    their shares, and the agency opens: every bid decrypted, its price read out, none read before."""
    import json

    from evaluation import bidfile
    from evaluation.models import Bid
    from evaluation.services import bids as bid_services
    from evaluation.services import opening
    from tests.evaluation.builders import decrypted_shares
    from trading.models import User

    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    project = Project.objects.get(title=demo.REMOTE)
    assert project.status == "qualified" and not Bid.objects.filter(project=project, price__isnull=False).exists()

    for username in ("supervisor", "supervisor2"):
        key_file = json.loads((tmp_path / "demo-keys" / f"{username}-{project.code}.json").read_text())
        assert key_file["project"] == project.code and key_file["scheme"] == "bidfile-v1"
        holder = User.objects.get(username=username)
        private = bidfile.private_key_from_jwk(key_file["private_jwk"])
        opening.opening_shares_post(actor=holder, project=project, shares=decrypted_shares(project, holder, private))
    bid_services.bids_open(actor=project.created_by, project=project)

    prices = sorted(str(b.price) for b in Bid.objects.filter(project=project, valid=True))
    assert prices == ["845500.00", "868000.00", "879000.00"]
    said = []  # a second run builds nothing and says where the remote opening stands
    demo.load(out=said.append)
    assert Project.objects.filter(title=demo.REMOTE).count() == 1
    assert any(line.startswith(f"demo remote opening {project.code}: 已开标") for line in said), said
