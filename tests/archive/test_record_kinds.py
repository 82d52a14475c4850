"""Records read right to a person who knows these documents (issue 17 item 3): each trading type's announcement
under its own title with its qualification terms, the auction's 成交确认书, the transfer's confirmation, the price
score in the evaluation report, a document number (文号) assigned once and kept, every time in local time."""

from __future__ import annotations

import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from archive import selectors, services
from archive.models import RecordNumber
from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from evaluation.services import auctions
from tests import factories
from tests.archive import test_records
from tests.archive.test_records import pdf_text
from tests.evaluation import builders
from trading.models import Organisation
from trading.services.projects import project_create, project_publish

pytestmark = pytest.mark.django_db
evaluated_project = test_records.evaluated_project  # the same fixture
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|Z\b")


def sold(ptype: str, title: str, settings):
    settings.REGISTRATION_MIN_DAYS = 1
    agency = factories.agency_user()
    project = project_create(actor=agency, data={
        "type": ptype, "title": title, "budget": Decimal("46000000.00"),
        "registration_deadline": clock.now() + builders.DAYS})
    project.tenderer = factories.organisation(name="县自然资源局", kind=Organisation.Kind.TENDERER)
    project.save()  # a builder's shortcut: the create API has no tenderer field
    project = project_publish(actor=agency, project=project)
    found = auctions.auction_setup(actor=agency, project=project, starting_price="46000000", increment="500000",
                                   reserve_price="46000000")
    for number in ("001", "002"):
        auctions.auction_register(actor=agency, auction=found, bidder=builders.bidder().organisation, number=number)
    with builders.at_opening():
        found = auctions.auction_start(actor=agency, auction=found)
        auctions.auction_bid(actor=agency, auction=found, bidder_number="001", amount="46000000")
        auctions.auction_bid(actor=agency, auction=found, bidder_number="002", amount="46500000")
        found = auctions.auction_hammer(actor=agency, auction=found)
    project.refresh_from_db()
    return project, found


def test_a_land_auction_is_announced_as_such_with_the_bidders_qualifications_and_confirmed_when_sold(
        settings, tmp_path):
    project, found = sold("land_auction", "城南2026-07号地块国有建设用地使用权", settings)

    announcement = pdf_text(selectors.record_for(project, "announcement").build(), tmp_path)
    confirmation = pdf_text(selectors.record_for(project, "auction-result").build(), tmp_path)

    assert "国有建设用地使用权拍卖出让公告" in announcement and "招标公告" not in announcement
    assert "竞买人资格" in announcement and "竞买保证金" in announcement and "46,000,000.00元" in announcement
    winner = found.winner.name.replace(" ", "")
    for fact in ["成交确认书", winner, found.winner.uscc, "46,500,000.00元", "002", "竞得人", "县自然资源局",
                 "《国有建设用地使用权出让合同》", "竞价记录"]:
        assert fact in confirmation, fact
    assert clock.now().astimezone(SHANGHAI).strftime("%Y") in confirmation
    kinds = {r.kind for r in selectors.available_records(project)}  # the sale's notice is the confirmation alone
    assert "auction-result" in kinds and "award" not in kinds


def test_an_asset_transfer_has_its_own_announcement_and_confirmation(settings, tmp_path):
    project, found = sold("asset_transfer", "县属国有公司闲置办公楼转让", settings)

    announcement = pdf_text(selectors.record_for(project, "announcement").build(), tmp_path)
    confirmation = pdf_text(selectors.record_for(project, "auction-result").build(), tmp_path)

    assert "国有资产转让公告" in announcement and "意向受让方" in announcement
    assert "国有资产转让成交确认书" in confirmation and "受让方" in confirmation and "《产权交易合同》" in confirmation
    assert selectors.record_for(project, "auction-result").label == "国有资产转让成交确认书"


def test_the_evaluation_report_shows_each_bidders_price_score_and_how_it_was_computed(evaluated_project, tmp_path):
    project, _users = evaluated_project

    data = selectors.record_for(project, "evaluation").content()
    report = pdf_text(selectors.record_for(project, "evaluation").build(), tmp_path)

    assert all(row["price_score"] > 0 for row in data["ranking"])
    assert "价格分" in report and "评标基准价" in report and "900,000.00" in report
    assert f"{data['ranking'][0]['price_score']:f}" in report


def test_a_record_gets_its_document_number_once_on_issue_and_keeps_it(client, drawn_project, settings, tmp_path):
    settings.RECORD_NUMBER_PREFIX = "城交"
    inspector = factories.user(Role.INSPECTOR)
    client.force_login(inspector)
    year = clock.now().astimezone(SHANGHAI).year

    first = client.get(f"/projects/{drawn_project.code}/records/draw.pdf").content
    again = client.get(f"/projects/{drawn_project.code}/records/draw.pdf").content
    client.get(f"/projects/{drawn_project.code}/records/announcement.pdf")

    assert first == again
    numbers = list(RecordNumber.objects.filter(project=drawn_project).order_by("serial"))
    assert [(n.kind, n.number) for n in numbers] == [("draw", f"城交〔{year}〕1号"),
                                                     ("announcement", f"城交〔{year}〕2号")]
    assert f"城交〔{year}〕1号" in pdf_text(first, tmp_path)
    created = LedgerEntry.objects.filter(project=drawn_project.code, object_type="archive.RecordNumber")
    assert created.count() == 2 and created.first().actor == inspector.username


def test_a_dossier_numbers_every_record_and_no_record_prints_a_utc_time(finished_project, tmp_path):
    system = factories.user(Role.ADMIN)
    services.record_numbers_assign(actor=system, project=finished_project)

    for record in selectors.available_records(finished_project):
        text = pdf_text(record.build(), tmp_path)
        assert record.content()["doc_number"] and record.content()["doc_number"] in text, record.kind
        assert not UTC_ISO.search(text), (record.kind, UTC_ISO.search(text))
    assert len(set(services.record_numbers_assign(actor=system, project=finished_project))) == len(
        selectors.available_records(finished_project))


def test_times_kept_as_iso_text_print_in_the_configured_zone(drawn_project, settings, tmp_path):
    settings.TIME_ZONE = "Asia/Shanghai"
    record = selectors.record_for(drawn_project, "draw")
    frozen = drawn_project.candidates_frozen_at.astimezone(SHANGHAI).strftime("%Y-%m-%d%H:%M")

    assert frozen in pdf_text(record.build(), tmp_path)
