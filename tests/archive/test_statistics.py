"""Statistics on a hand-built dataset whose figures are worked out by hand (months in Asia/Shanghai time)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from archive.statistics import trading_statistics
from core import clock, context
from core.roles import Role
from evaluation.models import Auction
from tests import factories
from trading.models import Complaint, Contract, Project

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SH)


def project(code, ptype, budget, published, *, status="published", failed_at=None):
    agency = factories.agency_user()
    with context.acting_as_system():
        row = Project.objects.create(
            code=code, type=ptype, title=f"统计测试{code}", agency=agency.organisation, created_by=agency,
            budget=Decimal(budget), registration_deadline=published + dt.timedelta(days=7), published_at=published,
            status=status, fixed_price=Decimal(budget) if ptype == "fixed_price" else None)
        if failed_at is not None:  # the failure is a history row of its own, dated when it happened
            row.status, row._history_date = "failed", failed_at
            row.save()
    return row


def contract(row, amount, offered, state="signed"):
    with context.acting_as_system():
        Contract.objects.create(project=row, enterprise=factories.organisation(), amount=Decimal(amount),
                                offered_at=offered, sign_deadline=offered + dt.timedelta(days=30), state=state,
                                signed_at=offered + dt.timedelta(days=3) if state == "signed" else None)


@pytest.fixture
def dataset(db):
    p1 = project("GD-T-1", "fixed_price", "1000000.00", at(2025, 3, 10, 9), status="contracted")
    contract(p1, "950000.00", at(2025, 3, 30, 10))                      # 20 days, saves 50,000
    p2 = project("GD-T-2", "fixed_price", "1000000.00", at(2025, 3, 31, 23, 30), status="contracted")
    contract(p2, "900000.00", at(2025, 4, 10, 10), state="lapsed")      # award date: the first offer
    contract(p2, "900000.00", at(2025, 5, 20, 10))                      # 10 days, saves 100,000
    project("CG-T-3", "procurement", "3000000.00", at(2025, 4, 1, 0, 30))  # 31 March 16:30 UTC: April
    p4 = project("GD-T-4", "fixed_price", "600000.00", at(2024, 12, 20, 9), status="contracted")
    contract(p4, "500000.00", at(2025, 1, 5, 9))                        # published 2024, awarded 2025: 16 days
    project("GD-T-5", "fixed_price", "800000.00", at(2025, 5, 6, 9), failed_at=at(2025, 5, 20, 12))
    project("TD-T-6", "land_auction", "46000000.00", at(2025, 11, 2, 9))
    project("ZC-T-7", "asset_transfer", "380000.00", at(2025, 6, 1, 9), status="draft")  # never counted


def test_counts_amounts_savings_days_and_failed_rounds_of_a_year(dataset):
    stats = trading_statistics(year=2025)
    rows = {row.type: row for row in stats.rows}
    fixed = rows["fixed_price"]
    assert (fixed.projects, fixed.budget) == (3, Decimal("2800000.00"))
    assert (fixed.awarded, fixed.awarded_amount, fixed.savings) == (3, Decimal("2350000.00"), Decimal("250000.00"))
    assert fixed.savings_rate == Decimal("9.62")  # 250,000 / 2,600,000
    assert fixed.average_days == Decimal("15.3")  # (20 + 10 + 16) / 3
    assert fixed.failed_rounds == 1
    assert (rows["procurement"].projects, rows["procurement"].awarded) == (1, 0)
    assert rows["procurement"].savings_rate is None and rows["asset_transfer"].projects == 0
    assert stats.total.projects == 5 and stats.total.budget == Decimal("51800000.00")
    assert stats.by_month[3] == {"fixed_price": 2} and stats.by_month[4] == {"procurement": 1}
    assert stats.by_month[11] == {"land_auction": 1}
    assert stats.amounts_by_month[1] == Decimal("500000.00") and stats.amounts_by_month[4] == Decimal("900000.00")


def test_one_month_counts_only_what_happened_in_it(dataset):
    april = trading_statistics(year=2025, month=4)
    rows = {row.type: row for row in april.rows}
    assert rows["procurement"].projects == 1 and rows["fixed_price"].projects == 0
    assert rows["fixed_price"].awarded == 1 and rows["fixed_price"].awarded_amount == Decimal("900000.00")
    may = trading_statistics(year=2025, month=5)
    assert {row.type: row.failed_rounds for row in may.rows}["fixed_price"] == 1
    assert {row.type: row.projects for row in may.rows}["fixed_price"] == 1


def test_the_stats_command_prints_the_table_and_writes_the_pdf_report(dataset, tmp_path):
    out = io.StringIO()
    call_command("stats", "--year", "2025", "--pdf", str(tmp_path / "report.pdf"), stdout=out)
    lines = out.getvalue().splitlines()
    fixed = next(line for line in lines if line.startswith("固定价比选"))
    assert re.split(r"\s{2,}", fixed.strip())[1:] == [
        "3", "2,800,000.00", "3", "2,350,000.00", "250,000.00", "9.62%", "15.3", "1", "0", "0"]
    text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True).stdout
    assert "公共资源交易统计报告" in text and "2,350,000.00" in text and "各月发布项目数" in text


def test_the_stats_command_refuses_a_month_that_does_not_exist(db):
    with pytest.raises(CommandError, match="month: 13"):
        call_command("stats", "--year", "2025", "--month", "13")


def test_the_statistics_page_is_public_and_draws_its_charts_as_inline_svg(client, dataset):
    page = client.get("/statistics/?year=2025")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 2 and "<script" not in html and "2,350,000.00" in html
    assert client.get("/statistics/?year=2025&month=x").status_code == 400
    pdf = client.get("/statistics/report.pdf?year=2025&month=3")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'href="/statistics/"' in client.get("/").content.decode()  # the public navigation links it


def sold(row, price, hammered, *, sold=True):
    with context.acting_as_system():
        Auction.objects.create(project=row, round=1, starting_price=row.budget, increment=Decimal("10000.00"),
                               started_at=hammered - dt.timedelta(hours=1), hammered_at=hammered, sold=sold,
                               hammer_price=Decimal(price) if sold else None,
                               winner=factories.organisation() if sold else None)


def complaint(row, made):
    with context.acting_as_system():
        Complaint.objects.create(project=row, complainant=factories.user(Role.ENTERPRISE), text="质疑评审程序",
                                 created_at=made)


@pytest.fixture
def every_type(dataset):
    """The dataset, and a sale of every type: the land auction sold, an asset transfer sold, one unsold, the
    procurement awarded; complaints on two types."""
    land = Project.objects.get(code="TD-T-6")
    sold(land, "47000000.00", at(2025, 11, 20, 10))                     # 18 days, premium 1,000,000
    transfer = project("ZC-T-8", "asset_transfer", "380000.00", at(2025, 6, 1, 9), status="awarded")
    sold(transfer, "400000.00", at(2025, 6, 21, 15))                    # 20 days, premium 20,000
    unsold = project("ZC-T-9", "asset_transfer", "500000.00", at(2025, 6, 2, 9), status="failed")
    sold(unsold, None, at(2025, 6, 22, 15), sold=False)
    procurement = Project.objects.get(code="CG-T-3")
    contract(procurement, "2850000.00", at(2025, 4, 25, 10), state="offered")  # 24 days, saves 150,000
    complaint(Project.objects.get(code="GD-T-1"), at(2025, 3, 20, 9))
    complaint(Project.objects.get(code="GD-T-1"), at(2025, 3, 21, 9))
    complaint(land, at(2025, 11, 21, 9))


def test_every_sale_counts_auctions_at_the_hammer_price_and_complaints_by_type(every_type):
    rows = {row.type: row for row in trading_statistics(year=2025).rows}
    land, transfer, procurement = rows["land_auction"], rows["asset_transfer"], rows["procurement"]
    assert (land.awarded, land.awarded_amount, land.savings) == (1, Decimal("47000000.00"), Decimal("-1000000.00"))
    assert land.average_days == Decimal("18.0") and land.complaints == 1
    assert (transfer.projects, transfer.awarded, transfer.awarded_amount) == (2, 1, Decimal("400000.00"))
    assert transfer.savings == Decimal("-20000.00") and transfer.savings_rate == Decimal("-5.26")
    assert (procurement.awarded, procurement.awarded_amount, procurement.savings) == (
        1, Decimal("2850000.00"), Decimal("150000.00"))
    assert rows["fixed_price"].complaints == 2 and rows["fixed_price"].complaints_upheld == 0
    november = {row.type: row for row in trading_statistics(year=2025, month=11).rows}["land_auction"]
    assert (november.awarded, november.complaints) == (1, 1)


@pytest.mark.parametrize("month", [None, 3, 4, 6, 11])
def test_the_statistics_match_counts_computed_from_the_database_for_every_type(every_type, month):
    stats = trading_statistics(year=2025, month=month)
    for row in stats.rows:
        assert (row.awarded, row.awarded_amount, row.awarded_budget, row.complaints) == expected(row.type, 2025, month)
    assert stats.total.awarded == sum(row.awarded for row in stats.rows)


def expected(ptype, year, month):
    """Independently of archive.statistics: sold auctions by their hammer, the others by their first contract
    offer at the amount of the contract that was not lapsed (one per project in these datasets), in Shanghai time."""
    start = dt.datetime(year, month or 1, 1, tzinfo=SH)
    end = (dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SH) if month
           else dt.datetime(year + 1, 1, 1, tzinfo=SH))
    auctions = Auction.objects.filter(project__type=ptype, sold=True, hammered_at__gte=start, hammered_at__lt=end)
    sales = {a.project_id: a.hammer_price for a in auctions}
    for row in Project.objects.filter(type=ptype).exclude(pk__in=Auction.objects.filter(sold=True).values("project")):
        offers = list(Contract.objects.filter(project=row).order_by("offered_at"))
        if offers and start <= offers[0].offered_at < end:
            (standing,) = [c for c in offers if c.state != "lapsed"]
            sales[row.pk] = standing.amount
    budgets = sum((p.budget for p in Project.objects.filter(pk__in=sales)), Decimal("0.00"))
    complaints = Complaint.objects.filter(project__type=ptype, created_at__gte=start, created_at__lt=end).count()
    return len(sales), sum(sales.values(), Decimal("0.00")), budgets, complaints


def test_the_demo_statistics_count_the_sold_auction_and_match_the_database(db):
    call_command("demo", stdout=io.StringIO())
    year = clock.now().astimezone(SH).year
    stats = trading_statistics(year=year)
    rows = {row.type: row for row in stats.rows}
    assert rows["land_auction"].awarded == 1 and rows["land_auction"].awarded_amount == Decimal("38600000.00")
    for row in stats.rows:
        assert (row.awarded, row.awarded_amount, row.awarded_budget, row.complaints) == expected(row.type, year, None)
