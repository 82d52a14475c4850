"""The OCDS of every demo project, checked with the Open Contracting Partnership's tools: libcoveocds finds nothing
to report, and ocdskit merges each project's releases into one record per process with one award per supplier.
The demo runs committed (transactional test), so the releases are recorded at each state change as in production."""

from __future__ import annotations

import collections
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from archive import ocds, services
from archive.models import Release
from evaluation import demo as evaluation_demo
from evaluation.models import Auction, Bid, BidRound, Candidate
from tests.archive.ocds_tools import assert_cove_clean, ocdskit_compile
from tests.archive.test_ocds import validate
from trading.models import Project

pytestmark = pytest.mark.django_db(transaction=True)


def _without(release: dict, *keys: str) -> dict:
    return {k: v for k, v in release.items() if k not in keys}


def test_every_demo_project_passes_libcoveocds_and_merges_into_one_award_per_supplier(monkeypatch):
    call_command("demo", stdout=io.StringIO())
    projects = list(ocds.exportable_projects())
    assert projects
    for project in projects:
        services.release_record(project)
        package = ocds.release_package(project)
        validate(package)
        assert_cove_clean(package, monkeypatch)
        dates = [r["date"] for r in package["releases"]]
        assert dates == sorted(dates) and len(set(dates)) == len(dates), project.code
        compiled = {c["ocid"]: c for c in ocdskit_compile(package, monkeypatch)}
        ours = {r["ocid"]: r["compiledRelease"] for r in ocds.record_package(project)["records"]}
        assert set(compiled) == set(ours) == {r["ocid"] for r in package["releases"]}
        assert_cove_clean({**package, "releases": list(ours.values())}, monkeypatch)  # the compiled releases too
        for process, theirs in compiled.items():
            assert _without(ours[process], "id") == _without(theirs, "id"), project.code
            suppliers = [s["id"] for a in theirs.get("awards", []) for s in a["suppliers"]]
            assert len(suppliers) == len(set(suppliers)), (project.code, suppliers)
            contract_awards = {c["awardID"] for c in theirs.get("contracts", [])}
            assert contract_awards <= {a["id"] for a in theirs.get("awards", [])}


def test_the_sold_auction_is_awarded_at_the_hammer_price_to_the_winner(monkeypatch):
    call_command("demo", stdout=io.StringIO())
    project = Project.objects.get(title=evaluation_demo.AUCTION)
    auction = Auction.objects.get(project=project)
    services.release_record(project)
    (record,) = ocds.record_package(project)["records"]
    compiled = record["compiledRelease"]
    (award,) = compiled["awards"]
    assert award["value"] == {"amount": 38600000.0, "currency": "CNY"} and award["status"] == "active"
    assert award["suppliers"] == [{"id": f"CN-USCC-{auction.winner.uscc}", "name": auction.winner.name}]
    assert compiled["tender"]["minValue"]["amount"] == float(auction.starting_price)
    assert compiled["tender"]["numberOfTenderers"] == auction.bidders.count() == 2
    supplier = next(p for p in compiled["parties"] if p["id"] == award["suppliers"][0]["id"])
    assert "supplier" in supplier["roles"] and "tenderer" in supplier["roles"]
    assert "award" in ocds.release_package(project)["releases"][-1]["tag"]


def test_the_evaluated_procurement_counts_its_opened_bids_and_releases_the_first_candidate(monkeypatch):
    call_command("demo", stdout=io.StringIO())
    project = Project.objects.get(title=evaluation_demo.PROCUREMENT)
    services.release_record(project)
    package = ocds.release_package(project)
    latest = package["releases"][-1]
    opened = Bid.objects.filter(project=project, round=1, state=Bid.State.ACTIVE)
    assert BidRound.objects.get(project=project).opened_at is not None
    assert latest["tender"]["numberOfTenderers"] == opened.count() == 4
    first = Candidate.objects.filter(project=project).order_by("rank").first()
    (award,) = latest["awards"]
    assert award["status"] == "pending" and award["suppliers"][0]["name"] == first.bid.bidder.name
    assert Decimal(str(award["value"]["amount"])) == first.bid.price
    # every state the project went through is a release of its own, the first before any bid was known
    assert len(package["releases"]) == Release.objects.filter(project=project).count() >= 3
    assert "numberOfTenderers" not in package["releases"][0]["tender"]
    tags = collections.Counter(tuple(r["tag"]) for r in package["releases"])
    assert tags[("tender",)] >= 2 and tags[("award",)] >= 1
